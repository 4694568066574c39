import Foundation
import Tensors
import SwiftLearnCore

// Raw access for the fused layer kernels: new uninitialized outputs and typed pointers into
// contiguous tensors. Only tensors created here (not yet shared) are written through pointers.

extension Tensor {
    /// A contiguous tensor whose elements are not initialized (the caller writes every element).
    static func uninitialized(_ shape: [Int], dtype: DType) -> Tensor {
        let n = shape.reduce(1, *)
        return Tensor(storage: TensorStorage(byteCount: n * dtype.byteSize), shape: shape, dtype: dtype)
    }

    /// Typed pointer to the first element; the tensor must be contiguous (checked).
    @inline(__always)
    func raw<T>(_: T.Type) -> UnsafeMutablePointer<T> {
        ensure(isContiguous || count == 0, "internal: raw pointer to a non-contiguous tensor of shape \(shape)")   // empty: never dereferenced
        return storage.base.assumingMemoryBound(to: T.self) + offset
    }

    /// This tensor's values, contiguous, in `dtype`, detached from the graph.
    func plain(_ dtype: DType) -> Tensor { detached().to(dtype).contiguous() }
}

/// Work splitting for the layer kernels (both cores on large work, inline on small).
enum NeuralParallel {
    static let cpuCount = Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Calls `body(start, end)` over `0..<n` in up to `cpuCount` chunks when `n * cost` is large.
    @inline(__always)
    static func forRange(_ n: Int, cost: Int, _ body: (Int, Int) -> Void) {
        if cpuCount == 1 || n < 2 || n &* cost < 1 << 16 {
            if n > 0 { body(0, n) }
            return
        }
        let chunks = Swift.min(n, cpuCount)
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let s = n * c / chunks, e = n * (c + 1) / chunks
            if s < e { body(s, e) }
        }
    }

    /// Number of chunks ``forChunks(_:cost:_:)`` uses for `n` items of `cost` each.
    static func chunkCount(_ n: Int, cost: Int) -> Int {
        (cpuCount == 1 || n < 2 || n &* cost < 1 << 16) ? Swift.min(n, 1) : Swift.min(n, cpuCount)
    }

    /// Calls `body(chunk, start, end)` for each of ``chunkCount(_:cost:)`` chunks of `0..<n`,
    /// concurrently when there is more than one (each chunk can own a scratch/partial buffer).
    static func forChunks(_ n: Int, cost: Int, _ body: (Int, Int, Int) -> Void) {
        let chunks = chunkCount(n, cost: cost)
        if chunks <= 1 { if n > 0 { body(0, 0, n) }; return }
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let s = n * c / chunks, e = n * (c + 1) / chunks
            if s < e { body(c, s, e) }
        }
    }
}
