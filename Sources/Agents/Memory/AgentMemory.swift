import APIClient
import Foundation
import GRDB
import Retrieval

/// Memory an agent consults before it answers and updates after: conversation buffers, a
/// window, an LLM-written summary, entities, long-term vector memory and episodes of past runs
/// (LangChain's memory classes). Memories with a ``MemoryStore`` persist every change.
public protocol AgentMemory: Sendable {
    /// Messages to put before the new input (earlier turns, a summary, facts, memories).
    func recall(for input: String) async throws -> [AgentMessage]
    /// Records one finished exchange.
    func remember(input: String, output: String) async throws
    /// Forgets everything (in the store too).
    func clear() async throws
}

/// Key–value persistence for memories: one JSON value per (namespace, key) in a SQLite file.
public final class MemoryStore: @unchecked Sendable {
    public let path: String
    private let db: DatabaseQueue

    /// - Throws: ``AgentError/checkpointStore(path:reason:)`` when the file cannot be opened.
    public init(path: String) throws {
        self.path = path
        do {
            db = try DatabaseQueue(path: path)
            try db.write { db in
                try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS memory (namespace TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
                        updated REAL NOT NULL, PRIMARY KEY (namespace, key))
                    """)
            }
        } catch {
            throw AgentError.checkpointStore(path: path, reason: "\(error)")
        }
    }

    public func save<T: Encodable>(_ value: T, namespace: String, key: String) throws {
        let data = try JSONEncoder().encode(value)
        do {
            try db.write { db in
                try db.execute(sql: "INSERT OR REPLACE INTO memory (namespace, key, value, updated) VALUES (?, ?, ?, ?)",
                               arguments: [namespace, key, data, Date().timeIntervalSince1970])
            }
        } catch { throw AgentError.checkpointStore(path: path, reason: "\(error)") }
    }

    public func load<T: Decodable>(_ type: T.Type, namespace: String, key: String) throws -> T? {
        let data: Data?
        do {
            data = try db.read { db in
                try Data.fetchOne(db, sql: "SELECT value FROM memory WHERE namespace = ? AND key = ?", arguments: [namespace, key])
            }
        } catch { throw AgentError.checkpointStore(path: path, reason: "\(error)") }
        guard let data else { return nil }
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw AgentError.checkpointStore(path: path, reason: "memory \(namespace)/\(key) cannot be read: \(error)")
        }
    }

    public func delete(namespace: String, key: String) throws {
        do { try db.write { db in try db.execute(sql: "DELETE FROM memory WHERE namespace = ? AND key = ?", arguments: [namespace, key]) } } catch {
            throw AgentError.checkpointStore(path: path, reason: "\(error)")
        }
    }
}

/// Shared plumbing of the memories that keep one Codable state: a lock, and write-through to a
/// store under (kind, key).
final class StoredState<S: Codable & Sendable>: @unchecked Sendable {
    let lock = NSLock()
    var state: S
    let store: MemoryStore?
    let namespace: String
    let key: String
    let empty: S

    init(_ empty: S, store: MemoryStore?, namespace: String, key: String) throws {
        self.empty = empty
        self.store = store
        self.namespace = namespace
        self.key = key
        state = try store?.load(S.self, namespace: namespace, key: key) ?? empty
    }

    func read<T>(_ body: (S) -> T) -> T { lock.withLock { body(state) } }

    func update(_ body: (inout S) -> Void) throws {
        let snapshot: S = lock.withLock { body(&state); return state }
        try store?.save(snapshot, namespace: namespace, key: key)
    }

    func reset() throws {
        lock.withLock { state = empty }
        try store?.delete(namespace: namespace, key: key)
    }
}

/// Every exchange, in order (LangChain's `ConversationBufferMemory`); or the last `window`
/// exchanges (`ConversationBufferWindowMemory`) when `window` is set.
public final class BufferMemory: AgentMemory, @unchecked Sendable {
    let stored: StoredState<[AgentMessage]>
    public let window: Int?

    /// - Parameters:
    ///   - window: keep only this many exchanges (user + assistant pairs); nil keeps all.
    ///   - store / key: persist under ("buffer", key).
    public init(window: Int? = nil, store: MemoryStore? = nil, key: String = "default") throws {
        if let window { try check(window >= 1, "window", window, "must be at least 1") }
        self.window = window
        stored = try StoredState([], store: store, namespace: "buffer", key: key)
    }

    public var messages: [AgentMessage] { stored.read { $0 } }

    public func recall(for input: String) async throws -> [AgentMessage] {
        stored.read { all in window.map { Array(all.suffix(2 * $0)) } ?? all }
    }

    public func remember(input: String, output: String) async throws {
        try stored.update { s in
            s += [.user(input), .assistant(output)]
            if let window, s.count > 2 * window { s.removeFirst(s.count - 2 * window) }
        }
    }

    public func clear() async throws { try stored.reset() }
}

/// A running summary written by a model plus the most recent turns verbatim (LangChain's
/// `ConversationSummaryBufferMemory`): when the recent turns pass `maxRecentCharacters`, the
/// oldest are folded into the summary.
public final class SummaryMemory: AgentMemory, @unchecked Sendable {
    let stored: StoredState<SummaryMemory.State>
    public struct State: Codable, Sendable { public var summary = ""; public var recent: [AgentMessage] = [] }
    public let model: any ChatModel
    public let maxRecentCharacters: Int

    public init(model: any ChatModel, maxRecentCharacters: Int = 2000, store: MemoryStore? = nil, key: String = "default") throws {
        try check(maxRecentCharacters >= 1, "maxRecentCharacters", maxRecentCharacters, "must be positive")
        self.model = model
        self.maxRecentCharacters = maxRecentCharacters
        stored = try StoredState(State(), store: store, namespace: "summary", key: key)
    }

    public var summary: String { stored.read(\.summary) }

    public func recall(for input: String) async throws -> [AgentMessage] {
        stored.read { s in (s.summary.isEmpty ? [] : [.system("Summary of the conversation so far: \(s.summary)")]) + s.recent }
    }

    public func remember(input: String, output: String) async throws {
        try stored.update { $0.recent += [.user(input), .assistant(output)] }
        var (summary, recent) = stored.read { ($0.summary, $0.recent) }
        guard recent.reduce(0, { $0 + $1.content.count }) > maxRecentCharacters else { return }
        var folded: [AgentMessage] = []
        while recent.count > 2, recent.reduce(0, { $0 + $1.content.count }) > maxRecentCharacters {
            folded += recent.prefix(2)
            recent.removeFirst(2)
        }
        guard !folded.isEmpty else { return }
        let transcript = folded.map { "\($0.role): \($0.content)" }.joined(separator: "\n")
        let prompt = """
            Progressively summarize the conversation, adding to the previous summary and returning a new summary in a few sentences.

            Current summary:
            \(summary.isEmpty ? "(none)" : summary)

            New lines of conversation:
            \(transcript)

            New summary:
            """
        summary = try await model.respond(to: [.user(prompt)], options: ChatOptions(maxTokens: 256)).message.content
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let kept = recent, newSummary = summary
        try stored.update { $0.summary = newSummary; $0.recent = kept }
    }

    public func clear() async throws { try stored.reset() }
}

/// Finds entities and facts about them in a user's message.
public protocol EntityExtractor: Sendable {
    /// Entity name → new facts about it.
    func facts(in text: String) async throws -> [String: [String]]
}

/// Facts stated the way customers state them: "my name is Ada", "my order number is 1234",
/// "I live in Oslo", "my email is a@b.org", order numbers like `#1234` — deterministic, for
/// tests and small models.
public struct PatternEntityExtractor: EntityExtractor {
    public init() {}

    nonisolated(unsafe) static let patterns: [(NSRegularExpression, (([String]) -> (String, String)?))] = {
        func re(_ p: String) -> NSRegularExpression { try! NSRegularExpression(pattern: p) }
        // A value runs to the end of the clause: punctuation, a line end, or " and ".
        let value = #"([^.,;!?\n]+?)(?= and |[.,;!?\n]|$)"#
        return [
            (re(#"(?i:\bmy name is) ([A-Z][\w'-]*(?: [A-Z][\w'-]*)?)"#), { g in ("user", "name: \(g[1])") }),
            (re(#"(?i:\bmy) ([a-z]+(?: [a-z]+)?) (?:is|are) "# + value), { g in
                g[1].lowercased() == "name" ? nil : ("user", "\(g[1].lowercased()): \(g[2].trimmingCharacters(in: .whitespaces))") }),
            (re(#"(?i:\bi live in) ([A-Z][\w'-]*(?: [A-Z][\w'-]*)*)"#), { g in ("user", "lives in \(g[1])") }),
            (re(#"(?i:\b(?:order|ticket|invoice)) (?i:(?:number |no\.? )?(?:is )?)#?(\d{3,})"#), { g in ("order \(g[1])", "mentioned by the user") }),
            (re(#"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"#), { g in ("user", "email: \(g[0])") }),
        ]
    }()

    public func facts(in text: String) async throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        let ns = text as NSString
        for (regex, make) in Self.patterns {
            for m in regex.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
                let groups = (0..<m.numberOfRanges).map { m.range(at: $0).location == NSNotFound ? "" : ns.substring(with: m.range(at: $0)) }
                if let (entity, fact) = make(groups), !out[entity, default: []].contains(fact) { out[entity, default: []].append(fact) }
            }
        }
        return out
    }
}

/// Asks a model for the entities and facts in a message, as JSON under a schema (constrained
/// decoding keeps a local model's reply valid).
public struct ModelEntityExtractor: EntityExtractor {
    public let model: any ChatModel
    public init(model: any ChatModel) { self.model = model }

    public func facts(in text: String) async throws -> [String: [String]] {
        let schema: JSONValue = ["type": "object", "additionalProperties": ["type": "array", "items": ["type": "string"]]]
        let prompt = "List the people, orders, products and places in this message, each with the facts it states about them, as a JSON object {\"entity\": [\"fact\", …]}. Message:\n\(text)"
        let reply = try await model.respond(to: [.user(prompt)], options: ChatOptions(maxTokens: 256, responseFormat: .jsonSchema(name: "entities", schema: schema)))
        guard let object = (try? JSONValue.parse(reply.message.content))?.objectValue else { return [:] }
        var out: [String: [String]] = [:]
        for (k, v) in object { out[k] = (v.arrayValue ?? []).compactMap(\.stringValue) }
        return out
    }
}

/// Facts about entities gathered over a conversation (LangChain's `ConversationEntityMemory`):
/// recall returns the facts about entities named in the new input — and always about "user".
public final class EntityMemory: AgentMemory, @unchecked Sendable {
    let stored: StoredState<[String: [String]]>
    public let extractor: any EntityExtractor

    public init(extractor: any EntityExtractor = PatternEntityExtractor(), store: MemoryStore? = nil, key: String = "default") throws {
        self.extractor = extractor
        stored = try StoredState([:], store: store, namespace: "entities", key: key)
    }

    /// Entity → facts.
    public var entities: [String: [String]] { stored.read { $0 } }

    public func recall(for input: String) async throws -> [AgentMessage] {
        let mentioned = try await extractor.facts(in: input).keys
        let lower = input.lowercased()
        let lines: [String] = stored.read { all in
            all.keys.sorted().filter { $0 == "user" || mentioned.contains($0) || lower.contains($0.lowercased()) }
                .map { "\($0): \(all[$0]!.joined(separator: "; "))" }
        }
        return lines.isEmpty ? [] : [.system("What you know about the entities in this conversation:\n" + lines.joined(separator: "\n"))]
    }

    public func remember(input: String, output: String) async throws {
        let found = try await extractor.facts(in: input)
        try stored.update { all in
            for (entity, facts) in found {
                for f in facts where !all[entity, default: []].contains(f) {
                    // A newer value of the same attribute replaces the older one.
                    if let colon = f.firstIndex(of: ":") {
                        let attribute = f[..<colon]
                        all[entity, default: []].removeAll { $0.hasPrefix(attribute + ":") }
                    }
                    all[entity, default: []].append(f)
                }
            }
        }
    }

    public func clear() async throws { try stored.reset() }
}

/// Long-term memory in a document collection: every exchange is stored as a document, and the
/// `k` most relevant (hybrid search) come back as memories (LangChain's
/// `VectorStoreRetrieverMemory`). The collection file is the persistence.
public final class VectorMemory: AgentMemory, @unchecked Sendable {
    public let collection: DocumentCollection
    public let k: Int
    private let lock = NSLock()

    public init(collection: DocumentCollection, k: Int = 3) throws {
        try check(k >= 1, "k", k, "must be at least 1")
        self.collection = collection
        self.k = k
    }

    /// Opens or creates a memory collection at `url` (hashed features unless an embedding is given).
    public convenience init(at url: URL, embedding: (any EmbeddingFunction)? = nil, k: Int = 3) throws {
        let c = FileManager.default.fileExists(atPath: url.path)
            ? try DocumentCollection.open(at: url, embedding: embedding)
            : try DocumentCollection.create(at: url, name: "memory", embedding: embedding ?? HashedFeatureEmbedding(), analyzer: .english)
        try self.init(collection: c, k: k)
    }

    public func recall(for input: String) async throws -> [AgentMessage] {
        guard !(try collection.documentIDs().isEmpty) else { return [] }
        let hits = try collection.query(input, k: k)
        guard !hits.isEmpty else { return [] }
        return [.system("Relevant memories from earlier conversations:\n" + hits.map { "- \($0.text)" }.joined(separator: "\n"))]
    }

    public func remember(input: String, output: String) async throws {
        let id = "m\(Int(Date().timeIntervalSince1970 * 1e6))-\(UUID().uuidString.prefix(6))"
        try lock.withLock {
            try collection.add([CollectionDocument(id: id, text: "User: \(input)\nAssistant: \(output)",
                                                   metadata: ["time": .double(Date().timeIntervalSince1970)])])
        }
    }

    public func clear() async throws {
        try lock.withLock { try collection.delete(ids: try collection.documentIDs()) }
    }
}

/// Episodes of past runs — the task, what happened, whether it worked, and a lesson — recalled by
/// similarity to the new task (BM25), so an agent can reuse what worked and avoid what failed.
public final class EpisodicMemory: AgentMemory, @unchecked Sendable {
    let stored: StoredState<[EpisodicMemory.Episode]>
    public struct Episode: Codable, Sendable, Equatable {
        public var task: String
        public var outcome: String
        public var success: Bool
        public var lesson: String?
        public var time: Double
        public init(task: String, outcome: String, success: Bool, lesson: String? = nil, time: Double = Date().timeIntervalSince1970) {
            self.task = task; self.outcome = outcome; self.success = success; self.lesson = lesson; self.time = time
        }
    }
    public let k: Int

    public init(k: Int = 2, store: MemoryStore? = nil, key: String = "default") throws {
        try check(k >= 1, "k", k, "must be at least 1")
        self.k = k
        stored = try StoredState([], store: store, namespace: "episodes", key: key)
    }

    public var episodes: [Episode] { stored.read { $0 } }

    /// Records a run with its verdict.
    public func record(_ episode: Episode) throws { try stored.update { $0.append(episode) } }

    /// The `k` past episodes most similar to `task`: shared words (stop words dropped, Porter
    /// stems) over the geometric mean of the two word counts; episodes sharing none are left out.
    public func similar(to task: String) throws -> [Episode] {
        let query = Set(BM25.englishAnalyzer(task))
        guard !query.isEmpty else { return [] }
        let scored = episodes.enumerated().compactMap { i, e -> (Int, Double)? in
            let words = Set(BM25.englishAnalyzer(e.task))
            let shared = words.intersection(query).count
            return shared == 0 ? nil : (i, Double(shared) / (Double(words.count * query.count)).squareRoot())
        }
        let all = episodes
        return scored.sorted { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 > $1.0) }.prefix(k).map { all[$0.0] }
    }

    public func recall(for input: String) async throws -> [AgentMessage] {
        let found = try similar(to: input)
        guard !found.isEmpty else { return [] }
        let lines = found.map { e in
            "- Task: \(e.task) → \(e.success ? "succeeded" : "failed"): \(e.outcome)" + (e.lesson.map { " Lesson: \($0)" } ?? "")
        }
        return [.system("Earlier runs of similar tasks:\n" + lines.joined(separator: "\n"))]
    }

    /// Records the exchange as a successful episode (use ``record(_:)`` for failures and lessons).
    public func remember(input: String, output: String) async throws {
        try record(Episode(task: input, outcome: String(output.prefix(300)), success: true))
    }

    public func clear() async throws { try stored.reset() }
}
