import Foundation

/// Limited-memory BFGS for smooth unconstrained minimization (Nocedal & Wright, *Numerical
/// Optimization*, 2nd ed., algorithms 7.4 and 7.5, with the line search of algorithms 3.5/3.6).
///
/// L-BFGS keeps the last `m` pairs `sₖ = xₖ₊₁ − xₖ`, `yₖ = ∇fₖ₊₁ − ∇fₖ` and applies the implied
/// inverse-Hessian approximation to the gradient with the *two-loop recursion*:
///
/// ```
/// q ← ∇f
/// for k = newest … oldest:  ρₖ = 1/(yₖ·sₖ);  aₖ = ρₖ sₖ·q;  q ← q − aₖ yₖ
/// r ← γ q,  γ = (s·y)/(y·y) of the newest pair       (initial Hessian guess γI)
/// for k = oldest … newest:  b = ρₖ yₖ·r;  r ← r + sₖ (aₖ − b)
/// direction d = −r
/// ```
///
/// The step length α along `d` satisfies the strong Wolfe conditions
/// `f(x + αd) ≤ f(x) + c₁ α ∇f·d` (sufficient decrease, c₁ = 1e-4) and
/// `|∇f(x + αd)·d| ≤ c₂ |∇f·d|` (curvature, c₂ = 0.9), which keeps `yₖ·sₖ > 0` so the
/// approximation stays positive definite.
///
/// Stops, like SciPy's L-BFGS-B that scikit-learn calls, when `max |∇f| ≤ gradientTolerance`
/// (`gtol`), when the relative decrease `(fₖ − fₖ₊₁)/max(|fₖ|, |fₖ₊₁|, 1) ≤ functionTolerance`
/// (`ftol`), or after `maxIterations`.
///
/// Shared by the package's modules: any smooth objective given as a closure that returns `f(x)`
/// and writes `∇f(x)` works (logistic regression in Learn, the text classifiers and the
/// linear-chain CRF in NLP).
package struct LBFGSMinimizer {
    /// L-BFGS with SciPy's defaults.
    package init() {}

    /// Number of correction pairs kept (SciPy's default 10).
    package var memory = 10
    /// Most iterations (each is one line search).
    package var maxIterations = 100
    /// Stop when the largest absolute gradient component is at most this.
    package var gradientTolerance = 1e-5
    /// Stop when the relative objective decrease is at most this (scikit-learn: 64·ε).
    package var functionTolerance = 64 * Double.ulpOfOne
    /// Most function evaluations per line search (scikit-learn's `maxls=50`).
    package var maxLineSearch = 50

    /// Outcome of a minimization.
    package struct Result {
        package var x: [Double]
        package var value: Double
        package var iterations: Int
        package var converged: Bool
        package var evaluations: Int
    }

    /// The objective: returns `f(x)` and writes `∇f(x)` into the second argument.
    package typealias Objective = (_ x: [Double], _ gradient: inout [Double]) -> Double

    /// Minimizes `f` from `x0`.
    package func minimize(_ x0: [Double], _ f: Objective) -> Result {
        let n = x0.count
        var x = x0
        var g = [Double](repeating: 0, count: n)
        var fx = f(x, &g)
        var evaluations = 1
        var sList: [[Double]] = [], yList: [[Double]] = [], rho: [Double] = []
        var iterations = 0
        if Self.maxAbs(g) <= gradientTolerance || !fx.isFinite {
            return Result(x: x, value: fx, iterations: 0, converged: fx.isFinite, evaluations: evaluations)
        }
        var alphaBuffer = [Double](repeating: 0, count: memory)
        while iterations < maxIterations {
            // Two-loop recursion: d = −H·g.
            var q = g
            for k in stride(from: sList.count - 1, through: 0, by: -1) {
                let a = rho[k] * Self.dot(sList[k], q)
                alphaBuffer[k] = a
                Self.axpy(-a, yList[k], &q)
            }
            if let s = sList.last, let y = yList.last {
                let gamma = Self.dot(s, y) / Self.dot(y, y)
                for i in 0..<n { q[i] *= gamma }
            } else {
                // First step: a gradient step of length 1 in the largest coordinate.
                let scale = 1 / max(Self.maxAbs(g), 1)
                for i in 0..<n { q[i] *= scale }
            }
            for k in 0..<sList.count {
                let b = rho[k] * Self.dot(yList[k], q)
                Self.axpy(alphaBuffer[k] - b, sList[k], &q)
            }
            var d = q.map { -$0 }
            var slope = Self.dot(g, d)
            if !(slope < 0) {
                // Not a descent direction (lost positive definiteness): restart with −g.
                sList.removeAll(); yList.removeAll(); rho.removeAll()
                d = g.map { -$0 / max(Self.maxAbs(g), 1) }
                slope = Self.dot(g, d)
            }
            guard let step = lineSearch(f, x: x, fx: fx, g: g, d: d, slope: slope, evaluations: &evaluations) else {
                break   // no acceptable step: as good as this machine can do along d
            }
            iterations += 1
            var s = [Double](repeating: 0, count: n), yv = [Double](repeating: 0, count: n)
            for i in 0..<n { s[i] = step.x[i] - x[i]; yv[i] = step.g[i] - g[i] }
            let sy = Self.dot(s, yv)
            let previous = fx
            x = step.x; fx = step.f; g = step.g
            if sy > 1e-10 * Self.dot(yv, yv) {       // keep only pairs with positive curvature
                if sList.count == memory { sList.removeFirst(); yList.removeFirst(); rho.removeFirst() }
                sList.append(s); yList.append(yv); rho.append(1 / sy)
            }
            if Self.maxAbs(g) <= gradientTolerance {
                return Result(x: x, value: fx, iterations: iterations, converged: true, evaluations: evaluations)
            }
            if (previous - fx) / max(abs(previous), abs(fx), 1) <= functionTolerance {
                return Result(x: x, value: fx, iterations: iterations, converged: true, evaluations: evaluations)
            }
        }
        return Result(x: x, value: fx, iterations: iterations, converged: Self.maxAbs(g) <= gradientTolerance,
                      evaluations: evaluations)
    }

    private struct Point { var alpha: Double; var f: Double; var slope: Double; var x: [Double]; var g: [Double] }

    /// Strong-Wolfe line search: expand the step until the minimum is bracketed, then zoom in
    /// with safeguarded cubic interpolation. Returns nil when no acceptable step was found.
    private func lineSearch(_ f: Objective, x: [Double], fx: Double, g: [Double], d: [Double], slope: Double,
                            evaluations: inout Int) -> Point? {
        let c1 = 1e-4, c2 = 0.9
        let n = x.count
        func evaluate(_ alpha: Double) -> Point {
            var xn = x
            Self.axpy(alpha, d, &xn)
            var gn = [Double](repeating: 0, count: n)
            let fn = f(xn, &gn)
            evaluations += 1
            return Point(alpha: alpha, f: fn, slope: Self.dot(gn, d), x: xn, g: gn)
        }
        let start = Point(alpha: 0, f: fx, slope: slope, x: x, g: g)
        var previous = start
        var alpha = 1.0
        var count = 0
        func zoom(_ loIn: Point, _ hiIn: Point) -> Point? {
            var lo = loIn, hi = hiIn
            while count < maxLineSearch {
                let a = Self.cubicMinimizer(lo, hi)
                let p = evaluate(a); count += 1
                if !p.f.isFinite || p.f > fx + c1 * a * slope || p.f >= lo.f {
                    hi = p
                } else {
                    if abs(p.slope) <= -c2 * slope { return p }
                    if p.slope * (hi.alpha - lo.alpha) >= 0 { hi = lo }
                    lo = p
                }
                if abs(hi.alpha - lo.alpha) < 1e-16 * max(abs(lo.alpha), 1) { break }
            }
            return lo.alpha > 0 && lo.f < fx ? lo : nil
        }
        while count < maxLineSearch {
            let p = evaluate(alpha); count += 1
            if !p.f.isFinite {
                // Overshot into overflow: shrink.
                alpha = (previous.alpha + alpha) / 2
                continue
            }
            if p.f > fx + c1 * alpha * slope || (count > 1 && p.f >= previous.f) { return zoom(previous, p) }
            if abs(p.slope) <= -c2 * slope { return p }
            if p.slope >= 0 { return zoom(p, previous) }
            previous = p
            alpha *= 2
        }
        return previous.alpha > 0 && previous.f < fx ? previous : nil
    }

    /// Minimizer of the cubic through two points with slopes, kept inside the middle 80% of the
    /// interval (bisection when the cubic is useless).
    private static func cubicMinimizer(_ a: Point, _ b: Point) -> Double {
        let lo = min(a.alpha, b.alpha), hi = max(a.alpha, b.alpha), width = hi - lo
        let d1 = a.slope + b.slope - 3 * (a.f - b.f) / (a.alpha - b.alpha)
        let disc = d1 * d1 - a.slope * b.slope
        var t = (lo + hi) / 2
        if disc >= 0 && b.alpha != a.alpha {
            let d2 = (b.alpha > a.alpha ? 1.0 : -1.0) * disc.squareRoot()
            let c = b.alpha - (b.alpha - a.alpha) * (b.slope + d2 - d1) / (b.slope - a.slope + 2 * d2)
            if c.isFinite { t = c }
        }
        return min(max(t, lo + 0.1 * width), hi - 0.1 * width)
    }

    @inline(__always) package static func dot(_ a: [Double], _ b: [Double]) -> Double {
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in simdDot(pa, pb) } }
    }
    @inline(__always) package static func axpy(_ a: Double, _ x: [Double], _ y: inout [Double]) {
        for i in 0..<y.count { y[i] += a * x[i] }
    }
    @inline(__always) package static func maxAbs(_ v: [Double]) -> Double { v.reduce(0) { max($0, abs($1)) } }
}
