import Foundation
import Testing
import Roadmap
import TestSupport

/// The `swiftlearn` executable built beside the test bundle.
let swiftlearnBinary: URL? = builtSwiftlearnBinary

/// Runs `swiftlearn` with `arguments`, a private home and empty standard input; returns exit
/// status, stdout and stderr.
func swiftlearn(_ arguments: [String], home: URL) throws -> (status: Int32, out: String, err: String) {
    try swiftlearn(arguments, input: Data(), home: home)
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
        (["progress", "log", "1", "note", "--date", "20260-01-01"], "1970-01-01 to 9999-12-31"),
        (["progress", "plan", "--hours-per-week", "5", "--start", "1900-01-01"], "1970-01-01 to 9999-12-31"),
        (["progress", "plan", "--hours-per-week", "5", "--track", "zero-to-heroo"], "zero-to-hero"),
        (["roadmap", "--markdown"], "--coverage"),
        (["roadmap", "--topic", "logistic-regresion"], "logistic-regression"),
        (["demo", "stylegan"], "no demo yet"),
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

    @Test func unusableRowsAreSkippedByReadersAndRepairedByDoctor() throws {
        let home = temporaryHome("cli-bad-rows")
        defer { try? FileManager.default.removeItem(at: home) }
        #expect(try swiftlearn(["progress", "log", "1.5", "good entry"], home: home).status == 0)
        try insertRaw(home, badRowsSQL)
        for command in [["progress", "show"], ["progress", "review", "--all"], ["progress", "log"], ["progress", "export"], ["progress", "milestones"]] {
            let r = try swiftlearn(command, home: home)
            #expect(r.status == 0, "\(command): \(r.err)")
            #expect(r.err.contains("skipped \(badRowsExpected.count) unusable rows") && r.err.contains("doctor --repair"), "\(command): \(r.err)")
        }
        let export = try swiftlearn(["progress", "export"], home: home)
        #expect(try ProgressSnapshot.decode(Data(export.out.utf8)).studyLog.map(\.note) == ["good entry"])
        let doctor = try swiftlearn(["progress", "doctor", "--json"], home: home)
        #expect(doctor.status == 1)
        let unusable = doctor.out.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.filter { $0["type"] as? String == "unusable" }
        #expect(unusable.map { "\($0["table"] ?? "").\($0["field"] ?? "")" } == badRowsExpected.map { "\($0.0).\($0.1)" })
        #expect(doctor.out.contains("20260-01-01") && doctor.out.contains("1e+308"))
        let repair = try swiftlearn(["progress", "doctor", "--repair"], home: home)
        #expect(repair.status == 0 && repair.out.contains("deleting the \(badRowsExpected.count) unusable rows"), "\(repair.out)\(repair.err)")
        let after = try swiftlearn(["progress", "show"], home: home)
        #expect(after.status == 0 && after.err.isEmpty && after.out.contains("1.5 h logged in 1 entries"))
        #expect(try swiftlearn(["progress", "doctor"], home: home).status == 0)
    }

    @Test func importOutOfRangeNamesFieldAndRecord() throws {
        let home = temporaryHome("cli-import-range")
        defer { try? FileManager.default.removeItem(at: home) }
        let file = home.appendingPathComponent("in.json")
        try Data(#"{"format": "swiftlearn-progress", "version": 1, "exportedAt": "2026-01-01T00:00:00Z", "marks": [], "studyLog": [{"loggedAt": "2026-01-01T00:00:00Z", "hours": 1e308, "note": "x"}], "reviews": [], "checkpoints": []}"#.utf8).write(to: file)
        let r = try swiftlearn(["progress", "import", file.path], home: home)
        #expect(r.status == 1 && r.err.contains("hours") && r.err.contains("studyLog[0]") && r.err.contains("nothing was changed"), "\(r.err)")
        #expect(!r.err.contains("DecodingError") && !r.err.contains("NSCocoaErrorDomain"))
    }

    /// Eight `swiftlearn progress mark` processes on a fresh home, ten times: every mark is kept.
    @Test func concurrentFirstMarksByProcessesAllLand() throws {
        let topics = Array(Curriculum.standard.topics.prefix(8).map(\.id))
        for round in 0..<10 {
            let home = temporaryHome("cli-concurrent\(round)")
            defer { try? FileManager.default.removeItem(at: home) }
            let processes = try topics.map { topic -> Process in
                let p = Process()
                p.executableURL = swiftlearnBinary!
                p.arguments = ["progress", "mark", topic, "--home", home.path]
                p.standardOutput = FileHandle.nullDevice
                p.standardError = FileHandle.nullDevice
                try p.run()
                return p
            }
            for p in processes { p.waitUntilExit() }
            #expect(processes.allSatisfy { $0.terminationStatus == 0 }, "round \(round): \(processes.map(\.terminationStatus))")
            #expect(Set(try ProgressStore(home: home).snapshot().marks.map(\.topicID)) == Set(topics), "round \(round)")
        }
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
