import Foundation
import Neural
import Tensors

/// Building blocks the deep learners share: multi-layer perceptrons as Stable-Baselines3 builds
/// them, its orthogonal initialisation, target-network updates and batches from flat arrays.
enum Networks {
    /// `Linear → activation` for each width in `hidden`, then `Linear(…, output)` when given
    /// (SB3's `create_mlp`).
    static func mlp(_ input: Int, _ hidden: [Int], activation: String, output: Int?, generator: RandomGenerator) -> Sequential {
        var layers: [Module] = []
        var width = input
        for h in hidden {
            layers.append(Linear(width, h, generator: generator))
            layers.append(activationModule(activation))
            width = h
        }
        if let output { layers.append(Linear(width, output, generator: generator)) }
        return Sequential(layers)
    }

    /// The width coming out of an MLP body (the input width when it has no hidden layer).
    static func outputWidth(_ input: Int, _ hidden: [Int]) -> Int { hidden.last ?? input }

    static func activationModule(_ name: String) -> Module {
        switch name {
        case "relu": return ReLU()
        case "elu": return ELU()
        case "leaky_relu": return LeakyReLU()
        default: return Tanh()
        }
    }

    /// SB3's `ortho_init`: every Linear's weight orthogonal with `gain`, bias zero.
    static func orthogonalInit(_ module: Module, gain: Double, generator: RandomGenerator) {
        for m in module.modules() {
            guard let l = m as? Linear else { continue }
            Initializer.orthogonal(l.weight, gain: gain, generator: generator)
            if let b = l.bias { Initializer.zeros(b) }
        }
    }

    /// `target ← source` for parameters listed in the same order.
    static func hardUpdate(from source: [Parameter], to target: [Parameter]) {
        for (s, t) in zip(source, target) { t.value = s.value.detached().copied() }
    }

    /// Polyak averaging `target ← τ·source + (1 − τ)·target` in place (SB3's `polyak_update`).
    static func polyakUpdate(from source: [Parameter], to target: [Parameter], tau: Double) {
        if tau >= 1 { hardUpdate(from: source, to: target); return }
        Neural.polyakUpdate(target: target, source: source, tau: tau)
    }

    /// Rows of equal width as a `[rows, width]` float tensor.
    static func batch(_ rows: [[Float]]) -> Tensor {
        let width = rows.first?.count ?? 0
        var flat: [Float] = []
        flat.reserveCapacity(rows.count * width)
        for r in rows { flat.append(contentsOf: r) }
        return Tensor(flat, shape: [rows.count, width])
    }

    /// A flat buffer viewed as `[rows, width]`.
    static func batch(_ flat: [Float], rows: Int, width: Int) -> Tensor { Tensor(flat, shape: [rows, width]) }

    /// The rows of a `[rows, width]` tensor.
    static func rows(_ t: Tensor) -> [[Float]] {
        let flat = t.toArray(as: Float.self)
        let width = t.rank >= 2 ? t.shape[t.rank - 1] : 1
        guard width > 0 else { return Array(repeating: [], count: t.shape.first ?? 0) }
        return stride(from: 0, to: flat.count, by: width).map { Array(flat[$0..<($0 + width)]) }
    }

    /// Sets `requiresGrad` on every parameter (freezes a critic while the actor's loss flows
    /// through it, so its weight gradients are not computed).
    static func setTrainable(_ params: [Parameter], _ flag: Bool) {
        for p in params where p.requiresGrad != flag { p.requiresGrad = flag }
    }
}

/// The log-density and entropy pieces of the action distributions (all differentiable), and
/// sampling from plain arrays for acting.
enum Distributions {
    static let halfLog2Pi = 0.5 * Foundation.log(2 * Double.pi)

    /// log π(a|s) of a categorical distribution with `logits` `[B, n]` for integer `actions` `[B]`.
    static func categoricalLogProb(logits: Tensor, actions: [Int]) -> (logProb: Tensor, entropy: Tensor) {
        let logp = logits.logSoftmax(axis: -1)
        let index = Tensor(actions.map { Int64($0) }, shape: [actions.count, 1])
        let chosen = logp.gather(axis: 1, index: index).reshaped([actions.count])
        let entropy = -(logp.exp() * logp).sum(axis: -1)
        return (chosen, entropy)
    }

    /// log π(a|s) of a diagonal Gaussian (`mean` `[B, d]`, `logStd` `[d]` or `[B, d]`) summed over d.
    static func gaussianLogProb(mean: Tensor, logStd: Tensor, actions: Tensor) -> Tensor {
        let z = (actions - mean) * (-logStd).exp()
        return (z.square() * -0.5 - logStd - halfLog2Pi).sum(axis: -1)
    }

    /// The entropy of a diagonal Gaussian, summed over d, one value per row.
    static func gaussianEntropy(logStd: Tensor, rows: Int) -> Tensor {
        let perRow = (logStd + (0.5 + halfLog2Pi)).sum(axis: -1)
        return perRow.rank == 0 ? perRow.expanded(to: [rows]) : perRow
    }

    /// A draw from softmax(`logits`).
    static func sampleCategorical(_ logits: ArraySlice<Float>, _ rng: inout NumPyGenerator) -> Int {
        let m = logits.max() ?? 0
        var total = 0.0
        for l in logits { total += Foundation.exp(Double(l - m)) }
        var u = rng.random() * total
        for (i, l) in logits.enumerated() {
            u -= Foundation.exp(Double(l - m))
            if u < 0 { return i }
        }
        return logits.count - 1
    }

    /// The index of the largest value (first on ties).
    static func argmax(_ values: ArraySlice<Float>) -> Int {
        var best = values.startIndex
        for i in values.indices where values[i] > values[best] { best = i }
        return best - values.startIndex
    }
}

/// How an action vector maps to an environment's action space.
struct ActionLayout: Sendable {
    /// Discrete actions: the count. Continuous: nil.
    let discrete: Int?
    /// Continuous bounds (empty for discrete).
    let low: [Float], high: [Float]

    init(_ space: Space, algorithm: DeepAlgorithm) throws {
        switch space {
        case .discrete(let n, _):
            guard algorithm != .sac, algorithm != .td3, algorithm != .ddpg else {
                throw RLError.unsupported("\(algorithm.rawValue) needs a continuous (Box) action space; this one is \(space)")
            }
            discrete = n; low = []; high = []
        case .box(let l, let h, _):
            guard algorithm != .dqn else {
                throw RLError.unsupported("dqn needs a discrete action space; this one is \(space) (try sac or td3)")
            }
            if algorithm.isOffPolicy {
                guard l.allSatisfy(\.isFinite), h.allSatisfy(\.isFinite) else {
                    throw RLError.unsupported("\(algorithm.rawValue) needs finite action bounds to squash into; this one is \(space)")
                }
            }
            discrete = nil; low = l; high = h
        default:
            throw RLError.unsupported("\(algorithm.rawValue) handles Discrete and Box action spaces; this one is \(space)")
        }
    }

    /// Width of the network's action output (logits or mean).
    var width: Int { discrete ?? low.count }

    /// `[-1, 1]` → the bounds (SB3's `unscale_action`).
    func unscale(_ a: [Float]) -> [Float] {
        a.indices.map { low[$0] + 0.5 * (a[$0] + 1) * (high[$0] - low[$0]) }
    }

    /// The bounds → `[-1, 1]` (SB3's `scale_action`).
    func scale(_ a: [Float]) -> [Float] {
        a.indices.map { 2 * (a[$0] - low[$0]) / (high[$0] - low[$0]) - 1 }
    }

    /// Clipped into the bounds (what PPO/A2C send to the environment).
    func clip(_ a: [Float]) -> [Float] {
        a.indices.map { Swift.min(Swift.max(a[$0], low[$0]), high[$0]) }
    }
}

/// Observation flattening for networks: the environment's flat `[Float]`, one-hot for a
/// `Discrete` observation space (FrozenLake, Taxi…), as SB3's `preprocess_obs` does.
struct ObservationLayout: Sendable {
    let oneHot: Int?
    let start: Int
    let width: Int

    init(_ space: Space) throws {
        switch space {
        case .discrete(let n, let start):
            guard n <= 1 << 16 else { throw RLError.unsupported("a Discrete(\(n)) observation is too large to one-hot encode") }
            oneHot = n; self.start = start; width = n
        case .box, .multiDiscrete:
            oneHot = nil; start = 0; width = space.flatCount
        default:
            throw RLError.unsupported("deep learners take Box or Discrete observations; this one is \(space)")
        }
        guard width >= 1 else { throw RLError.unsupported("an empty observation space") }
    }

    func encode(_ o: [Float]) -> [Float] {
        guard let n = oneHot else { return o }
        var v = [Float](repeating: 0, count: n)
        if let f = o.first, f.isFinite, abs(f) < 1e9, Int(f) - start >= 0, Int(f) - start < n { v[Int(f) - start] = 1 }
        return v
    }
}
