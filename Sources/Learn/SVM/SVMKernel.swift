import Foundation

/// The kernel of a support vector machine (scikit-learn's `kernel`).
///
/// With `u·v` the dot product and `γ`, `r` (`coef0`), `d` (`degree`) the hyper-parameters:
/// - `linear`:  K(u, v) = u·v
/// - `rbf`:     K(u, v) = exp(−γ‖u − v‖²)   (computed as exp(−γ(‖u‖² + ‖v‖² − 2u·v)), as LIBSVM does)
/// - `poly`:    K(u, v) = (γ u·v + r)^d
/// - `sigmoid`: K(u, v) = tanh(γ u·v + r)
public enum SVMKernel: String, Codable, Sendable, CaseIterable {
    case linear, rbf, poly, sigmoid
}

/// `gamma` of an SVM: `scale` (1 / (n_features · Var(X)), the default), `auto` (1 / n_features)
/// or a fixed non-negative number.
public enum SVMGamma: Equatable, Codable, Sendable {
    case scale
    case auto
    case value(Double)

    /// Reads `"scale"`, `"auto"` or a number.
    public init(param value: ParamValue) throws {
        switch value {
        case .string("scale"): self = .scale
        case .string("auto"): self = .auto
        case .double, .int: self = .value(try value.double("gamma"))
        default:
            throw LearnError.invalidParameter(name: "gamma", value: value.description, reason: "expected scale, auto or a non-negative number")
        }
    }

    /// As a parameter value.
    public var param: ParamValue {
        switch self {
        case .scale: return .string("scale")
        case .auto: return .string("auto")
        case .value(let g): return .double(g)
        }
    }

    /// The number it stands for on training data `x` (scikit-learn's `_gamma`). `scale` uses the
    /// variance of all entries of `x` and falls back to 1 when that variance is zero.
    func resolved(for x: Matrix) -> Double {
        switch self {
        case .value(let g): return g
        case .auto: return 1 / Double(x.columns)
        case .scale:
            let n = Double(x.values.count)
            let mean = x.values.reduce(0, +) / n
            var v = 0.0
            for a in x.values { v += (a - mean) * (a - mean) }
            v /= n
            return v > 0 ? 1 / (Double(x.columns) * v) : 1
        }
    }
}

/// A kernel with its numbers fixed (γ resolved), able to turn dot products into kernel values.
struct SVMKernelFunction: Codable, Equatable, Sendable {
    var kind: SVMKernel
    var gamma: Double
    var coef0: Double
    var degree: Int

    /// K from the dot product `uv` and the squared norms of u and v.
    @inline(__always)
    func value(dot uv: Double, normU: Double, normV: Double) -> Double {
        switch kind {
        case .linear: return uv
        case .rbf: return Foundation.exp(-gamma * (normU + normV - 2 * uv))
        case .poly: return svmPower(gamma * uv + coef0, degree)
        case .sigmoid: return Foundation.tanh(gamma * uv + coef0)
        }
    }

    /// Squared norms of the rows of `x` (only the RBF kernel needs them; zeros otherwise).
    func rowNorms(_ x: Matrix) -> [Double] {
        var out = [Double](repeating: 0, count: x.rows)
        guard kind == .rbf else { return out }
        x.values.withUnsafeBufferPointer { p in
            for i in 0..<x.rows {
                var s = 0.0
                for j in 0..<x.columns { let a = p[i * x.columns + j]; s += a * a }
                out[i] = s
            }
        }
        return out
    }

    /// The kernel matrix K(a_i, b_j) (a.rows × b.rows) by one GEMM `a·bᵀ` and an element-wise map.
    func matrix(_ a: Matrix, _ b: Matrix, normsA: [Double]? = nil, normsB: [Double]? = nil) -> Matrix {
        var k = Matrix.product(a, b, transposeB: true)
        let na = normsA ?? rowNorms(a), nb = normsB ?? rowNorms(b)
        let cols = b.rows
        k.values.withUnsafeMutableBufferPointer { p in
            for i in 0..<a.rows {
                let base = i * cols
                for j in 0..<cols { p[base + j] = value(dot: p[base + j], normU: na[i], normV: nb[j]) }
            }
        }
        return k
    }
}

/// `x^n` by repeated squaring (LIBSVM's `powi`), for the polynomial kernel.
@inline(__always)
func svmPower(_ x: Double, _ n: Int) -> Double {
    var result = 1.0, t = x, e = n
    while e > 0 {
        if e & 1 == 1 { result *= t }
        t *= t
        e >>= 1
    }
    return result
}

/// Rows of the kernel matrix of a training set, K(x_i, ·), as the SMO solver asks for them,
/// stored in single precision.
///
/// LIBSVM (and so scikit-learn) caches kernel rows as `float` while keeping everything else in
/// double; storing them the same way makes the solver take the same sequence of steps and land on
/// the same solution (the diagonal K_ii stays in double, as in LIBSVM), and halves the memory.
///
/// When the whole n×n matrix fits in `cacheBytes` it is computed at once (the fast path: blocks
/// of rows by GEMM, concurrently, only the upper triangle, mirrored) and every row is a lookup.
/// Otherwise rows are computed on demand into a least-recently-used cache of `cacheBytes`
/// (LIBSVM's `cache_size`), at least two rows. A row pointer stays valid until two other rows
/// have been requested.
final class SVMKernelRows {
    let x: Matrix
    let kernel: SVMKernelFunction
    let norms: [Double]
    /// K(x_i, x_i), in double.
    let diagonal: [Double]
    let count: Int
    /// `capacity` slots of `count` floats.
    private let storage: UnsafeMutablePointer<Float>
    private let capacity: Int
    /// Row → slot (−1 when not cached) and slot → row.
    private var slotOfRow: [Int]
    private var rowOfSlot: [Int]
    private var lastUse: [Int]
    private var clock = 0
    /// True when every row was computed up front; `row` then only reads, so one instance can be
    /// shared by concurrent solvers.
    private(set) var precomputed = false

    init(x: Matrix, kernel: SVMKernelFunction, cacheBytes: Double) {
        self.x = x
        self.kernel = kernel
        let n = x.rows
        count = n
        let norms = kernel.rowNorms(x)
        self.norms = norms
        let rowBytes = Double(max(n, 1) * MemoryLayout<Float>.size)
        capacity = max(2, Int(min(Double(n), cacheBytes / rowBytes)))
        storage = .allocate(capacity: capacity * max(n, 1))
        slotOfRow = [Int](repeating: -1, count: n)
        rowOfSlot = [Int](repeating: -1, count: capacity)
        lastUse = [Int](repeating: 0, count: capacity)
        var d = [Double](repeating: 0, count: n)
        x.values.withUnsafeBufferPointer { p in
            for i in 0..<n {
                var s = 0.0
                for j in 0..<x.columns { s += p[i * x.columns + j] * p[i * x.columns + j] }
                d[i] = kernel.value(dot: s, normU: norms[i], normV: norms[i])
            }
        }
        diagonal = d
        if capacity >= n { precomputeAll() }
    }

    deinit { storage.deallocate() }

    /// Fast path: the upper triangle in blocks of rows (block × remaining rows, one GEMM each,
    /// blocks concurrently), then the lower triangle by a tiled transpose (cache-friendly).
    private func precomputeAll() {
        let n = count, block = 96
        let blocks = (n + block - 1) / block
        let data = x, kernel = kernel, norms = norms, out = storage
        DispatchQueue.concurrentPerform(iterations: blocks) { b in
            let start = b * block, end = min(n, start + block)
            let part = kernel.matrix(data.rows(Array(start..<end)), data.rows(Array(start..<n)),
                                     normsA: Array(norms[start..<end]), normsB: Array(norms[start..<n]))
            let width = n - start
            part.values.withUnsafeBufferPointer { v in
                for i in start..<end {
                    let src = (i - start) * width - start, dst = i * n
                    for j in i..<n { out[dst + j] = Float(v[src + j]) }
                }
            }
        }
        let tile = 64, tiles = (n + tile - 1) / tile
        DispatchQueue.concurrentPerform(iterations: tiles) { ti in
            let i0 = ti * tile, i1 = min(n, i0 + tile)
            for tj in 0...ti {
                let j0 = tj * tile, j1 = min(n, j0 + tile)
                for i in i0..<i1 { for j in j0..<min(j1, i) { out[i * n + j] = out[j * n + i] } }
            }
        }
        for i in 0..<n { slotOfRow[i] = i; rowOfSlot[i] = i }
        precomputed = true
    }

    /// Row i: K(x_i, x_j) for every j, as floats.
    func row(_ i: Int) -> UnsafePointer<Float> {
        if precomputed { return UnsafePointer(storage + i * count) }
        clock += 1
        if slotOfRow[i] >= 0 {
            lastUse[slotOfRow[i]] = clock
            return UnsafePointer(storage + slotOfRow[i] * count)
        }
        // A free slot, else the least recently used one.
        var slot = rowOfSlot.firstIndex(of: -1) ?? -1
        if slot < 0 {
            slot = 0
            for s in 1..<capacity where lastUse[s] < lastUse[slot] { slot = s }
            slotOfRow[rowOfSlot[slot]] = -1
        }
        rowOfSlot[slot] = i
        slotOfRow[i] = slot
        lastUse[slot] = clock
        computeRow(i, into: storage + slot * count)
        return UnsafePointer(storage + slot * count)
    }

    /// One row by dot products.
    private func computeRow(_ i: Int, into out: UnsafeMutablePointer<Float>) {
        let n = count, d = x.columns
        x.values.withUnsafeBufferPointer { p in
            let a = i * d
            for j in 0..<n {
                var s = 0.0
                let b = j * d
                for t in 0..<d { s += p[a + t] * p[b + t] }
                out[j] = Float(kernel.value(dot: s, normU: norms[i], normV: norms[j]))
            }
        }
    }
}
