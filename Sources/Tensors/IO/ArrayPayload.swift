/// The raw contents of one n-dimensional array as the file formats store it: a dtype, a shape and
/// the element bytes in C (row-major) order, little-endian.
///
/// `ArrayPayload` is the neutral currency of the readers and writers in this folder
/// (``NPY``, ``NPZ``, ``Safetensors``): they turn files into payloads and payloads into files, and
/// a few lines elsewhere turn payloads into ``Tensor`` values and back.
///
/// The invariant `bytes.count == shape.product * dtype.byteSize` is checked by the throwing
/// initializers and again by every writer (a payload broken after construction by assigning to its
/// properties is a programming error and stops the writer with a message naming both counts).
///
/// Bool elements are one byte each, `0` or `1`; readers normalise any non-zero byte to `1`.
/// `float16` and `bfloat16` elements are stored as their raw 16-bit patterns.
///
/// ```swift
/// let p = try ArrayPayload([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
/// try NPY.write(p, to: URL(fileURLWithPath: "a.npy"))
/// let back = try NPY.read(contentsOf: URL(fileURLWithPath: "a.npy"))
/// assert(back == p)
/// ```
public struct ArrayPayload: Equatable, Sendable {
    /// The element type.
    public var dtype: DType
    /// The extent of each axis; `[]` is a scalar (one element), a `0` extent means no elements.
    public var shape: [Int]
    /// The element bytes: little-endian, C order, `elementCount * dtype.byteSize` of them.
    public var bytes: [UInt8]

    /// Creates a payload, checking that the byte count matches the dtype and shape.
    ///
    /// - Parameters:
    ///   - dtype: The element type.
    ///   - shape: Non-negative axis extents (`[]` for a scalar).
    ///   - bytes: Little-endian, C-order element bytes.
    /// - Throws: ``TensorIOError/invalidShape(_:)`` for a negative extent or an element count that
    ///   overflows `Int`; ``TensorIOError/byteCountMismatch(dtype:shape:expected:actual:)`` when
    ///   `bytes.count` is not `elementCount * dtype.byteSize`.
    public init(dtype: DType, shape: [Int], bytes: [UInt8]) throws {
        let expected = try ArrayPayload.byteCount(dtype: dtype, shape: shape)
        guard bytes.count == expected else {
            throw TensorIOError.byteCountMismatch(dtype: dtype, shape: shape, expected: expected, actual: bytes.count)
        }
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// Creates a zero-filled payload (all bits zero: `0`, `0.0` or `false`).
    ///
    /// - Throws: ``TensorIOError/invalidShape(_:)`` for a negative extent or an overflowing size.
    public init(zerosOf dtype: DType, shape: [Int]) throws {
        let count = try ArrayPayload.byteCount(dtype: dtype, shape: shape)
        self.dtype = dtype
        self.shape = shape
        self.bytes = [UInt8](repeating: 0, count: count)
    }

    /// The number of elements: the product of `shape` (1 for a scalar).
    ///
    /// Computed with wrapping arithmetic; for a payload built by the throwing initializers it never
    /// overflows.
    public var elementCount: Int { shape.reduce(1, &*) }

    /// The number of elements of `shape`, checking for negative extents and `Int` overflow.
    ///
    /// - Throws: ``TensorIOError/invalidShape(_:)``.
    public static func elementCount(of shape: [Int]) throws -> Int {
        var count = 1
        for d in shape {
            guard d >= 0 else {
                throw TensorIOError.invalidShape("shape \(shape) has a negative extent \(d)")
            }
            let (p, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else {
                throw TensorIOError.invalidShape("the element count of shape \(shape) overflows a 64-bit integer")
            }
            count = p
        }
        return count
    }

    /// The number of bytes an array of `dtype` and `shape` occupies, checking for overflow.
    ///
    /// - Throws: ``TensorIOError/invalidShape(_:)``.
    public static func byteCount(dtype: DType, shape: [Int]) throws -> Int {
        let count = try elementCount(of: shape)
        let (b, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow else {
            throw TensorIOError.invalidShape("the byte size of a \(dtype) array of shape \(shape) overflows a 64-bit integer")
        }
        return b
    }

    /// Stops with a message when the invariant was broken after construction (writers call this).
    func checkInvariant(_ operation: String) {
        let expected = try? ArrayPayload.byteCount(dtype: dtype, shape: shape)
        precondition(expected == bytes.count,
                     "\(operation): ArrayPayload of dtype \(dtype) and shape \(shape) needs \(expected.map(String.init) ?? "an impossible number of") bytes but holds \(bytes.count)")
    }
}

// MARK: - Typed element access

/// A Swift scalar type that has a ``DType`` and can fill or be read from an ``ArrayPayload``:
/// `Float`, `Double`, `Int32`, `Int64` and `Bool`.
public protocol ArrayPayloadScalar: Sendable {
    /// The dtype whose elements are this type.
    static var payloadDType: DType { get }
    /// Appends the little-endian bytes of `self` to `bytes`.
    func appendPayloadBytes(to bytes: inout [UInt8])
    /// Reads one value from the little-endian bytes at `offset` (`payloadDType.byteSize` of them).
    static func readPayload(from bytes: UnsafeRawBufferPointer, at offset: Int) -> Self
}

extension Float: ArrayPayloadScalar {
    /// `.float32`.
    public static var payloadDType: DType { .float32 }
    /// Appends the 4 little-endian bytes of the IEEE bit pattern.
    public func appendPayloadBytes(to bytes: inout [UInt8]) { bitPattern.ioAppendLittleEndian(to: &bytes) }
    /// Reads 4 little-endian bytes as an IEEE bit pattern.
    public static func readPayload(from bytes: UnsafeRawBufferPointer, at offset: Int) -> Float {
        Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
    }
}

extension Double: ArrayPayloadScalar {
    /// `.float64`.
    public static var payloadDType: DType { .float64 }
    /// Appends the 8 little-endian bytes of the IEEE bit pattern.
    public func appendPayloadBytes(to bytes: inout [UInt8]) { bitPattern.ioAppendLittleEndian(to: &bytes) }
    /// Reads 8 little-endian bytes as an IEEE bit pattern.
    public static func readPayload(from bytes: UnsafeRawBufferPointer, at offset: Int) -> Double {
        Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
    }
}

extension Int32: ArrayPayloadScalar {
    /// `.int32`.
    public static var payloadDType: DType { .int32 }
    /// Appends the 4 little-endian two's-complement bytes.
    public func appendPayloadBytes(to bytes: inout [UInt8]) { UInt32(bitPattern: self).ioAppendLittleEndian(to: &bytes) }
    /// Reads 4 little-endian two's-complement bytes.
    public static func readPayload(from bytes: UnsafeRawBufferPointer, at offset: Int) -> Int32 {
        Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self))
    }
}

extension Int64: ArrayPayloadScalar {
    /// `.int64`.
    public static var payloadDType: DType { .int64 }
    /// Appends the 8 little-endian two's-complement bytes.
    public func appendPayloadBytes(to bytes: inout [UInt8]) { UInt64(bitPattern: self).ioAppendLittleEndian(to: &bytes) }
    /// Reads 8 little-endian two's-complement bytes.
    public static func readPayload(from bytes: UnsafeRawBufferPointer, at offset: Int) -> Int64 {
        Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Int64.self))
    }
}

extension Bool: ArrayPayloadScalar {
    /// `.bool`.
    public static var payloadDType: DType { .bool }
    /// Appends one byte, `1` for `true` and `0` for `false`.
    public func appendPayloadBytes(to bytes: inout [UInt8]) { bytes.append(self ? 1 : 0) }
    /// Reads one byte; any non-zero value is `true`.
    public static func readPayload(from bytes: UnsafeRawBufferPointer, at offset: Int) -> Bool { bytes[offset] != 0 }
}

extension FixedWidthInteger {
    @inline(__always)
    func ioAppendLittleEndian(to bytes: inout [UInt8]) {
        var v = self.littleEndian
        withUnsafeBytes(of: &v) { bytes.append(contentsOf: $0) }
    }
}

extension ArrayPayload {
    /// Creates a payload from Swift values in C order.
    ///
    /// ```swift
    /// let p = try ArrayPayload([1, 2, 3, 4] as [Int64], shape: [2, 2])
    /// ```
    /// - Throws: ``TensorIOError/byteCountMismatch(dtype:shape:expected:actual:)`` when
    ///   `values.count` does not match `shape`, ``TensorIOError/invalidShape(_:)`` for a bad shape.
    public init<T: ArrayPayloadScalar>(_ values: [T], shape: [Int]) throws {
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * T.payloadDType.byteSize)
        for v in values { v.appendPayloadBytes(to: &bytes) }
        try self.init(dtype: T.payloadDType, shape: shape, bytes: bytes)
    }

    /// Creates a `float16` or `bfloat16` payload from raw 16-bit patterns in C order.
    ///
    /// Use ``floatToHalfBits(_:)`` / ``floatToBFloat16Bits(_:)`` to make the patterns.
    /// - Precondition: `dtype` is `.float16` or `.bfloat16`.
    /// - Throws: as ``init(dtype:shape:bytes:)``.
    public init(bits: [UInt16], dtype: DType, shape: [Int]) throws {
        precondition(dtype == .float16 || dtype == .bfloat16,
                     "ArrayPayload(bits:dtype:shape:) needs float16 or bfloat16, got \(dtype)")
        var bytes = [UInt8]()
        bytes.reserveCapacity(bits.count * 2)
        for b in bits { b.ioAppendLittleEndian(to: &bytes) }
        try self.init(dtype: dtype, shape: shape, bytes: bytes)
    }

    /// The elements as Swift values in C order, or `nil` when `T` is not this payload's dtype.
    public func values<T: ArrayPayloadScalar>(as type: T.Type) -> [T]? {
        guard T.payloadDType == dtype else { return nil }
        let size = dtype.byteSize
        let n = bytes.count / size
        return bytes.withUnsafeBytes { raw in
            (0..<n).map { T.readPayload(from: raw, at: $0 * size) }
        }
    }

    /// The raw 16-bit patterns of a `float16` or `bfloat16` payload in C order, else `nil`.
    public var bits16: [UInt16]? {
        guard dtype == .float16 || dtype == .bfloat16 else { return nil }
        return bytes.withUnsafeBytes { raw in
            (0..<(raw.count / 2)).map { UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)) }
        }
    }

    /// Every element converted to `Double` in C order, whatever the dtype (bool gives 0 or 1,
    /// 16-bit floats are widened exactly). Handy for comparisons and printing.
    public var doubleValues: [Double] {
        switch dtype {
        case .float32: return (values(as: Float.self) ?? []).map(Double.init)
        case .float64: return values(as: Double.self) ?? []
        case .int32: return (values(as: Int32.self) ?? []).map { Double($0) }
        case .int64: return (values(as: Int64.self) ?? []).map { Double($0) }
        case .bool: return bytes.map { $0 != 0 ? 1 : 0 }
        case .float16: return (bits16 ?? []).map { Double(halfBitsToFloat($0)) }
        case .bfloat16: return (bits16 ?? []).map { Double(bfloat16BitsToFloat($0)) }
        }
    }
}
