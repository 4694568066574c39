import Foundation

/// What went wrong in an environment, a wrapper, an algorithm or a saved agent. Thrown, never a crash.
public enum RLError: Error, CustomStringConvertible, Equatable {
    /// An action outside the action space (reason says how).
    case invalidAction(String)
    /// `step` before `reset`, or after an episode ended without a reset where that is an error.
    case resetNeeded(String)
    /// An unknown environment id or algorithm name (the known ones are listed).
    case unknown(kind: String, name: String, known: [String])
    /// A bad option: out of range, wrong type, unknown key (the message names it).
    case invalidArgument(String)
    /// A saved agent or recorded-episode file that cannot be read (path, reason).
    case invalidFile(path: String, reason: String)
    /// The algorithm cannot handle this environment's spaces.
    case unsupported(String)

    public var description: String {
        switch self {
        case .invalidAction(let m): return "invalid action: \(m)"
        case .resetNeeded(let m): return m
        case .unknown(let kind, let name, let known): return "unknown \(kind) '\(name)' (known: \(known.joined(separator: ", ")))"
        case .invalidArgument(let m): return m
        case .invalidFile(let p, let r): return "\(p): \(r)"
        case .unsupported(let m): return m
        }
    }
}

/// An action: an index for a `Discrete` (or `MultiDiscrete`, flattened) space, a vector for a `Box`.
public enum Action: Sendable, Equatable, CustomStringConvertible {
    case discrete(Int)
    case continuous([Float])

    public var description: String {
        switch self {
        case .discrete(let a): return "\(a)"
        case .continuous(let v): return "[\(v.map { "\($0)" }.joined(separator: ", "))]"
        }
    }
}

/// Gymnasium's spaces: the shape and bounds of observations and actions, with seeded sampling
/// that draws as Gymnasium's does for `Discrete`, bounded `Box`, `MultiDiscrete`, `Tuple` and `Dict`.
public indirect enum Space: Sendable, Equatable, CustomStringConvertible {
    /// `Discrete(n, start)`: the integers start..<start+n.
    case discrete(n: Int, start: Int = 0)
    /// `Box(low, high, shape, dtype)`: a float32 vector, bounds per element (±infinity allowed).
    case box(low: [Float], high: [Float], shape: [Int])
    /// `MultiDiscrete(nvec)`: one integer in 0..<nvec[i] per element.
    case multiDiscrete([Int])
    /// `Tuple(spaces)`.
    case tuple([Space])
    /// `Dict(spaces)`, keys sorted as Gymnasium sorts a plain dict's.
    case dict([(key: String, space: Space)])

    public static func == (a: Space, b: Space) -> Bool {
        switch (a, b) {
        case let (.discrete(n1, s1), .discrete(n2, s2)): return n1 == n2 && s1 == s2
        case let (.box(l1, h1, s1), .box(l2, h2, s2)): return l1 == l2 && h1 == h2 && s1 == s2
        case let (.multiDiscrete(a), .multiDiscrete(b)): return a == b
        case let (.tuple(a), .tuple(b)): return a == b
        case let (.dict(a), .dict(b)): return a.map(\.key) == b.map(\.key) && a.map(\.space) == b.map(\.space)
        default: return false
        }
    }

    /// A `Box` with the same bounds on every element.
    public static func box(low: Float, high: Float, shape: [Int]) -> Space {
        let n = shape.reduce(1, *)
        return .box(low: Array(repeating: low, count: n), high: Array(repeating: high, count: n), shape: shape)
    }

    /// A `Dict` from a dictionary, keys sorted.
    public static func dict(_ spaces: [String: Space]) -> Space {
        .dict(spaces.sorted { $0.key < $1.key }.map { (key: $0.key, space: $0.value) })
    }

    public var description: String {
        switch self {
        case let .discrete(n, start): return start == 0 ? "Discrete(\(n))" : "Discrete(\(n), start=\(start))"
        case let .box(low, high, shape):
            let l = Set(low).count == 1 ? "\(low[0])" : "[\(low.map { "\($0)" }.joined(separator: ", "))]"
            let h = Set(high).count == 1 ? "\(high[0])" : "[\(high.map { "\($0)" }.joined(separator: ", "))]"
            return "Box(\(l), \(h), (\(shape.map(String.init).joined(separator: ", "))\(shape.count == 1 ? "," : "")), float32)"
        case .multiDiscrete(let nvec): return "MultiDiscrete([\(nvec.map(String.init).joined(separator: ", "))])"
        case .tuple(let s): return "Tuple(\(s.map(\.description).joined(separator: ", ")))"
        case .dict(let s): return "Dict(\(s.map { "'\($0.key)': \($0.space)" }.joined(separator: ", ")))"
        }
    }

    /// How many floats an observation from this space takes when flattened (a `Discrete` is one
    /// float holding the index; `Tuple`/`Dict` concatenate their parts).
    public var flatCount: Int {
        switch self {
        case .discrete: return 1
        case .box(let low, _, _): return low.count
        case .multiDiscrete(let n): return n.count
        case .tuple(let s): return s.reduce(0) { $0 + $1.flatCount }
        case .dict(let s): return s.reduce(0) { $0 + $1.space.flatCount }
        }
    }

    /// The number of distinct values of a finite space (a `Discrete`, a `MultiDiscrete`, or a
    /// `Tuple`/`Dict` of those), or nil for a space with a `Box` in it.
    public var cardinality: Int? {
        switch self {
        case .discrete(let n, _): return n
        case .box: return nil
        case .multiDiscrete(let n): return n.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        case .tuple(let s):
            var c = 1
            for x in s { guard let k = x.cardinality else { return nil }; c = c.multipliedReportingOverflow(by: k).overflow ? Int.max : c * k }
            return c
        case .dict(let s): return Space.tuple(s.map(\.space)).cardinality
        }
    }

    /// The index of a flattened observation of a finite space: a `Discrete`'s value minus start,
    /// mixed-radix (first element most significant) for the others. Nil when out of the space.
    public func index(of observation: [Float]) -> Int? {
        var pos = 0
        return index(of: observation, at: &pos)
    }

    private func index(of obs: [Float], at pos: inout Int) -> Int? {
        switch self {
        case let .discrete(n, start):
            guard pos < obs.count else { return nil }
            let v = Int(exactly: obs[pos]).map { $0 - start }
            pos += 1
            guard let v, v >= 0, v < n else { return nil }
            return v
        case .box: return nil
        case .multiDiscrete(let nvec):
            return Space.tuple(nvec.map { .discrete(n: $0) }).index(of: obs, at: &pos)
        case .tuple(let spaces):
            var idx = 0
            for s in spaces {
                guard let k = s.cardinality, let i = s.index(of: obs, at: &pos) else { return nil }
                idx = idx * k + i
            }
            return idx
        case .dict(let spaces): return Space.tuple(spaces.map(\.space)).index(of: obs, at: &pos)
        }
    }

    /// Whether an action belongs to this (action) space.
    public func contains(_ action: Action) -> Bool {
        switch (self, action) {
        case let (.discrete(n, start), .discrete(a)): return a >= start && a < start + n
        case let (.multiDiscrete(nvec), .discrete(a)): return a >= 0 && a < (Space.multiDiscrete(nvec).cardinality ?? 0)
        case let (.box(low, high, _), .continuous(v)):
            return v.count == low.count && zip(v, zip(low, high)).allSatisfy { !$0.0.isNaN && $0.0 >= $0.1.0 && $0.0 <= $0.1.1 }
        default: return false
        }
    }

    /// Checks an action, throwing ``RLError/invalidAction(_:)`` with the reason.
    public func validate(_ action: Action) throws {
        guard !contains(action) else { return }
        throw RLError.invalidAction("\(action) is not in \(self)")
    }

    /// A random element, drawn as Gymnasium's `space.sample()` draws it (bounded `Box`es,
    /// `Discrete`, `MultiDiscrete`; an unbounded `Box` element uses a normal draw that is not
    /// NumPy's stream). Returned flattened.
    public func sample(_ rng: inout NumPyGenerator) -> [Float] {
        switch self {
        case let .discrete(n, start): return [Float(start + rng.integers(n))]
        case let .box(low, high, _):
            return zip(low, high).map { l, h in
                switch (l.isFinite, h.isFinite) {
                case (true, true): return Float(rng.uniform(Double(l), Double(h)))
                case (true, false): return l + Float(-Foundation.log(1 - rng.random()))
                case (false, true): return h - Float(-Foundation.log(1 - rng.random()))
                case (false, false): return Float(rng.normal())
                }
            }
        case .multiDiscrete(let nvec):
            let u = nvec.map { _ in rng.random() }
            return zip(u, nvec).map { Float(Int64($0 * Double($1))) }
        case .tuple(let spaces): return spaces.flatMap { $0.sample(&rng) }
        case .dict(let spaces): return spaces.flatMap { $0.space.sample(&rng) }
        }
    }

    /// A random action from this (action) space.
    public func sampleAction(_ rng: inout NumPyGenerator) -> Action {
        switch self {
        case let .discrete(n, start): return .discrete(start + rng.integers(n))
        case .multiDiscrete: return .discrete(index(of: sample(&rng)) ?? 0)
        default: return .continuous(sample(&rng))
        }
    }

    /// The number of discrete actions, or nil for a continuous space.
    public var actionCount: Int? {
        switch self {
        case .discrete(let n, _): return n
        case .multiDiscrete: return cardinality
        default: return nil
        }
    }
}

/// A space with its own generators, seeded as Gymnasium's `space.seed(s)` seeds it: a leaf gets
/// `default_rng(s)`; a `Tuple` or `Dict` seeds its own generator with `s` and gives each part
/// (in order; a Dict's keys sorted) the seed `integers(2³¹ − 1)` drawn from it. `sample()` then
/// equals Gymnasium's `space.sample()`, flattened (for bounded boxes; see ``Space/sample(_:)``).
public final class SpaceSampler {
    /// The space sampled.
    public let space: Space
    var rng: NumPyGenerator
    let parts: [SpaceSampler]

    /// `space.seed(seed)`.
    public init(_ space: Space, seed: UInt64) {
        self.space = space
        var rng = NumPyGenerator(seed: seed)
        let children: [Space]
        switch space {
        case .tuple(let s): children = s
        case .dict(let s): children = s.map(\.space)
        default: children = []
        }
        parts = children.map { SpaceSampler($0, seed: UInt64(rng.integers(2_147_483_647))) }
        self.rng = rng
    }

    /// `space.sample()`, flattened.
    public func sample() -> [Float] {
        parts.isEmpty ? space.sample(&rng) : parts.flatMap { $0.sample() }
    }
}
