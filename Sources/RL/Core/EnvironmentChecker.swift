import Foundation

extension Space {
    /// Whether a flattened observation belongs to this space (Gymnasium's `space.contains`): the
    /// right number of values, each finite-space value an integer in range, each `Box` value
    /// within its bounds (NaN never is).
    public func containsObservation(_ observation: [Float]) -> Bool {
        var pos = 0
        return contains(observation, at: &pos) && pos == observation.count
    }

    private func contains(_ obs: [Float], at pos: inout Int) -> Bool {
        switch self {
        case .discrete, .multiDiscrete:
            guard let k = flatCount as Int?, pos + k <= obs.count else { return false }
            let slice = Array(obs[pos..<(pos + k)])
            pos += k
            return index(of: slice) != nil
        case let .box(low, high, _):
            guard pos + low.count <= obs.count else { return false }
            defer { pos += low.count }
            return (0..<low.count).allSatisfy { i in
                let v = obs[pos + i]
                return !v.isNaN && v >= low[i] && v <= high[i]
            }
        case .tuple(let spaces):
            return spaces.allSatisfy { $0.contains(obs, at: &pos) }
        case .dict(let spaces):
            return spaces.allSatisfy { $0.space.contains(obs, at: &pos) }
        }
    }
}

/// Checks that an environment keeps Gymnasium's API contract, as `gymnasium.utils.env_checker.check_env`
/// (and Stable-Baselines3's `check_env`) do, before a learner trusts it:
///
/// - `step` before the first `reset` throws ``RLError/resetNeeded(_:)``;
/// - every observation from `reset` and `step` lies in the observation space;
/// - `reset(seed: s)` is deterministic, and so are the steps that follow it with the same actions
///   (observations, rewards, flags, bit for bit);
/// - rewards are finite; an action outside the action space throws ``RLError/invalidAction(_:)``.
///
/// ```swift
/// let report = try EnvironmentChecker.check { MyGame() }   // throws on the first broken rule
/// print(report.warnings)                                    // softer findings
/// ```
public enum EnvironmentChecker {
    /// What a passing check saw.
    public struct Report: Sendable {
        /// Steps taken over all the checks.
        public var steps: Int
        /// Episodes finished (terminated or truncated).
        public var episodes: Int
        /// Findings that do not break the contract but usually mean a mistake (an observation that
        /// never changes, episodes that never end within the steps tried).
        public var warnings: [String]
    }

    /// Runs the checks on fresh environments from `make` (two are built, to compare seeded runs),
    /// stepping `steps` random actions (drawn with `seed`) on each. Throws
    /// ``RLError/invalidArgument(_:)`` naming the first rule broken.
    @discardableResult
    public static func check(steps: Int = 500, seed: UInt64 = 0, _ make: () throws -> Environment) throws -> Report {
        guard steps >= 1, steps <= 10_000_000 else { throw RLError.invalidArgument("check_env: steps must be 1…1e7") }
        let a = try make(), b = try make()
        let name = a.id
        func fail(_ m: String) -> RLError { RLError.invalidArgument("check_env(\(name)): \(m)") }
        guard a !== b else { throw fail("make returned the same instance twice; it must build a new environment") }
        guard a.observationSpace == b.observationSpace, a.actionSpace == b.actionSpace else { throw fail("two builds have different spaces") }
        var warnings: [String] = []

        // Stepping before reset.
        let probe = try make()
        var rng = NumPyGenerator(seed: seed)
        var refused = false
        do { _ = try probe.step(probe.actionSpace.sampleAction(&rng)) } catch RLError.resetNeeded { refused = true } catch {
            throw fail("step before reset threw \(error) instead of RLError.resetNeeded")
        }
        guard refused else { throw fail("step before reset must throw RLError.resetNeeded (Gymnasium's ResetNeeded)") }

        // Seeded reset determinism and observation space.
        let oa = a.reset(seed: seed), ob = b.reset(seed: seed)
        guard a.observationSpace.containsObservation(oa) else { throw fail("reset's observation \(oa) is not in \(a.observationSpace)") }
        guard bits(oa) == bits(ob) else { throw fail("reset(seed: \(seed)) gave \(oa) and \(ob): seeded resets must be deterministic") }

        // Random actions, both copies in lock step.
        var total = 0, episodes = 0, longest = 0, current = 0
        var low = oa, high = oa
        for _ in 0..<steps {
            let action = a.actionSpace.sampleAction(&rng)
            guard a.actionSpace.contains(action) else { throw fail("the action space sampled \(action), which it does not contain") }
            let ra = try a.step(action), rb = try b.step(action)
            total += 1; current += 1
            guard a.observationSpace.containsObservation(ra.observation) else {
                throw fail("step \(total) returned the observation \(ra.observation), not in \(a.observationSpace)")
            }
            guard ra.reward.isFinite else { throw fail("step \(total) returned the reward \(ra.reward); rewards must be finite") }
            guard bits(ra.observation) == bits(rb.observation), ra.reward.bitPattern == rb.reward.bitPattern,
                  ra.terminated == rb.terminated, ra.truncated == rb.truncated else {
                throw fail("step \(total) differs between two copies reset with the same seed and given the same actions: stepping must be deterministic given the seed")
            }
            for (i, v) in ra.observation.enumerated() { low[i] = min(low[i], v); high[i] = max(high[i], v) }
            if ra.done {
                episodes += 1; longest = max(longest, current); current = 0
                let ra0 = a.reset(seed: nil), rb0 = b.reset(seed: nil)
                guard a.observationSpace.containsObservation(ra0) else { throw fail("reset's observation \(ra0) is not in \(a.observationSpace)") }
                guard bits(ra0) == bits(rb0) else { throw fail("an unseeded reset after a seeded one must continue the seeded stream (copies diverged)") }
            }
        }
        if episodes == 0 { warnings.append("no episode ended in \(steps) random steps: add a time limit (max_episode_steps) or check the termination rule") }
        if oa.count > 0, zip(low, high).allSatisfy({ $0 == $1 }) { warnings.append("the observation never changed in \(steps) steps") }

        // Actions outside the space.
        if let bad = outside(a.actionSpace) {
            _ = a.reset(seed: seed)
            var rejected = false
            do { _ = try a.step(bad) } catch RLError.invalidAction { rejected = true } catch {
                throw fail("step(\(bad)) threw \(error) instead of RLError.invalidAction")
            }
            guard rejected else { throw fail("step(\(bad)) accepted an action outside \(a.actionSpace); it must throw RLError.invalidAction") }
        }
        return Report(steps: total, episodes: episodes, warnings: warnings)
    }

    private static func bits(_ v: [Float]) -> [UInt32] { v.map(\.bitPattern) }

    private static func outside(_ space: Space) -> Action? {
        switch space {
        case let .discrete(n, start): return .discrete(start + n)
        case .multiDiscrete: return .discrete(space.cardinality ?? Int.max)
        case let .box(low, _, _): return .continuous(low.map { _ in .nan })
        default: return nil
        }
    }
}
