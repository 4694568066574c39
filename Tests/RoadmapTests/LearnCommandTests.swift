import Foundation
import Testing
import Roadmap

/// `swiftlearn learn …` and `info` through the built executable: the family of a model follows
/// the target, bad values are refused with the limit or the file line, and the listings work.
@Suite(.enabled(if: swiftlearnBinary != nil, "the swiftlearn executable is not built (swift build --build-tests builds it)"))
struct LearnCommandTests {
    static let data = repositoryRoot.appendingPathComponent("Sources/Datasets/Data")

    static func json(_ text: String) -> [String: Any]? {
        guard let line = text.split(separator: "\n").last else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }

    /// `--model random-forest` on a regression target fits the regressor (and `svr` on classes
    /// the classifier), saying which was asked for; a model with no twin is still refused.
    @Test func modelFamilyFollowsTheTarget() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("learn-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let diabetes = Self.data.appendingPathComponent("diabetes.csv").path, iris = Self.data.appendingPathComponent("iris.csv").path
        let forest = try swiftlearn(["learn", "fit", "--model", "random-forest", "--train", diabetes, "--target", "target",
                                     "--set", "n_estimators=10", "--seed", "0", "--json"], home: home)
        #expect(forest.status == 0, "\(forest.err)")
        let f = Self.json(forest.out)
        #expect(f?["model"] as? String == "random-forest-regressor" && f?["requested_model"] as? String == "random-forest", "\(forest.out)")
        #expect(f?["task"] as? String == "regression" && (f?["r2"] as? Double).map { $0 > 0.2 } == true, "\(forest.out)")
        let svr = try swiftlearn(["learn", "fit", "--model", "svr", "--train", iris, "--target", "target", "--json"], home: home)
        #expect(svr.status == 0, "\(svr.err)")
        #expect(Self.json(svr.out)?["model"] as? String == "svc", "\(svr.out)")
        let noTwin = try swiftlearn(["learn", "fit", "--model", "logistic-regression", "--train", diabetes, "--target", "target"], home: home)
        #expect(noTwin.status == 64 && noTwin.err.contains("not a regressor"), "\(noTwin)")
        // The usage shown is the subcommand's, not the root's "swiftlearn <subcommand>".
        #expect(noTwin.err.contains("Usage: swiftlearn learn fit") && noTwin.err.contains("See 'swiftlearn learn fit --help'"), "\(noTwin.err)")
    }

    @Test func sizesSeedsAndInfiniteCellsAreRefusedWithTheReason() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("learn-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let iris = Self.data.appendingPathComponent("iris.csv").path
        for (setting, reason) in [("n_estimators=1e12", "at most 100000"), ("random_state=-1", "[0, 4294967295]")] {
            let r = try swiftlearn(["learn", "fit", "--model", "random-forest", "--train", iris, "--target", "target", "--set", setting], home: home)
            #expect(r.status == 1 || r.status == 64, "\(setting): exit \(r.status)")
            #expect((r.err + r.out).contains(reason), "\(setting): \(r.err)")
        }
        let csv = home.appendingPathComponent("big.csv")
        try "a,b,label\n1,2,0\n3,4,1\n1e400,5,0\n6,7,1\n2,2,0\n3,3,1\n4,4,0\n5,5,1\n".write(to: csv, atomically: true, encoding: .utf8)
        let r = try swiftlearn(["learn", "fit", "--model", "logistic-regression", "--train", csv.path, "--target", "label",
                                "--test", csv.path], home: home)
        #expect(r.status == 1, "exit \(r.status): \(r.err)")
        #expect(r.err.contains("\(csv.path) line 4, column 'a'") && r.err.contains("inf"), "\(r.err)")
    }

    @Test func listingsAndInfo() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("learn-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let models = try swiftlearn(["learn", "models"], home: home)
        #expect(models.status == 0)
        let lines = models.out.split(separator: "\n")
        #expect(lines.count >= 40)
        #expect(lines.contains { $0.hasPrefix("random-forest-regressor") && $0.contains("regressor") && $0.contains("n_estimators=100") })
        #expect(lines.contains { $0.hasPrefix("kmeans") && $0.contains("clustering") })
        let info = try swiftlearn(["info", "--json"], home: home)
        #expect(info.status == 0)
        let facts = Self.json(info.out)
        #expect(facts != nil && !(facts?.isEmpty ?? true), "\(info.out)")
    }
}
