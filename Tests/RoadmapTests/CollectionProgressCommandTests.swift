import Foundation
import Testing
import Roadmap

/// Commands the README lists that had no test: `collection get|delete`, `progress
/// milestones|certificate|unmark`, through the built executable.
@Suite(.enabled(if: swiftlearnBinary != nil, "the swiftlearn executable is not built (swift build --build-tests builds it)"))
struct CollectionProgressCommandTests {
    static func lines(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }

    @Test func collectionGetAndDelete() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("coll-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let doc = home.appendingPathComponent("moons.txt"), other = home.appendingPathComponent("rings.txt")
        try "Jupiter has many moons. Ganymede is the largest.".write(to: doc, atomically: true, encoding: .utf8)
        try "Saturn's rings are ice.".write(to: other, atomically: true, encoding: .utf8)
        #expect(try swiftlearn(["collection", "create", "planets", "--home", home.path], home: home).status == 0)
        #expect(try swiftlearn(["collection", "add", "planets", doc.path, other.path, "--home", home.path], home: home).status == 0)
        let got = try swiftlearn(["collection", "get", "planets", "moons.txt", "--home", home.path], home: home)
        #expect(got.status == 0 && got.out.contains("Ganymede is the largest."), "\(got)")
        let missing = try swiftlearn(["collection", "get", "planets", "pluto.txt", "--home", home.path], home: home)
        #expect(missing.status == 1 && missing.err.contains("pluto.txt"), "\(missing)")
        // Delete one document, then the collection.
        #expect(try swiftlearn(["collection", "delete", "planets", "--document", "moons.txt", "--home", home.path], home: home).status == 0)
        #expect(try swiftlearn(["collection", "get", "planets", "moons.txt", "--home", home.path], home: home).status == 1)
        #expect(try swiftlearn(["collection", "get", "planets", "rings.txt", "--home", home.path], home: home).status == 0)
        #expect(try swiftlearn(["collection", "delete", "planets", "--home", home.path], home: home).status == 0)
        let gone = try swiftlearn(["collection", "delete", "planets", "--home", home.path], home: home)
        #expect(gone.status == 1 && gone.err.contains("planets"), "\(gone)")
        #expect(try swiftlearn(["collection", "list", "--home", home.path], home: home).out.contains("planets") == false)
    }

    @Test func milestonesCertificateAndUnmark() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("prog-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
            try swiftlearn(["progress"] + args + ["--home", home.path], home: home)
        }
        #expect(try run(["mark", "linear-regression"]).status == 0)
        let milestones = Self.lines(try run(["milestones", "--json"]).out)
        let foundations = try #require(milestones.first { $0["milestone"] as? String == "ml-foundations" })
        let missing = foundations["missing_topics"] as? [String] ?? []
        #expect(!missing.contains("linear-regression") && missing.contains("logistic-regression"), "\(missing)")
        #expect((foundations["fraction"] as? Double).map { $0 > 0 && $0 < 1 } == true && foundations["reached"] as? Bool == false)
        let certificate = Self.lines(try run(["certificate", "--json"]).out).first
        #expect(certificate?["next"] as? String == "ml-foundations" && certificate?["level"] as? String == "", "\(String(describing: certificate))")
        let unmark = try run(["unmark", "linear-regression"])
        #expect(unmark.status == 0 && unmark.out.contains("unmarked"))
        let again = try run(["unmark", "linear-regression"])
        #expect(again.status == 0 && again.out.contains("was not marked"))
        let after = Self.lines(try run(["milestones", "--json"]).out).first { $0["milestone"] as? String == "ml-foundations" }
        #expect((after?["missing_topics"] as? [String])?.contains("linear-regression") == true)
        #expect(try run(["unmark", "no-such-topic"]).status == 64)
    }
}
