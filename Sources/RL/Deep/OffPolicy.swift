import Foundation
import Neural
import Tensors

/// What the off-policy loop needs from DQN, SAC, TD3 and DDPG.
protocol OffPolicyLearner: AnyObject {
    var config: DeepConfig { get }
    var rng: NumPyGenerator { get set }
    /// Exploration actions in buffer space (`[index]`, or `[-1, 1]` scaled continuous) for the observations.
    func explore(_ obs: [[Float]], steps: Int) -> [[Float]]
    /// Called after every environment step (DQN's target updates and ε schedule).
    func afterStep(steps: Int, progressRemaining: Double)
    /// `gradientSteps` updates from the buffer.
    func train(_ buffer: inout ReplayBuffer, gradientSteps: Int, progressRemaining: Double) -> [(name: String, value: Double)]
}

/// Stable-Baselines3's `OffPolicyAlgorithm.learn`: collect `train_freq` steps (or episodes) —
/// uniformly random actions until `learning_starts` — store them in the replay buffer, then run
/// `gradient_steps` updates (−1: as many as steps collected), until the budget is spent.
enum OffPolicyLoop {
    static func run(_ learner: OffPolicyLearner, driver: EnvironmentDriver, progress: inout TrainingProgress,
                    noise: inout ActionNoise?) throws {
        let cfg = learner.config
        var buffer = try ReplayBuffer(capacity: Swift.min(cfg.int(.bufferSize), Swift.max(progress.totalSteps, 1)),
                                      obsWidth: driver.observationLayout.width,
                                      actionWidth: driver.actionLayout.discrete != nil ? 1 : driver.actionLayout.width)
        let frequency = cfg.trainFrequency, learningStarts = cfg.int(.learningStarts)
        let gradientSteps = cfg.int(.gradientSteps)
        let layout = driver.actionLayout
        var metrics: [(name: String, value: Double)] = []
        while driver.steps < progress.totalSteps {
            var collectedSteps = 0, collectedEpisodes = 0
            while driver.steps < progress.totalSteps
                    && (frequency.perEpisode ? collectedEpisodes < frequency.count : collectedSteps < frequency.count) {
                let obs = driver.observations
                var bufferActions: [[Float]]
                if driver.steps < learningStarts {
                    bufferActions = obs.map { _ in randomAction(layout, &learner.rng) }
                } else {
                    bufferActions = learner.explore(obs, steps: driver.steps)
                }
                if layout.discrete == nil, var n = noise {
                    bufferActions = bufferActions.map { a in zip(a, n.sample(&learner.rng)).map { Swift.min(Swift.max($0 + $1, -1), 1) } }
                    noise = n
                }
                let envActions = layout.discrete != nil ? bufferActions : bufferActions.map(layout.unscale)
                let step = try driver.step(envActions)
                for e in 0..<driver.count {
                    let next = step.finalObservations[e] ?? step.observations[e]
                    buffer.add(obs[e], next, bufferActions[e], step.rewards[e], step.terminated[e])
                    if step.dones[e] { collectedEpisodes += 1; noise?.reset() }
                }
                collectedSteps += 1
                learner.afterStep(steps: driver.steps, progressRemaining: progress.remaining(driver.steps))
            }
            if driver.steps > learningStarts {
                let n = gradientSteps >= 0 ? gradientSteps : collectedSteps
                if n > 0 {
                    metrics = learner.train(&buffer, gradientSteps: n, progressRemaining: progress.remaining(driver.steps))
                }
            }
            try progress.maybeReport(driver, metrics: metrics)
        }
        try progress.maybeReport(driver, metrics: metrics, force: true)
    }

    /// A uniformly random action in buffer space (SB3 samples the action space, then scales).
    static func randomAction(_ layout: ActionLayout, _ rng: inout NumPyGenerator) -> [Float] {
        if let n = layout.discrete { return [Float(rng.integers(0, n))] }
        return layout.scale(layout.low.indices.map { Float(rng.uniform(Double(layout.low[$0]), Double(layout.high[$0]))) })
    }
}

/// Exploration noise added to TD3's and DDPG's scaled actions (rl-zoo's `noise_type`).
struct ActionNoise {
    enum Kind { case normal, ornsteinUhlenbeck }
    let kind: Kind
    let sigma: Double, width: Int
    var state: [Double]

    init?(_ config: DeepConfig, width: Int) {
        switch config.text(.noiseType) {
        case "normal": kind = .normal
        case "ornstein-uhlenbeck": kind = .ornsteinUhlenbeck
        default: return nil
        }
        sigma = config.double(.noiseStd); self.width = width
        state = Array(repeating: 0, count: width)
    }

    /// One draw (OU: θ = 0.15, dt = 0.01, as SB3's `OrnsteinUhlenbeckActionNoise`).
    mutating func sample(_ rng: inout NumPyGenerator) -> [Float] {
        switch kind {
        case .normal: return (0..<width).map { _ in Float(sigma * rng.normal()) }
        case .ornsteinUhlenbeck:
            for j in 0..<width { state[j] += 0.15 * (0 - state[j]) * 0.01 + sigma * 0.1 * rng.normal() }
            return state.map { Float($0) }
        }
    }

    mutating func reset() { state = Array(repeating: 0, count: width) }
}

// MARK: - DQN

/// DQN's Q-network: an MLP body, then either one head of Q values or (dueling, Wang et al. 2016)
/// a value head and an advantage head combined as V + A − mean(A).
final class QNetwork: Module {
    var body: Sequential
    var head: Linear
    var valueHead: Linear?

    init(observationWidth: Int, actions: Int, config: DeepConfig, generator: RandomGenerator) {
        let arch = config.netArch
        body = Networks.mlp(observationWidth, arch, activation: config.text(.activationFn), output: nil, generator: generator)
        let latent = Networks.outputWidth(observationWidth, arch)
        head = Linear(latent, actions, generator: generator)
        valueHead = config.flag(.dueling) ? Linear(latent, 1, generator: generator) : nil
        super.init()
    }

    override func forward(_ x: Tensor) -> Tensor {
        let h = body(x)
        let a = head(h)
        guard let valueHead else { return a }
        return valueHead(h) + (a - a.mean(axis: 1, keepDims: true))
    }
}

/// DQN (Mnih et al., 2015) as Stable-Baselines3 trains it — replay, a target network copied every
/// `target_update_interval` steps (Polyak with τ < 1), Huber loss, gradient-norm clipping, ε
/// decaying linearly over `exploration_fraction` of the budget — with double Q-learning
/// (van Hasselt et al., 2016), dueling heads and proportional prioritised replay as options.
final class DQNLearner: OffPolicyLearner {
    let config: DeepConfig
    let qNet: QNetwork, target: QNetwork
    let optimizer: Adam
    var rng: NumPyGenerator
    let actions: Int
    var explorationRate: Double
    var calls = 0
    var priorities: SumTree?
    var updates = 0
    /// The parameter lists, gathered once.
    let qParams: [Parameter], targetParams: [Parameter]

    init(observationWidth: Int, actions: Int, config: DeepConfig, seed: UInt64) {
        self.config = config; self.actions = actions
        let g = RandomGenerator(seed: seed)
        qNet = QNetwork(observationWidth: observationWidth, actions: actions, config: config, generator: g)
        target = QNetwork(observationWidth: observationWidth, actions: actions, config: config, generator: g)
        qParams = qNet.parameters(); targetParams = target.parameters()
        Networks.hardUpdate(from: qParams, to: targetParams)
        Networks.setTrainable(targetParams, false)
        optimizer = Adam(qParams, learningRate: config.schedule(.learningRate).initial)
        rng = NumPyGenerator(seed: seed &+ 1)
        explorationRate = config.double(.explorationInitialEps)
    }

    /// The greedy actions.
    func greedy(_ obs: [[Float]]) -> [[Float]] {
        let q = GradMode.withoutGrad { qNet(Networks.batch(obs)) }.toArray(as: Float.self)
        return obs.indices.map { [Float(Distributions.argmax(q[$0 * actions..<($0 + 1) * actions]))] }
    }

    func explore(_ obs: [[Float]], steps: Int) -> [[Float]] {
        if rng.random() < explorationRate { return obs.map { _ in [Float(rng.integers(0, actions))] } }
        return greedy(obs)
    }

    func afterStep(steps: Int, progressRemaining: Double) {
        calls += 1
        if calls % Swift.max(config.int(.targetUpdateInterval), 1) == 0 {
            Networks.polyakUpdate(from: qParams, to: targetParams, tau: config.double(.tau))
        }
        // SB3's get_linear_fn(start, end, end_fraction).
        let start = config.double(.explorationInitialEps), end = config.double(.explorationFinalEps)
        let fraction = config.double(.explorationFraction), done = 1 - progressRemaining
        explorationRate = fraction > 0 && done < fraction ? start + done * (end - start) / fraction : end
    }

    func train(_ buffer: inout ReplayBuffer, gradientSteps: Int, progressRemaining: Double) -> [(name: String, value: Double)] {
        optimizer.parameterGroups[0].learningRate = config.schedule(.learningRate).value(progressRemaining: progressRemaining)
        let batchSize = config.int(.batchSize), gamma = config.double(.gamma), w = buffer.obsWidth
        let prioritized = config.flag(.prioritizedReplay)
        if prioritized { syncPriorities(buffer) }
        var losses: [Double] = []
        for _ in 0..<gradientSteps {
            var batch: ReplayBatch
            if prioritized, priorities != nil {
                batch = samplePrioritized(buffer, size: batchSize, progressRemaining: progressRemaining)
            } else {
                batch = buffer.sample(batchSize, &rng)
            }
            let n = batch.size
            let next = Networks.batch(batch.nextObservations, rows: n, width: w)
            let targetValues: [Float] = GradMode.withoutGrad {
                let nq = target(next)
                let best: Tensor
                if config.flag(.doubleQ) {
                    let choice = qNet(next).argmax(axis: 1, keepDims: true)
                    best = nq.gather(axis: 1, index: choice).reshaped([n])
                } else {
                    best = nq.max(axis: 1)
                }
                return best.toArray(as: Float.self)
            }
            let y = (0..<n).map { batch.rewards[$0] + (1 - batch.dones[$0]) * Float(gamma) * targetValues[$0] }
            let q = qNet(Networks.batch(batch.observations, rows: n, width: w))
            let index = Tensor(batch.actions.map { Int64($0) }, shape: [n, 1])
            let current = q.gather(axis: 1, index: index).reshaped([n])
            let yT = Tensor(y)
            let loss: Tensor
            if prioritized {
                let elementwise = smoothL1Loss(current, yT, reduction: .none)
                loss = (elementwise * Tensor(batch.weights)).mean()
                let td = current.toArray(as: Float.self)
                let eps = config.double(.prioritizedReplayEps), alpha = config.double(.prioritizedReplayAlpha)
                if let tree = priorities {
                    for (k, i) in batch.indices.enumerated() {
                        let p = Foundation.pow(Double(abs(td[k] - y[k])) + eps, alpha)
                        tree.set(i, p)
                        tree.maxPriority = Swift.max(tree.maxPriority, p)
                    }
                }
            } else {
                loss = smoothL1Loss(current, yT)
            }
            optimizer.zeroGrad()
            loss.backward()
            _ = clipGradNorm(optimizer.allParameters, maxNorm: config.double(.maxGradNorm))
            optimizer.step()
            losses.append(loss.item())
            updates += 1
        }
        return [("loss", losses.reduce(0, +) / Double(Swift.max(losses.count, 1))), ("exploration_rate", explorationRate),
                ("learning_rate", optimizer.parameterGroups[0].learningRate), ("n_updates", Double(updates))]
    }

    /// New transitions enter with the largest priority seen so far.
    var prioritizedSeen = 0
    func syncPriorities(_ buffer: ReplayBuffer) {
        let tree = priorities ?? SumTree(capacity: buffer.capacity)
        priorities = tree
        let fresh = Swift.min(buffer.added - prioritizedSeen, buffer.capacity)
        for k in 0..<fresh {
            let slot = ((buffer.position - 1 - k) % buffer.capacity + buffer.capacity) % buffer.capacity
            tree.set(slot, tree.maxPriority)
        }
        prioritizedSeen = buffer.added
    }

    /// Stratified proportional draws with importance weights (the tree is read, not copied).
    func samplePrioritized(_ buffer: ReplayBuffer, size: Int, progressRemaining: Double) -> ReplayBatch {
        guard let tree = priorities else { return buffer.sample(size, &rng) }
        let total = tree.total, count = buffer.count
        var idx: [Int] = []
        for k in 0..<size {
            let mass = (Double(k) + rng.random()) * total / Double(size)
            idx.append(Swift.min(tree.find(mass), count - 1))
        }
        var b = buffer.gather(idx)
        // β anneals from beta0 to 1 over the budget.
        let beta0 = config.double(.prioritizedReplayBeta0)
        let beta = beta0 + (1 - beta0) * (1 - progressRemaining)
        let probabilities = idx.map { tree.priority($0) / Swift.max(total, .leastNonzeroMagnitude) }
        let weights = probabilities.map { Foundation.pow(Double(count) * Swift.max($0, 1e-12), -beta) }
        let maxW = weights.max() ?? 1
        b.weights = weights.map { Float($0 / maxW) }
        return b
    }
}
