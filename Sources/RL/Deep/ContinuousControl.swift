import Foundation
import Neural
import Tensors

/// `n_critics` Q(s, a) networks over `[observation, action]` (SB3's `ContinuousCritic`).
final class Critics: Module {
    var nets: [Module]

    init(observationWidth: Int, actionWidth: Int, config: DeepConfig, generator: RandomGenerator) {
        nets = (0..<config.int(.nCritics)).map { _ in
            Networks.mlp(observationWidth + actionWidth, config.netArch, activation: config.text(.activationFn), output: 1, generator: generator)
        }
        super.init()
    }

    /// Every critic's values, each `[B]`.
    func values(_ obs: Tensor, _ actions: Tensor) -> [Tensor] {
        let x = Tensor.concat([obs, actions], axis: 1)
        return nets.map { $0(x).reshaped([obs.shape[0]]) }
    }

    /// The element-wise minimum over the critics.
    func minimum(_ obs: Tensor, _ actions: Tensor) -> Tensor {
        let qs = values(obs, actions)
        return qs.dropFirst().reduce(qs[0]) { Tensor.minimum($0, $1) }
    }
}

/// SAC's actor: an MLP body, a mean head and a state-dependent log-std head clamped to
/// [−20, 2]; actions are tanh-squashed Gaussian draws in [−1, 1] (SB3's `Actor` with
/// `SquashedDiagGaussianDistribution`).
final class SquashedGaussianActor: Module {
    var body: Sequential
    var mu: Linear
    var logStd: Linear

    init(observationWidth: Int, actionWidth: Int, config: DeepConfig, generator: RandomGenerator) {
        body = Networks.mlp(observationWidth, config.netArch, activation: config.text(.activationFn), output: nil, generator: generator)
        let latent = Networks.outputWidth(observationWidth, config.netArch)
        mu = Linear(latent, actionWidth, generator: generator)
        logStd = Linear(latent, actionWidth, generator: generator)
        super.init()
    }

    /// Reparameterised draws (`noise` of shape `[B, d]`; zeros give the deterministic action)
    /// and their log-probabilities with the tanh correction.
    func sample(_ obs: Tensor, noise: Tensor) -> (actions: Tensor, logProb: Tensor) {
        let h = body(obs)
        let mean = mu(h), ls = logStd(h).clamp(min: -20, max: 2)
        let pre = mean + ls.exp() * noise
        let a = pre.tanh()
        let logp = Distributions.gaussianLogProb(mean: mean, logStd: ls, actions: pre)
            - (1 - a.square() + 1e-6).log().sum(axis: -1)
        return (a, logp)
    }

    /// tanh(mean): the deterministic action.
    func mode(_ obs: Tensor) -> Tensor { mu(body(obs)).tanh() }
}

/// Soft Actor-Critic (Haarnoja et al., 2018) as Stable-Baselines3 trains it: twin critics and
/// their Polyak-averaged targets, the entropy-regularised soft Bellman target, a
/// reparameterised actor, and the entropy coefficient α tuned automatically towards
/// `target_entropy` (−dim A by default) — or fixed with `ent_coef=0.1`.
final class SACLearner: OffPolicyLearner {
    let config: DeepConfig
    let actor: SquashedGaussianActor
    let critic: Critics, criticTarget: Critics
    let actorOptimizer: Adam, criticOptimizer: Adam
    var logEntCoef: Parameter?
    var entOptimizer: Adam?
    let fixedEntCoef: Double
    let targetEntropy: Double
    var rng: NumPyGenerator
    let actionWidth: Int
    var updates = 0
    /// The parameter lists, gathered once (module reflection is not free).
    let criticParams: [Parameter], criticTargetParams: [Parameter]

    init(observationWidth: Int, actionWidth: Int, config: DeepConfig, seed: UInt64) {
        self.config = config; self.actionWidth = actionWidth
        let g = RandomGenerator(seed: seed)
        actor = SquashedGaussianActor(observationWidth: observationWidth, actionWidth: actionWidth, config: config, generator: g)
        critic = Critics(observationWidth: observationWidth, actionWidth: actionWidth, config: config, generator: g)
        criticTarget = Critics(observationWidth: observationWidth, actionWidth: actionWidth, config: config, generator: g)
        criticParams = critic.parameters(); criticTargetParams = criticTarget.parameters()
        Networks.hardUpdate(from: criticParams, to: criticTargetParams)
        Networks.setTrainable(criticTargetParams, false)
        let lr = config.schedule(.learningRate).initial
        actorOptimizer = Adam(actor.parameters(), learningRate: lr)
        criticOptimizer = Adam(criticParams, learningRate: lr)
        let ent = config.text(.entCoef)
        if ent.hasPrefix("auto") {
            let initial = ent.hasPrefix("auto_") ? Double(ent.dropFirst(5)) ?? 1 : 1
            let p = Parameter(Tensor([Float(Foundation.log(initial))]))
            logEntCoef = p
            entOptimizer = Adam([p], learningRate: lr)
            fixedEntCoef = initial
        } else {
            fixedEntCoef = Double(ent) ?? 0
        }
        let te = config.text(.targetEntropy)
        targetEntropy = te == "auto" ? -Double(actionWidth) : Double(te) ?? -Double(actionWidth)
        rng = NumPyGenerator(seed: seed &+ 1)
    }

    func explore(_ obs: [[Float]], steps: Int) -> [[Float]] {
        let noise = Tensor(rng.normals(obs.count * actionWidth), shape: [obs.count, actionWidth])
        return Networks.rows(GradMode.withoutGrad { actor.sample(Networks.batch(obs), noise: noise).actions })
    }

    func deterministic(_ obs: [[Float]]) -> [[Float]] {
        Networks.rows(GradMode.withoutGrad { actor.mode(Networks.batch(obs)) })
    }

    func afterStep(steps: Int, progressRemaining: Double) {}

    func train(_ buffer: inout ReplayBuffer, gradientSteps: Int, progressRemaining: Double) -> [(name: String, value: Double)] {
        let lr = config.schedule(.learningRate).value(progressRemaining: progressRemaining)
        for o in [actorOptimizer, criticOptimizer] + (entOptimizer.map { [$0] } ?? []) { o.parameterGroups[0].learningRate = lr }
        let batchSize = config.int(.batchSize), gamma = Float(config.double(.gamma)), tau = config.double(.tau)
        let w = buffer.obsWidth, interval = config.int(.targetUpdateInterval)
        var actorLosses: [Double] = [], criticLosses: [Double] = [], entCoefs: [Double] = []
        for _ in 0..<gradientSteps {
            let b = buffer.sample(batchSize, &rng)
            let n = b.size
            let obs = Networks.batch(b.observations, rows: n, width: w)
            let next = Networks.batch(b.nextObservations, rows: n, width: w)
            let actions = Tensor(b.actions, shape: [n, actionWidth])
            let (actionsPi, logProb) = actor.sample(obs, noise: Tensor(rng.normals(n * actionWidth), shape: [n, actionWidth]))
            var entCoef = fixedEntCoef
            if let logEntCoef, let entOptimizer {
                let entLoss = -(logEntCoef.value * (logProb.detached() + targetEntropy)).mean()
                entOptimizer.zeroGrad()
                entLoss.backward()
                entOptimizer.step()
                entCoef = Foundation.exp(logEntCoef.value.item())
            }
            entCoefs.append(entCoef)
            let target: Tensor = GradMode.withoutGrad {
                let (nextActions, nextLogProb) = actor.sample(next, noise: Tensor(rng.normals(n * actionWidth), shape: [n, actionWidth]))
                let nextQ = criticTarget.minimum(next, nextActions) - nextLogProb * entCoef
                return Tensor(b.rewards) + Tensor(b.dones.map { (1 - $0) * gamma }) * nextQ
            }
            let qs = critic.values(obs, actions)
            let terms = qs.map { ($0 - target).square().mean() }
            let criticLoss = terms.dropFirst().reduce(terms[0], +) * 0.5
            criticOptimizer.zeroGrad()
            criticLoss.backward()
            criticOptimizer.step()
            // The actor's loss flows through frozen critics: no weight gradients are computed for them.
            Networks.setTrainable(criticParams, false)
            let actorLoss = (logProb * entCoef - critic.minimum(obs, actionsPi)).mean()
            actorOptimizer.zeroGrad()
            actorLoss.backward()
            actorOptimizer.step()
            Networks.setTrainable(criticParams, true)
            updates += 1
            if updates % interval == 0 {
                Networks.polyakUpdate(from: criticParams, to: criticTargetParams, tau: tau)
            }
            actorLosses.append(actorLoss.item()); criticLosses.append(criticLoss.item())
        }
        func mean(_ x: [Double]) -> Double { x.isEmpty ? 0 : x.reduce(0, +) / Double(x.count) }
        return [("actor_loss", mean(actorLosses)), ("critic_loss", mean(criticLosses)), ("ent_coef", mean(entCoefs)),
                ("learning_rate", lr), ("n_updates", Double(updates))]
    }
}

/// TD3 (Fujimoto et al., 2018) and DDPG (Lillicrap et al., 2016; TD3 with one critic, no
/// policy delay and no target smoothing), as Stable-Baselines3 trains them: a deterministic tanh
/// actor, clipped double-Q targets with target-policy smoothing noise, delayed actor and
/// target updates.
final class TD3Learner: OffPolicyLearner {
    let config: DeepConfig
    let actor: Sequential, actorTarget: Sequential
    let critic: Critics, criticTarget: Critics
    let actorOptimizer: Adam, criticOptimizer: Adam
    var rng: NumPyGenerator
    let actionWidth: Int
    var updates = 0
    /// The parameter lists, gathered once.
    let actorParams: [Parameter], actorTargetParams: [Parameter], criticParams: [Parameter], criticTargetParams: [Parameter]

    init(observationWidth: Int, actionWidth: Int, config: DeepConfig, seed: UInt64) {
        self.config = config; self.actionWidth = actionWidth
        let g = RandomGenerator(seed: seed)
        func makeActor() -> Sequential {
            let net = Networks.mlp(observationWidth, config.netArch, activation: config.text(.activationFn), output: actionWidth, generator: g)
            net.append(Tanh())
            return net
        }
        actor = makeActor(); actorTarget = makeActor()
        critic = Critics(observationWidth: observationWidth, actionWidth: actionWidth, config: config, generator: g)
        criticTarget = Critics(observationWidth: observationWidth, actionWidth: actionWidth, config: config, generator: g)
        actorParams = actor.parameters(); actorTargetParams = actorTarget.parameters()
        criticParams = critic.parameters(); criticTargetParams = criticTarget.parameters()
        Networks.hardUpdate(from: actorParams, to: actorTargetParams)
        Networks.hardUpdate(from: criticParams, to: criticTargetParams)
        Networks.setTrainable(actorTargetParams + criticTargetParams, false)
        let lr = config.schedule(.learningRate).initial
        actorOptimizer = Adam(actorParams, learningRate: lr)
        criticOptimizer = Adam(criticParams, learningRate: lr)
        rng = NumPyGenerator(seed: seed &+ 1)
    }

    func deterministic(_ obs: [[Float]]) -> [[Float]] { Networks.rows(GradMode.withoutGrad { actor(Networks.batch(obs)) }) }

    /// The actor's action; rl-zoo's exploration noise is added by the loop.
    func explore(_ obs: [[Float]], steps: Int) -> [[Float]] { deterministic(obs) }

    func afterStep(steps: Int, progressRemaining: Double) {}

    func train(_ buffer: inout ReplayBuffer, gradientSteps: Int, progressRemaining: Double) -> [(name: String, value: Double)] {
        let lr = config.schedule(.learningRate).value(progressRemaining: progressRemaining)
        actorOptimizer.parameterGroups[0].learningRate = lr; criticOptimizer.parameterGroups[0].learningRate = lr
        let batchSize = config.int(.batchSize), gamma = Float(config.double(.gamma)), tau = config.double(.tau)
        let delay = config.int(.policyDelay), noiseStd = config.double(.targetPolicyNoise), noiseClip = config.double(.targetNoiseClip)
        let w = buffer.obsWidth
        var actorLosses: [Double] = [], criticLosses: [Double] = []
        for _ in 0..<gradientSteps {
            updates += 1
            let b = buffer.sample(batchSize, &rng)
            let n = b.size
            let obs = Networks.batch(b.observations, rows: n, width: w)
            let next = Networks.batch(b.nextObservations, rows: n, width: w)
            let actions = Tensor(b.actions, shape: [n, actionWidth])
            let target: Tensor = GradMode.withoutGrad {
                var nextActions = actorTarget(next)
                if noiseStd > 0 {
                    let noise = rng.normals(n * actionWidth).map { Swift.min(Swift.max($0 * Float(noiseStd), -Float(noiseClip)), Float(noiseClip)) }
                    nextActions = (nextActions + Tensor(noise, shape: [n, actionWidth])).clamp(min: -1, max: 1)
                }
                return Tensor(b.rewards) + Tensor(b.dones.map { (1 - $0) * gamma }) * criticTarget.minimum(next, nextActions)
            }
            let qs = critic.values(obs, actions)
            let terms = qs.map { ($0 - target).square().mean() }
            let criticLoss = terms.dropFirst().reduce(terms[0], +)
            criticOptimizer.zeroGrad()
            criticLoss.backward()
            criticOptimizer.step()
            criticLosses.append(criticLoss.item())
            if updates % delay == 0 {
                Networks.setTrainable(criticParams, false)
                let x = Tensor.concat([obs, actor(obs)], axis: 1)
                let actorLoss = -critic.nets[0](x).mean()
                actorOptimizer.zeroGrad()
                actorLoss.backward()
                actorOptimizer.step()
                Networks.setTrainable(criticParams, true)
                actorLosses.append(actorLoss.item())
                Networks.polyakUpdate(from: criticParams, to: criticTargetParams, tau: tau)
                Networks.polyakUpdate(from: actorParams, to: actorTargetParams, tau: tau)
            }
        }
        func mean(_ x: [Double]) -> Double { x.isEmpty ? 0 : x.reduce(0, +) / Double(x.count) }
        return [("actor_loss", mean(actorLosses)), ("critic_loss", mean(criticLosses)), ("learning_rate", lr), ("n_updates", Double(updates))]
    }
}
