import Foundation

// Tensor ⇄ file formats: .npy, .npz and safetensors, through the neutral ArrayPayload
// (little-endian C-order bytes), so the format code never depends on Tensor internals.

extension Tensor {
    /// A tensor holding a copy of the payload's elements. Bool bytes other than 0/1 are
    /// normalized (any non-zero byte is true), so foreign files cannot produce invalid `Bool`s.
    public init(payload: ArrayPayload) {
        self.init(uninitializedShape: payload.shape, dtype: payload.dtype)
        let n = payload.bytes.count
        payload.bytes.withUnsafeBytes { src in
            guard let base = src.baseAddress else { return }
            if dtype == .bool {
                let dst = storage.base.assumingMemoryBound(to: UInt8.self)
                let s = base.assumingMemoryBound(to: UInt8.self)
                for i in 0..<n { dst[i] = s[i] != 0 ? 1 : 0 }
            } else {
                storage.base.copyMemory(from: base, byteCount: n)
            }
        }
    }

    /// The elements as little-endian C-order bytes (a copy).
    public var payload: ArrayPayload {
        let c = detached().contiguous()
        let n = c.count * dtype.byteSize
        let bytes = [UInt8](UnsafeRawBufferPointer(start: c.storage.base + c.offset * dtype.byteSize, count: n))
        // The initializer validates count against shape; a contiguous tensor always matches.
        return try! ArrayPayload(dtype: dtype, shape: shape, bytes: bytes)
    }

    // MARK: - .npy / .npz

    /// Reads a NumPy `.npy` file. Throws ``TensorIOError`` on a missing, truncated or malformed file.
    public static func load(npy url: URL) throws -> Tensor { Tensor(payload: try NPY.read(contentsOf: url)) }

    /// Writes this tensor as a NumPy `.npy` file (format 1.0), atomically.
    public func save(npy url: URL) throws { try NPY.write(payload, to: url) }

    /// Reads every array of a NumPy `.npz` archive (`np.savez` or `np.savez_compressed`), in order.
    public static func load(npz url: URL) throws -> [(name: String, tensor: Tensor)] {
        try NPZ.read(contentsOf: url).map { ($0.name, Tensor(payload: $0.payload)) }
    }

    /// Writes named tensors as a NumPy `.npz` archive (optionally deflate-compressed).
    public static func save(npz tensors: [(name: String, tensor: Tensor)], to url: URL, compressed: Bool = false) throws {
        try NPZ.write(tensors.map { ($0.name, $0.tensor.payload) }, to: url, compressed: compressed)
    }

    // MARK: - safetensors

    /// Reads a safetensors file: tensors in file order and the `__metadata__` strings.
    public static func load(safetensors url: URL) throws -> (tensors: [(name: String, tensor: Tensor)], metadata: [String: String]) {
        let c = try Safetensors.read(contentsOf: url)
        return (c.tensors.map { ($0.name, Tensor(payload: $0.payload)) }, c.metadata)
    }

    /// Writes named tensors (and optional metadata) as a safetensors file.
    public static func save(safetensors tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to url: URL) throws {
        try Safetensors.write(tensors.map { ($0.name, $0.tensor.payload) }, metadata: metadata.isEmpty ? nil : metadata, to: url)
    }
}
