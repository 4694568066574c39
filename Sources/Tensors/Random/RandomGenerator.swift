import Foundation
import SwiftLearnCore

/// A seeded pseudo-random generator that gives the same numbers for a seed on every platform.
///
/// The core is the library's xoshiro256** (`Xoshiro256StarStar` in SwiftLearnCore, seeded
/// through SplitMix64), the same bit source Learn's `SeededRandom` uses. Every derived
/// distribution uses only IEEE-754 basic operations (+, −, ×, ÷, √), which are correctly rounded
/// everywhere, so even normal samples are bit-identical across platforms: the logarithm and sine
/// used by Box–Muller are evaluated by our own polynomial code, not the platform's libm.
///
/// It is a class so that one generator can be shared and advanced by several calls (like
/// `torch.Generator`); calls on one generator are serialized by a lock.
///
/// ```swift
/// let g = RandomGenerator(seed: 42)
/// let w = Tensor.randn([784, 128], generator: g) * 0.05
/// ```
public final class RandomGenerator: @unchecked Sendable {
    private var bits: Xoshiro256StarStar
    private var spareNormal: Double?
    private let lock = NSLock()

    /// The process-wide generator used when no generator or seed is given (see ``Tensor/manualSeed(_:)``).
    public static let `default` = RandomGenerator(seed: 0x5EED)

    /// A generator whose stream is fully determined by `seed`.
    public init(seed: UInt64) {
        bits = Xoshiro256StarStar(seed: seed)
    }

    /// Restarts the stream from `seed`.
    public func reseed(_ seed: UInt64) {
        lock.lock(); defer { lock.unlock() }
        bits = Xoshiro256StarStar(seed: seed)
        spareNormal = nil
    }

    /// Runs `body` with exclusive access to the generator state.
    func withLock<R>(_ body: (RandomGenerator) -> R) -> R {
        lock.lock(); defer { lock.unlock() }
        return body(self)
    }

    // MARK: - Raw draws (call inside withLock)

    /// The next 64 random bits.
    @inline(__always)
    func nextBits() -> UInt64 { bits.next() }

    /// The next `count` raw 64-bit outputs of the stream (to check it against other implementations).
    public func nextRawBits(count: Int) -> [UInt64] {
        withLock { g in (0..<count).map { _ in g.nextBits() } }
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inline(__always)
    func nextDouble() -> Double { bits.uniform() }

    /// Uniform in [0, 1) with 24 random bits.
    @inline(__always)
    func nextFloat() -> Float { bits.uniformFloat() }

    /// Uniform integer in [0, n) without modulo bias (Lemire's method).
    func nextInt(below n: UInt64) -> UInt64 { bits.below(n) }

    /// A standard normal sample (Box–Muller with platform-independent log and sin/cos).
    func nextNormal() -> Double {
        if let z = spareNormal { spareNormal = nil; return z }
        var u1 = nextDouble()
        while u1 == 0 { u1 = nextDouble() }
        let u2 = nextDouble()
        let r = (-2 * PortableMath.log(u1)).squareRoot()
        let (s, c) = PortableMath.sinCosTurns(u2)
        spareNormal = r * s
        return r * c
    }
}

/// Elementary functions written with IEEE basic operations only, so their results are the same
/// on every platform (used where reproducibility across platforms matters more than speed).
enum PortableMath {
    /// Natural logarithm of a positive, finite `x` (≈1 ulp).
    static func log(_ x: Double) -> Double {
        ensure(x > 0 && x.isFinite, "PortableMath.log: argument \(x) must be positive and finite")
        // x = m · 2^e with m in [√½, √2); log m = 2·atanh(f), f = (m−1)/(m+1), |f| ≤ 0.1716.
        var e = Double(x.exponent)
        var m = x.significand  // [1, 2)
        if m > 1.4142135623730951 { m /= 2; e += 1 }
        let f = (m - 1) / (m + 1), f2 = f * f
        var poly = 1.0 / 23
        for k in stride(from: 21, through: 1, by: -2) { poly = poly * f2 + 1 / Double(k) }
        return 2 * f * poly + e * 0.6931471805599453
    }

    /// sin and cos of 2π·t for t in [0, 1).
    static func sinCosTurns(_ t: Double) -> (Double, Double) {
        // Quadrant from t, then a Taylor series on [0, π/2).
        let q = Int(t * 4)
        let r = (t - Double(q) / 4) * (2 * Double.pi)
        let r2 = r * r
        // Horner: sin r = r·Σ (−1)ʲ r²ʲ/(2j+1)!, cos r = Σ (−1)ʲ r²ʲ/(2j)!, j ≤ 11 (error < 1e-18).
        var s = 0.0, c = 0.0
        for j in stride(from: 11, through: 0, by: -1) {
            s = s * r2 + sinCoefficients[j]
            c = c * r2 + cosCoefficients[j]
        }
        s *= r
        switch q {
        case 0: return (s, c)
        case 1: return (c, -s)
        case 2: return (-s, -c)
        default: return (-c, s)
        }
    }

    private static let factorials: [Double] = {
        var f = [1.0]
        for i in 1...23 { f.append(f[i - 1] * Double(i)) }
        return f
    }()
    /// (−1)ʲ/(2j+1)! and (−1)ʲ/(2j)! for j = 0…11.
    private static let sinCoefficients: [Double] = (0...11).map { (j: Int) -> Double in
        let sign: Double = j % 2 == 0 ? 1 : -1
        return sign / factorials[2 * j + 1]
    }
    private static let cosCoefficients: [Double] = (0...11).map { (j: Int) -> Double in
        let sign: Double = j % 2 == 0 ? 1 : -1
        return sign / factorials[2 * j]
    }
}
