import APIClient
import Foundation
import GRDB

/// A task waiting to run in a checkpoint's next step: a node, and a `Send`'s input when it has one.
public struct PendingTask: Sendable, Equatable, Codable {
    public var id: String
    public var node: String
    public var input: JSONValue?
}

/// What one task of a step produced, saved as soon as it finishes (LangGraph's pending writes):
/// a step cut short by an interrupt, an error or a crash resumes without running finished tasks again.
public struct TaskWrites: Sendable, Equatable, Codable {
    public var taskID: String
    public var node: String
    public var update: [String: JSONValue] = [:]
    public var goto: [GraphTarget] = []
    /// The value of the last interrupt the task raised (kept once answered, as LangGraph does).
    public var interrupt: JSONValue?
    /// True while that interrupt waits for a resume value.
    public var waiting = false
    /// Values given by resumes, consumed in order by the task's `interrupt` calls.
    public var resumes: [JSONValue] = []
    /// True when the task finished and `update`/`goto` are its result.
    public var done = false
}

/// The state of a thread after one step (LangGraph's checkpoint and its metadata).
public struct Checkpoint: Sendable, Equatable, Codable {
    public var id: String
    public var parentID: String?
    /// -1 for the input, then one per super-step.
    public var step: Int
    /// "input", "loop" (a step ran), "update" (``CompiledGraph/updateState(thread:values:asNode:)``).
    public var source: String
    public var values: [String: JSONValue]
    /// The tasks of the next step (empty when the run is over).
    public var next: [PendingTask]
    /// Joins under way: target → the sources that have run.
    public var barriers: [String: [String]] = [:]
    /// The message-id counter (ids stay unique across a thread).
    public var messageCounter = 0
    /// Seconds since 1970.
    public var createdAt: Double

    /// The next tasks' node names, sorted.
    public var nextNodes: [String] { next.map(\.node).sorted() }
}

/// Saves checkpoints and pending writes by thread. Implementations: ``InMemoryCheckpointer``,
/// ``SQLiteCheckpointer`` (durable: survives a crash of the process).
public protocol Checkpointer: Sendable {
    func put(_ checkpoint: Checkpoint, thread: String) throws
    func putWrites(_ writes: TaskWrites, thread: String, checkpointID: String) throws
    /// The newest checkpoint of a thread.
    func latest(thread: String) throws -> Checkpoint?
    func checkpoint(thread: String, id: String) throws -> Checkpoint?
    /// Checkpoints newest first (at most `limit`).
    func history(thread: String, limit: Int?) throws -> [Checkpoint]
    func writes(thread: String, checkpointID: String) throws -> [TaskWrites]
    /// Threads with checkpoints, sorted.
    func threads() throws -> [String]
    func deleteThread(_ thread: String) throws
}

/// Checkpoints in memory (tests, one process).
public final class InMemoryCheckpointer: Checkpointer, @unchecked Sendable {
    private let lock = NSLock()
    private var checkpoints: [String: [Checkpoint]] = [:]
    private var pending: [String: [String: [String: TaskWrites]]] = [:]

    public init() {}

    public func put(_ checkpoint: Checkpoint, thread: String) throws {
        lock.withLock { checkpoints[thread, default: []].append(checkpoint) }
    }
    public func putWrites(_ writes: TaskWrites, thread: String, checkpointID: String) throws {
        lock.withLock { pending[thread, default: [:]][checkpointID, default: [:]][writes.taskID] = writes }
    }
    public func latest(thread: String) throws -> Checkpoint? { lock.withLock { checkpoints[thread]?.last } }
    public func checkpoint(thread: String, id: String) throws -> Checkpoint? {
        lock.withLock { checkpoints[thread]?.first { $0.id == id } }
    }
    public func history(thread: String, limit: Int?) throws -> [Checkpoint] {
        lock.withLock { Array((checkpoints[thread] ?? []).reversed().prefix(limit ?? Int.max)) }
    }
    public func writes(thread: String, checkpointID: String) throws -> [TaskWrites] {
        lock.withLock { (pending[thread]?[checkpointID] ?? [:]).values.sorted { $0.taskID < $1.taskID } }
    }
    public func threads() throws -> [String] { lock.withLock { checkpoints.keys.sorted() } }
    public func deleteThread(_ thread: String) throws {
        lock.withLock { checkpoints[thread] = nil; pending[thread] = nil }
    }
}

/// Checkpoints in a SQLite file (WAL, each write its own transaction): a process killed mid-run
/// resumes from its last step, and tasks recorded as finished are not run again.
public final class SQLiteCheckpointer: Checkpointer, @unchecked Sendable {
    public let path: String
    private let db: DatabaseQueue

    /// Opens or creates the store.
    /// - Throws: ``AgentError/checkpointStore(path:reason:)`` when the file cannot be opened or
    ///   is not a checkpoint store.
    public init(path: String) throws {
        self.path = path
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            db = try DatabaseQueue(path: path, configuration: configuration)
            try db.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode=WAL")
                try db.execute(sql: "PRAGMA synchronous=FULL")
            }
            try db.write { db in
                try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS checkpoints (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT, thread TEXT NOT NULL, id TEXT NOT NULL,
                        payload BLOB NOT NULL, UNIQUE(thread, id));
                    CREATE TABLE IF NOT EXISTS threads (thread TEXT PRIMARY KEY, meta BLOB NOT NULL);
                    CREATE TABLE IF NOT EXISTS writes (
                        thread TEXT NOT NULL, checkpoint TEXT NOT NULL, task TEXT NOT NULL, payload BLOB NOT NULL,
                        PRIMARY KEY (thread, checkpoint, task));
                    """)
            }
        } catch let e as DatabaseError {
            throw AgentError.checkpointStore(path: path, reason: e.message ?? "\(e)")
        } catch {
            throw AgentError.checkpointStore(path: path, reason: "\(error)")
        }
    }

    private func guarded<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as AgentError { throw e } catch let e as DatabaseError {
            throw AgentError.checkpointStore(path: path, reason: e.message ?? "\(e)")
        } catch let e as DecodingError {
            throw AgentError.checkpointStore(path: path, reason: "a stored record cannot be read: \(e)")
        } catch {
            throw AgentError.checkpointStore(path: path, reason: "\(error)")
        }
    }

    public func put(_ checkpoint: Checkpoint, thread: String) throws {
        let data = try JSONEncoder().encode(checkpoint)
        try guarded {
            try db.write { db in
                try db.execute(sql: "INSERT OR REPLACE INTO checkpoints (thread, id, payload) VALUES (?, ?, ?)",
                               arguments: [thread, checkpoint.id, data])
            }
        }
    }

    public func putWrites(_ writes: TaskWrites, thread: String, checkpointID: String) throws {
        let data = try JSONEncoder().encode(writes)
        try guarded {
            try db.write { db in
                try db.execute(sql: "INSERT OR REPLACE INTO writes (thread, checkpoint, task, payload) VALUES (?, ?, ?, ?)",
                               arguments: [thread, checkpointID, writes.taskID, data])
            }
        }
    }

    private func decode(_ rows: [Data]) throws -> [Checkpoint] {
        try rows.map { try JSONDecoder().decode(Checkpoint.self, from: $0) }
    }

    public func latest(thread: String) throws -> Checkpoint? {
        try history(thread: thread, limit: 1).first
    }

    public func checkpoint(thread: String, id: String) throws -> Checkpoint? {
        try guarded {
            let rows = try db.read { db in
                try Data.fetchAll(db, sql: "SELECT payload FROM checkpoints WHERE thread = ? AND id = ?", arguments: [thread, id])
            }
            return try decode(rows).first
        }
    }

    public func history(thread: String, limit: Int?) throws -> [Checkpoint] {
        try guarded {
            let rows = try db.read { db in
                try Data.fetchAll(db, sql: "SELECT payload FROM checkpoints WHERE thread = ? ORDER BY seq DESC LIMIT ?",
                                  arguments: [thread, limit ?? -1])
            }
            return try decode(rows)
        }
    }

    public func writes(thread: String, checkpointID: String) throws -> [TaskWrites] {
        try guarded {
            let rows = try db.read { db in
                try Data.fetchAll(db, sql: "SELECT payload FROM writes WHERE thread = ? AND checkpoint = ? ORDER BY task",
                                  arguments: [thread, checkpointID])
            }
            return try rows.map { try JSONDecoder().decode(TaskWrites.self, from: $0) }
        }
    }

    /// Stores what a thread was started with (its spec, options), for a later resume.
    public func setMetadata(_ value: JSONValue, thread: String) throws {
        try guarded {
            try db.write { db in
                try db.execute(sql: "INSERT OR REPLACE INTO threads (thread, meta) VALUES (?, ?)", arguments: [thread, value.data])
            }
        }
    }

    /// What ``setMetadata(_:thread:)`` stored, or nil.
    public func metadata(thread: String) throws -> JSONValue? {
        try guarded {
            let data = try db.read { db in try Data.fetchOne(db, sql: "SELECT meta FROM threads WHERE thread = ?", arguments: [thread]) }
            return try data.map { try JSONValue.parse($0) }
        }
    }

    public func threads() throws -> [String] {
        try guarded { try db.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT thread FROM checkpoints ORDER BY thread") } }
    }

    public func deleteThread(_ thread: String) throws {
        try guarded {
            try db.write { db in
                try db.execute(sql: "DELETE FROM checkpoints WHERE thread = ?", arguments: [thread])
                try db.execute(sql: "DELETE FROM writes WHERE thread = ?", arguments: [thread])
                try db.execute(sql: "DELETE FROM threads WHERE thread = ?", arguments: [thread])
            }
        }
    }
}
