/// The reference-counted buffer behind one or more ``Tensor`` values.
///
/// Views (reshape, transpose, slices, …) share a storage; a tensor that is about to be mutated
/// copies it first unless it is the only owner (copy-on-write), so `let` means what Swift users
/// expect while no large buffer is copied on the hot path.
public final class TensorStorage: @unchecked Sendable {
    /// Start of the buffer (64-byte aligned).
    public let base: UnsafeMutableRawPointer
    /// Size of the buffer in bytes.
    public let byteCount: Int

    /// Allocates `byteCount` bytes (at least one), 64-byte aligned, optionally zeroed.
    public init(byteCount: Int, zeroed: Bool = false) {
        ensure(byteCount >= 0, "TensorStorage: negative byte count \(byteCount)")
        self.byteCount = byteCount
        base = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(byteCount, 1), alignment: 64)
        if zeroed { base.initializeMemory(as: UInt8.self, repeating: 0, count: Swift.max(byteCount, 1)) }
    }

    deinit { base.deallocate() }
}
