import Foundation

/// NumPy's legacy generator, `numpy.random.RandomState(seed)`, draw for draw: the 32-bit
/// Mersenne Twister MT19937 (Matsumoto & Nishimura, 1998) seeded as `init_genrand`, NumPy's
/// 53-bit doubles, its polar-method normals (one cached per pair) and Marsaglia–Tsang gammas.
///
/// scikit-learn turns an integer `random_state` into exactly this generator
/// (`check_random_state`), so an estimator that draws from it here makes the same draws as
/// scikit-learn does, and can be checked against it number for number rather than only in
/// distribution (the topic models use it; the library's own general generator is
/// ``Xoshiro256StarStar``, which is faster and has no such reference).
package struct NumPyRandomState: Sendable {
    private var key = [UInt32](repeating: 0, count: 624)
    private var position = 624
    private var cachedGauss: Double?

    /// `RandomState(seed)` for a seed in 0…2³²−1.
    package init(seed: UInt32) {
        var s = seed
        for i in 0..<624 {
            key[i] = s
            s = 1_812_433_253 &* (s ^ (s >> 30)) &+ UInt32(i + 1)
        }
    }

    /// A generator seeded from the system (`random_state=None`).
    package init() { self.init(seed: UInt32.random(in: .min ... .max)) }

    private mutating func refill() {
        let upper: UInt32 = 0x8000_0000, lower: UInt32 = 0x7FFF_FFFF, matrixA: UInt32 = 0x9908_B0DF
        key.withUnsafeMutableBufferPointer { k in
            for i in 0..<624 {
                let y = (k[i] & upper) | (k[(i + 1) % 624] & lower)
                k[i] = k[(i + 397) % 624] ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : matrixA)
            }
        }
        position = 0
    }

    /// The next 32 random bits (`randint`'s raw output).
    package mutating func nextUInt32() -> UInt32 {
        if position == 624 { refill() }
        var y = key[position]
        position += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// Uniform in [0, 1) with 53 random bits (`random_sample`).
    package mutating func uniform() -> Double {
        let a = Double(nextUInt32() >> 5), b = Double(nextUInt32() >> 6)
        return (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// A standard normal draw by the polar method (`standard_normal` / legacy `gauss`): each
    /// accepted pair gives two draws, the second kept for the next call.
    package mutating func gauss() -> Double {
        if let g = cachedGauss { cachedGauss = nil; return g }
        var x1 = 0.0, x2 = 0.0, r2 = 0.0
        repeat {
            x1 = 2 * uniform() - 1
            x2 = 2 * uniform() - 1
            r2 = x1 * x1 + x2 * x2
        } while r2 >= 1 || r2 == 0
        let f = (-2 * Foundation.log(r2) / r2).squareRoot()
        cachedGauss = f * x1
        return f * x2
    }

    /// A uniform integer in 0…max (NumPy's `random_interval`): the draw is masked to the
    /// smallest all-ones bit pattern covering `max` and rejected until it falls in range.
    package mutating func interval(_ max: UInt32) -> UInt32 {
        guard max > 0 else { return 0 }
        var mask = max
        mask |= mask >> 1; mask |= mask >> 2; mask |= mask >> 4; mask |= mask >> 8; mask |= mask >> 16
        while true {
            let v = nextUInt32() & mask
            if v <= max { return v }
        }
    }

    /// Shuffles in place as legacy `shuffle` does a 1-D array: Fisher–Yates from the end,
    /// position `i` swapped with `interval(i)`. At most 2³² elements. (Concrete element types:
    /// a generic version runs unspecialized across modules, several times slower.)
    package mutating func shuffle(_ a: inout [Double]) {
        a.withUnsafeMutableBufferPointer { p in
            var i = p.count - 1
            while i >= 1 { p.swapAt(i, Int(interval(UInt32(i)))); i -= 1 }
        }
    }

    /// ``shuffle(_:)`` for integers.
    package mutating func shuffle(_ a: inout [Int]) {
        a.withUnsafeMutableBufferPointer { p in
            var i = p.count - 1
            while i >= 1 { p.swapAt(i, Int(interval(UInt32(i)))); i -= 1 }
        }
    }

    /// `permutation(n)`: 0..<n in the order `shuffle` leaves it.
    package mutating func permutation(_ n: Int) -> [Int] {
        var a = Array(0..<n)
        shuffle(&a)
        return a
    }

    /// A standard exponential draw (`standard_exponential`, legacy inversion).
    package mutating func standardExponential() -> Double { -Foundation.log(1 - uniform()) }

    /// A Gamma(shape, 1) draw (`standard_gamma`): Marsaglia–Tsang's squeeze for shape > 1, the
    /// exponential for shape 1, and Johnk-style rejection below 1, as NumPy's legacy sampler.
    package mutating func standardGamma(_ shape: Double) -> Double {
        if shape == 1 { return standardExponential() }
        if shape == 0 { return 0 }
        if shape < 1 {
            while true {
                let u = uniform(), v = standardExponential()
                if u <= 1 - shape {
                    let x = Foundation.pow(u, 1 / shape)
                    if x <= v { return x }
                } else {
                    let y = -Foundation.log((1 - u) / shape)
                    let x = Foundation.pow(1 - shape + shape * y, 1 / shape)
                    if x <= v + y { return x }
                }
            }
        }
        let b = shape - 1.0 / 3.0, c = 1 / (9 * b).squareRoot()
        while true {
            var x = 0.0, v = 0.0
            repeat {
                x = gauss()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = uniform()
            if u < 1 - 0.0331 * (x * x) * (x * x) { return b * v }
            if Foundation.log(u) < 0.5 * x * x + b * (1 - v + Foundation.log(v)) { return b * v }
        }
    }

    /// A Gamma(shape, scale) draw (`gamma(shape, scale)`).
    package mutating func gamma(shape: Double, scale: Double) -> Double { scale * standardGamma(shape) }
}
