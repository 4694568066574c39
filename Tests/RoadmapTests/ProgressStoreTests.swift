import Foundation
import GRDB
import Testing
import Roadmap

/// A fresh temporary folder, removed by the caller.
func temporaryHome(_ name: String = #function) -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("roadmap-tests-\(name.filter(\.isLetter))-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite struct ProgressStoreTests {
    @Test func migrationsCreateTheSchema() throws {
        let home = temporaryHome()
        defer { try? FileManager.default.removeItem(at: home) }
        let store = try ProgressStore(home: home)
        let reader = try DatabaseQueue(path: store.path.path)
        let (tables, appID, migrations, journal) = try reader.read { db in
            (try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"),
             try Int32.fetchOne(db, sql: "PRAGMA application_id"), try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"),
             try String.fetchOne(db, sql: "PRAGMA journal_mode"))
        }
        try reader.close()
        #expect(tables == ["checkpoint_result", "grdb_migrations", "review", "study_log", "topic_mark"])
        #expect(appID == ProgressStore.applicationID)
        #expect(migrations == ["v1"])
        #expect(journal == "wal")
        // Reopening migrates nothing and keeps data.
        try store.mark("pca", at: day0)
        let again = try ProgressStore(home: home)
        #expect(try again.snapshot().marks.map(\.topicID) == ["pca"])
    }

    @Test func marksLogReviewsCheckpoints() throws {
        let home = temporaryHome()
        defer { try? FileManager.default.removeItem(at: home) }
        let store = try ProgressStore(home: home)
        #expect(try store.mark("pca", at: day0.addingTimeInterval(0.7), note: "done"))
        #expect(try store.mark("pca", at: days(3)) == false)
        try store.mark("svm", at: days(1))
        let entry = try store.log(hours: 1.5, note: "kernels", topicID: "svm", at: days(1))
        #expect(entry.id != nil)
        #expect(throws: RoadmapError.self) { try store.log(hours: 0, note: "x", at: day0) }
        #expect(throws: RoadmapError.self) { try store.log(hours: .nan, note: "x", at: day0) }
        try store.recordReview("pca", rating: 4, at: days(1))
        #expect(throws: RoadmapError.self) { try store.recordReview("pca", rating: 6, at: days(1)) }
        try store.recordCheckpoint(CheckpointRecord(checkpointID: "iris-kmeans", runAt: days(2), passed: true, score: 0.73, detail: "ok"))
        var s = try store.snapshot()
        #expect(s.marks == [TopicMark(topicID: "pca", learnedAt: day0, note: "done"), TopicMark(topicID: "svm", learnedAt: days(1))])
        #expect(s.studyLog.map(\.hours) == [1.5])
        #expect(s.reviews == [ReviewRecord(topicID: "pca", reviewedAt: days(1), rating: 4)])
        #expect(s.checkpoints.first?.score == 0.73)
        #expect(try store.unmark("pca"))
        #expect(try store.unmark("pca") == false)
        s = try store.snapshot()
        #expect(s.marks.map(\.topicID) == ["svm"] && s.reviews.isEmpty)
        #expect(try store.mark(["svm", "dbscan", "t-sne"], at: days(4)) == [false, true, true])
        #expect(try store.unmark(["dbscan", "gan"]) == [true, false])
        #expect(try store.snapshot().marks.map(\.topicID) == ["svm", "t-sne"])
        #expect(try store.integrityCheck() == ["ok"])
    }

    @Test func twoWritersAtOnceLoseNothing() async throws {
        let home = temporaryHome()
        defer { try? FileManager.default.removeItem(at: home) }
        let a = try ProgressStore(home: home), b = try ProgressStore(home: home)  // two connection pools, as two processes would have
        await withTaskGroup(of: Void.self) { group in
            for (name, store) in [("a", a), ("b", b)] {
                group.addTask {
                    for i in 0..<150 {
                        _ = try? store.log(hours: 0.5, note: "\(name)\(i)", at: day0)
                        if i % 10 == 0 { _ = try? store.mark("pca", at: day0) }
                    }
                }
            }
        }
        let s = try a.snapshot()
        #expect(s.studyLog.count == 300)
        #expect(Set(s.studyLog.map(\.note)).count == 300)
        #expect(s.marks.count == 1)
        #expect(try b.integrityCheck() == ["ok"])
    }

    @Test func textFileIsRefusedAndLeftAlone() throws {
        let home = temporaryHome()
        defer { try? FileManager.default.removeItem(at: home) }
        let file = home.appendingPathComponent(ProgressStore.fileName)
        let text = Data("these are my notes, not a database\n".utf8)
        try text.write(to: file)
        #expect(throws: RoadmapError.notAProgressDatabase(path: file.path, reason: "not a SQLite file")) { try ProgressStore(home: home) }
        #expect(try Data(contentsOf: file) == text)
    }

    @Test func foreignSQLiteIsRefusedAndLeftAlone() throws {
        let home = temporaryHome()
        defer { try? FileManager.default.removeItem(at: home) }
        let file = home.appendingPathComponent(ProgressStore.fileName)
        let other = try DatabaseQueue(path: file.path)
        try other.write { db in
            try db.execute(sql: "CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('Ada')")
        }
        try other.close()
        let before = try Data(contentsOf: file)
        do {
            _ = try ProgressStore(home: home)
            Issue.record("a foreign database was opened")
        } catch let e as RoadmapError {
            guard case .foreignDatabase(_, let reason) = e else { Issue.record("wrong error \(e)"); return }
            #expect(reason.contains("contacts"))
            #expect(e.description.contains("left untouched"))
        }
        #expect(try Data(contentsOf: file) == before)
        let wal = (try? Data(contentsOf: URL(fileURLWithPath: file.path + "-wal"))) ?? Data()
        #expect(wal.isEmpty, "nothing may be written to a foreign database")
        // Another application's id is refused as well.
        let tagged = home.appendingPathComponent("tagged.sqlite")
        let q = try DatabaseQueue(path: tagged.path)
        try q.write { db in try db.execute(sql: "PRAGMA application_id = 42; CREATE TABLE t (x)") }
        try q.close()
        #expect(throws: RoadmapError.self) { try ProgressStore(path: tagged) }
    }

    @Test func damagedDatabaseIsRefused() throws {
        let home = temporaryHome()
        defer { try? FileManager.default.removeItem(at: home) }
        let store = try ProgressStore(home: home)
        for i in 0..<200 { try store.log(hours: 1, note: String(repeating: "x", count: 200) + "\(i)", at: day0) }
        try store.close()
        let file = home.appendingPathComponent(ProgressStore.fileName)
        var bytes = try Data(contentsOf: file)
        // Keep the 100-byte header, scribble over the schema page and a data page.
        for i in 100..<Swift.min(bytes.count, 9000) { bytes[i] = UInt8(truncatingIfNeeded: i &* 7) }
        try bytes.write(to: file)
        do {
            _ = try ProgressStore(home: home)
            Issue.record("a damaged database was opened")
        } catch let e as RoadmapError {
            guard case .notAProgressDatabase = e else { Issue.record("wrong error \(e)"); return }
        }
        #expect(try Data(contentsOf: file) == bytes)
    }

    @Test func newerSchemaIsRefused() throws {
        let home = temporaryHome()
        defer { try? FileManager.default.removeItem(at: home) }
        try ProgressStore(home: home).close()
        let writer = try DatabaseQueue(path: home.appendingPathComponent(ProgressStore.fileName).path)
        try writer.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99')") }
        try writer.close()
        #expect(throws: RoadmapError.newerDatabase(path: home.appendingPathComponent(ProgressStore.fileName).path, migrations: ["v99"])) { try ProgressStore(home: home) }
    }

    @Test func homeFolderResolution() {
        #expect(ProgressStore.home(override: "/tmp/x", environment: ["SWIFTLEARN_HOME": "/tmp/y"]).path == "/tmp/x")
        #expect(ProgressStore.home(override: nil, environment: ["SWIFTLEARN_HOME": "/tmp/y"]).path == "/tmp/y")
        #expect(ProgressStore.home(override: nil, environment: [:]).lastPathComponent == ".swiftlearn")
    }

    @Test func openExistingCreatesNothing() throws {
        let home = temporaryHome()
        defer { try? FileManager.default.removeItem(at: home) }
        #expect(try ProgressStore.openExisting(home: home) == nil)
        #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent(ProgressStore.fileName).path))
    }
}

@Suite struct ExportImportTests {
    func filledStore(_ home: URL) throws -> ProgressStore {
        let store = try ProgressStore(home: home)
        try store.mark("pca", at: day0, note: "first")
        try store.mark("svm", at: days(2))
        try store.log(hours: 2, note: "read about PCA", topicID: "pca", at: day0)
        try store.log(hours: 0.5, note: "quiz", at: days(1))
        try store.recordReview("pca", rating: 5, at: days(1))
        try store.recordCheckpoint(CheckpointRecord(checkpointID: "iris-kmeans", runAt: days(2), passed: true, score: 0.73, detail: "ARI 0.73"))
        return store
    }

    func stripIDs(_ s: ProgressSnapshot) -> ProgressSnapshot {
        var c = s
        c.studyLog = c.studyLog.map { var e = $0; e.id = nil; return e }
        return c
    }

    @Test func roundTrip() throws {
        let a = temporaryHome("a"), b = temporaryHome("b")
        defer { try? FileManager.default.removeItem(at: a); try? FileManager.default.removeItem(at: b) }
        let original = try filledStore(a).snapshot(at: days(5))
        let data = try original.jsonData()
        let decoded = try ProgressSnapshot.decode(data)
        #expect(decoded == stripIDs(original))
        let other = try ProgressStore(home: b)
        try other.importSnapshot(decoded, replace: false)
        #expect(stripIDs(try other.snapshot(at: days(5))) == stripIDs(original))
        // Importing again merges to the same content.
        try other.importSnapshot(decoded, replace: false)
        #expect(stripIDs(try other.snapshot(at: days(5))) == stripIDs(original))
    }

    @Test func replaceEmptiesFirstAndMergeKeepsEarlierMark() throws {
        let home = temporaryHome()
        defer { try? FileManager.default.removeItem(at: home) }
        let store = try filledStore(home)
        var incoming = ProgressSnapshot(exportedAt: day0, marks: [TopicMark(topicID: "pca", learnedAt: days(-10)), TopicMark(topicID: "dbscan", learnedAt: day0)],
                                        studyLog: [], reviews: [], checkpoints: [])
        try store.importSnapshot(incoming, replace: false)
        var s = try store.snapshot()
        #expect(s.marks.first { $0.topicID == "pca" }?.learnedAt == days(-10))
        #expect(s.marks.count == 3 && s.studyLog.count == 2)
        incoming.marks = [TopicMark(topicID: "dbscan", learnedAt: day0)]
        try store.importSnapshot(incoming, replace: true)
        s = try store.snapshot()
        #expect(s.marks.map(\.topicID) == ["dbscan"] && s.studyLog.isEmpty && s.checkpoints.isEmpty)
    }

    @Test(arguments: [
        "not json at all",
        "{}",
        #"{"format": "other-app", "version": 1, "exportedAt": "2026-01-01T00:00:00Z", "marks": [], "studyLog": [], "reviews": [], "checkpoints": []}"#,
        #"{"format": "swiftlearn-progress", "version": 2, "exportedAt": "2026-01-01T00:00:00Z", "marks": [], "studyLog": [], "reviews": [], "checkpoints": []}"#,
        #"{"format": "swiftlearn-progress", "version": 1, "exportedAt": "2026-01-01T00:00:00Z", "marks": [{"topicID": "no-such-topic", "learnedAt": "2026-01-01T00:00:00Z"}], "studyLog": [], "reviews": [], "checkpoints": []}"#,
        #"{"format": "swiftlearn-progress", "version": 1, "exportedAt": "2026-01-01T00:00:00Z", "marks": [], "studyLog": [], "reviews": [{"topicID": "pca", "reviewedAt": "2026-01-01T00:00:00Z", "rating": 9}], "checkpoints": []}"#,
        #"{"format": "swiftlearn-progress", "version": 1, "exportedAt": "2026-01-01T00:00:00Z", "marks": [], "studyLog": [{"loggedAt": "2026-01-01T00:00:00Z", "hours": -1, "note": "x"}], "reviews": [], "checkpoints": []}"#,
        #"{"format": "swiftlearn-progress", "version": 1, "exportedAt": "yesterday", "marks": [], "studyLog": [], "reviews": [], "checkpoints": []}"#,
        #"{"format": "swiftlearn-progress", "version": 1, "exportedAt": "2026-01-01T00:00:00Z", "marks": [{"topicID": "pca", "learnedAt": "2026-01-01T00:00:00Z"}, {"topicID": "pca", "learnedAt": "2026-01-02T00:00:00Z"}], "studyLog": [], "reviews": [], "checkpoints": []}"#,
    ])
    func malformedImportChangesNothing(_ json: String) throws {
        let home = temporaryHome()
        defer { try? FileManager.default.removeItem(at: home) }
        let store = try filledStore(home)
        let before = try store.snapshot(at: day0)
        #expect(throws: RoadmapError.self) {
            let s = try ProgressSnapshot.decode(Data(json.utf8))
            try store.importSnapshot(s, replace: true)
        }
        #expect(try store.snapshot(at: day0) == before)
    }
}
