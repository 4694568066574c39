import Foundation

/// Sequential minimal optimization (SMO) for the SVM dual, as in LIBSVM.
///
/// It solves
///
///     min_α  ½ αᵀQα + pᵀα    subject to  yᵀα = constant,  0 ≤ α_t ≤ C_t,
///
/// with y_t = ±1 and Q_tu = y_t y_u K(x_t, x_u). Starting from α = 0 (gradient G = Qα + p = p),
/// every iteration picks two variables and solves the problem in those two exactly:
///
/// - **Working set** (Fan, Chen & Lin 2005, "second-order" selection): i maximises −y_t G_t over
///   the variables that may move up (I_up); j, among those that may move down (I_low) with
///   −y_j G_j < −y_i G_i, maximises the decrease of the objective b²/a, with
///   b = −y_i G_i + y_j G_j and a = K_ii + K_jj − 2K_ij.
/// - **Stop** when m(α) − M(α) = max_{I_up} −y G − min_{I_low} −y G < tol (the KKT gap).
/// - **Update** α_i, α_j along the constraint line, clipped to the box, then G += ΔαᵢQ_i + ΔαⱼQ_j.
/// - **Shrinking**: every min(n, 1000) iterations, variables at a bound whose gradient says they
///   will stay there are set aside (the "active set" shrinks); before stopping the full gradient
///   is rebuilt (from Ḡ, the part of the gradient due to variables at their upper bound) and
///   optimality is checked on all variables.
/// - **Bias**: ρ = mean of y_t G_t over free variables (0 < α_t < C_t), or the middle of the
///   feasible interval when none is free. The decision function is Σ y_t α_t K(x_t, x) − ρ.
///
/// Ties in the selection go to the later position, and the active set is reordered exactly as
/// LIBSVM does, so on the same data the same sequence of pairs is chosen and the solution agrees
/// with scikit-learn's to the stopping tolerance.
///
/// The state lives in raw buffers (allocated once per solve) so the inner loops run without
/// array bounds or exclusivity checks; the logic is exactly the one described above.
final class SVMSMOSolver {
    let n: Int
    let kernel: SVMKernelRows
    let tol: Double
    let shrinking: Bool
    let maxIterations: Int

    private enum Status: UInt8 { case lower, upper, free }
    /// Variable t uses kernel row `base[t]` (C-SVC: its sample; ε-SVR: sample t mod n).
    private let base: UnsafeMutablePointer<Int>
    private let y: UnsafeMutablePointer<Double>
    private let p: UnsafeMutablePointer<Double>
    private let upperBound: UnsafeMutablePointer<Double>
    private let alphaBuffer: UnsafeMutablePointer<Double>
    private let gradient: UnsafeMutablePointer<Double>
    private let gradientBar: UnsafeMutablePointer<Double>
    private let status: UnsafeMutablePointer<Status>
    private let qd: UnsafeMutablePointer<Double>
    /// Position → variable; the first `activeSize` are the active (unshrunk) variables.
    private let active: UnsafeMutablePointer<Int>
    private var activeSize: Int
    private var unshrink = false
    private(set) var iterations = 0
    private(set) var reachedMaxIterations = false

    /// `maxIterations` −1 means LIBSVM's own cap (max(10⁷, 100·n)).
    init(base: [Int], y: [Double], p: [Double], upperBound: [Double], kernel: SVMKernelRows,
         tol: Double, shrinking: Bool, maxIterations: Int) {
        let n = base.count
        self.n = n
        self.kernel = kernel; self.tol = tol; self.shrinking = shrinking
        self.maxIterations = maxIterations < 0 ? max(10_000_000, n > Int(Int32.max) / 100 ? Int(Int32.max) : 100 * n) : maxIterations
        func copy<T>(_ a: [T]) -> UnsafeMutablePointer<T> {
            let b = UnsafeMutablePointer<T>.allocate(capacity: max(a.count, 1))
            if !a.isEmpty { b.initialize(from: a, count: a.count) }
            return b
        }
        self.base = copy(base)
        self.y = copy(y)
        self.p = copy(p)
        self.upperBound = copy(upperBound)
        alphaBuffer = copy([Double](repeating: 0, count: n))
        gradient = copy(p)
        gradientBar = copy([Double](repeating: 0, count: n))
        status = copy([Status](repeating: .lower, count: n))
        qd = copy(base.map { kernel.diagonal[$0] })
        active = copy(Array(0..<n))
        activeSize = n
        for t in 0..<n { updateStatus(t) }
    }

    deinit {
        base.deallocate(); y.deallocate(); p.deallocate(); upperBound.deallocate(); alphaBuffer.deallocate()
        gradient.deallocate(); gradientBar.deallocate(); status.deallocate(); qd.deallocate(); active.deallocate()
    }

    /// The solution α.
    var alpha: [Double] { Array(UnsafeBufferPointer(start: alphaBuffer, count: n)) }

    private func updateStatus(_ t: Int) {
        if alphaBuffer[t] >= upperBound[t] { status[t] = .upper } else if alphaBuffer[t] <= 0 { status[t] = .lower } else { status[t] = .free }
    }

    /// Runs SMO to the tolerance; returns ρ.
    func solve() -> Double {
        var counter = min(n, 1000) + 1
        while iterations < maxIterations {
            counter -= 1
            if counter == 0 {
                counter = min(n, 1000)
                if shrinking { shrink() }
            }
            var pair = selectWorkingSet()
            if pair == nil {
                // Optimal on the active set: rebuild the whole gradient and check again.
                reconstructGradient()
                activeSize = n
                pair = selectWorkingSet()
                if pair == nil { break }
                counter = 1   // shrink at the next iteration
            }
            iterations += 1
            let (i, j) = pair!
            updatePair(i, j)
        }
        if iterations >= maxIterations {
            reachedMaxIterations = true
            if activeSize < n { reconstructGradient(); activeSize = n }
        }
        return computeRho()
    }

    /// The second-order working-set selection; nil when the KKT gap is below `tol`.
    private func selectWorkingSet() -> (Int, Int)? {
        var gmax = -Double.infinity, gmaxIndex = -1
        for pos in 0..<activeSize {
            let t = active[pos]
            if y[t] > 0 {
                if status[t] != .upper && -gradient[t] >= gmax { gmax = -gradient[t]; gmaxIndex = t }
            } else {
                if status[t] != .lower && gradient[t] >= gmax { gmax = gradient[t]; gmaxIndex = t }
            }
        }
        let i = gmaxIndex
        var gmax2 = -Double.infinity, gminIndex = -1, objectiveMin = Double.infinity
        let ki: UnsafePointer<Float>? = i >= 0 ? kernel.row(base[i]) : nil
        for pos in 0..<activeSize {
            let j = active[pos]
            var gradDiff = 0.0
            if y[j] > 0 {
                guard status[j] != .lower else { continue }
                gradDiff = gmax + gradient[j]
                if gradient[j] >= gmax2 { gmax2 = gradient[j] }
            } else {
                guard status[j] != .upper else { continue }
                gradDiff = gmax - gradient[j]
                if -gradient[j] >= gmax2 { gmax2 = -gradient[j] }
            }
            if gradDiff > 0, let ki {
                var a = qd[i] + qd[j] - 2 * Double(ki[base[j]])
                if a <= 0 { a = 1e-12 }
                let objective = -(gradDiff * gradDiff) / a
                if objective <= objectiveMin { gminIndex = j; objectiveMin = objective }
            }
        }
        if gmax + gmax2 < tol || gminIndex == -1 { return nil }
        return (i, gminIndex)
    }

    /// Solves the two-variable sub-problem in (α_i, α_j) and updates the gradient.
    private func updatePair(_ i: Int, _ j: Int) {
        let ki = kernel.row(base[i]), kj = kernel.row(base[j])
        let kij = Double(ki[base[j]])
        let ci = upperBound[i], cj = upperBound[j]
        let oldI = alphaBuffer[i], oldJ = alphaBuffer[j]
        var ai = oldI, aj = oldJ
        var a = qd[i] + qd[j] - 2 * kij
        if a <= 0 { a = 1e-12 }
        if y[i] != y[j] {
            // α_i − α_j stays constant.
            let delta = (-gradient[i] - gradient[j]) / a
            let diff = ai - aj
            ai += delta; aj += delta
            if diff > 0 { if aj < 0 { aj = 0; ai = diff } } else { if ai < 0 { ai = 0; aj = -diff } }
            if diff > ci - cj { if ai > ci { ai = ci; aj = ci - diff } } else { if aj > cj { aj = cj; ai = cj + diff } }
        } else {
            // α_i + α_j stays constant.
            let delta = (gradient[i] - gradient[j]) / a
            let sum = ai + aj
            ai -= delta; aj += delta
            if sum > ci { if ai > ci { ai = ci; aj = sum - ci } } else { if aj < 0 { aj = 0; ai = sum } }
            if sum > cj { if aj > cj { aj = cj; ai = sum - cj } } else { if ai < 0 { ai = 0; aj = sum } }
        }
        alphaBuffer[i] = ai; alphaBuffer[j] = aj
        // G_t += Q_ti Δα_i + Q_tj Δα_j over the active set, with Q_tu = y_t y_u K_tu.
        let si = y[i] * (ai - oldI), sj = y[j] * (aj - oldJ)
        for pos in 0..<activeSize {
            let t = active[pos], b = base[t]
            gradient[t] += y[t] * (si * Double(ki[b]) + sj * Double(kj[b]))
        }
        // Ḡ changes when a variable enters or leaves its upper bound.
        let wasUpperI = status[i] == .upper, wasUpperJ = status[j] == .upper
        updateStatus(i); updateStatus(j)
        if wasUpperI != (status[i] == .upper) { addToGradientBar(row: ki, of: i, sign: wasUpperI ? -1 : 1) }
        if wasUpperJ != (status[j] == .upper) { addToGradientBar(row: kj, of: j, sign: wasUpperJ ? -1 : 1) }
    }

    private func addToGradientBar(row: UnsafePointer<Float>, of i: Int, sign: Double) {
        let c = sign * upperBound[i] * y[i]
        for t in 0..<n { gradientBar[t] += c * y[t] * Double(row[base[t]]) }
    }

    /// Recomputes G for the shrunk variables: G = Ḡ + p + Σ_{free u} α_u Q_u.
    private func reconstructGradient() {
        guard activeSize < n else { return }
        for pos in activeSize..<n { let t = active[pos]; gradient[t] = gradientBar[t] + p[t] }
        for pos in 0..<activeSize {
            let u = active[pos]
            guard status[u] == .free else { continue }
            let ku = kernel.row(base[u])
            let c = alphaBuffer[u] * y[u]
            for q in activeSize..<n { let t = active[q]; gradient[t] += c * y[t] * Double(ku[base[t]]) }
        }
    }

    /// Sets aside bounded variables that cannot violate the KKT conditions soon.
    private func shrink() {
        var gmax1 = -Double.infinity   // max over I_up of −y G
        var gmax2 = -Double.infinity   // max over I_low of y G
        for pos in 0..<activeSize {
            let t = active[pos]
            if y[t] > 0 {
                if status[t] != .upper { gmax1 = max(gmax1, -gradient[t]) }
                if status[t] != .lower { gmax2 = max(gmax2, gradient[t]) }
            } else {
                if status[t] != .upper { gmax2 = max(gmax2, -gradient[t]) }
                if status[t] != .lower { gmax1 = max(gmax1, gradient[t]) }
            }
        }
        if !unshrink && gmax1 + gmax2 <= tol * 10 {
            unshrink = true
            reconstructGradient()
            activeSize = n
        }
        var pos = 0
        while pos < activeSize {
            if canShrink(active[pos], gmax1, gmax2) {
                activeSize -= 1
                while activeSize > pos {
                    if !canShrink(active[activeSize], gmax1, gmax2) {
                        (active[pos], active[activeSize]) = (active[activeSize], active[pos])
                        break
                    }
                    activeSize -= 1
                }
            }
            pos += 1
        }
    }

    private func canShrink(_ t: Int, _ gmax1: Double, _ gmax2: Double) -> Bool {
        switch status[t] {
        case .upper: return y[t] > 0 ? -gradient[t] > gmax1 : -gradient[t] > gmax2
        case .lower: return y[t] > 0 ? gradient[t] > gmax2 : gradient[t] > gmax1
        case .free: return false
        }
    }

    private func computeRho() -> Double {
        var ub = Double.infinity, lb = -Double.infinity, freeCount = 0, freeSum = 0.0
        for pos in 0..<activeSize {
            let t = active[pos]
            let yg = y[t] * gradient[t]
            switch status[t] {
            case .upper: if y[t] < 0 { ub = min(ub, yg) } else { lb = max(lb, yg) }
            case .lower: if y[t] > 0 { ub = min(ub, yg) } else { lb = max(lb, yg) }
            case .free: freeCount += 1; freeSum += yg
            }
        }
        return freeCount > 0 ? freeSum / Double(freeCount) : (ub + lb) / 2
    }

    /// The dual objective ½αᵀQα + pᵀα at the solution.
    var objective: Double {
        var v = 0.0
        for t in 0..<n { v += alphaBuffer[t] * (gradient[t] + p[t]) }
        return v / 2
    }
}
