import Foundation

// NumPy's default generator, bit for bit: `np.random.SeedSequence` feeding `PCG64`, and the
// `Generator` draws Gymnasium uses (`random`, `uniform`, `integers`). With the same seed an
// environment here starts where Gymnasium's `env.reset(seed=…)` starts and samples the same
// slippery moves, cards and taxi positions. Written from NumPy's documented algorithms
// (SeedSequence's hash mixing, PCG64's 128-bit LCG with the XSL-RR output, Lemire's bounded
// integers); checked against NumPy by the Gymnasium parity fixture.

/// NumPy's `SeedSequence` for an integer seed: mixes the seed's 32-bit words into a pool of four
/// and hashes the pool out into as many words of state as asked.
public struct SeedSequence: Sendable {
    /// The seed.
    public let entropy: UInt64
    private var pool: [UInt32] = [0, 0, 0, 0]

    private static let initA: UInt32 = 0x43b0_d7e5, multA: UInt32 = 0x931e_8875
    private static let initB: UInt32 = 0x8b51_f9dd, multB: UInt32 = 0x58f3_8ded
    private static let mixL: UInt32 = 0xca01_f9dd, mixR: UInt32 = 0x4973_f715

    /// `np.random.SeedSequence(seed)`.
    public init(_ seed: UInt64) {
        entropy = seed
        // An integer becomes its little-endian 32-bit words (zero is one word).
        let words: [UInt32] = seed >> 32 == 0 ? [UInt32(truncatingIfNeeded: seed)]
            : [UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32)]
        var hashConst = Self.initA
        func hashmix(_ value: UInt32) -> UInt32 {
            var v = value ^ hashConst
            hashConst = hashConst &* Self.multA
            v = v &* hashConst
            return v ^ (v >> 16)
        }
        func mix(_ x: UInt32, _ y: UInt32) -> UInt32 {
            let r = Self.mixL &* x &- Self.mixR &* y
            return r ^ (r >> 16)
        }
        for i in 0..<4 { pool[i] = hashmix(i < words.count ? words[i] : 0) }
        for src in 0..<4 { for dst in 0..<4 where src != dst { pool[dst] = mix(pool[dst], hashmix(pool[src])) } }
        for src in 4..<max(4, words.count) { for dst in 0..<4 { pool[dst] = mix(pool[dst], hashmix(words[src])) } }
    }

    /// `generate_state(n, np.uint32)`.
    public func generateState32(_ count: Int) -> [UInt32] {
        var hashConst = Self.initB
        return (0..<count).map { i in
            var v = pool[i % 4] ^ hashConst
            hashConst = hashConst &* Self.multB
            v = v &* hashConst
            return v ^ (v >> 16)
        }
    }

    /// `generate_state(n, np.uint64)`: pairs of 32-bit words, low word first.
    public func generateState64(_ count: Int) -> [UInt64] {
        let w = generateState32(2 * count)
        return (0..<count).map { UInt64(w[2 * $0]) | UInt64(w[2 * $0 + 1]) << 32 }
    }
}

/// A 128-bit unsigned integer, just what PCG64 needs (wrapping multiply and add).
@usableFromInline struct UInt128Pair: Sendable, Equatable {
    @usableFromInline var hi: UInt64, lo: UInt64
    @inlinable init(hi: UInt64, lo: UInt64) { self.hi = hi; self.lo = lo }
    @inlinable static func &+ (a: Self, b: Self) -> Self {
        let (lo, carry) = a.lo.addingReportingOverflow(b.lo)
        return Self(hi: a.hi &+ b.hi &+ (carry ? 1 : 0), lo: lo)
    }
    @inlinable static func &* (a: Self, b: Self) -> Self {
        let (h, l) = a.lo.multipliedFullWidth(by: b.lo)
        return Self(hi: h &+ a.hi &* b.lo &+ a.lo &* b.hi, lo: l)
    }
}

/// NumPy's `PCG64` bit generator (`pcg_setseq_128_xsl_rr_64`), seeded through a `SeedSequence`.
public struct PCG64: Sendable {
    @usableFromInline var state: UInt128Pair
    @usableFromInline var inc: UInt128Pair
    @usableFromInline var bufferedUInt32: UInt32? = nil
    @usableFromInline static let multiplier = UInt128Pair(hi: 0x2360_ED05_1FC6_5DA4, lo: 0x4385_DF64_9FCC_F645)

    /// `np.random.PCG64(seed_sequence)`.
    public init(seedSequence: SeedSequence) {
        let v = seedSequence.generateState64(4)
        let initState = UInt128Pair(hi: v[0], lo: v[1])
        let initSeq = UInt128Pair(hi: v[2], lo: v[3])
        inc = UInt128Pair(hi: initSeq.hi << 1 | initSeq.lo >> 63, lo: initSeq.lo << 1 | 1)
        state = UInt128Pair(hi: 0, lo: 0)
        step()
        state = state &+ initState
        step()
    }

    @inlinable mutating func step() { state = state &* Self.multiplier &+ inc }

    /// `next_uint64`: step, then the XSL-RR output of the new state.
    @inlinable public mutating func nextUInt64() -> UInt64 {
        step()
        let rot = UInt32(truncatingIfNeeded: state.hi >> 58)
        let x = state.hi ^ state.lo
        return x >> UInt64(rot) | x << UInt64((64 &- rot) & 63)
    }

    /// `next_uint32`: the low half of a 64-bit draw, the high half kept for the next call.
    @inlinable public mutating func nextUInt32() -> UInt32 {
        if let b = bufferedUInt32 { bufferedUInt32 = nil; return b }
        let n = nextUInt64()
        bufferedUInt32 = UInt32(truncatingIfNeeded: n >> 32)
        return UInt32(truncatingIfNeeded: n)
    }

    /// `next_double`: 53 random bits in [0, 1).
    @inlinable public mutating func nextDouble() -> Double { Double(nextUInt64() >> 11) * (1.0 / 9_007_199_254_740_992.0) }
}

/// The draws of `np.random.Generator(PCG64(seed))` that Gymnasium's environments and spaces make.
public struct NumPyGenerator: Sendable {
    /// The underlying PCG64 state.
    public var bitGenerator: PCG64

    /// `np.random.default_rng(seed)`, which is also Gymnasium's `seeding.np_random(seed)`.
    public init(seed: UInt64) { bitGenerator = PCG64(seedSequence: SeedSequence(seed)) }

    /// A generator seeded from the system's entropy (what `reset()` without a seed does first).
    public static func fromEntropy() -> NumPyGenerator {
        var g = SystemRandomNumberGenerator()
        return NumPyGenerator(seed: g.next())
    }

    /// `random()`: uniform in [0, 1).
    @inlinable public mutating func random() -> Double { bitGenerator.nextDouble() }

    /// `uniform(low, high)`: `low + (high - low) * random()`.
    @inlinable public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * bitGenerator.nextDouble()
    }

    /// `integers(low, high)` for the default int64 dtype (high exclusive). Ranges up to 2³² use
    /// NumPy's 32-bit Lemire method, wider ones its 64-bit one.
    public mutating func integers(_ low: Int, _ high: Int) -> Int {
        precondition(high > low, "integers: high must exceed low")
        let range = UInt64(bitPattern: Int64(high) &- Int64(low) &- 1)
        if range == 0 { return low }
        if range <= 0xFFFF_FFFF {
            if range == 0xFFFF_FFFF { return low &+ Int(bitGenerator.nextUInt32()) }
            let excl = UInt32(range) &+ 1
            var m = UInt64(bitGenerator.nextUInt32()) &* UInt64(excl)
            var leftover = UInt32(truncatingIfNeeded: m)
            if leftover < excl {
                let threshold = (UInt32.max &- UInt32(range)) % excl
                while leftover < threshold {
                    m = UInt64(bitGenerator.nextUInt32()) &* UInt64(excl)
                    leftover = UInt32(truncatingIfNeeded: m)
                }
            }
            return low &+ Int(m >> 32)
        }
        if range == UInt64.max { return low &+ Int(bitPattern: UInt(bitGenerator.nextUInt64())) }
        let excl = range &+ 1
        var (hi, lo) = bitGenerator.nextUInt64().multipliedFullWidth(by: excl)
        if lo < excl {
            let threshold = (UInt64.max &- range) % excl
            while lo < threshold { (hi, lo) = bitGenerator.nextUInt64().multipliedFullWidth(by: excl) }
        }
        return low &+ Int(bitPattern: UInt(hi))
    }

    /// `integers(n)`: uniform in 0..<n.
    public mutating func integers(_ n: Int) -> Int { integers(0, n) }

    /// `choice(count)` with replacement and no weights: an index in 0..<count.
    public mutating func choice(_ count: Int) -> Int { integers(0, count) }

    /// A standard normal draw by the polar Box–Muller method. NumPy's `standard_normal` uses a
    /// ziggurat, so this stream is not NumPy's: nothing that must match Gymnasium calls it.
    public mutating func normal() -> Double {
        while true {
            let u = 2 * random() - 1, v = 2 * random() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 { return u * (-2 * Foundation.log(s) / s).squareRoot() }
        }
    }
}

