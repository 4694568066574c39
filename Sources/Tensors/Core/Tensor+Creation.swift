import Foundation
import SwiftLearnCore

extension Tensor {
    // MARK: - From Swift values

    /// A tensor from a flat Swift array, reshaped to `shape` (default: 1-D).
    ///
    /// `Tensor([1, 2, 3] as [Float])` is float32; integer literals give int64.
    public init<T: TensorScalar>(_ values: [T], shape: [Int]? = nil) {
        let shape = shape ?? [values.count]
        ensure(Tensor.checkedCount(shape) == values.count,
                     "Tensor(_:shape:): \(values.count) values cannot have shape \(shape)")
        self.init(uninitializedShape: shape, dtype: T.dtype)
        values.withUnsafeBufferPointer { src in
            if let b = src.baseAddress {
                storage.base.copyMemory(from: b, byteCount: values.count * dtype.byteSize)
            }
        }
    }

    /// A 2-D tensor from nested Swift arrays (rows must have equal lengths).
    public init<T: TensorScalar>(_ rows: [[T]]) {
        let cols = rows.first?.count ?? 0
        ensure(rows.allSatisfy { $0.count == cols }, "Tensor(_:): ragged nested array (row lengths differ)")
        self.init(rows.flatMap { $0 }, shape: [rows.count, cols])
    }

    /// A 3-D tensor from nested Swift arrays.
    public init<T: TensorScalar>(_ blocks: [[[T]]]) {
        let rows = blocks.first?.count ?? 0, cols = blocks.first?.first?.count ?? 0
        ensure(blocks.allSatisfy { $0.count == rows && $0.allSatisfy { $0.count == cols } },
                     "Tensor(_:): ragged nested array")
        self.init(blocks.flatMap { $0.flatMap { $0 } }, shape: [blocks.count, rows, cols])
    }

    /// A 4-D tensor from nested Swift arrays.
    public init<T: TensorScalar>(_ blocks: [[[[T]]]]) {
        let inner = blocks.map { Tensor($0) }
        let s = inner.first?.shape ?? [0, 0, 0]
        ensure(inner.allSatisfy { $0.shape == s }, "Tensor(_:): ragged nested array")
        self.init(blocks.flatMap { $0.flatMap { $0.flatMap { $0 } } }, shape: [blocks.count] + s)
    }

    /// A 0-dimensional tensor holding one value.
    public init<T: TensorScalar>(scalar: T) {
        self.init([scalar], shape: [])
    }

    /// A 0-dimensional tensor holding `value` converted to `dtype`.
    public init(_ value: Double, dtype: DType) {
        self = Tensor([value], shape: []).to(dtype)
    }

    // MARK: - Filled tensors

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        Tensor(zeroedShape: shape, dtype: dtype)
    }

    /// A tensor of ones.
    public static func ones(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        full(shape, 1, dtype: dtype)
    }

    /// A tensor filled with `value`.
    public static func full(_ shape: [Int], _ value: Double, dtype: DType = .float32) -> Tensor {
        var t = Tensor(uninitializedShape: shape, dtype: dtype)
        t.fill(value)
        return t
    }

    /// Zeros with the shape and dtype of `other`.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape, dtype: other.dtype) }
    /// Ones with the shape and dtype of `other`.
    public static func ones(like other: Tensor) -> Tensor { ones(other.shape, dtype: other.dtype) }
    /// `value` with the shape and dtype of `other`.
    public static func full(like other: Tensor, _ value: Double) -> Tensor { full(other.shape, value, dtype: other.dtype) }

    /// Sets every element to `value` (converted to the dtype), in place.
    public mutating func fill(_ value: Double) {
        makeUniqueContiguous()
        let n = count
        switch dtype {
        case .float32: pointer(as: Float.self).update(repeating: Float(value), count: n)
        case .float64: pointer(as: Double.self).update(repeating: value, count: n)
        case .int32: pointer(as: Int32.self).update(repeating: Int32(fromDouble: value), count: n)
        case .int64: pointer(as: Int64.self).update(repeating: Int64(fromDouble: value), count: n)
        case .bool: pointer(as: Bool.self).update(repeating: value != 0, count: n)
        case .float16: pointer(as: UInt16.self).update(repeating: floatToHalfBits(Float(value)), count: n)
        case .bfloat16: pointer(as: UInt16.self).update(repeating: floatToBFloat16Bits(Float(value)), count: n)
        }
    }

    // MARK: - Ranges

    /// `[0, 1, …, end-1]` as int64 (NumPy's `arange(end)`).
    public static func arange(_ end: Int) -> Tensor { arange(0, end, step: 1) }

    /// Integers from `start` up to (not including) `end` by `step`, as int64.
    public static func arange(_ start: Int, _ end: Int, step: Int = 1) -> Tensor {
        ensure(step != 0, "arange: step must not be zero")
        let n = Swift.max(0, (end - start + step - (step > 0 ? 1 : -1)) / step)
        return Tensor((0..<n).map { Int64(start + $0 * step) })
    }

    /// Evenly spaced values in `[start, end)` by `step` (NumPy's `arange` with float arguments).
    public static func arange(_ start: Double, _ end: Double, step: Double = 1, dtype: DType = .float32) -> Tensor {
        ensure(step != 0 && step.isFinite, "arange: step must be finite and non-zero, got \(step)")
        let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return Tensor((0..<n).map { start + Double($0) * step }).to(dtype)
    }

    /// `count` evenly spaced values from `start` to `end` inclusive (NumPy's `linspace`).
    public static func linspace(_ start: Double, _ end: Double, count: Int, dtype: DType = .float32) -> Tensor {
        ensure(count >= 0, "linspace: count must be non-negative, got \(count)")
        if count == 1 { return Tensor([start]).to(dtype) }
        let step = (end - start) / Double(count - 1)
        var v = (0..<count).map { start + Double($0) * step }
        if count > 1 { v[count - 1] = end }
        return Tensor(v).to(dtype)
    }

    /// An identity-like matrix: ones on the diagonal of an `n`×`m` matrix (m defaults to n).
    public static func eye(_ n: Int, _ m: Int? = nil, dtype: DType = .float32) -> Tensor {
        let m = m ?? n
        var v = [Double](repeating: 0, count: n * m)
        for i in 0..<Swift.min(n, m) { v[i * m + i] = 1 }
        return Tensor(v, shape: [n, m]).to(dtype)
    }
}
