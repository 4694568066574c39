import Foundation
import SwiftLearnCore

/// One question of an evaluation set. Answerable questions name the file that answers them
/// (`source`, matched against the end of a document's path) and a `passage` of its text that
/// holds the answer; unanswerable ones have neither (and no answer).
public struct QAItem: Sendable, Equatable {
    /// A unique name for reports ("q017"; "lineN" when the file gives none).
    public var id: String
    /// The question as a user would ask it.
    public var question: String
    /// The reference answer (nil for an unanswerable question).
    public var answer: String?
    /// The file that answers it (nil: the corpus does not).
    public var source: String?
    /// Text of `source` that holds the answer (the gold passage).
    public var passage: String?

    /// Creates a question.
    public init(id: String, question: String, answer: String? = nil, source: String? = nil, passage: String? = nil) {
        self.id = id; self.question = question; self.answer = answer; self.source = source; self.passage = passage
    }

    /// Whether the corpus answers it.
    public var answerable: Bool { source != nil }
}

/// A question-and-answer file: JSON Lines, one object per line with `question` and, for an
/// answerable question, `answer`, `source` and optionally `passage` (and an optional `id`).
public enum QASet {
    /// Reads and checks every line (blank lines are skipped).
    /// - Throws: ``RAGError/invalidQA(path:line:reason:)`` naming the line.
    public static func load(_ path: String, maxBytes: Int = 64 << 20) throws -> [QAItem] {
        let data: Data
        do {
            let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
            guard size <= maxBytes else { throw RAGError.unreadable(path: path, reason: "\(size) bytes is more than \(maxBytes)") }
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch let e as RAGError { throw e } catch { throw RAGError.unreadable(path: path, reason: readableReason(error)) }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    /// Parses JSON Lines text (see ``load(_:maxBytes:)``).
    public static func parse(_ text: String, path: String = "text") throws -> [QAItem] {
        var items: [QAItem] = []
        var ids = Set<String>()
        for (k, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let n = k + 1
            let value: OrderedJSON
            do { value = try OrderedJSON.parse(Array(line.utf8)[...]) } catch let e as OrderedJSON.ParseError {
                throw RAGError.invalidQA(path: path, line: n, reason: "invalid JSON at byte \(e.offset): \(e.reason)")
            }
            guard case .object(let fields) = value else { throw RAGError.invalidQA(path: path, line: n, reason: "expected an object, got \(value.kind)") }
            func string(_ key: String) throws -> String? {
                guard let v = fields.first(where: { $0.key == key })?.value else { return nil }
                switch v {
                case .string(let s): return s
                case .null: return nil
                default: throw RAGError.invalidQA(path: path, line: n, reason: "\"\(key)\" is \(v.kind), expected a string or null")
                }
            }
            guard let question = try string("question"), !question.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw RAGError.invalidQA(path: path, line: n, reason: "\"question\" is missing or blank")
            }
            let id = try string("id") ?? "line\(n)"
            guard ids.insert(id).inserted else { throw RAGError.invalidQA(path: path, line: n, reason: "id \"\(id)\" appears twice") }
            let item = QAItem(id: id, question: question, answer: try string("answer"), source: try string("source"), passage: try string("passage"))
            if item.source != nil && item.answer == nil {
                throw RAGError.invalidQA(path: path, line: n, reason: "a question with a \"source\" needs an \"answer\"")
            }
            if let p = item.passage, wordTokens(p).isEmpty {
                throw RAGError.invalidQA(path: path, line: n, reason: "\"passage\" has no words")
            }
            items.append(item)
        }
        guard !items.isEmpty else { throw RAGError.invalidQA(path: path, line: 1, reason: "no questions") }
        return items
    }
}

/// The gold-passage rule: a chunk supports a question when it comes from the question's source
/// and holds most of its passage — the longest run of consecutive passage words that also occurs
/// consecutively in the chunk covers at least `coverage` (60 %) of the passage's words. Words are
/// lowercased runs of letters and digits, so markup, whitespace and punctuation differences do not
/// matter, and a passage cut by a chunk boundary still counts when most of it is in the chunk.
public enum GoldPassage {
    /// Whether document path `path` is the file `source` names (equal, or ending in "/" + source).
    public static func sourceMatches(_ path: String, _ source: String) -> Bool {
        path == source || path.hasSuffix("/" + source)
    }

    /// Whether `chunk` holds `passage` by the rule above.
    public static func contains(_ chunk: String, passage: String, coverage: Double = 0.6) -> Bool {
        let p = wordTokens(passage)
        guard !p.isEmpty else { return false }
        return Double(longestCommonRun(p, wordTokens(chunk))) >= coverage * Double(p.count)
    }

    /// The longest run of consecutive items of `a` occurring consecutively in `b`.
    static func longestCommonRun(_ a: [String], _ b: [String]) -> Int {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        var previous = [Int](repeating: 0, count: b.count + 1)
        var current = previous
        var best = 0
        for i in 1...a.count {
            for j in 1...b.count {
                current[j] = a[i - 1] == b[j - 1] ? previous[j - 1] + 1 : 0
                best = max(best, current[j])
            }
            swap(&previous, &current)
        }
        return best
    }
}
