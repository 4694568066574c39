import SwiftLearnCore

/// Safetensors headers are read with SwiftLearnCore's order-keeping JSON parser.
typealias HeaderJSON = OrderedJSON

extension OrderedJSON {
    /// Parses a safetensors header.
    /// - Throws: ``TensorIOError/safetensorsInvalidJSON(reason:)`` naming the byte offset.
    static func parseHeader(_ bytes: ArraySlice<UInt8>) throws -> OrderedJSON {
        do { return try parse(bytes) } catch let e as ParseError {
            throw TensorIOError.safetensorsInvalidJSON(reason: "\(e.reason) at header byte \(e.offset)")
        }
    }
}
