import Foundation
import Neural
import Tensors

/// Stable-Baselines3's `ActorCriticPolicy` (`MlpPolicy`): separate policy and value MLPs over
/// the observation, an action head (logits, or the mean of a diagonal Gaussian with a learned,
/// state-independent log standard deviation) and a value head. With `ortho_init` the bodies are
/// orthogonal with gain √2, the action head 0.01 and the value head 1, biases zero.
final class ActorCriticPolicy: Module {
    var piBody: Sequential
    var vfBody: Sequential
    var actionNet: Linear
    var valueNet: Linear
    var logStd: Parameter?
    let actions: ActionLayout

    init(observationWidth: Int, actions: ActionLayout, config: DeepConfig, generator: RandomGenerator) {
        let arch = config.netArch, act = config.text(.activationFn)
        piBody = Networks.mlp(observationWidth, arch, activation: act, output: nil, generator: generator)
        vfBody = Networks.mlp(observationWidth, arch, activation: act, output: nil, generator: generator)
        let latent = Networks.outputWidth(observationWidth, arch)
        actionNet = Linear(latent, actions.width, generator: generator)
        valueNet = Linear(latent, 1, generator: generator)
        self.actions = actions
        if actions.discrete == nil {
            logStd = Parameter(Tensor.full([actions.width], config.double(.logStdInit)))
        }
        super.init()
        if config.flag(.orthoInit) {
            Networks.orthogonalInit(piBody, gain: 2.0.squareRoot(), generator: generator)
            Networks.orthogonalInit(vfBody, gain: 2.0.squareRoot(), generator: generator)
            Networks.orthogonalInit(actionNet, gain: 0.01, generator: generator)
            Networks.orthogonalInit(valueNet, gain: 1, generator: generator)
        }
    }

    /// Action-head output (logits or Gaussian mean) `[B, width]` and values `[B]`.
    func heads(_ obs: Tensor) -> (Tensor, Tensor) {
        (actionNet(piBody(obs)), valueNet(vfBody(obs)).reshaped([obs.shape[0]]))
    }

    /// Values only `[B]`.
    func values(_ obs: Tensor) -> Tensor { valueNet(vfBody(obs)).reshaped([obs.shape[0]]) }

    /// log π(a|s) and the entropy per row, for stored actions (flat, `width` per row for Gaussians).
    func evaluate(_ head: Tensor, actions a: [Float], rows: Int) -> (logProb: Tensor, entropy: Tensor) {
        if actions.discrete != nil {
            return Distributions.categoricalLogProb(logits: head, actions: a.map { Int($0) })
        }
        let ls = logStd?.value ?? Tensor.zeros([actions.width])
        let at = Tensor(a, shape: [rows, actions.width])
        return (Distributions.gaussianLogProb(mean: head, logStd: ls, actions: at), Distributions.gaussianEntropy(logStd: ls, rows: rows))
    }

    /// Acting: actions (network space), values and log-probabilities for a batch of observations.
    func act(_ obs: [[Float]], deterministic: Bool, rng: inout NumPyGenerator) -> (actions: [[Float]], values: [Double], logProbs: [Double]) {
        let (head, v) = GradMode.withoutGrad { heads(Networks.batch(obs)) }
        let out = head.toArray(as: Float.self), values = v.toArray(as: Float.self).map { Double($0) }
        let w = actions.width
        var acts: [[Float]] = [], logps: [Double] = []
        let ls = actions.discrete == nil ? (logStd?.value.toArray(as: Float.self) ?? Array(repeating: 0, count: w)) : []
        for r in 0..<obs.count {
            let row = out[r * w..<(r + 1) * w]
            if actions.discrete != nil {
                let i = deterministic ? Distributions.argmax(row) : Distributions.sampleCategorical(row, &rng)
                let m = Double(row.max() ?? 0)
                let lse = m + Foundation.log(row.reduce(0.0) { $0 + Foundation.exp(Double($1) - m) })
                acts.append([Float(i)]); logps.append(Double(row[row.startIndex + i]) - lse)
            } else {
                var a = [Float](repeating: 0, count: w), lp = 0.0
                for j in 0..<w {
                    let z = deterministic ? 0 : rng.normal()
                    a[j] = row[row.startIndex + j] + Float(z) * Foundation.exp(ls[j])
                    lp += -0.5 * z * z - Double(ls[j]) - Distributions.halfLog2Pi
                }
                acts.append(a); logps.append(lp)
            }
        }
        return (acts, values, logps)
    }
}

/// PPO (clipped surrogate, GAE, optional value clipping, entropy bonus, minibatch epochs,
/// learning-rate and clip-range schedules, KL early stop) and A2C (one full-batch step per
/// rollout, RMSprop) as Stable-Baselines3 implements them.
final class OnPolicyLearner {
    let algorithm: DeepAlgorithm
    let config: DeepConfig
    let policy: ActorCriticPolicy
    let optimizer: Optimizer
    var rng: NumPyGenerator

    init(algorithm: DeepAlgorithm, observationWidth: Int, actions: ActionLayout, config: DeepConfig, seed: UInt64) {
        self.algorithm = algorithm; self.config = config
        policy = ActorCriticPolicy(observationWidth: observationWidth, actions: actions, config: config, generator: RandomGenerator(seed: seed))
        let lr = config.schedule(.learningRate).initial
        if algorithm == .a2c && config.flag(.useRmsProp) {
            optimizer = RMSprop(policy.parameters(), learningRate: lr, alpha: 0.99, epsilon: config.double(.rmsPropEps))
        } else {
            optimizer = Adam(policy.parameters(), learningRate: lr, epsilon: 1e-5)
        }
        rng = NumPyGenerator(seed: seed &+ 1)
    }

    func act(_ obs: [[Float]], deterministic: Bool) -> [[Float]] {
        policy.act(obs, deterministic: deterministic, rng: &rng).actions
    }

    /// What the environment gets: Gaussian actions clipped into the bounds.
    func environmentActions(_ a: [[Float]]) -> [[Float]] {
        policy.actions.discrete != nil ? a : a.map(policy.actions.clip)
    }

    /// SB3's `learn`: rollouts of `n_steps` per copy, then `train()`, until the budget is spent.
    func learn(_ driver: EnvironmentDriver, progress: inout TrainingProgress) throws {
        let nSteps = config.int(.nSteps), nEnvs = driver.count, gamma = config.double(.gamma)
        var buffer = RolloutBuffer(nSteps: nSteps, nEnvs: nEnvs, obsWidth: driver.observationLayout.width,
                                   actionWidth: policy.actions.discrete != nil ? 1 : policy.actions.width)
        var episodeStarts = Array(repeating: true, count: nEnvs)
        var dones = Array(repeating: false, count: nEnvs)
        var metrics: [(name: String, value: Double)] = []
        while driver.steps < progress.totalSteps {
            buffer.reset()
            while !buffer.isFull {
                let obs = driver.observations
                let (actions, values, logProbs) = policy.act(obs, deterministic: false, rng: &rng)
                let step = try driver.step(environmentActions(actions))
                var rewards = step.rewards
                // A time-limit truncation is not a terminal state: bootstrap it from its value.
                let truncatedFinals = step.finalObservations.indices.filter { step.truncated[$0] && !step.terminated[$0] && step.finalObservations[$0] != nil }
                if !truncatedFinals.isEmpty {
                    let v = GradMode.withoutGrad { policy.values(Networks.batch(truncatedFinals.map { step.finalObservations[$0]! })) }.toArray(as: Float.self)
                    for (k, i) in truncatedFinals.enumerated() { rewards[i] += gamma * Double(v[k]) }
                }
                buffer.add(observations: obs, actions: actions, rewards: rewards, episodeStarts: episodeStarts, values: values, logProbs: logProbs)
                episodeStarts = step.dones
                dones = step.dones
            }
            let last = GradMode.withoutGrad { policy.values(Networks.batch(driver.observations)) }.toArray(as: Float.self).map { Double($0) }
            buffer.computeReturnsAndAdvantages(lastValues: last, dones: dones, gamma: gamma, lambda: config.double(.gaeLambda))
            metrics = train(buffer, progressRemaining: progress.remaining(driver.steps))
            try progress.maybeReport(driver, metrics: metrics)
        }
        try progress.maybeReport(driver, metrics: metrics, force: true)
    }

    /// One `train()` call: PPO's epochs of shuffled minibatches, or A2C's single full-batch step.
    func train(_ buffer: RolloutBuffer, progressRemaining p: Double) -> [(name: String, value: Double)] {
        let lr = config.schedule(.learningRate).value(progressRemaining: p)
        for g in optimizer.parameterGroups { g.learningRate = lr }
        let isPPO = algorithm == .ppo
        let clip = config.schedule(.clipRange).value(progressRemaining: p)
        let clipVf = config.optional(.clipRangeVf)
        let targetKl = config.optional(.targetKl)
        let n = buffer.count
        let batchSize = isPPO ? Swift.min(config.int(.batchSize), n) : n
        let epochs = isPPO ? config.int(.nEpochs) : 1
        let entCoef = config.double(.entCoef), vfCoef = config.double(.vfCoef), maxNorm = config.double(.maxGradNorm)
        let normalizeAdvantage = config.flag(.normalizeAdvantage)
        let obsW = buffer.obsWidth, actW = buffer.actionWidth
        var pl: [Double] = [], vl: [Double] = [], el: [Double] = [], kls: [Double] = [], clipFractions: [Double] = []
        var stop = false
        for _ in 0..<epochs where !stop {
            let order = isPPO ? rng.permutation(n) : Array(0..<n)
            var start = 0
            while start < n {
                let idx = Array(order[start..<Swift.min(start + batchSize, n)])
                start += batchSize
                let rows = idx.count
                var obs = [Float](), acts = [Float]()
                obs.reserveCapacity(rows * obsW); acts.reserveCapacity(rows * actW)
                for i in idx {
                    obs.append(contentsOf: buffer.observations[i * obsW..<(i + 1) * obsW])
                    acts.append(contentsOf: buffer.actions[i * actW..<(i + 1) * actW])
                }
                var adv = idx.map { buffer.advantages[$0] }
                if normalizeAdvantage && rows > 1 {
                    let mean = adv.reduce(0, +) / Double(rows)
                    let std = (adv.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(rows - 1)).squareRoot()
                    adv = adv.map { ($0 - mean) / (std + 1e-8) }
                }
                let (head, values) = policy.heads(Networks.batch(obs, rows: rows, width: obsW))
                let (logp, entropy) = policy.evaluate(head, actions: acts, rows: rows)
                let advT = Tensor(adv.map { Float($0) })
                let policyLoss: Tensor
                let logpValues = logp.toArray(as: Float.self).map { Double($0) }
                if isPPO {
                    let old = Tensor(idx.map { Float(buffer.logProbs[$0]) })
                    let ratio = (logp - old).exp()
                    policyLoss = -Tensor.minimum(advT * ratio, advT * ratio.clamp(min: 1 - clip, max: 1 + clip)).mean()
                    var kl = 0.0, clipped = 0
                    for (k, i) in idx.enumerated() {
                        let logRatio = logpValues[k] - buffer.logProbs[i]
                        kl += Foundation.exp(logRatio) - 1 - logRatio
                        if abs(Foundation.exp(logRatio) - 1) > clip { clipped += 1 }
                    }
                    kls.append(kl / Double(rows)); clipFractions.append(Double(clipped) / Double(rows))
                    if let targetKl, kl / Double(rows) > 1.5 * targetKl { stop = true; break }
                } else {
                    policyLoss = -(advT * logp).mean()
                }
                let returns = Tensor(idx.map { Float(buffer.returns[$0]) })
                var predicted = values
                if isPPO, let clipVf {
                    let oldV = Tensor(idx.map { Float(buffer.values[$0]) })
                    predicted = oldV + (values - oldV).clamp(min: -clipVf, max: clipVf)
                }
                let valueLoss = (returns - predicted).square().mean()
                let entropyLoss = -entropy.mean()
                let loss = policyLoss + entropyLoss * entCoef + valueLoss * vfCoef
                optimizer.zeroGrad()
                loss.backward()
                _ = clipGradNorm(optimizer.allParameters, maxNorm: maxNorm)
                optimizer.step()
                pl.append(policyLoss.item()); vl.append(valueLoss.item()); el.append(entropyLoss.item())
            }
        }
        let explained = explainedVariance(predicted: buffer.values, actual: buffer.returns)
        func mean(_ x: [Double]) -> Double { x.isEmpty ? 0 : x.reduce(0, +) / Double(x.count) }
        var m: [(name: String, value: Double)] = [("policy_loss", mean(pl)), ("value_loss", mean(vl)), ("entropy_loss", mean(el)),
                                                  ("explained_variance", explained), ("learning_rate", lr)]
        if isPPO { m += [("approx_kl", mean(kls)), ("clip_fraction", mean(clipFractions)), ("clip_range", clip)] }
        if let ls = policy.logStd { m.append(("std", mean(ls.value.toArray(as: Float.self).map { Foundation.exp(Double($0)) }))) }
        return m
    }
}

/// 1 − Var(actual − predicted) / Var(actual) (SB3's `explained_variance`; NaN when Var(actual) = 0).
func explainedVariance(predicted: [Double], actual: [Double]) -> Double {
    let n = Double(actual.count)
    guard n > 0 else { return .nan }
    func variance(_ x: [Double]) -> Double { let m = x.reduce(0, +) / n; return x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / n }
    let v = variance(actual)
    return v == 0 ? .nan : 1 - variance(zip(actual, predicted).map { $0 - $1 }) / v
}

/// What REINFORCE and behaviour cloning share: SB3's policy network, plain Adam at
/// `learning_rate`, and a seeded generator for sampled actions.
class PolicyLearner {
    let config: DeepConfig
    let policy: ActorCriticPolicy
    let optimizer: Adam
    var rng: NumPyGenerator

    init(observationWidth: Int, actions: ActionLayout, config: DeepConfig, seed: UInt64) {
        self.config = config
        policy = ActorCriticPolicy(observationWidth: observationWidth, actions: actions, config: config, generator: RandomGenerator(seed: seed))
        optimizer = Adam(policy.parameters(), learningRate: config.schedule(.learningRate).initial)
        rng = NumPyGenerator(seed: seed &+ 1)
    }

    func act(_ obs: [[Float]], deterministic: Bool) -> [[Float]] {
        policy.act(obs, deterministic: deterministic, rng: &rng).actions
    }
}

/// REINFORCE (Williams, 1992) with an optional learned baseline: `n_episodes` whole episodes
/// per update, Monte Carlo returns Gₜ, loss −(Gₜ − b(sₜ))·log π(aₜ|sₜ) (+ the baseline's squared
/// error, − an entropy bonus). An episode cut by the time limit is bootstrapped from the
/// baseline's value of its last observation.
final class ReinforceLearner: PolicyLearner {
    func learn(_ driver: EnvironmentDriver, progress: inout TrainingProgress) throws {
        let gamma = config.double(.gamma), baseline = config.flag(.baseline)
        let obsW = driver.observationLayout.width
        var metrics: [(name: String, value: Double)] = []
        while driver.steps < progress.totalSteps {
            var obs: [Float] = [], acts: [Float] = [], returns: [Double] = []
            var episodes = 0
            var epObs: [[Float]] = [], epActs: [[Float]] = [], epRewards: [Double] = []
            while episodes < config.int(.nEpisodes) && driver.steps < progress.totalSteps {
                let o = driver.observations
                let a = policy.act(o, deterministic: false, rng: &rng).actions
                let step = try driver.step(policy.actions.discrete != nil ? a : a.map(policy.actions.clip))
                epObs.append(o[0]); epActs.append(a[0]); epRewards.append(step.rewards[0])
                let cutShort = driver.steps >= progress.totalSteps
                if step.dones[0] || cutShort {
                    var g = 0.0
                    if (step.truncated[0] && !step.terminated[0]) || (cutShort && !step.dones[0]), baseline {
                        let last = step.finalObservations[0] ?? step.observations[0]
                        g = Double(GradMode.withoutGrad { policy.values(Networks.batch([last])) }.toArray(as: Float.self)[0])
                    }
                    var r = [Double](repeating: 0, count: epRewards.count)
                    for t in stride(from: epRewards.count - 1, through: 0, by: -1) { g = epRewards[t] + gamma * g; r[t] = g }
                    for (o, a) in zip(epObs, epActs) { obs.append(contentsOf: o); acts.append(contentsOf: a) }
                    returns += r
                    epObs = []; epActs = []; epRewards = []
                    episodes += 1
                }
            }
            guard !returns.isEmpty else { break }
            let rows = returns.count
            optimizer.parameterGroups[0].learningRate = config.schedule(.learningRate).value(progressRemaining: progress.remaining(driver.steps))
            let (head, values) = policy.heads(Networks.batch(obs, rows: rows, width: obsW))
            let (logp, entropy) = policy.evaluate(head, actions: acts, rows: rows)
            var adv = returns
            if baseline {
                let v = values.toArray(as: Float.self)
                adv = zip(returns, v).map { $0 - Double($1) }
            }
            if config.flag(.normalizeAdvantage) && rows > 1 {
                let m = adv.reduce(0, +) / Double(rows)
                let s = (adv.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(rows - 1)).squareRoot()
                adv = adv.map { ($0 - m) / (s + 1e-8) }
            }
            let policyLoss = -(Tensor(adv.map { Float($0) }) * logp).mean()
            let entropyLoss = -entropy.mean()
            var loss = policyLoss + entropyLoss * config.double(.entCoef)
            var valueLoss = 0.0
            if baseline {
                let vl = (Tensor(returns.map { Float($0) }) - values).square().mean()
                loss = loss + vl * config.double(.vfCoef)
                valueLoss = vl.item()
            }
            optimizer.zeroGrad()
            loss.backward()
            _ = clipGradNorm(optimizer.allParameters, maxNorm: config.double(.maxGradNorm))
            optimizer.step()
            metrics = [("policy_loss", policyLoss.item()), ("value_loss", valueLoss), ("entropy_loss", entropyLoss.item()),
                       ("learning_rate", optimizer.parameterGroups[0].learningRate)]
            try progress.maybeReport(driver, metrics: metrics)
        }
        try progress.maybeReport(driver, metrics: metrics, force: true)
    }
}
