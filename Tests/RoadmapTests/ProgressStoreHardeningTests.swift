import Foundation
import GRDB
import Testing
import Roadmap

/// Collects values from several threads.
final class LockedList<T>: @unchecked Sendable {
    private var items: [T] = []
    private let lock = NSLock()
    func append(_ x: T) { lock.lock(); items.append(x); lock.unlock() }
    var all: [T] { lock.lock(); defer { lock.unlock() }; return items }
}

/// Writes rows straight into a store's database with SQL, CHECK constraints off: what an older
/// version, a bad import or another program may have left there.
func insertRaw(_ home: URL, _ sql: String) throws {
    let q = try DatabaseQueue(path: home.appendingPathComponent(ProgressStore.fileName).path)
    try q.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA ignore_check_constraints = ON; " + sql) }
    try q.close()
}

/// Rows no command can use; `badRowsExpected` lists them as (table, field) in the order reading meets them.
let badRowsSQL = """
    INSERT INTO study_log (logged_at, hours, note) VALUES ('20260-01-01 00:00:00.000', 1, 'year 20260');
    INSERT INTO study_log (logged_at, hours, note) VALUES ('2026-01-02 00:00:00.000', 1e308, 'huge hours');
    INSERT INTO study_log (logged_at, hours, note) VALUES ('2026-01-02 00:00:00.000', 9e999, 'infinite hours');
    INSERT INTO study_log (logged_at, hours, note) VALUES ('2026-01-02 00:00:00.000', -3, 'negative hours');
    INSERT INTO study_log (logged_at, hours, note) VALUES ('2026-01-02 00:00:00.000', 1, x'00ff');
    INSERT INTO topic_mark (topic_id, learned_at) VALUES ('k-means', 'yesterday');
    INSERT INTO review (topic_id, reviewed_at, rating) VALUES ('svm', '2026-01-03 00:00:00.000', 2.5);
    INSERT INTO review (topic_id, reviewed_at, rating) VALUES ('svm', '2026-01-03 00:00:00.000', 9);
    INSERT INTO review (topic_id, reviewed_at, rating) VALUES ('svm', '1900-01-01 00:00:00.000', 4);
    INSERT INTO checkpoint_result (checkpoint_id, run_at, passed, score, detail) VALUES ('iris-kmeans', '2026-01-03 00:00:00.000', 'yes', 0.5, 'x');
    INSERT INTO checkpoint_result (checkpoint_id, run_at, passed, score, detail) VALUES ('iris-kmeans', '2026-01-03 00:00:00.000', 1, 'high', 'x');
    """
let badRowsExpected: [(String, String)] = [
    ("topic_mark", "learned_at"), ("study_log", "hours"), ("study_log", "hours"), ("study_log", "hours"), ("study_log", "note"), ("study_log", "logged_at"),
    ("review", "reviewed_at"), ("review", "rating"), ("review", "rating"), ("checkpoint_result", "passed"), ("checkpoint_result", "score"),
]

@Suite struct ProgressStoreHardeningTests {
    func goodStore(_ home: URL) throws -> ProgressStore {
        let store = try ProgressStore(home: home)
        try store.mark("pca", at: day0)
        try store.log(hours: 2, note: "good", topicID: "pca", at: day0)
        try store.recordReview("pca", rating: 4, at: days(1))
        try store.recordCheckpoint(CheckpointRecord(checkpointID: "iris-kmeans", runAt: days(1), passed: true, score: 0.7, detail: "ok"))
        return store
    }

    @Test func outOfRangeWritesAreRefusedNamingFieldAndRecord() throws {
        let home = temporaryHome()
        defer { try? FileManager.default.removeItem(at: home) }
        let store = try goodStore(home)
        let before = try store.snapshot(at: day0)
        let year20260 = Date(timeIntervalSince1970: 576_000_000_000)
        func refused(_ field: String, _ body: () throws -> Void) {
            do { try body(); Issue.record("\(field): accepted") } catch let e as RoadmapError {
                guard case .invalidRecord(_, let f, _, _) = e else { Issue.record("\(field): wrong error \(e)"); return }
                #expect(f == field)
                #expect(e.description.contains("nothing was changed"))
            } catch { Issue.record("\(field): \(error)") }
        }
        refused("loggedAt") { try store.log(hours: 1, note: "x", at: year20260) }
        refused("hours") { try store.log(hours: 1e308, note: "x", at: day0) }
        refused("hours") { try store.log(hours: -.infinity, note: "x", at: day0) }
        refused("learnedAt") { try store.mark("svm", at: Date(timeIntervalSince1970: -86_400)) }
        refused("rating") { try store.recordReview("pca", rating: 6, at: day0) }
        refused("reviewedAt") { try store.recordReview("pca", rating: 3, at: year20260) }
        refused("score") { try store.recordCheckpoint(CheckpointRecord(checkpointID: "iris-kmeans", runAt: day0, passed: true, score: .infinity, detail: "x")) }
        var bad = before
        bad.studyLog.append(StudyLogEntry(loggedAt: day0, hours: 1e308, note: "imported"))
        do { try store.importSnapshot(bad, replace: true); Issue.record("accepted") } catch let e as RoadmapError {
            #expect(e == .invalidRecord(record: "studyLog[1] ('imported')", field: "hours", value: "1e+308", allowed: ProgressLimits.hoursAllowed))
        }
        bad = before
        bad.marks[0].learnedAt = year20260
        #expect(throws: RoadmapError.self) { try store.importSnapshot(bad, replace: false) }
        #expect(try store.snapshot(at: day0) == before)
        // The same through JSON.
        let json = #"{"format": "swiftlearn-progress", "version": 1, "exportedAt": "2026-01-01T00:00:00Z", "marks": [], "studyLog": [{"loggedAt": "2026-01-01T00:00:00Z", "hours": 1e308, "note": "x"}], "reviews": [], "checkpoints": []}"#
        #expect(throws: RoadmapError.invalidRecord(record: "studyLog[0] ('x')", field: "hours", value: "1e+308", allowed: ProgressLimits.hoursAllowed)) {
            try ProgressSnapshot.decode(Data(json.utf8))
        }
        let old = json.replacingOccurrences(of: "1e308", with: "1").replacingOccurrences(of: "\"loggedAt\": \"2026", with: "\"loggedAt\": \"1969")
        #expect(throws: RoadmapError.self) { try ProgressSnapshot.decode(Data(old.utf8)) }
    }

    @Test func unusableRowsAreSkippedReportedAndRepaired() throws {
        let home = temporaryHome()
        defer { try? FileManager.default.removeItem(at: home) }
        let store = try goodStore(home)
        let good = try store.snapshot(at: day0)
        try insertRaw(home, badRowsSQL)
        let reading = try store.reading(at: day0)
        #expect(reading.snapshot == good, "the usable rows are all there, the unusable ones skipped")
        #expect(reading.issues.map { [$0.table, $0.field] } == badRowsExpected.map { [$0.0, $0.1] })
        #expect(reading.issues.contains { $0.value.contains("20260-01-01") && $0.description.contains("study_log row") })
        // Everything that reads works: export round-trips, the schedule computes.
        let decoded = try ProgressSnapshot.decode(try reading.snapshot.jsonData())
        #expect(decoded.studyLog.map(\.note) == ["good"])
        _ = ReviewScheduler.due(marks: reading.snapshot.marks, reviews: reading.snapshot.reviews, now: days(400))
        // Read-only opening reports the same rows.
        #expect(try ProgressStore.openExisting(home: home, readOnly: true)?.reading(at: day0).issues == reading.issues)
        let repaired = try store.repair()
        #expect(repaired == reading.issues)
        #expect(try store.reading(at: day0).issues.isEmpty)
        #expect(try store.snapshot(at: day0) == good)
        #expect(try store.repair().isEmpty)
    }

    @Test func manyGoodReviewsDoNotOverflowTheSchedule() {
        let reviews = (1...400).map { ReviewRecord(topicID: "pca", reviewedAt: days(Double($0)), rating: 5) }
        let s = ReviewScheduler.state(learnedAt: day0, reviews: reviews)
        #expect(s.intervalDays == ReviewScheduler.maximumIntervalDays)
        #expect(s.due > days(400))
    }

    /// The old import ran one `SELECT EXISTS` scan per entry: 20,000 entries took ~90 s (measured with the
    /// same SQL), 100,000 would take over half an hour. The set-based import takes seconds.
    @Test func largeImportIsLinear() throws {
        let home = temporaryHome()
        defer { try? FileManager.default.removeItem(at: home) }
        let store = try ProgressStore(home: home)
        let n = 100_000
        let entries = (0..<n).map { StudyLogEntry(loggedAt: day0.addingTimeInterval(Double($0 % 86_400)), hours: 0.5, note: "entry \($0)") }
        let snapshot = ProgressSnapshot(exportedAt: day0, marks: [], studyLog: entries, reviews: [], checkpoints: [])
        var clock = ContinuousClock.now
        try store.importSnapshot(snapshot, replace: false)
        let first = ContinuousClock.now - clock
        clock = .now
        try store.importSnapshot(snapshot, replace: false)  // all duplicates: nothing added
        let second = ContinuousClock.now - clock
        #expect(try store.studyLogIDs().count == n)
        #expect(first < .seconds(30) && second < .seconds(30), "import of \(n) entries: \(first), again: \(second)")
        print("import of \(n) log entries: \(first); importing them again (all duplicates): \(second)")
    }

    @Test func concurrentFirstOpenersLoseNoMark() throws {
        let topics = Array(Curriculum.standard.topics.prefix(10).map(\.id))
        for round in 0..<20 {
            let home = temporaryHome("concurrent\(round)")
            defer { try? FileManager.default.removeItem(at: home) }
            let errors = LockedList<String>()
            let group = DispatchGroup()
            let start = DispatchSemaphore(value: 0)
            for topic in topics {
                group.enter()
                let thread = Thread {
                    defer { group.leave() }
                    start.wait()
                    do { try ProgressStore(home: home).mark(topic, at: day0) } catch { errors.append("\(topic): \(error)") }
                }
                thread.start()
            }
            for _ in topics { start.signal() }
            group.wait()
            #expect(errors.all.isEmpty, "round \(round): \(errors.all)")
            #expect(Set(try ProgressStore(home: home).snapshot().marks.map(\.topicID)) == Set(topics), "round \(round)")
        }
    }

    @Test func readOnlyOpenReadsAndRefusesWrites() throws {
        let home = temporaryHome()
        defer { try? FileManager.default.removeItem(at: home) }
        #expect(try ProgressStore.openExisting(home: home, readOnly: true) == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: home.path).isEmpty, "a read-only open creates nothing")
        let good = try goodStore(home).snapshot(at: day0)
        let file = home.appendingPathComponent(ProgressStore.fileName)
        try FileManager.default.removeItem(atPath: file.path + ".lock")
        let bytes = try Data(contentsOf: file)
        let store = try #require(try ProgressStore.openExisting(home: home, readOnly: true))
        #expect(store.isReadOnly)
        #expect(try store.snapshot(at: day0) == good)
        #expect(throws: RoadmapError.readOnly(folder: home.path)) { try store.mark("svm", at: day0) }
        #expect(throws: RoadmapError.readOnly(folder: home.path)) { try store.repair() }
        #expect(RoadmapError.readOnly(folder: home.path).description.contains(home.path))
        try store.close()
        #expect(try Data(contentsOf: file) == bytes, "a read-only open leaves the database as it was")
        #expect(!FileManager.default.fileExists(atPath: file.path + ".lock"), "a read-only open takes no lock (it may not create files)")
    }
}
