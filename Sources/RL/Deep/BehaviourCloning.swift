import Foundation
import Neural
import Tensors

/// An expert's recorded behaviour: the observations it saw and the actions it took, episode by
/// episode (the input of behaviour cloning).
public struct Demonstrations: Sendable {
    /// Every observation, in order.
    public var observations: [[Float]] = []
    /// The expert's action for each observation.
    public var actions: [Action] = []
    /// Each recorded episode's return.
    public var episodeReturns: [Double] = []

    /// An empty set.
    public init() {}

    /// Runs `episodes` episodes of `policy` on `env` (episode i reset with `seed + i`, at most
    /// 100k steps each) and keeps every (observation, action) pair.
    public static func record(env: Environment, episodes: Int, seed: UInt64 = 0,
                              policy: ([Float]) throws -> Action) throws -> Demonstrations {
        guard episodes >= 1, episodes <= 100_000 else { throw RLError.invalidArgument("episodes must be 1…100000") }
        var d = Demonstrations()
        for i in 0..<episodes {
            var o = env.reset(seed: seed &+ UInt64(i)), total = 0.0
            for _ in 0..<100_000 {
                let a = try policy(o)
                let r = try env.step(a)
                d.observations.append(o); d.actions.append(a)
                total += r.reward; o = r.observation
                if r.done { break }
            }
            d.episodeReturns.append(total)
        }
        return d
    }
}

/// Behaviour cloning (Pomerleau, 1991) as the `imitation` library's `BC` trains it: the policy
/// network of PPO (`ActorCriticPolicy`, 32-unit layers) fitted by minibatch Adam to maximise the
/// log-likelihood of the expert's actions, with a small entropy bonus (`ent_weight`) and an
/// optional L2 penalty (`l2_weight`).
final class BehaviourCloningLearner: PolicyLearner {
    /// `n_epochs` passes over the pairs in shuffled minibatches; one report per epoch.
    func fit(observations: [[Float]], actions: [[Float]], report: (DeepTrainingLog) -> Void) {
        let n = observations.count, width = observations.first?.count ?? 0
        let batchSize = Swift.min(config.int(.batchSize), n), epochs = config.int(.nEpochs)
        let entWeight = config.double(.entWeight), l2Weight = config.double(.l2Weight)
        let params = policy.parameters(), started = Date()
        var steps = 0
        for epoch in 0..<epochs {
            optimizer.parameterGroups[0].learningRate = config.schedule(.learningRate).value(progressRemaining: 1 - Double(epoch) / Double(epochs))
            let order = rng.permutation(n)
            var losses: [Double] = [], likelihoods: [Double] = []
            var start = 0
            while start < n {
                let idx = Array(order[start..<Swift.min(start + batchSize, n)])
                start += batchSize
                let obs = idx.flatMap { observations[$0] }, acts = idx.flatMap { actions[$0] }
                let (head, _) = policy.heads(Networks.batch(obs, rows: idx.count, width: width))
                let (logp, entropy) = policy.evaluate(head, actions: acts, rows: idx.count)
                var loss = -logp.mean() - entropy.mean() * entWeight
                if l2Weight > 0 { loss = loss + params.map { $0.value.square().sum() }.reduce(Tensor(scalar: Float(0)), +) * l2Weight }
                optimizer.zeroGrad()
                loss.backward()
                optimizer.step()
                losses.append(loss.item()); likelihoods.append(logp.mean().item())
                steps += idx.count
            }
            report(DeepTrainingLog(steps: steps, episodes: epoch + 1, meanReturn: nil, meanLength: nil, seconds: Date().timeIntervalSince(started),
                                   metrics: [("loss", losses.reduce(0, +) / Double(losses.count)),
                                             ("neglogp", -likelihoods.reduce(0, +) / Double(likelihoods.count)),
                                             ("learning_rate", optimizer.parameterGroups[0].learningRate)]))
        }
    }
}

extension DeepAgent {
    /// Behaviour cloning: fits this `.bc` agent's policy to `demonstrations` (recorded on an
    /// environment with this agent's spaces). One report per epoch (`episodes` counts epochs,
    /// `steps` the pairs seen, `meanReturn` is nil).
    public func clone(from demonstrations: Demonstrations, report: (DeepTrainingLog) -> Void = { _ in }) throws {
        guard case .bc(let learner) = learner else {
            throw RLError.unsupported("\(algorithm.rawValue) learns by interaction (train(steps:)); only bc learns from demonstrations")
        }
        guard !demonstrations.observations.isEmpty, demonstrations.observations.count == demonstrations.actions.count else {
            throw RLError.invalidArgument("demonstrations need at least one (observation, action) pair, as many actions as observations")
        }
        var obs: [[Float]] = [], acts: [[Float]] = []
        for (o, a) in zip(demonstrations.observations, demonstrations.actions) {
            let encoded = observationLayout.encode(o)
            guard encoded.count == observationLayout.width, encoded.allSatisfy(\.isFinite) else {
                throw RLError.invalidArgument("a demonstration observation does not fit \(observationSpace)")
            }
            switch (a, actionLayout.discrete) {
            case (.discrete(let i), let n?) where i >= 0 && i < n: acts.append([Float(i)])
            case (.continuous(let v), nil) where v.count == actionLayout.width && v.allSatisfy(\.isFinite): acts.append(v)
            default: throw RLError.invalidArgument("a demonstration action \(a) does not fit \(actionSpace)")
            }
            obs.append(encoded)
        }
        learner.fit(observations: obs, actions: acts, report: report)
    }
}
