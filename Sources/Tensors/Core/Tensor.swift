import Foundation
import SwiftLearnCore

/// An n-dimensional array with a run-time dtype, NumPy broadcasting and reverse-mode autograd.
///
/// `Tensor` is a value: a small struct (shape, strides, offset, dtype) over a shared
/// ``TensorStorage`` with copy-on-write. Views such as ``reshaped(_:)``, ``transposed(_:_:)``,
/// ``permuted(_:)``, ``expanded(to:)`` and range subscripts share the storage, as NumPy views do;
/// mutation through a tensor that shares its storage copies first, so other values never change.
///
/// ```swift
/// let x = Tensor([[1, 2, 3], [4, 5, 6]] as [[Float]])   // shape [2, 3], float32
/// let w = Tensor.randn([3, 2], seed: 0).requiringGrad()
/// let loss = (x.matmul(w).relu() ** 2).mean()
/// loss.backward()
/// print(w.grad!)                                       // d loss / d w, shape [3, 2]
/// ```
///
/// Shape and dtype errors in math are programming errors: they stop with a message that names
/// the operation and the shapes (as NumPy's broadcasting error does). Everything that reads
/// outside data throws.
public struct Tensor {
    /// The buffer this tensor views.
    public internal(set) var storage: TensorStorage
    /// Size of each dimension.
    public internal(set) var shape: [Int]
    /// Step, in elements, between neighbours along each dimension (0 for broadcast dimensions).
    public internal(set) var strides: [Int]
    /// Offset, in elements, of the first element in ``storage``.
    public internal(set) var offset: Int
    /// The element type.
    public let dtype: DType
    /// Autograd bookkeeping: nil unless this tensor requires a gradient.
    var node: AutogradNode?

    /// Creates a tensor viewing `storage` (no copy). Strides default to C-contiguous.
    /// Stops if any element the view can address lies outside the storage.
    public init(storage: TensorStorage, shape: [Int], strides: [Int]? = nil, offset: Int = 0, dtype: DType) {
        ensure(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        self.storage = storage
        self.shape = shape
        self.strides = strides ?? Tensor.contiguousStrides(for: shape)
        self.offset = offset
        self.dtype = dtype
        ensure(self.strides.count == shape.count, "Tensor: strides \(self.strides) do not match shape \(shape)")
        if shape.contains(0) { return }
        // The lowest and highest element offsets reachable through (shape, strides).
        var low = offset, high = offset
        for (n, st) in zip(shape, self.strides) {
            if st > 0 { high += (n - 1) * st } else { low += (n - 1) * st }
        }
        ensure(low >= 0 && (high + 1) * dtype.byteSize <= storage.byteCount,
               "Tensor: a view with shape \(shape), strides \(self.strides) and offset \(offset) reaches outside its storage of \(storage.byteCount) bytes")
    }

    /// Creates a contiguous tensor whose elements are not initialized (callers fill every element).
    init(uninitializedShape shape: [Int], dtype: DType) {
        let count = Tensor.checkedCount(shape)
        self.init(storage: TensorStorage(byteCount: count * dtype.byteSize), shape: shape, dtype: dtype)
    }

    /// Creates a contiguous zero-filled tensor.
    init(zeroedShape shape: [Int], dtype: DType) {
        let count = Tensor.checkedCount(shape)
        self.init(storage: TensorStorage(byteCount: count * dtype.byteSize, zeroed: true), shape: shape, dtype: dtype)
    }

    // MARK: - Shape facts

    /// Number of dimensions.
    @inlinable public var rank: Int { shape.count }
    /// Number of dimensions (NumPy's name).
    @inlinable public var ndim: Int { shape.count }
    /// Total number of elements.
    public var count: Int { shape.reduce(1, *) }
    /// Whether the elements are laid out in C order with no gaps.
    public var isContiguous: Bool {
        var expected = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) where shape[d] != 1 {
            if strides[d] != expected { return false }
            expected *= shape[d]
        }
        return true
    }

    /// C-order strides for a shape.
    public static func contiguousStrides(for shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[d] = acc
            acc *= Swift.max(shape[d], 1)
        }
        return strides
    }

    /// Element count of a shape, trapping with a message on negative sizes or overflow.
    static func checkedCount(_ shape: [Int]) -> Int {
        var n = 1
        for d in shape {
            ensure(d >= 0, "Tensor: negative dimension in shape \(shape)")
            let (r, o) = n.multipliedReportingOverflow(by: d)
            ensure(!o, "Tensor: shape \(shape) has too many elements")
            n = r
        }
        return n
    }

    /// Normalizes a possibly negative axis for this tensor's rank, trapping if out of range.
    public func normalizedAxis(_ axis: Int, op: String = "axis", rank r: Int? = nil) -> Int {
        let r = r ?? rank
        let a = axis < 0 ? axis + r : axis
        ensure(a >= 0 && a < Swift.max(r, 1), "\(op): axis \(axis) is out of range for a tensor of shape \(shape)")
        return a
    }

    // MARK: - Raw access

    /// Calls `body` with a typed pointer to the first element (at ``offset``).
    /// The pointer is valid for the strided layout only; see ``contiguous()``.
    @inline(__always)
    func pointer<T>(as: T.Type) -> UnsafeMutablePointer<T> {
        storage.base.assumingMemoryBound(to: T.self) + offset
    }

    /// A C-contiguous tensor with the same values: `self` when already contiguous (no copy),
    /// otherwise a copy.
    public func contiguous() -> Tensor {
        if isContiguous { return self }
        return copied()
    }

    /// A new contiguous tensor with a copy of the values (differentiable).
    public func copied() -> Tensor {
        var out = Tensor(uninitializedShape: shape, dtype: dtype)
        Kernels.copy(from: self, into: &out)
        return recordUnary(out, self, "copy") { g in g }
    }

    /// Makes this tensor the unique owner of a contiguous buffer before an in-place write.
    mutating func makeUniqueContiguous() {
        if !isKnownUniquelyReferenced(&storage) || !isContiguous {
            let n = node
            self = copied()
            node = n
        }
    }

    // MARK: - Element access

    /// Linear storage offset (in elements) of a multi-index, with negative indices allowed.
    func elementOffset(_ index: [Int]) -> Int {
        ensure(index.count == rank, "Tensor: index \(index) has \(index.count) entries for a tensor of shape \(shape)")
        var o = offset
        for (d, i) in index.enumerated() {
            let j = i < 0 ? i + shape[d] : i
            ensure(j >= 0 && j < shape[d], "Tensor: index \(i) is out of range for axis \(d) of size \(shape[d])")
            o += j * strides[d]
        }
        return o
    }

    /// The element at a multi-index, as a `Double` (works for every dtype).
    public func value(at index: [Int]) -> Double {
        let o = elementOffset(index) - offset
        return Kernels.readDouble(self, elementOffset: o)
    }

    /// The single element of a one-element tensor as a `Double` (PyTorch's `.item()`).
    public func item() -> Double {
        ensure(count == 1, "item(): tensor of shape \(shape) has \(count) elements, not 1")
        return value(at: [Int](repeating: 0, count: rank))
    }

    /// The single element of a one-element tensor as `T`.
    public func item<T: TensorScalar>(as type: T.Type) -> T {
        ensure(count == 1, "item(): tensor of shape \(shape) has \(count) elements, not 1")
        return to(T.dtype).contiguous().pointer(as: T.self).pointee
    }

    /// All elements in C order as a Swift array of `T` (converting the dtype if needed).
    public func toArray<T: TensorScalar>(as type: T.Type = T.self) -> [T] {
        let c = (dtype == T.dtype ? self : to(T.dtype)).contiguous()
        return Array(UnsafeBufferPointer(start: c.pointer(as: T.self), count: c.count))
    }

    /// All elements in C order as `[Double]`.
    public var scalars: [Double] { toArray(as: Double.self) }
}
