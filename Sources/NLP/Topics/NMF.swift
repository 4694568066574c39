import Dispatch
import Foundation
import SwiftLearnCore
import Tensors

/// How NMF minimizes its loss (`solver`).
public enum NMFSolver: String, Sendable, Equatable, CaseIterable {
    /// Cyclic coordinate descent on W then H (Cichocki & Phan 2009; scikit-learn's default).
    /// Frobenius loss only.
    case cd
    /// Multiplicative updates (Lee & Seung 2001; Févotte & Idier 2011), for any β-divergence.
    case mu
}

/// How NMF's factors start (`init`).
public enum NMFInitialization: String, Sendable, Equatable, CaseIterable {
    /// |normal| draws scaled by √(mean(X) / k).
    case random
    /// Non-negative double SVD (Boutsidis & Gallopoulos 2008): the positive or negative part of
    /// each leading singular pair, whichever carries more weight. Keeps zeros (sparse factors).
    case nndsvd
    /// NNDSVD with its zeros set to mean(X).
    case nndsvda
    /// NNDSVD with its zeros set to small random values, |mean(X) · normal| / 100.
    case nndsvdar
}

/// NMF's settings under scikit-learn's names and defaults (`sklearn.decomposition.NMF`).
public struct NMFOptions: Sendable, Equatable {
    /// Number of components `k` (`n_components`; nil: `"auto"`, the number of features).
    public var nComponents: Int?
    /// Start (`init`; nil: `nndsvda` when k ≤ min(samples, features), else `random`).
    public var initialization: NMFInitialization?
    /// Coordinate descent or multiplicative updates (`solver`).
    public var solver = NMFSolver.cd
    /// β of the β-divergence minimized (`beta_loss`): 2 Frobenius (`"frobenius"`), 1 generalized
    /// Kullback–Leibler (`"kullback-leibler"`), 0 Itakura–Saito (`"itakura-saito"`), or any other
    /// number. Only `mu` takes β ≠ 2.
    public var betaLoss = 2.0
    /// Stop when the coordinate-descent violation falls below `tol` × its first value, or when the
    /// multiplicative error improves by less than `tol` × the initial error over 10 iterations (`tol`).
    public var tol = 1e-4
    /// Most iterations (`max_iter`).
    public var maxIter = 200
    /// Seed of NumPy's `RandomState` for the SVD start, random starts and shuffling (`random_state`;
    /// nil: from the system). With the same seed the start is scikit-learn's.
    public var randomState: UInt32?
    /// Regularization of W (`alpha_W`), scaled by the number of features as scikit-learn does.
    public var alphaW = 0.0
    /// Regularization of H (`alpha_H`; nil: `"same"` as `alpha_W`), scaled by the number of samples.
    public var alphaH: Double?
    /// Share of L1 in the regularization, the rest L2 (`l1_ratio`).
    public var l1Ratio = 0.0
    /// Visit the coordinates in a random order each pass (`shuffle`, `cd` only).
    public var shuffle = false
    /// Threads for the row-parallel products and updates; results do not depend on it.
    public var workers = ProcessInfo.processInfo.activeProcessorCount

    /// scikit-learn's defaults.
    public init() {}

    /// Sets one option by scikit-learn's name from text (`n_components=10`, `solver=mu`,
    /// `beta_loss=kullback-leibler`, `alpha_H=same`, …).
    public mutating func set(_ key: String, _ value: String) throws {
        let text = SettingText(key: key, value: value)
        func bad(_ expected: String) -> NLPError { text.bad(expected) }
        func int(_ range: ClosedRange<Int>) throws -> Int { try text.int(range) }
        func double(_ range: ClosedRange<Double>) throws -> Double { try text.double(range) }
        switch key {
        case "n_components": nComponents = value == "auto" || value == "None" ? nil : try int(1...1_000_000)
        case "init":
            if value == "None" { initialization = nil; return }
            guard let i = NMFInitialization(rawValue: value) else { throw bad("None, random, nndsvd, nndsvda or nndsvdar") }
            initialization = i
        case "solver":
            guard let s = NMFSolver(rawValue: value) else { throw bad("cd or mu") }
            solver = s
        case "beta_loss":
            switch value {
            case "frobenius": betaLoss = 2
            case "kullback-leibler": betaLoss = 1
            case "itakura-saito": betaLoss = 0
            default:
                guard let v = Double(value), v.isFinite, abs(v) <= 100 else { throw bad("frobenius, kullback-leibler, itakura-saito or a number in −100…100") }
                betaLoss = v
            }
        case "tol": tol = try double(0...1e300)
        case "max_iter": maxIter = try int(1...10_000_000)
        case "random_state": randomState = try text.seed()
        case "alpha_W": alphaW = try double(0...1e300)
        case "alpha_H": alphaH = value == "same" ? nil : try double(0...1e300)
        case "l1_ratio": l1Ratio = try double(0...1)
        case "shuffle":
            guard let b = Bool(value.lowercased()) else { throw bad("true or false") }
            shuffle = b
        case "n_jobs": workers = try text.jobs()
        default:
            throw bad("one of n_components, init, solver, beta_loss, tol, max_iter, random_state, alpha_W, alpha_H, l1_ratio, shuffle, n_jobs")
        }
    }

    func validate() throws {
        func bad(_ name: String, _ value: Any, _ expected: String) -> NLPError { .invalidParameter(name: name, value: "\(value)", expected: expected) }
        if let k = nComponents, k < 1 { throw bad("n_components", k, "≥ 1") }
        guard betaLoss.isFinite else { throw bad("beta_loss", betaLoss, "a finite number") }
        guard solver == .mu || betaLoss == 2 else { throw bad("beta_loss", betaLoss, "frobenius (2): solver cd handles no other loss; use solver=mu") }
        guard tol >= 0, tol.isFinite else { throw bad("tol", tol, "≥ 0") }
        guard maxIter >= 1 else { throw bad("max_iter", maxIter, "≥ 1") }
        guard alphaW >= 0, alphaW.isFinite else { throw bad("alpha_W", alphaW, "≥ 0") }
        if let a = alphaH, !(a >= 0 && a.isFinite) { throw bad("alpha_H", a, "≥ 0 or same") }
        guard l1Ratio >= 0, l1Ratio <= 1 else { throw bad("l1_ratio", l1Ratio, "a number in 0…1") }
        guard workers >= 1 else { throw bad("n_jobs", workers, "≥ 1") }
    }
}

/// Non-negative matrix factorization X ≈ W H of a sparse non-negative matrix (documents × words
/// for topic models), computed as scikit-learn's `NMF` computes it.
///
/// - The start is scikit-learn's: NNDSVD from a randomized SVD (Halko et al.) whose Gaussian test
///   matrix comes from NumPy's `RandomState(random_state)`, with the same oversampling (10) and
///   power iterations (7, or 4 when k ≥ 10 % of the smaller side), or scaled |normal| draws.
/// - `cd` updates each coordinate of W, then of H, in closed form; rows are independent, so they
///   run on several threads with the same arithmetic as one thread. `mu` is Lee & Seung's update
///   generalized to the β-divergence, with scikit-learn's ε guards and exponent γ.
/// - Regularization: alpha_W · l1_ratio · features on |W|, alpha_W · (1 − l1_ratio) · features on
///   ‖W‖², and likewise for H with alpha_H and the number of samples.
///
/// With `random_state` set the components equal scikit-learn's to rounding (see NMFTests).
///
/// ```swift
/// let tfidf = try TfidfVectorizer(stopWords: .english, minDF: .count(2)).fitTransform(documents)
/// var o = NMFOptions(); o.nComponents = 10; o.randomState = 0
/// let nmf = try NMF(options: o)
/// let w = try nmf.fitTransform(tfidf)          // documents × topics
/// try nmf.topWords(featureNames: vectorizer.featureNames, count: 10)
/// ```
public final class NMF {
    /// The settings.
    public let options: NMFOptions
    /// Components `k` after fitting (`n_components_`).
    public private(set) var componentCount = 0
    /// Features seen in fitting (`n_features_in_`).
    public private(set) var featureCount = 0
    /// H, components × features, row-major (`components_`).
    public private(set) var components: [Double] = []
    /// Iterations of the last fit (`n_iter_`).
    public private(set) var iterations = 0
    /// The β-divergence between the training data and W H, as √(2 · divergence) — the Frobenius
    /// norm for β = 2 (`reconstruction_err_`).
    public private(set) var reconstructionError = Double.nan
    /// Whether `fit` has run.
    public var isFitted: Bool { componentCount > 0 }

    /// The most doubles W or H may hold: 2²⁶ (512 MiB).
    public static let maxFactorValues = 1 << 26
    /// NumPy's float32 machine ε, scikit-learn's guard against division by zero in `mu`.
    static let epsilon = Double(Float.ulpOfOne)

    /// A model with these settings. - Throws: `NLPError.invalidParameter` for a value outside its domain.
    public init(options: NMFOptions = NMFOptions()) throws {
        try options.validate()
        self.options = options
    }

    /// Fits W and H to `x` and returns W, samples × components (`fit_transform`).
    /// - Throws: `NLPError.invalidInput` for an empty, negative or non-finite matrix, one too large,
    ///   zeros with β ≤ 0, or an `init` that needs k ≤ min(samples, features).
    @discardableResult
    public func fitTransform(_ x: SparseMatrix) throws -> [[Double]] {
        let k = options.nComponents ?? x.columns
        try check(x, components: k)
        guard x.values.contains(where: { $0 > 0 }) else { throw NLPError.invalidInput("the matrix to factorize is all zeros") }
        let xt = x.transposed()
        var (w, h) = try initialize(x, xt, k)
        let reg = regularization(x)
        var ht = transposeMatrix(h, rows: k, columns: x.columns)
        switch options.solver {
        case .cd:
            iterations = coordinateDescent(x, xt, w: &w, ht: &ht, k: k, reg: reg, updateH: true)
            h = transposeMatrix(ht, rows: x.columns, columns: k)
        case .mu:
            iterations = multiplicativeUpdates(x, xt, w: &w, h: &h, k: k, reg: reg, updateH: true)
        }
        componentCount = k
        featureCount = x.columns
        components = h
        reconstructionError = Self.betaDivergence(x, w: w, h: h, k: k, beta: options.betaLoss, workers: options.workers, squareRoot: true)
        return rows(w, k)
    }

    /// Fits W and H to `x` (`fit`).
    public func fit(_ x: SparseMatrix) throws { try fitTransform(x) }

    /// W for new rows with H fixed (`transform`): W starts at zero (`cd`) or √(mean(X) / k) (`mu`)
    /// and is solved as in fitting, with the regularization scaled by `x`'s shape.
    public func transform(_ x: SparseMatrix) throws -> [[Double]] {
        guard isFitted else { throw NLPError.notFitted("NMF") }
        guard x.columns == featureCount else {
            throw NLPError.invalidInput("the data has \(x.columns) features while the model was fitted with \(featureCount)")
        }
        let k = componentCount
        try check(x, components: k)
        let xt = x.transposed()
        let reg = regularization(x)
        switch options.solver {
        case .cd:
            var w = [Double](repeating: 0, count: x.rows * k)
            var ht = transposeMatrix(components, rows: k, columns: featureCount)
            _ = coordinateDescent(x, xt, w: &w, ht: &ht, k: k, reg: reg, updateH: false)
            return rows(w, k)
        case .mu:
            let mean = x.values.reduce(0, +) / (Double(x.rows) * Double(x.columns))
            var w = [Double](repeating: (mean / Double(k)).squareRoot(), count: x.rows * k)
            var h = components
            _ = multiplicativeUpdates(x, xt, w: &w, h: &h, k: k, reg: reg, updateH: false)
            return rows(w, k)
        }
    }

    /// W H for rows of W (`inverse_transform`), samples × features, dense.
    public func inverseTransform(_ w: [[Double]]) throws -> [[Double]] {
        guard isFitted else { throw NLPError.notFitted("NMF") }
        let k = componentCount, f = featureCount
        return try w.map { row in
            guard row.count == k else { throw NLPError.invalidInput("a row of \(row.count) weights for \(k) components") }
            var out = [Double](repeating: 0, count: f)
            for c in 0..<k where row[c] != 0 {
                let base = c * f
                for j in 0..<f { out[j] += row[c] * components[base + j] }
            }
            return out
        }
    }

    /// The `count` heaviest words of each component (ties: the lower feature index first).
    public func topWords(featureNames: [String], count: Int) throws -> [[(word: String, weight: Double)]] {
        guard isFitted else { throw NLPError.notFitted("NMF") }
        return try topicTopWords(components, topics: componentCount, featureNames: featureNames, count: count)
    }

    // MARK: Checks and set-up

    private func check(_ x: SparseMatrix, components k: Int) throws {
        guard x.rows > 0, x.columns > 0 else { throw NLPError.invalidInput("the matrix to factorize is empty (\(x.rows) × \(x.columns))") }
        for v in x.values where !(v >= 0 && v.isFinite) {
            throw NLPError.invalidInput("the matrix holds \(v); NMF needs non-negative finite values")
        }
        for side in [x.rows, x.columns] {
            let (size, overflow) = side.multipliedReportingOverflow(by: k)
            guard !overflow, size <= Self.maxFactorValues else {
                throw NLPError.invalidInput("\(k) components × \(side) rows or features is more than \(Self.maxFactorValues) values; lower n_components")
            }
        }
        let (cells, tooMany) = x.rows.multipliedReportingOverflow(by: x.columns)
        if options.betaLoss <= 0, tooMany || x.values.count < cells || x.values.contains(0) {
            throw NLPError.invalidInput("with beta_loss ≤ 0 the matrix may hold no zeros (the solver diverges); add small values or use a positive beta_loss")
        }
    }

    private func regularization(_ x: SparseMatrix) -> (l1W: Double, l1H: Double, l2W: Double, l2H: Double) {
        let aW = options.alphaW, aH = options.alphaH ?? options.alphaW, r = options.l1Ratio
        let n = Double(x.rows), f = Double(x.columns)
        return (f * aW * r, n * aH * r, f * aW * (1 - r), n * aH * (1 - r))
    }

    private func randomState() -> NumPyRandomState {
        options.randomState.map { NumPyRandomState(seed: $0) } ?? NumPyRandomState()
    }

    /// W (n × k) and H (k × f) to start from, as scikit-learn's `_initialize_nmf`.
    private func initialize(_ x: SparseMatrix, _ xt: SparseMatrix, _ k: Int) throws -> ([Double], [Double]) {
        let n = x.rows, f = x.columns
        let fitsSVD = k <= min(n, f)
        let method = options.initialization ?? (fitsSVD ? .nndsvda : .random)
        guard method == .random || fitsSVD else {
            throw NLPError.invalidParameter(name: "init", value: method.rawValue, expected: "random when n_components (\(k)) > min(n_samples, n_features) = \(min(n, f))")
        }
        let mean = x.values.reduce(0, +) / (Double(n) * Double(f))
        if method == .random {
            var rng = randomState()
            let avg = (mean / Double(k)).squareRoot()
            let h = (0..<(k * f)).map { _ in abs(avg * rng.gauss()) }
            let w = (0..<(n * k)).map { _ in abs(avg * rng.gauss()) }
            return (w, h)
        }
        var rng = randomState()
        let svd = try Self.randomizedSVD(x, xt, k: k, random: &rng, workers: options.workers)
        var w = [Double](repeating: 0, count: n * k), h = [Double](repeating: 0, count: k * f)
        for j in 0..<k {
            let u = (0..<n).map { svd.u[$0 * k + j] }, v = Array(svd.vt[j * f..<(j + 1) * f])
            var uPart: [Double], vPart: [Double], sigma: Double
            if j == 0 {
                uPart = u.map { abs($0) }; vPart = v.map { abs($0) }; sigma = 1
            } else {
                let up = u.map { max($0, 0) }, vp = v.map { max($0, 0) }
                let un = u.map { abs(min($0, 0)) }, vn = v.map { abs(min($0, 0)) }
                let upn = norm(up), vpn = norm(vp), unn = norm(un), vnn = norm(vn)
                let mp = upn * vpn, mn = unn * vnn
                if mp > mn {
                    uPart = up.map { $0 / upn }; vPart = vp.map { $0 / vpn }; sigma = mp
                } else if mn == 0 {
                    // A zero singular pair (rank below k): nothing to take; left at zero, where
                    // scikit-learn would divide 0 by 0.
                    uPart = [Double](repeating: 0, count: n); vPart = [Double](repeating: 0, count: f); sigma = 0
                } else {
                    uPart = un.map { $0 / unn }; vPart = vn.map { $0 / vnn }; sigma = mn
                }
            }
            let lambda = j == 0 ? svd.s[0].squareRoot() : (svd.s[j] * sigma).squareRoot()
            for i in 0..<n { w[i * k + j] = lambda * uPart[i] }
            for t in 0..<f { h[j * f + t] = lambda * vPart[t] }
        }
        let eps = 1e-6
        for i in w.indices where w[i] < eps { w[i] = 0 }
        for i in h.indices where h[i] < eps { h[i] = 0 }
        switch method {
        case .nndsvda:
            for i in w.indices where w[i] == 0 { w[i] = mean }
            for i in h.indices where h[i] == 0 { h[i] = mean }
        case .nndsvdar:
            var r = randomState()
            for i in w.indices where w[i] == 0 { w[i] = abs(mean * r.gauss() / 100) }
            for i in h.indices where h[i] == 0 { h[i] = abs(mean * r.gauss() / 100) }
        case .nndsvd, .random: break
        }
        return (w, h)
    }

    private func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    /// scikit-learn's `randomized_svd(X, k, random_state=…)` with its defaults: k + 10 Gaussian
    /// directions drawn as NumPy draws them, power iterations (7, or 4 when k ≥ 0.1 · min side)
    /// each followed by an orthonormalization (QR here, LU there: the same subspace), the exact
    /// SVD of the small projection, and `svd_flip`'s signs. Returns U (n × k), s and Vᵀ (k × f).
    package static func randomizedSVD(_ x: SparseMatrix, _ xt: SparseMatrix, k: Int, random: inout NumPyRandomState, workers: Int) throws
        -> (u: [Double], s: [Double], vt: [Double]) {
        let n = x.rows, f = x.columns
        let powerIterations = Double(k) < 0.1 * Double(min(n, f)) ? 7 : 4
        let transpose = n < f
        // M is X, or Xᵀ when X is wide; m1 × m2.
        let (m, mt) = transpose ? (xt, x) : (x, xt)
        let m1 = m.rows, m2 = m.columns
        var r = k + 10
        var q = (0..<(m2 * r)).map { _ in random.gauss() }       // m2 × r
        // Orthonormal columns spanning those of `a` (rows × r); fewer when r > rows, as SciPy's
        // economic QR gives.
        // Between power iterations the basis needs to be well conditioned, not orthonormal to
        // the last bit: one Cholesky QR pass (falling back to Gram–Schmidt); the final basis
        // gets two passes.
        func orthonormal(_ a: [Double], rows: Int, exact: Bool = false) throws -> [Double] {
            let q = exact || r > rows ? orthonormalColumns(a, rows: rows, columns: r)
                : choleskyQR(a, rows: rows, columns: r) ?? gramSchmidtTwice(a, rows: rows, columns: r)
            r = min(rows, r)
            return q
        }
        for _ in 0..<powerIterations {
            let y = try orthonormal(m.times(q, columns: r, workers: workers), rows: m1)
            q = try orthonormal(mt.times(y, columns: r, workers: workers), rows: m2)
        }
        let basis = try orthonormal(m.times(q, columns: r, workers: workers), rows: m1, exact: true)    // m1 × r
        // B = Qᵀ M (r × m2) through the QR of Bᵀ = Q₂R₂: B = R₂ᵀQ₂ᵀ, so B's SVD is R₂ᵀ's (r × r)
        // with Vᵀ multiplied by Q₂ᵀ.
        let bt = mt.times(basis, columns: r, workers: workers)                             // m2 × r = Bᵀ
        let q2 = orthonormalColumns(bt, rows: m2, columns: r)                              // m2 × r2
        let r2 = min(m2, r)
        let r2t = denseProduct(transposeMatrix(bt, rows: m2, columns: r), rows: r, inner: m2, q2, columns: r2)   // R₂ᵀ = B Q₂, r × r2
        let small = try Linalg.svd(r2t, rows: r, cols: r2, fullMatrices: false)
        let p = min(r, r2)                                   // columns of Û, rows of Vᵀ
        var u = denseProduct(basis, rows: m1, inner: r, small.u, columns: p)               // Q Û, m1 × p
        var vt = denseProduct(small.vt, rows: p, inner: r2, transposeMatrix(q2, rows: m2, columns: r2), columns: m2)   // V_sᵀ Q₂ᵀ
        // svd_flip: the largest |entry| of each column of U (rows of Vᵀ when transposed) positive.
        for j in 0..<p {
            var best = 0, bestValue = -1.0
            if !transpose {
                for i in 0..<m1 where abs(u[i * p + j]) > bestValue { bestValue = abs(u[i * p + j]); best = i }
            } else {
                for i in 0..<m2 where abs(vt[j * m2 + i]) > bestValue { bestValue = abs(vt[j * m2 + i]); best = i }
            }
            let value = transpose ? vt[j * m2 + best] : u[best * p + j]
            let sign: Double = value < 0 ? -1 : 1
            if sign < 0 {
                for i in 0..<m1 { u[i * p + j] = -u[i * p + j] }
                for i in 0..<m2 { vt[j * m2 + i] = -vt[j * m2 + i] }
            }
        }
        let s = Array(small.s.prefix(k))
        if !transpose {
            let uk = (0..<(n * k)).map { u[($0 / k) * p + $0 % k] }
            return (uk, s, Array(vt.prefix(k * f)))
        }
        // X = (M)ᵀ: U_X = Vᵀ_Mᵀ[:, :k] (n × k), Vᵀ_X = U_Mᵀ[:, :k] (k × f).
        var uk = [Double](repeating: 0, count: n * k), vk = [Double](repeating: 0, count: k * f)
        for i in 0..<n { for j in 0..<k { uk[i * k + j] = vt[j * m2 + i] } }
        for j in 0..<k { for t in 0..<f { vk[j * f + t] = u[t * p + j] } }
        return (uk, s, vk)
    }

    // MARK: Coordinate descent

    /// scikit-learn's `_fit_coordinate_descent`: a pass over W's coordinates then H's, until the
    /// summed projected-gradient violation falls below `tol` × the first pass's.
    private func coordinateDescent(_ x: SparseMatrix, _ xt: SparseMatrix, w: inout [Double], ht: inout [Double], k: Int,
                                   reg: (l1W: Double, l1H: Double, l2W: Double, l2H: Double), updateH: Bool) -> Int {
        var rng = options.shuffle ? randomState() : nil
        var initial = 0.0, done = 0
        for pass in 1...options.maxIter {
            done = pass
            let permutationW = rng?.permutation(k) ?? Array(0..<k)
            var violation = cdUpdate(x, w: &w, ht: ht, k: k, l1: reg.l1W, l2: reg.l2W, order: permutationW)
            if updateH {
                let permutationH = rng?.permutation(k) ?? Array(0..<k)
                violation += cdUpdate(xt, w: &ht, ht: w, k: k, l1: reg.l1H, l2: reg.l2H, order: permutationH)
            }
            if pass == 1 { initial = violation }
            if initial == 0 || violation / initial <= options.tol { break }
        }
        return done
    }

    /// One pass of coordinate descent on W for X ≈ W Htᵀ (X is m × p, W m × k, Ht p × k);
    /// returns the summed |projected gradient| in scikit-learn's order (component, then row).
    private func cdUpdate(_ x: SparseMatrix, w: inout [Double], ht: [Double], k: Int, l1: Double, l2: Double, order: [Int]) -> Double {
        let m = x.rows, p = x.columns
        var hht = columnGram(ht, rows: p, columns: k)          // H Hᵀ
        if l2 != 0 { for a in 0..<k { hht[a * k + a] += l2 } }
        var violations = [Double](repeating: 0, count: m * k)
        let blocks = rowBlocks(m, cost: x.values.count * k + m * k * k)
        w.withUnsafeMutableBufferPointer { wp in
            violations.withUnsafeMutableBufferPointer { vp in
                ht.withUnsafeBufferPointer { h in
                    x.rowPointers.withUnsafeBufferPointer { ptr in
                        x.columnIndices.withUnsafeBufferPointer { idx in
                            x.values.withUnsafeBufferPointer { val in
                                hht.withUnsafeBufferPointer { g in
                                    order.withUnsafeBufferPointer { perm in
                                        let wBase = wp.baseAddress!, vBase = vp.baseAddress!
                                        let hBase = h.baseAddress!, gBase = g.baseAddress!
                                        blocks.run { range in
                                            // Rows in tiles of 64: first each row's X Htᵀ (terms in stored
                                            // order, SciPy's; SIMD across components), then scikit-learn's
                                            // loop — component outer, row inner — over the tile. Rows are
                                            // independent, so the result is the whole-matrix loop's, and
                                            // consecutive steps belong to different rows: the processor
                                            // overlaps them instead of waiting on one row's chain.
                                            let tile = 64
                                            let xh = UnsafeMutablePointer<Double>.allocate(capacity: tile * k)
                                            defer { xh.deallocate() }
                                            var first = range.lowerBound
                                            while first < range.upperBound {
                                                let last = min(first + tile, range.upperBound)
                                                xh.update(repeating: 0, count: (last - first) * k)
                                                for i in first..<last {
                                                    let out = xh + (i - first) &* k
                                                    for e in ptr[i]..<ptr[i + 1] {
                                                        let v = val[e], hrow = hBase + idx[e] &* k
                                                        for c in 0..<k { out[c] += v * hrow[c] }
                                                    }
                                                    if l1 != 0 { for c in 0..<k { out[c] -= l1 } }
                                                }
                                                for s in 0..<k {
                                                    let t = perm[s], gt = gBase + t &* k
                                                    let hess = gt[t]
                                                    for i in first..<last {
                                                        let wi = wBase + i &* k
                                                        var grad = -xh[(i - first) &* k &+ t]
                                                        for r in 0..<k { grad += gt[r] * wi[r] }
                                                        let projected = wi[t] == 0 ? min(0, grad) : grad
                                                        vBase[i &* k &+ s] = abs(projected)
                                                        if hess != 0 { wi[t] = max(wi[t] - grad / hess, 0) }
                                                    }
                                                }
                                                first = last
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var total = 0.0
        for s in 0..<k { for i in 0..<m { total += violations[i * k + s] } }
        return total
    }

    // MARK: Multiplicative updates

    /// scikit-learn's `_fit_multiplicative_update`: W then H by their β-divergence updates, the
    /// error checked every 10 iterations.
    private func multiplicativeUpdates(_ x: SparseMatrix, _ xt: SparseMatrix, w: inout [Double], h: inout [Double], k: Int,
                                       reg: (l1W: Double, l1H: Double, l2W: Double, l2H: Double), updateH: Bool) -> Int {
        let beta = options.betaLoss, workers = options.workers
        let gamma = beta < 1 ? 1 / (2 - beta) : beta > 2 ? 1 / (beta - 1) : 1
        let initialError = Self.betaDivergence(x, w: w, h: h, k: k, beta: beta, workers: workers, squareRoot: true)
        var previous = initialError
        // With H fixed (transform), scikit-learn keeps Σ_j H, H Hᵀ and X Hᵀ between iterations;
        // its Kullback–Leibler update adds l1 to the kept Σ_j H in place each time, repeated here.
        var kept: (hSum: [Double]?, hht: [Double]?, xht: [Double]?) = (nil, nil, nil)
        var done = 0
        for pass in 1...options.maxIter {
            done = pass
            kept = multiplicativeW(x, w: &w, h: h, k: k, l1: reg.l1W, l2: reg.l2W, gamma: gamma, kept: kept)
            if beta < 1 { for i in w.indices where w[i] < Double.ulpOfOne { w[i] = 0 } }
            if updateH {
                multiplicativeH(x, xt, w: w, h: &h, k: k, l1: reg.l1H, l2: reg.l2H, gamma: gamma)
                kept = (nil, nil, nil)
                if beta <= 1 { for i in h.indices where h[i] < Double.ulpOfOne { h[i] = 0 } }
            }
            if options.tol > 0, pass % 10 == 0 {
                let error = Self.betaDivergence(x, w: w, h: h, k: k, beta: beta, workers: workers, squareRoot: true)
                if (previous - error) / initialError < options.tol { break }
                previous = error
            }
        }
        return done
    }

    /// X's values replaced by the factor the β update multiplies in: X / WH (β = 1), X · WH^(β−2)
    /// otherwise, with WH floored at ε where β < 2.
    private func weightedRatio(_ x: SparseMatrix, w: [Double], h: [Double], k: Int) -> SparseMatrix {
        let beta = options.betaLoss, eps = Self.epsilon
        var data = Self.productAtNonzeros(x, w: w, h: h, k: k, workers: options.workers)
        for e in data.indices {
            var wh = data[e]
            if beta < 2, wh < eps { wh = eps }
            let xv = x.values[e]
            if beta == 1 { data[e] = xv / wh } else if beta == 0 { let inv = 1 / wh; data[e] = inv * inv * xv } else { data[e] = Foundation.pow(wh, beta - 2) * xv }
        }
        return SparseMatrix(unchecked: x.rows, x.columns, x.rowPointers, x.columnIndices, data, .float64)
    }

    private func multiplicativeW(_ x: SparseMatrix, w: inout [Double], h: [Double], k: Int, l1: Double, l2: Double, gamma: Double,
                                 kept: (hSum: [Double]?, hht: [Double]?, xht: [Double]?)) -> (hSum: [Double]?, hht: [Double]?, xht: [Double]?) {
        let n = x.rows, f = x.columns, beta = options.betaLoss, workers = options.workers
        var kept = kept
        var numerator: [Double], denominator: [Double]
        if beta == 2 {
            // X Hᵀ and H Hᵀ are computed once while H stays fixed (transform), as scikit-learn keeps them.
            if kept.xht == nil || kept.hht == nil {
                let ht = transposeMatrix(h, rows: k, columns: f)
                kept.xht = x.times(ht, columns: k, workers: workers)
                kept.hht = columnGram(ht, rows: f, columns: k)
            }
            numerator = kept.xht!
            denominator = denseProduct(w, rows: n, inner: k, kept.hht!, columns: k)
        } else {
            let ht = transposeMatrix(h, rows: k, columns: f)
            numerator = weightedRatio(x, w: w, h: h, k: k).times(ht, columns: k, workers: workers)
            if beta == 1 {
                var hSum: [Double] = kept.hSum ?? (0..<k).map { (c: Int) -> Double in h[c * f..<(c + 1) * f].reduce(0, +) }
                // scikit-learn's denominator is a view of Σ_j H until l2 makes it a new array.
                if l1 > 0 { for c in 0..<k { hSum[c] += l1 } }
                if l2 == 0 { for c in 0..<k where hSum[c] == 0 { hSum[c] = Self.epsilon } }
                kept.hSum = hSum
                denominator = (0..<(n * k)).map { hSum[$0 % k] }
                if l2 > 0 {
                    for e in denominator.indices { denominator[e] += l2 * w[e] }
                    for e in denominator.indices where denominator[e] == 0 { denominator[e] = Self.epsilon }
                }
                applyUpdate(&w, numerator: numerator, denominator: denominator, gamma: gamma)
                return kept
            }
            denominator = Self.densePowerProduct(w: w, h: h, n: n, f: f, k: k, beta: beta, workers: workers)
        }
        if l1 > 0 { for e in denominator.indices { denominator[e] += l1 } }
        if l2 > 0 { for e in denominator.indices { denominator[e] += l2 * w[e] } }
        for e in denominator.indices where denominator[e] == 0 { denominator[e] = Self.epsilon }
        applyUpdate(&w, numerator: numerator, denominator: denominator, gamma: gamma)
        return kept
    }

    private func multiplicativeH(_ x: SparseMatrix, _ xt: SparseMatrix, w: [Double], h: inout [Double], k: Int, l1: Double, l2: Double, gamma: Double) {
        let n = x.rows, f = x.columns, beta = options.betaLoss, workers = options.workers
        var numerator: [Double], denominator: [Double]
        if beta == 2 {
            numerator = transposeMatrix(xt.times(w, columns: k, workers: workers), rows: f, columns: k)       // Wᵀ X
            let wtw = columnGram(w, rows: n, columns: k)
            denominator = [Double](repeating: 0, count: k * f)
            for a in 0..<k { for b in 0..<k where wtw[a * k + b] != 0 { let g = wtw[a * k + b]; for j in 0..<f { denominator[a * f + j] += g * h[b * f + j] } } }
        } else {
            let ratio = weightedRatio(x, w: w, h: h, k: k).transposed()
            numerator = transposeMatrix(ratio.times(w, columns: k, workers: workers), rows: f, columns: k)
            if beta == 1 {
                var wSum = [Double](repeating: 0, count: k)
                for i in 0..<n { for c in 0..<k { wSum[c] += w[i * k + c] } }
                for c in 0..<k where wSum[c] == 0 { wSum[c] = 1 }
                denominator = (0..<(k * f)).map { wSum[$0 / f] }
            } else {
                // Wᵀ (WH)^(β−1), a column of X at a time in scikit-learn; here by rows of W H.
                let wht = Self.densePowerProduct(w: transposeMatrix(h, rows: k, columns: f), h: transposeMatrix(w, rows: n, columns: k),
                                                 n: f, f: n, k: k, beta: beta, workers: workers)
                denominator = transposeMatrix(wht, rows: f, columns: k)
            }
        }
        if l1 > 0 { for e in denominator.indices { denominator[e] += l1 } }
        if l2 > 0 { for e in denominator.indices { denominator[e] += l2 * h[e] } }
        for e in denominator.indices where denominator[e] == 0 { denominator[e] = Self.epsilon }
        applyUpdate(&h, numerator: numerator, denominator: denominator, gamma: gamma)
    }

    private func applyUpdate(_ a: inout [Double], numerator: [Double], denominator: [Double], gamma: Double) {
        for e in a.indices {
            var delta = numerator[e] / denominator[e]
            if gamma != 1 { delta = Foundation.pow(delta, gamma) }
            a[e] *= delta
        }
    }

    /// Row i of the result: ((W H)ᵢ with entries floored at ε where β < 1, raised to β − 1) Hᵀ;
    /// W is n × k, H is k × f, the result n × k. Dense: O(n f k).
    static func densePowerProduct(w: [Double], h: [Double], n: Int, f: Int, k: Int, beta: Double, workers: Int) -> [Double] {
        var out = [Double](repeating: 0, count: n * k)
        let blocks = RowBlocks(count: n, workers: n * f * k >= 1 << 16 ? workers : 1)
        out.withUnsafeMutableBufferPointer { o in
            let base = o.baseAddress!
            blocks.run { range in
                var row = [Double](repeating: 0, count: f)
                for i in range {
                    for j in 0..<f { row[j] = 0 }
                    for c in 0..<k { let wic = w[i * k + c]; if wic == 0 { continue }; for j in 0..<f { row[j] += wic * h[c * f + j] } }
                    for j in 0..<f {
                        var v = row[j]
                        if beta < 1, v < epsilon { v = epsilon }
                        row[j] = Foundation.pow(v, beta - 1)
                    }
                    for c in 0..<k { var s = 0.0; for j in 0..<f { s += row[j] * h[c * f + j] }; base[i * k + c] = s }
                }
            }
        }
        return out
    }

    /// (W H) at X's stored positions, in X's order.
    static func productAtNonzeros(_ x: SparseMatrix, w: [Double], h: [Double], k: Int, workers: Int) -> [Double] {
        let f = x.columns
        var out = [Double](repeating: 0, count: x.values.count)
        let blocks = RowBlocks(count: x.rows, workers: x.values.count * k >= 1 << 16 ? workers : 1)
        out.withUnsafeMutableBufferPointer { o in
            let base = o.baseAddress!
            blocks.run { range in
                for i in range {
                    for e in x.rowPointers[i]..<x.rowPointers[i + 1] {
                        let j = x.columnIndices[e]
                        var s = 0.0
                        for c in 0..<k { s += w[i * k + c] * h[c * f + j] }
                        base[e] = s
                    }
                }
            }
        }
        return out
    }

    /// The β-divergence D(X ‖ W H) as scikit-learn's `_beta_divergence` computes it for a sparse
    /// X (zeros of X skipped in the log and ratio terms), or √(2 · max(D, 0)) with `squareRoot`.
    static func betaDivergence(_ x: SparseMatrix, w: [Double], h: [Double], k: Int, beta: Double, workers: Int, squareRoot: Bool) -> Double {
        let n = x.rows, f = x.columns
        var result: Double
        if beta == 2 {
            let normX = x.values.reduce(0) { $0 + $1 * $1 }
            let wtw = columnGram(w, rows: n, columns: k)
            var normWH = 0.0
            for a in 0..<k {
                for j in 0..<f {
                    var s = 0.0
                    for b in 0..<k { s += wtw[a * k + b] * h[b * f + j] }
                    normWH += s * h[a * f + j]
                }
            }
            let xht = x.times(transposeMatrix(h, rows: k, columns: f), columns: k, workers: workers)
            var cross = 0.0
            for e in xht.indices { cross += xht[e] * w[e] }
            result = (normX + normWH - 2 * cross) / 2
        } else {
            let wh = productAtNonzeros(x, w: w, h: h, k: k, workers: workers)
            var xs: [Double] = [], whs: [Double] = []
            for e in wh.indices where x.values[e] > epsilon {
                xs.append(x.values[e]); whs.append(max(wh[e], epsilon))
            }
            if beta == 1 {
                var sumW = [Double](repeating: 0, count: k)
                for i in 0..<n { for c in 0..<k { sumW[c] += w[i * k + c] } }
                var sumWH = 0.0
                for c in 0..<k { sumWH += sumW[c] * h[c * f..<(c + 1) * f].reduce(0, +) }
                result = 0
                for e in xs.indices { result += xs[e] * Foundation.log(xs[e] / whs[e]) }
                result += sumWH - xs.reduce(0, +)
            } else if beta == 0 {
                var ratio = 0.0, logs = 0.0
                for e in xs.indices { let d = xs[e] / whs[e]; ratio += d; logs += Foundation.log(d) }
                result = ratio - Double(n) * Double(f) - logs
            } else {
                var sumWHBeta = 0.0
                var column = [Double](repeating: 0, count: n)
                for j in 0..<f {
                    for i in 0..<n { var s = 0.0; for c in 0..<k { s += w[i * k + c] * h[c * f + j] }; column[i] = s }
                    for i in 0..<n { sumWHBeta += Foundation.pow(column[i], beta) }
                }
                var sumXWH = 0.0, sumXBeta = 0.0
                for e in xs.indices { sumXWH += xs[e] * Foundation.pow(whs[e], beta - 1); sumXBeta += Foundation.pow(xs[e], beta) }
                result = sumXBeta - beta * sumXWH + sumWHBeta * (beta - 1)
                result /= beta * (beta - 1)
            }
        }
        return squareRoot ? (2 * max(result, 0)).squareRoot() : result
    }

    // MARK: Small helpers

    private func rows(_ a: [Double], _ k: Int) -> [[Double]] {
        stride(from: 0, to: a.count, by: k).map { Array(a[$0..<$0 + k]) }
    }


    private func rowBlocks(_ count: Int, cost: Int) -> RowBlocks {
        RowBlocks(count: count, workers: cost >= 1 << 16 ? options.workers : 1)
    }
}

/// AᵀA (columns × columns) of a row-major rows × columns matrix, a row at a time. The full square
/// is accumulated: a fixed trip count vectorizes, a triangle does not.
func columnGram(_ a: [Double], rows m: Int, columns n: Int) -> [Double] {
    var g = [Double](repeating: 0, count: n * n)
    a.withUnsafeBufferPointer { ap in
        g.withUnsafeMutableBufferPointer { gp in
            let gb = gp.baseAddress!
            for i in 0..<m {
                let row = ap.baseAddress! + i &* n
                for x in 0..<n {
                    let v = row[x], gx = gb + x &* n
                    for y in 0..<n { gx[y] += v * row[y] }
                }
            }
        }
    }
    return g
}

/// A row-major matrix transposed.
func transposeMatrix(_ a: [Double], rows: Int, columns: Int) -> [Double] {
    var t = [Double](repeating: 0, count: a.count)
    for i in 0..<rows { for j in 0..<columns { t[j * rows + i] = a[i * columns + j] } }
    return t
}

/// Contiguous ranges of rows, one per worker, run concurrently (or inline for one).
struct RowBlocks {
    let ranges: [Range<Int>]

    init(count: Int, workers: Int) {
        let blocks = max(1, min(workers, count / 16))
        ranges = (0..<blocks).map { b in (b * count / blocks)..<((b + 1) * count / blocks) }
    }

    func run(_ body: (Range<Int>) -> Void) {
        if ranges.count == 1 { body(ranges[0]); return }
        DispatchQueue.concurrentPerform(iterations: ranges.count) { body(ranges[$0]) }
    }
}

/// The `count` heaviest features of each row of a topics × features matrix (ties: the lower
/// feature index first), shared by the topic models.
func topicTopWords(_ components: [Double], topics: Int, featureNames: [String], count: Int) throws -> [[(word: String, weight: Double)]] {
    let v = featureNames.count
    guard topics * v == components.count else {
        throw NLPError.invalidInput("\(featureNames.count) feature names for a model of \(topics > 0 ? components.count / topics : 0) features")
    }
    let n = max(0, min(count, v))
    return (0..<topics).map { t in
        let row = components[t * v..<(t + 1) * v]
        let order = row.indices.sorted { row[$0] != row[$1] ? row[$0] > row[$1] : $0 < $1 }
        return order.prefix(n).map { (featureNames[$0 - t * v], row[$0]) }
    }
}

/// Orthonormal columns spanning those of `a` (row-major rows × columns), row-major rows ×
/// min(rows, columns). Cholesky QR applied twice (Fukaya et al. 2014): two streaming passes over
/// the rows each, and orthogonal to rounding when the columns' condition number is below about
/// 10⁶ — the power iterations normalize every step, so theirs is far lower. Where the Gram matrix
/// is not safely positive definite (dependent columns), classical Gram–Schmidt applied twice
/// instead, which turns a dependent column into zeros. (Linalg.qr is generic and runs
/// unspecialized across modules, several times slower for these tall, thin matrices.)
func orthonormalColumns(_ a: [Double], rows m: Int, columns n: Int) -> [Double] {
    if n <= m, let once = choleskyQR(a, rows: m, columns: n), let twice = choleskyQR(once, rows: m, columns: n) { return twice }
    return gramSchmidtTwice(a, rows: m, columns: n)
}

/// Q = A R⁻¹ with RᵀR = AᵀA, or nil when a Cholesky pivot falls below 10⁻¹² of its diagonal.
func choleskyQR(_ a: [Double], rows m: Int, columns n: Int) -> [Double]? {
    let g = columnGram(a, rows: m, columns: n)
    var r = [Double](repeating: 0, count: n * n)          // upper triangular, RᵀR = G
    for j in 0..<n {
        var d = g[j * n + j]
        for t in 0..<j { d -= r[t * n + j] * r[t * n + j] }
        guard d > 1e-12 * g[j * n + j], d > 0 else { return nil }
        let rjj = d.squareRoot()
        r[j * n + j] = rjj
        for c in (j + 1)..<max(j + 1, n) {
            var s = g[j * n + c]
            for t in 0..<j { s -= r[t * n + j] * r[t * n + c] }
            r[j * n + c] = s / rjj
        }
    }
    var inverse = [Double](repeating: 0, count: n * n)    // R⁻¹, upper triangular
    for j in 0..<n {
        inverse[j * n + j] = 1 / r[j * n + j]
        var i = j - 1
        while i >= 0 {
            var s = 0.0
            for t in (i + 1)...j { s += r[i * n + t] * inverse[t * n + j] }
            inverse[i * n + j] = -s / r[i * n + i]
            i -= 1
        }
    }
    return denseProduct(a, rows: m, inner: n, inverse, columns: n)
}

/// Classical Gram–Schmidt applied twice ("twice is enough", Giraud et al. 2005); a column in the
/// span of the earlier ones becomes zero.
func gramSchmidtTwice(_ a: [Double], rows m: Int, columns n: Int) -> [Double] {
    let kept = min(m, n)
    var q = [Double](repeating: 0, count: kept * m)          // column-major
    q.withUnsafeMutableBufferPointer { qp in
        let base = qp.baseAddress!
        var v = [Double](repeating: 0, count: m)
        v.withUnsafeMutableBufferPointer { vp in
            let vb = vp.baseAddress!
            for j in 0..<kept {
                for i in 0..<m { vb[i] = a[i &* n &+ j] }
                let before = simdDot(UnsafeBufferPointer(vp), UnsafeBufferPointer(vp)).squareRoot()
                for _ in 0..<2 {
                    for i in 0..<j {
                        let qi = base + i &* m
                        let c = simdDot(UnsafeBufferPointer(start: qi, count: m), UnsafeBufferPointer(vp))
                        for e in 0..<m { vb[e] -= c * qi[e] }
                    }
                }
                let norm = simdDot(UnsafeBufferPointer(vp), UnsafeBufferPointer(vp)).squareRoot()
                let qj = base + j &* m
                if norm > 1e-13 * before, norm > 0 {
                    let inv = 1 / norm
                    for e in 0..<m { qj[e] = vb[e] * inv }
                }
            }
        }
    }
    return transposeMatrix(q, rows: kept, columns: m)
}

/// A (rows × inner) times B (inner × columns), both row-major: each output row accumulates
/// a row of B per entry of A's row (SIMD across the output columns).
func denseProduct(_ a: [Double], rows m: Int, inner n: Int, _ b: [Double], columns p: Int) -> [Double] {
    var out = [Double](repeating: 0, count: m * p)
    a.withUnsafeBufferPointer { ap in
        b.withUnsafeBufferPointer { bp in
            out.withUnsafeMutableBufferPointer { op in
                for i in 0..<m {
                    let row = op.baseAddress! + i &* p, ar = ap.baseAddress! + i &* n
                    for t in 0..<n {
                        let v = ar[t]
                        if v == 0 { continue }
                        let br = bp.baseAddress! + t &* p
                        for c in 0..<p { row[c] += v * br[c] }
                    }
                }
            }
        }
    }
    return out
}
