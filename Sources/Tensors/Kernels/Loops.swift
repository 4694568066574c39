import Dispatch
import Foundation

/// The strided loop machinery every elementwise kernel runs on.
///
/// An operation over up to four operands (outputs first) is described by one shape and one
/// stride vector per operand (stride 0 where an input is broadcast). ``LoopPlan`` drops size-1
/// dimensions and merges neighbours that are contiguous for every operand, so most real calls
/// become one flat run, and then hands the kernel "runs": the element offset of each operand at
/// the start of an inner run plus the run length. Kernels write the inner loop over raw pointers,
/// specialised for the element type, so the per-element cost is a load, the op and a store.
struct LoopPlan {
    /// Sizes of the outer (non-innermost) dimensions after coalescing.
    var outerShape: [Int]
    /// Per operand, strides of the outer dimensions.
    var outerStrides: [[Int]]
    /// Length of the innermost run.
    var inner: Int
    /// Per operand, stride of the innermost dimension.
    var innerStrides: [Int]
    /// Total element count.
    var count: Int

    init(shape: [Int], strides: [[Int]]) {
        let k = strides.count
        var dims: [(size: Int, strides: [Int])] = []
        for d in 0..<shape.count where shape[d] != 1 {
            dims.append((shape[d], strides.map { $0[d] }))
        }
        // Merge dimension i into i+1 (from the right) when contiguous for all operands.
        var merged: [(size: Int, strides: [Int])] = []
        for dim in dims {
            if let last = merged.last, (0..<k).allSatisfy({ last.strides[$0] == dim.strides[$0] * dim.size }) {
                merged[merged.count - 1] = (last.size * dim.size, dim.strides)
            } else {
                merged.append(dim)
            }
        }
        count = shape.reduce(1, *)
        if let last = merged.last {
            inner = last.size
            innerStrides = last.strides
            outerShape = merged.dropLast().map { $0.size }
            outerStrides = (0..<k).map { o in merged.dropLast().map { $0.strides[o] } }
        } else {
            inner = count == 0 ? 0 : 1
            innerStrides = [Int](repeating: 0, count: k)
            outerShape = []
            outerStrides = [[Int]](repeating: [], count: k)
        }
    }

    /// Number of inner runs.
    var runCount: Int { outerShape.reduce(1, *) }
}

/// Tuning knobs for splitting work across cores.
enum Parallel {
    /// Logical CPUs this process may use.
    static let cpuCount: Int = Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Elements (times the op's relative cost) below which a loop stays on one thread.
    static let grain = 1 << 17

    /// Runs `body(chunkIndex, start, end)` over `0..<n` split into chunks, on all cores when the
    /// work (`n * cost`) is large enough, else inline.
    @inline(__always)
    static func forRange(_ n: Int, cost: Int = 1, _ body: (Int, Int) -> Void) {
        let work = n &* cost
        if cpuCount == 1 || work < grain || n < 2 {
            if n > 0 { body(0, n) }
            return
        }
        let chunks = Swift.min(n, Swift.max(cpuCount, Swift.min(cpuCount * 4, work / grain)))
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let start = n * c / chunks, end = n * (c + 1) / chunks
            if start < end { body(start, end) }
        }
    }
}

extension LoopPlan {
    /// Calls `body(offsets, n)` for each inner run, where `offsets[k]` is the element offset of
    /// operand k at the run start and `n` the run length; the run's strides are ``innerStrides``.
    /// Work is split across cores when large (`cost` ≈ relative cost of one element).
    @inline(__always)
    func forEachRun(cost: Int = 1, _ body: (_ offsets: UnsafePointer<Int>, _ n: Int) -> Void) {
        let k = innerStrides.count
        if count == 0 { return }
        if outerShape.isEmpty {
            // One run: split it into contiguous pieces.
            Parallel.forRange(inner, cost: cost) { start, end in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: k) { offs in
                    for o in 0..<k { offs[o] = start * innerStrides[o] }
                    body(UnsafePointer(offs.baseAddress!), end - start)
                }
            }
            return
        }
        let runs = runCount
        let outerRank = outerShape.count
        Parallel.forRange(runs, cost: cost * inner) { start, end in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: k + outerRank) { buf in
                let offs = buf.baseAddress!
                let idx = offs + k
                // Multi-index of run `start`.
                var r = start
                for d in stride(from: outerRank - 1, through: 0, by: -1) {
                    idx[d] = r % outerShape[d]
                    r /= outerShape[d]
                }
                for o in 0..<k {
                    var off = 0
                    for d in 0..<outerRank { off += idx[d] * outerStrides[o][d] }
                    offs[o] = off
                }
                for _ in start..<end {
                    body(UnsafePointer(offs), inner)
                    advance(idx, offs)
                }
            }
        }
    }

    /// ``forEachRun(cost:_:)`` on the calling thread only, in order (for kernels whose writes
    /// may collide, such as scatter).
    func forEachRunSequential(_ body: (_ offsets: UnsafePointer<Int>, _ n: Int) -> Void) {
        if count == 0 { return }
        let k = innerStrides.count
        withUnsafeTemporaryAllocation(of: Int.self, capacity: k + outerShape.count) { buf in
            let offs = buf.baseAddress!, idx = offs + k
            offs.initialize(repeating: 0, count: k + outerShape.count)
            for _ in 0..<runCount {
                body(UnsafePointer(offs), inner)
                advance(idx, offs)
            }
        }
    }

    /// Steps the outer multi-index `idx` by one run with carry, updating every operand's offset.
    @inline(__always)
    private func advance(_ idx: UnsafeMutablePointer<Int>, _ offs: UnsafeMutablePointer<Int>) {
        let k = innerStrides.count
        var d = outerShape.count - 1
        while d >= 0 {
            idx[d] += 1
            for o in 0..<k { offs[o] += outerStrides[o][d] }
            if idx[d] < outerShape[d] { break }
            for o in 0..<k { offs[o] -= outerStrides[o][d] * outerShape[d] }
            idx[d] = 0
            d -= 1
        }
    }
}
