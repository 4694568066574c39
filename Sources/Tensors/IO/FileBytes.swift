import Foundation
import SwiftLearnCore

/// Whole-file reads and atomic writes shared by the array formats, mapping failures to
/// ``TensorIOError``.
enum FileBytes {
    /// Reads the whole file at `url`.
    static func read(_ url: URL) throws -> [UInt8] {
        let path = url.path
        var isDirectory: ObjCBool = false
        if url.isFileURL {
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw TensorIOError.fileNotFound(path: path)
            }
            if isDirectory.boolValue {
                throw TensorIOError.unreadableFile(path: path, reason: "it is a directory")
            }
        }
        do {
            // Mapped rather than read: the one copy made is the array returned.
            let data = try Data(contentsOf: url, options: .alwaysMapped)
            return [UInt8](data)
        } catch {
            throw TensorIOError.unreadableFile(path: path, reason: readableReason(error))
        }
    }

    /// Writes `bytes` to `url` atomically (a temporary file renamed into place).
    static func write(_ bytes: [UInt8], to url: URL) throws {
        do {
            try Data(bytes).write(to: url, options: .atomic)
        } catch {
            throw TensorIOError.unwritableFile(path: url.path, reason: readableReason(error))
        }
    }
}
