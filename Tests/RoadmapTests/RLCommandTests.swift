import Foundation
import SwiftLearn
import Testing

@Suite(.enabled(if: swiftlearnBinary != nil, "the swiftlearn executable is not built (swift build --build-tests builds it)"))
struct RLCommandTests {
    @Test(arguments: [
        (["rl", "env", "--env", "Nope-v0"], "unknown environment"),
        (["rl", "env", "--env", "CartPole-v1", "--seed", "1", "--state", "0,0,0,0"], "not both"),
        (["rl", "env", "--env", "CartPole-v1", "--state", "a,b"], "must be numbers"),
        (["rl", "env", "--env", "CartPole-v1", "--actions", "1,x"], "must be numbers"),
        (["rl", "env", "--env", "CartPole-v1", "--env-option", "novalue"], "key=value"),
        (["rl", "train", "--algo", "magic", "--env", "FrozenLake-v1"], "unknown --algo"),
        (["rl", "train", "--algo", "q-learning", "--env", "FrozenLake-v1", "--set", "gamma=3"], "gamma"),
        (["rl", "train", "--algo", "q-learning", "--env", "FrozenLake-v1", "--episodes", "0"], "--episodes"),
        (["rl", "train", "--algo", "q-learning"], "give --env"),
        (["rl", "train", "--algo", "ppo", "--env", "CartPole-v1", "--set", "buffer_size=10"], "unknown ppo setting"),
        (["rl", "train", "--algo", "dqn", "--env", "CartPole-v1", "--set", "train_freq=0"], "train_freq"),
        (["rl", "train", "--algo", "sac", "--env", "Pendulum-v1", "--episodes", "5"], "--steps"),
        (["rl", "train", "--algo", "dqn", "--env", "CartPole-v1", "--eval-freq", "0"], "--eval-freq must be"),
        (["rl", "train", "--algo", "dqn", "--env", "CartPole-v1", "--eval-freq", "10", "--n-eval-episodes", "0"], "--n-eval-episodes"),
        (["rl", "train", "--algo", "q-learning", "--env", "FrozenLake-v1", "--eval-freq", "10"], "for deep learners"),
        (["rl", "train", "--algo", "ppo", "--env", "CartPole-v1", "--keep-last"], "goes with --eval-freq"),
    ])
    func badArgumentsExit64(_ args: [String], _ hint: String) throws {
        let home = temporaryHome("rl-args")
        defer { try? FileManager.default.removeItem(at: home) }
        let r = try swiftlearn(args, home: home)
        #expect(r.status == 64, "\(args): \(r.status) \(r.err)")
        #expect(r.err.contains(hint), "\(args): \(r.err)")
    }

    @Test func runtimeErrorsExit1() throws {
        let home = temporaryHome("rl-runtime")
        defer { try? FileManager.default.removeItem(at: home) }
        let discrete = try swiftlearn(["rl", "env", "--env", "CartPole-v1", "--seed", "0", "--actions", "5"], home: home)
        #expect(discrete.status == 1 && discrete.err.contains("invalid action"), "\(discrete.err)")
        let table = try swiftlearn(["rl", "env", "--env", "CartPole-v1", "--transitions"], home: home)
        #expect(table.status == 1 && table.err.contains("no transition table"), "\(table.err)")
        let vi = try swiftlearn(["rl", "train", "--algo", "value-iteration", "--env", "CartPole-v1"], home: home)
        #expect(vi.status == 1 && vi.err.contains("model P"), "\(vi.err)")
        let bad = home.appendingPathComponent("agent.json")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        try "{\"format\": 1}".write(to: bad, atomically: true, encoding: .utf8)
        let load = try swiftlearn(["rl", "eval", "--load", bad.path], home: home)
        #expect(load.status == 1 && load.err.contains("agent.json"), "\(load.err)")
    }

    @Test func trainSaveEvalAndEnvJSON() throws {
        let home = temporaryHome("rl-train")
        defer { try? FileManager.default.removeItem(at: home) }
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let file = home.appendingPathComponent("taxi.json").path
        let t = try swiftlearn(["rl", "train", "--algo", "q-learning", "--env", "Taxi-v4", "--episodes", "5000", "--eval-episodes", "50", "--save", file, "--json"], home: home)
        #expect(t.status == 0, "\(t.err)")
        let last = try JSONSerialization.jsonObject(with: Data(t.out.split(separator: "\n").last!.utf8)) as! [String: Any]
        #expect((last["mean_return"] as! Double) > 0)
        let e = try swiftlearn(["rl", "eval", "--load", file, "--episodes", "20", "--json"], home: home)
        #expect(e.status == 0 && e.out.contains("\"env\": \"Taxi-v4\""), "\(e.err)")
        let env = try swiftlearn(["rl", "env", "--env", "CartPole-v1", "--seed", "42", "--actions", "1,0", "--json"], home: home)
        let lines = env.out.split(separator: "\n")
        #expect(lines.count == 3)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
        // Gymnasium 1.4.0: gym.make("CartPole-v1").reset(seed=42)[0]
        let obs = (first["observation"] as! [Double]).map { Float($0) }
        #expect(abs(obs[0] - 0.0273956) < 1e-6 && abs(obs[3] - 0.0197368) < 1e-6)
        let p = try swiftlearn(["rl", "env", "--env", "FrozenLake-v1", "--transitions"], home: home)
        let table = try JSONSerialization.jsonObject(with: Data(p.out.utf8)) as! [String: [String: [[Any]]]]
        #expect(table.count == 16 && table["0"]?["1"]?.count == 3)
    }

    /// A deep learner through the command line: JSON lines then the final object, a saved
    /// safetensors agent that `rl eval` and `rl play` load, and typed errors for misfits.
    @Test func deepTrainSaveEvalPlay() throws {
        let home = temporaryHome("rl-deep")
        defer { try? FileManager.default.removeItem(at: home) }
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let file = home.appendingPathComponent("ppo.safetensors").path
        let t = try swiftlearn(["rl", "train", "--algo", "ppo", "--env", "CartPole-v1", "--steps", "20000", "--seed", "1", "--save", file, "--json"], home: home)
        #expect(t.status == 0, "\(t.err)")
        let lines = t.out.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(lines.count > 10 && lines.allSatisfy { $0 != nil })
        let progress = try #require(lines.first ?? nil)
        #expect(progress["steps"] != nil && progress["approx_kl"] != nil && progress["learning_rate"] != nil)
        let last = try #require(lines.last ?? nil)
        #expect((last["mean_return"] as? Double ?? 0) > 100 && last["algo"] as? String == "ppo", "\(last)")
        let e = try swiftlearn(["rl", "eval", "--load", file, "--episodes", "5", "--json"], home: home)
        #expect(e.status == 0 && e.out.contains("\"algo\": \"ppo\"") && e.out.contains("CartPole-v1"), "\(e.err)")
        let p = try swiftlearn(["rl", "play", "--load", file, "--max-steps", "5"], home: home)
        #expect(p.status == 0 && p.out.contains("step 5"), "\(p.err)")
        let misfit = try swiftlearn(["rl", "eval", "--load", file, "--env", "Acrobot-v1", "--episodes", "1"], home: home)
        #expect(misfit.status == 1 && misfit.err.contains("acts in"), "\(misfit.err)")
        // Evaluations during training: a JSON line each, the best weights kept and named in the final object.
        let evals = try swiftlearn(["rl", "train", "--algo", "ppo", "--env", "Catch-v0", "--steps", "4096", "--eval-freq", "2048", "--json"], home: home)
        let objects = evals.out.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let evalLines = objects.filter { $0["eval_steps"] != nil }
        #expect(evals.status == 0 && evalLines.count == 2 && evalLines.first?["best"] as? Bool == true, "\(evals.err)")
        #expect(objects.last?["kept_eval_steps"] is Int, "\(objects.last ?? [:])")
        let unsupported = try swiftlearn(["rl", "train", "--algo", "dqn", "--env", "Pendulum-v1", "--steps", "10"], home: home)
        #expect(unsupported.status == 1 && unsupported.err.contains("discrete"), "\(unsupported.err)")
    }
}
