/// The storage layout of a ggml tensor type: how many elements one block holds and how many bytes
/// it takes (ggml's `blck_size` and `type_size`). Every type id a GGUF file may name is listed so
/// a reader can check a tensor's byte count even for the types it cannot compute with.
public struct GGMLTypeLayout: Equatable, Sendable {
    /// ggml's type id (`ggml_type`).
    public let id: UInt32
    /// ggml's name (`"q4_1"`, `"f16"`).
    public let name: String
    /// Elements per block (1 for plain types, 32 for q4_0…q8_0, 256 for the K-quants).
    public let blockSize: Int
    /// Bytes per block.
    public let blockBytes: Int

    /// The layout of type `id`, or `nil` when ggml has no such type (or removed it: 4 and 5 were
    /// q4_2/q4_3, 31–33 the interleaved q4_0 variants that are never written to files).
    public static func of(_ id: UInt32) -> GGMLTypeLayout? { table[id] }

    /// Bytes of a row of `elements` elements, or `nil` when `elements` is not a whole number of blocks
    /// or the size overflows.
    public func rowBytes(_ elements: Int) -> Int? {
        guard elements >= 0, elements % blockSize == 0 else { return nil }
        let (bytes, overflow) = (elements / blockSize).multipliedReportingOverflow(by: blockBytes)
        return overflow ? nil : bytes
    }

    static let table: [UInt32: GGMLTypeLayout] = {
        let rows: [(UInt32, String, Int, Int)] = [
            (0, "f32", 1, 4), (1, "f16", 1, 2), (2, "q4_0", 32, 18), (3, "q4_1", 32, 20),
            (6, "q5_0", 32, 22), (7, "q5_1", 32, 24), (8, "q8_0", 32, 34), (9, "q8_1", 32, 36),
            (10, "q2_K", 256, 84), (11, "q3_K", 256, 110), (12, "q4_K", 256, 144), (13, "q5_K", 256, 176),
            (14, "q6_K", 256, 210), (15, "q8_K", 256, 292), (16, "iq2_xxs", 256, 66), (17, "iq2_xs", 256, 74),
            (18, "iq3_xxs", 256, 98), (19, "iq1_s", 256, 50), (20, "iq4_nl", 32, 18), (21, "iq3_s", 256, 110),
            (22, "iq2_s", 256, 82), (23, "iq4_xs", 256, 136), (24, "i8", 1, 1), (25, "i16", 1, 2),
            (26, "i32", 1, 4), (27, "i64", 1, 8), (28, "f64", 1, 8), (29, "iq1_m", 256, 56),
            (30, "bf16", 1, 2), (34, "tq1_0", 256, 54), (35, "tq2_0", 256, 66), (39, "mxfp4", 32, 17),
        ]
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.0, GGMLTypeLayout(id: $0.0, name: $0.1, blockSize: $0.2, blockBytes: $0.3)) })
    }()
}
