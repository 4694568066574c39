import Foundation

/// Special functions for p-values (regularized incomplete beta and gamma, digamma), written
/// from Numerical Recipes' formulations with log-space prefactors so that tiny tail
/// probabilities keep their relative accuracy.
public enum SpecialFunctions {
    /// Regularized incomplete beta I_x(a, b) = B(x; a, b) / B(a, b), for a, b > 0, 0 ≤ x ≤ 1.
    /// Continued fraction (modified Lentz) on the side where it converges fast; the other side
    /// through I_x(a, b) = 1 − I_{1−x}(b, a).
    public static func regularizedIncompleteBeta(_ a: Double, _ b: Double, _ x: Double) -> Double {
        if x.isNaN || a.isNaN || b.isNaN || a <= 0 || b <= 0 || x < 0 || x > 1 { return .nan }
        if x == 0 { return 0 }
        if x == 1 { return 1 }
        if x < (a + 1) / (a + b + 2) { return betaFront(a, b, x) * betaContinuedFraction(a, b, x) / a }
        return 1 - betaFront(b, a, 1 - x) * betaContinuedFraction(b, a, 1 - x) / b
    }

    /// x^a (1−x)^b / B(a, b), computed in logs.
    static func betaFront(_ a: Double, _ b: Double, _ x: Double) -> Double {
        Foundation.exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * Foundation.log(x) + b * Foundation.log1p(-x))
    }

    static func betaContinuedFraction(_ a: Double, _ b: Double, _ x: Double) -> Double {
        let tiny = 1e-300, eps = 1e-16
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0, d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...10_000 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d; h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let del = d * c
            h *= del
            if abs(del - 1) < eps { break }
        }
        return h
    }

    /// Regularized lower incomplete gamma P(a, x) = γ(a, x) / Γ(a).
    public static func regularizedGammaP(_ a: Double, _ x: Double) -> Double {
        if a.isNaN || x.isNaN || a <= 0 || x < 0 { return .nan }
        if x == 0 { return 0 }
        return x < a + 1 ? gammaSeries(a, x) : 1 - gammaContinuedFraction(a, x)
    }

    /// Regularized upper incomplete gamma Q(a, x) = 1 − P(a, x), computed directly in the tail.
    public static func regularizedGammaQ(_ a: Double, _ x: Double) -> Double {
        if a.isNaN || x.isNaN || a <= 0 || x < 0 { return .nan }
        if x == 0 { return 1 }
        if x.isInfinite { return 0 }
        return x < a + 1 ? 1 - gammaSeries(a, x) : gammaContinuedFraction(a, x)
    }

    static func gammaSeries(_ a: Double, _ x: Double) -> Double {
        var ap = a, sum = 1 / a, del = sum
        for _ in 0..<100_000 {
            ap += 1; del *= x / ap; sum += del
            if abs(del) < abs(sum) * 1e-17 { break }
        }
        return sum * Foundation.exp(-x + a * Foundation.log(x) - lgamma(a))
    }

    static func gammaContinuedFraction(_ a: Double, _ x: Double) -> Double {
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        for i in 1...100_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b; if abs(d) < tiny { d = tiny }
            c = b + an / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let del = d * c
            h *= del
            if abs(del - 1) < 1e-16 { break }
        }
        return Foundation.exp(-x + a * Foundation.log(x) - lgamma(a)) * h
    }

    /// Survival function of Fisher's F distribution with (d1, d2) degrees of freedom:
    /// P(F > f) = I_{d2/(d2 + d1 f)}(d2/2, d1/2) (SciPy's `fdtrc`).
    public static func fSurvival(_ f: Double, _ d1: Double, _ d2: Double) -> Double {
        if f.isNaN { return .nan }
        if f <= 0 { return 1 }
        if f.isInfinite { return 0 }
        return regularizedIncompleteBeta(d2 / 2, d1 / 2, d2 / (d2 + d1 * f))
    }

    /// Survival function of the χ² distribution with k degrees of freedom: Q(k/2, x/2).
    public static func chi2Survival(_ x: Double, _ k: Double) -> Double {
        if x.isNaN { return .nan }
        if x <= 0 { return 1 }
        return regularizedGammaQ(k / 2, x / 2)
    }

    /// The digamma function ψ(x) = Γ′(x)/Γ(x) for x > 0: recurrence up to x ≥ 10, then the
    /// asymptotic series.
    public static func digamma(_ x: Double) -> Double {
        var x = x, result = 0.0
        if x <= 0 && x == x.rounded() { return .nan }
        while x < 10 { result -= 1 / x; x += 1 }
        let f = 1 / (x * x)
        let series = f * (-1.0 / 12 + f * (1.0 / 120 + f * (-1.0 / 252 + f * (1.0 / 240 + f * (-1.0 / 132 + f * (691.0 / 32760 - f / 12))))))
        return result + Foundation.log(x) - 0.5 / x + series
    }
}
