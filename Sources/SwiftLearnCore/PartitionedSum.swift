import Dispatch

/// A sum over many items (rows, sequences) of a value and a gradient, computed on several threads
/// yet reproducible: the items are cut into a number of parts that depends only on the data,
/// each part adds into its own buffer, and the buffers are summed in part order. The result is
/// the same on one thread or many.
///
/// ```swift
/// let sum = PartitionedSum(items: rows, size: parameters)
/// let loss = sum.evaluate(threads: 2, into: &gradient) { range, g in
///     var loss = 0.0
///     for i in range { loss += addGradient(of: i, into: g) }
///     return loss
/// }
/// ```
package final class PartitionedSum {
    /// Number of parts and the length of each gradient.
    package let parts: Int, size: Int
    private let items: Int
    private let buffer: UnsafeMutableBufferPointer<Double>
    private let values: UnsafeMutableBufferPointer<Double>

    /// Up to `maxParts` parts, fewer when `items` is small or the buffers would pass `maxValues`.
    package init(items: Int, size: Int, maxParts: Int = 8, maxValues: Int = 1 << 24) {
        self.items = items
        self.size = size
        parts = max(1, min(items, maxParts, maxValues / max(size, 1)))
        buffer = .allocate(capacity: max(1, parts * size))
        values = .allocate(capacity: parts)
    }

    deinit {
        buffer.deallocate()
        values.deallocate()
    }

    /// Runs `body(items of a part, zeroed gradient buffer)` for every part, on up to `threads`
    /// threads; writes the summed gradient into `gradient` (length `size`) and returns the
    /// summed values.
    package func evaluate(threads: Int, into gradient: inout [Double],
                          _ body: (Range<Int>, UnsafeMutablePointer<Double>) -> Double) -> Double {
        let parts = parts, size = size, items = items
        nonisolated(unsafe) let buffer = buffer, values = values
        withoutActuallyEscaping(body) { body in
            // Each part writes only its own buffer and value slot.
            nonisolated(unsafe) let body = body
            let work: @Sendable (Int) -> Void = { part in
                let g = buffer.baseAddress! + part * size
                g.initialize(repeating: 0, count: size)
                values[part] = body((part * items / parts)..<((part + 1) * items / parts), g)
            }
            if threads > 1, parts > 1 { DispatchQueue.concurrentPerform(iterations: parts, execute: work) } else { for p in 0..<parts { work(p) } }
        }
        var total = 0.0
        for i in 0..<size { gradient[i] = 0 }
        for part in 0..<parts {
            total += values[part]
            let g = buffer.baseAddress! + part * size
            for i in 0..<size { gradient[i] += g[i] }
        }
        return total
    }
}
