import Foundation

/// A float32 weight matrix (rows × columns, row-major) with a threaded matrix–vector product.
/// The reference path of the LLM runtime: GGUF weights dequantized once at load.
struct DenseMatrix: Sendable {
    let rows: Int, columns: Int
    let values: [Float]

    /// Dequantizes GGUF tensor `info` of `file` (ggml dimensions `[columns, rows]`).
    init(_ info: GGUFTensorInfo, of file: GGUFFile) throws {
        guard info.dimensions.count <= 2 else {
            throw LLMError.missing(path: file.path, what: "tensor '\(info.name)' has \(info.dimensions.count) dimensions, expected a matrix")
        }
        columns = info.dimensions[0]
        rows = info.dimensions.count == 2 ? info.dimensions[1] : 1
        values = try file.withBytes(of: info) { raw in try GGMLDequantize.float32(raw, type: info.type, count: info.elementCount, name: info.name, path: file.path) }
    }

    init(rows: Int, columns: Int, values: [Float]) {
        self.rows = rows; self.columns = columns; self.values = values
    }

    /// `y = W x` (x has `columns` values, y `rows`).
    func multiply(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        let rows = self.rows, columns = self.columns
        values.withUnsafeBufferPointer { w in
            // Rows are independent: each worker writes its own range of `y`.
            nonisolated(unsafe) let base = w.baseAddress!, xs = x, ys = y
            let chunk = 64
            let chunks = (rows + chunk - 1) / chunk
            let work: @Sendable (Int) -> Void = { c in
                for r in (c * chunk)..<min(rows, (c + 1) * chunk) {
                    ys[r] = DenseMatrix.dot(base + r * columns, xs, columns)
                }
            }
            if rows * columns >= 1 << 16 {
                DispatchQueue.concurrentPerform(iterations: chunks, execute: work)
            } else {
                for c in 0..<chunks { work(c) }
            }
        }
    }

    /// Row `r` copied into `out`.
    func row(_ r: Int, into out: UnsafeMutablePointer<Float>) {
        values.withUnsafeBufferPointer { w in out.update(from: w.baseAddress! + r * columns, count: columns) }
    }

    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD16<Float>()
        var i = 0
        while i + 16 <= n {
            acc += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self) * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
            i += 16
        }
        var s = acc.sum()
        while i < n { s += a[i] * b[i]; i += 1 }
        return s
    }
}

/// ggml block formats decoded to float32 (the types the reference path reads).
enum GGMLDequantize {
    static func half(_ raw: UnsafeRawBufferPointer, _ offset: Int) -> Float {
        Float(Float16(bitPattern: raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
    }

    static func float32(_ raw: UnsafeRawBufferPointer, type: GGMLTypeLayout, count: Int, name: String, path: String) throws -> [Float] {
        var out = [Float](repeating: 0, count: count)
        switch type.name {
        case "f32":
            for i in 0..<count { out[i] = Float(bitPattern: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)) }
        case "f16":
            for i in 0..<count { out[i] = half(raw, 2 * i) }
        case "bf16":
            for i in 0..<count { out[i] = Float(bitPattern: UInt32(raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) << 16) }
        case "q8_0":
            for b in 0..<(count / 32) {
                let o = b * 34
                let d = half(raw, o)
                for j in 0..<32 { out[b * 32 + j] = d * Float(Int8(bitPattern: raw[o + 2 + j])) }
            }
        case "q4_1":
            for b in 0..<(count / 32) {
                let o = b * 20
                let d = half(raw, o), m = half(raw, o + 2)
                for j in 0..<16 {
                    let q = raw[o + 4 + j]
                    out[b * 32 + j] = Float(q & 0x0F) * d + m
                    out[b * 32 + j + 16] = Float(q >> 4) * d + m
                }
            }
        case "q4_0":
            for b in 0..<(count / 32) {
                let o = b * 18
                let d = half(raw, o)
                for j in 0..<16 {
                    let q = raw[o + 2 + j]
                    out[b * 32 + j] = Float(Int(q & 0x0F) - 8) * d
                    out[b * 32 + j + 16] = Float(Int(q >> 4) - 8) * d
                }
            }
        case "q5_0", "q5_1":
            let affine = type.name == "q5_1", head = affine ? 8 : 6
            for b in 0..<(count / 32) {
                let o = b * (head + 16)
                let d = half(raw, o), m = affine ? half(raw, o + 2) : 0
                let high = raw.loadUnaligned(fromByteOffset: o + head - 4, as: UInt32.self).littleEndian
                for j in 0..<32 {
                    let nibble = (raw[o + head + j % 16] >> (j < 16 ? 0 : 4)) & 0x0F
                    let q = Int(nibble) | Int((high >> UInt32(j)) & 1) << 4
                    out[b * 32 + j] = affine ? Float(q) * d + m : Float(q - 16) * d
                }
            }
        case "q2_K", "q3_K", "q4_K", "q5_K", "q6_K":
            for b in 0..<(count / 256) {
                let block = UnsafeRawBufferPointer(rebasing: raw[(b * type.blockBytes)..<((b + 1) * type.blockBytes)])
                out.withUnsafeMutableBufferPointer { o in
                    kQuantBlock(type.name, block, UnsafeMutableBufferPointer(rebasing: o[(b * 256)..<((b + 1) * 256)]))
                }
            }
        default:
            throw LLMError.unsupported(path: path, what: "tensor '\(name)' of type \(type.name)")
        }
        return out
    }
}
