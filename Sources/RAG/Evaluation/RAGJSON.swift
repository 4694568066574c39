import Foundation
import SwiftLearnCore

/// A small ordered JSON writer for the pipeline's results (keys in the order written).
public struct RAGJSON: Sendable {
    private var bytes: [UInt8] = []
    private var first = true

    /// An empty object.
    public init() {}

    mutating func key(_ k: String) {
        bytes.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
        first = false
        OrderedJSON.appendQuoted(k, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }
    /// Adds a string field.
    public mutating func add(_ k: String, _ s: String) { key(k); OrderedJSON.appendQuoted(s, to: &bytes) }
    /// Adds a string field, `null` when nil.
    public mutating func add(_ k: String, _ s: String?) { if let s { add(k, s) } else { key(k); bytes += Array("null".utf8) } }
    /// Adds an integer field.
    public mutating func add(_ k: String, _ i: Int) { key(k); bytes += Array(String(i).utf8) }
    /// Adds a boolean field.
    public mutating func add(_ k: String, _ b: Bool) { key(k); bytes += Array((b ? "true" : "false").utf8) }
    /// Adds a number field (integers without a fraction; non-finite as `null`).
    public mutating func add(_ k: String, _ d: Double) { key(k); bytes += Array(Self.number(d).utf8) }
    /// Adds a number field, `null` when nil.
    public mutating func add(_ k: String, _ d: Double?) { key(k); bytes += Array((d.map(Self.number) ?? "null").utf8) }
    /// Adds already-written JSON (an object or array).
    public mutating func add(_ k: String, raw: String) { key(k); bytes += Array(raw.utf8) }
    /// Adds an array of objects.
    public mutating func add(_ k: String, objects: [RAGJSON]) { add(k, raw: "[" + objects.map(\.text).joined(separator: ",") + "]") }

    /// The object's text.
    public var text: String { first ? "{}" : String(decoding: bytes + [UInt8(ascii: "}")], as: UTF8.self) }

    static func number(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded() && abs(d) < 1e15 { return String(Int(d)) }
        return String(format: "%.6g", d)
    }
}

extension RetrievedPassage {
    /// `{rank, source, document, title, section, start, end, score, similarity, text}`.
    public var json: RAGJSON {
        var j = RAGJSON()
        j.add("rank", rank); j.add("source", source); j.add("document", documentID); j.add("title", title); j.add("section", section)
        j.add("start", start); j.add("end", end); j.add("score", score); j.add("similarity", similarity); j.add("text", text)
        return j
    }
}

extension Citation {
    /// `{n, source, document, start, end, text, method}`.
    public var json: RAGJSON {
        var j = RAGJSON()
        j.add("n", n); j.add("source", source); j.add("document", documentID); j.add("start", start); j.add("end", end)
        j.add("text", text); j.add("method", method)
        return j
    }
}

extension RAGAnswer {
    /// `{question, search_question, answer, refused, refusal_reason, retrieved: […], citations: […], prompt_tokens, retrieval_seconds, generation_seconds}`.
    public var json: RAGJSON {
        var j = RAGJSON()
        j.add("question", question)
        if searchQuestion != question { j.add("search_question", searchQuestion) }
        j.add("answer", answer); j.add("refused", refused); j.add("refusal_reason", refusalReason)
        j.add("retrieved", objects: passages.map(\.json)); j.add("citations", objects: citations.map(\.json))
        j.add("prompt_tokens", promptTokens); j.add("retrieval_seconds", retrievalSeconds); j.add("generation_seconds", generationSeconds)
        return j
    }
}

extension RetrievalMetrics {
    /// `{questions, hit@1…, recall@1…, mrr@10, ndcg@10, seconds}`.
    public var json: RAGJSON {
        var j = RAGJSON()
        j.add("questions", questions)
        for k in Self.cutoffs { j.add("hit@\(k)", hit[k] ?? 0) }
        for k in Self.cutoffs { j.add("recall@\(k)", recall[k] ?? 0) }
        j.add("mrr@10", mrr); j.add("ndcg@10", ndcg); j.add("seconds", seconds)
        return j
    }
}

extension AnswerMetrics {
    /// `{answerable, unanswerable, exact_match, f1, citations, citation_precision, refusal_rate, false_refusal_rate, faithfulness, answer_relevance, mean_seconds_per_question}`.
    public var json: RAGJSON {
        var j = RAGJSON()
        j.add("answerable", answerable); j.add("unanswerable", unanswerable); j.add("exact_match", exactMatch); j.add("f1", f1)
        j.add("citations", citations); j.add("citation_precision", citationPrecision); j.add("refusal_rate", refusalRate)
        j.add("false_refusal_rate", falseRefusalRate); j.add("faithfulness", faithfulness); j.add("answer_relevance", answerRelevance)
        j.add("mean_seconds_per_question", meanSecondsPerQuestion)
        return j
    }
}
