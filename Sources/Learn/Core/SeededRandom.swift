import Foundation
import SwiftLearnCore

/// A small, fast, seeded generator for estimators (`random_state`): the library's xoshiro256**
/// (`Xoshiro256StarStar` in SwiftLearnCore, seeded through SplitMix64), as a value type with no
/// locking, so per-sample loops (bootstraps, shuffles,
/// random splits in trees) cost a few cycles per draw.
///
/// It conforms to `RandomNumberGenerator`, so Swift's `shuffle(using:)` and
/// `Int.random(in:using:)` work with it. The same seed gives the same stream on every platform.
/// (It does not reproduce NumPy's Mersenne Twister stream: randomized estimators agree with
/// scikit-learn in distribution, not draw for draw.)
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var bits: Xoshiro256StarStar

    /// A generator for `seed`; `nil` draws a seed from the system (scikit-learn's `random_state=None`).
    public init(seed: UInt64?) {
        bits = Xoshiro256StarStar(seed: seed ?? UInt64.random(in: .min ... .max))
    }

    /// A generator for an `Int` seed (negative seeds are reinterpreted bitwise).
    public init(seed: Int?) { self.init(seed: seed.map { UInt64(bitPattern: Int64($0)) }) }

    /// The next 64 random bits.
    @inline(__always)
    public mutating func next() -> UInt64 { bits.next() }

    /// Uniform in [0, 1).
    @inline(__always)
    public mutating func uniform() -> Double { bits.uniform() }

    /// Uniform integer in `0..<n` (n > 0), unbiased.
    @inline(__always)
    public mutating func int(below n: Int) -> Int { Int.random(in: 0..<n, using: &self) }

    /// A standard normal draw (Box–Muller).
    public mutating func normal() -> Double {
        var u = uniform()
        while u <= 0 { u = uniform() }
        return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * Double.pi * uniform())
    }

    /// A seed for a child generator (one per tree, per restart, …), derived from this stream.
    public mutating func childSeed() -> UInt64 { next() }

    /// `count` distinct indices from `0..<n`, in random order (partial Fisher–Yates).
    public mutating func sample(_ n: Int, count: Int) -> [Int] {
        ensure(count <= n, "sample: \(count) from \(n)")
        var pool = Array(0..<n)
        for i in 0..<count {
            let j = i + int(below: n - i)
            pool.swapAt(i, j)
        }
        return Array(pool[0..<count])
    }

    /// A random permutation of `0..<n`.
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        p.shuffle(using: &self)
        return p
    }
}
