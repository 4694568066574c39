import CSwiftLearnKernels

/// A weight matrix kept in its ggml block format inside the mapped model file (q4_1 or q8_0),
/// multiplied as ggml does: the activation quantized per block (q8_1 / q8_0), integer block dot
/// products, float32 scales — by the C kernels (AVX2 or portable, threaded over rows).
struct QuantizedMatrix: @unchecked Sendable {
    let rows: Int, columns: Int
    let typeID: Int32
    let weights: UnsafeRawPointer
    /// Keeps the mapping alive.
    let owner: GGUFFile

    /// Types with a quantized product.
    static let supported: Set<String> = ["q4_1", "q8_0"]

    init?(_ info: GGUFTensorInfo, of file: GGUFFile) {
        guard Self.supported.contains(info.type.name), info.dimensions.count == 2 else { return nil }
        columns = info.dimensions[0]
        rows = info.dimensions[1]
        typeID = Int32(info.type.id)
        weights = file.bytes(of: info).baseAddress!
        owner = file
    }

    private init(rows: Int, columns: Int, typeID: Int32, weights: UnsafeRawPointer, owner: GGUFFile) {
        self.rows = rows; self.columns = columns; self.typeID = typeID; self.weights = weights; self.owner = owner
    }

    /// Rows `range` of this matrix (a view into the same mapping).
    func rows(_ range: Range<Int>) -> QuantizedMatrix {
        QuantizedMatrix(rows: range.count, columns: columns, typeID: typeID, weights: weights + range.lowerBound * rowBytes, owner: owner)
    }

    /// Bytes of one weight row.
    var rowBytes: Int { (columns / 32) * (typeID == 8 ? 34 : 20) }

    /// Bytes of one quantized activation row.
    var activationBytes: Int { sl_quant_activation_bytes(typeID, columns) }

    /// Quantizes `count` activation rows of `columns` floats into `out` (`count · activationBytes`).
    func quantize(_ x: UnsafePointer<Float>, count: Int, into out: UnsafeMutableRawPointer) {
        let step = activationBytes
        for v in 0..<count { _ = sl_quantize_activation(typeID, x + v * columns, columns, out + v * step) }
    }

    /// `y[v][r] = Σ W[r, c] · x_v[c]` for `count` quantized activation rows.
    func multiply(quantized xq: UnsafeRawPointer, count: Int, into y: UnsafeMutablePointer<Float>, threads: Int) {
        _ = sl_quant_matmul(typeID, weights, rows, columns, xq, count, y, Int32(threads))
    }

    /// Row `r` dequantized into `out` (the embedding lookup).
    func row(_ r: Int, into out: UnsafeMutablePointer<Float>) {
        let raw = UnsafeRawBufferPointer(start: weights + r * rowBytes, count: rowBytes)
        let layout = GGMLTypeLayout.of(UInt32(typeID))!
        // The reference decoder (exact: float16 scales times small integers).
        if let values = try? GGMLDequantize.float32(raw, type: layout, count: columns, name: "", path: "") {
            out.update(from: values, count: columns)
        }
    }
}
