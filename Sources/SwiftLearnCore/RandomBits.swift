/// The library's one pseudo-random bit source, shared by every module.
///
/// - ``Xoshiro256StarStar`` (Blackman & Vigna, 2018) is the general generator: Tensors'
///   `RandomGenerator` (torch-style, a shared locked stream) and Learn's `SeededRandom`
///   (`random_state`, a value type for per-sample loops) both draw from it. Its 256-bit state
///   passes BigCrush, and one step is a handful of shifts, xors and multiplies.
/// - ``SplitMix64`` (Steele, Lea & Flood, 2014) expands a 64-bit seed into xoshiro's four state
///   words, as the xoshiro authors recommend. Retrieval draws from it directly (HNSW levels,
///   k-means sampling) because its whole state is one word, which HNSW index files store so that
///   vectors added after a reload draw the levels a never-saved index would have drawn.
///
/// Both give the same numbers for a seed on every platform. The seed convention built on them is
/// in docs/ARCHITECTURE.md ("Randomness").
package struct SplitMix64: Sendable {
    /// The whole state: the next output is a mix of `state + γ`.
    package var state: UInt64

    /// A generator whose stream is fully determined by `seed`.
    @inlinable package init(seed: UInt64) { state = seed }

    /// The next 64 random bits: the state advances by γ = ⌊2⁶⁴/φ⌋ and is mixed by two
    /// multiply–xorshift rounds (the finalizer of MurmurHash3 with Stafford's "Mix13" constants).
    @inlinable @inline(__always)
    package mutating func next() -> UInt64 {
        state &+= SplitMix64.gamma
        return SplitMix64.mix(state)
    }

    /// γ = ⌊2⁶⁴/φ⌋, the step between states (odd, so the period is 2⁶⁴).
    package static let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// The output function: a bijective mix of 64 bits in which every input bit affects every
    /// output bit (also used to derive seeds from several words, e.g. a loader's seed and epoch).
    @inlinable @inline(__always)
    package static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inlinable @inline(__always)
    package mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// An integer in `0..<n` by reduction modulo `n` (n > 0). The bias is below n/2⁶⁴ — far
    /// below anything measurable for the level draws and samples it serves — and keeping it keeps
    /// the streams of index files written before unchanged.
    @inlinable @inline(__always)
    package mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// xoshiro256**: four 64-bit words of state, output `rotl(s₁·5, 7)·9`, period 2²⁵⁶ − 1.
package struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    @usableFromInline var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A generator for `seed`: the four state words are SplitMix64's first four outputs, so no
    /// seed (not even 0) gives the all-zero state.
    @inlinable package init(seed: UInt64) {
        var mix = SplitMix64(seed: seed)
        s0 = mix.next(); s1 = mix.next(); s2 = mix.next(); s3 = mix.next()
    }

    /// The next 64 random bits.
    @inlinable @inline(__always)
    package mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inlinable @inline(__always)
    package mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in [0, 1) with 24 random bits.
    @inlinable @inline(__always)
    package mutating func uniformFloat() -> Float { Float(next() >> 40) * 0x1.0p-24 }

    /// An unbiased integer in `0..<n` (n > 0) by Lemire's multiply-and-reject method: the high
    /// word of `bits · n`, redrawn only when the low word falls in the `2⁶⁴ mod n` short interval.
    @inlinable
    package mutating func below(_ n: UInt64) -> UInt64 {
        ensure(n > 0, "random integer: empty range")
        var m = next().multipliedFullWidth(by: n)
        if m.low < n {
            let threshold = (0 &- n) % n
            while m.low < threshold { m = next().multipliedFullWidth(by: n) }
        }
        return m.high
    }
}
