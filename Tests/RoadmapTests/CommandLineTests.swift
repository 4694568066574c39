import Foundation
import Testing
import Roadmap

/// The `swiftlearn` executable built beside the test bundle.
let swiftlearnBinary: URL? = {
    var candidates: [URL] = []
    if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
        candidates.append(URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("swiftlearn"))
    }
    candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("swiftlearn"))
    for config in ["release", "debug"] { candidates.append(repositoryRoot.appendingPathComponent(".build/\(config)/swiftlearn")) }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
}()

/// Runs `swiftlearn` with `arguments` and a private home; returns exit status, stdout and stderr.
func swiftlearn(_ arguments: [String], home: URL) throws -> (status: Int32, out: String, err: String) {
    let p = Process()
    p.executableURL = swiftlearnBinary!
    p.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["SWIFTLEARN_HOME"] = home.path
    p.environment = env
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

@Suite(.enabled(if: swiftlearnBinary != nil, "the swiftlearn executable is not built (swift build --build-tests builds it)"))
struct CommandLineTests {
    @Test(arguments: [
        (["progress", "mark", "linear-regresion"], "linear-regression"),
        (["progress", "review", "pca"], "--rate"),
        (["progress", "review", "pca", "--rate", "7"], "0…5"),
        (["progress", "log", "0", "note"], "positive"),
        (["progress", "log", "2"], "note"),
        (["progress", "plan", "--hours-per-week", "0"], "positive"),
        (["progress", "plan", "--hours-per-week", "5", "--track", "zero-to-heroo"], "zero-to-hero"),
        (["roadmap", "--markdown"], "--coverage"),
        (["roadmap", "--topic", "logistic-regresion"], "logistic-regression"),
        (["demo", "gan"], "no demo yet"),
        (["roadmap", "--phase", "clasical-ml"], "classical-ml"),
        (["demo", "k-meanz"], "k-means"),
        (["checkpoint", "iris-kmean"], "iris-kmeans"),
    ])
    func badArgumentsExit64WithAHelpfulMessage(_ args: [String], _ hint: String) throws {
        let home = temporaryHome("cli")
        defer { try? FileManager.default.removeItem(at: home) }
        let r = try swiftlearn(args, home: home)
        #expect(r.status == 64, "\(args): status \(r.status)")
        #expect(r.err.contains(hint), "\(args): \(r.err)")
        #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent(ProgressStore.fileName).path), "a rejected command must not create the store")
    }

    @Test func markShowExportImport() throws {
        let home = temporaryHome("cli-flow"), other = temporaryHome("cli-other")
        defer { try? FileManager.default.removeItem(at: home); try? FileManager.default.removeItem(at: other) }
        #expect(try swiftlearn(["progress", "mark", "pca", "k-means"], home: home).status == 0)
        #expect(try swiftlearn(["progress", "log", "1.5", "PCA on digits", "--topic", "pca"], home: home).status == 0)
        let show = try swiftlearn(["progress", "show", "--json"], home: home)
        #expect(show.status == 0)
        let lines = show.out.split(separator: "\n")
        #expect(lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil }, "every line is JSON")
        #expect(show.out.contains(#""learned": 2"#))
        let file = other.appendingPathComponent("export.json")
        #expect(try swiftlearn(["progress", "export", "--output", file.path], home: home).status == 0)
        #expect(try swiftlearn(["progress", "import", file.path], home: other).status == 0)
        let a = try ProgressStore(home: home).snapshot(at: day0), b = try ProgressStore(home: other).snapshot(at: day0)
        #expect(a.marks == b.marks && a.studyLog.map(\.note) == b.studyLog.map(\.note))
        // A malformed file: error, exit 1, nothing changed.
        let bad = other.appendingPathComponent("bad.json")
        try Data("{\"format\": \"swiftlearn-progress\", \"version\": 1".utf8).write(to: bad)
        let r = try swiftlearn(["progress", "import", bad.path, "--replace"], home: other)
        #expect(r.status == 1 && r.err.contains("nothing was changed"))
        #expect(try ProgressStore(home: other).snapshot(at: day0) == b)
    }

    @Test func foreignFileGivesAClearError() throws {
        let home = temporaryHome("cli-foreign")
        defer { try? FileManager.default.removeItem(at: home) }
        try Data("hello".utf8).write(to: home.appendingPathComponent(ProgressStore.fileName))
        let r = try swiftlearn(["progress", "show"], home: home)
        #expect(r.status == 1 && r.err.contains("not a SwiftLearn progress database"))
        #expect(try String(contentsOf: home.appendingPathComponent(ProgressStore.fileName), encoding: .utf8) == "hello")
    }

    @Test func coverageMarkdownAndJSONRoadmap() throws {
        let home = temporaryHome("cli-roadmap")
        defer { try? FileManager.default.removeItem(at: home) }
        let md = try swiftlearn(["roadmap", "--coverage", "--markdown"], home: home)
        #expect(md.status == 0 && md.out == Curriculum.standard.coverageMarkdown() + "\n")
        let tree = try swiftlearn(["roadmap", "--track", "mastery", "--json"], home: home)
        #expect(tree.status == 0)
        let objects = tree.out.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.count == tree.out.split(separator: "\n").count)
        #expect(objects.filter { $0["type"] as? String == "phase" }.count == RoadmapTrack.mastery.phases.count)
    }
}
