import Foundation

/// Entity-level scores of sequence labelling, as `seqeval` 1.2 computes them in its default
/// (conlleval-compatible) mode: entities are read from IOB/IOB2/IOE/IOBES tags with conlleval's
/// chunk rules, sentences are joined with an `O` between them, and an entity counts as correct
/// when its type, start and end all match.
///
/// ```swift
/// let gold = [["B-PER", "I-PER", "O", "B-LOC"]], predicted = [["B-PER", "I-PER", "O", "O"]]
/// SequenceLabelingMetrics.f1(gold, predicted)          // 0.666…
/// SequenceLabelingMetrics.report(gold, predicted).text // seqeval's classification_report
/// ```
public enum SequenceLabelingMetrics {
    /// One entity: its type and its first and last token (offsets in the joined sequence).
    public struct Entity: Hashable, Sendable {
        /// The type (`PER`), first and last token offsets.
        public var type: String, start: Int, end: Int
    }

    /// The entities of one tag sequence (`get_entities`; tags as `B-PER`, or `PER-B` with `suffix`).
    public static func entities(_ tags: [String], suffix: Bool = false) -> [Entity] {
        var chunks: [Entity] = []
        var previousTag: Character = "O", previousType = "", begin = 0
        for (i, chunk) in (tags + ["O"]).enumerated() {
            let (tag, type) = split(chunk, suffix: suffix)
            if endOfChunk(previousTag, tag, previousType, type) { chunks.append(Entity(type: previousType, start: begin, end: i - 1)) }
            if startOfChunk(previousTag, tag, previousType, type) { begin = i }
            previousTag = tag
            previousType = type
        }
        return chunks
    }

    /// The entities of several sentences, joined with an `O` between them as seqeval joins them.
    public static func entities(_ sentences: [[String]], suffix: Bool = false) -> [Entity] {
        entities(sentences.flatMap { $0 + ["O"] }, suffix: suffix)
    }

    private static func split(_ chunk: String, suffix: Bool) -> (Character, String) {
        guard let first = chunk.first, let last = chunk.last else { return ("O", "_") }   // "" reads as O
        if suffix {
            let body = chunk.dropLast()
            let type = body.range(of: "-", options: .backwards).map { String(body[..<$0.lowerBound]) } ?? String(body)
            return (last, type.isEmpty ? "_" : type)
        }
        let rest = chunk.dropFirst()
        let type = rest.firstIndex(of: "-").map { String(rest[rest.index(after: $0)...]) } ?? String(rest)
        return (first, type.isEmpty ? "_" : type)
    }

    private static func endOfChunk(_ p: Character, _ t: Character, _ pType: String, _ type: String) -> Bool {
        if p == "E" || p == "S" { return true }
        if (p == "B" || p == "I") && (t == "B" || t == "S" || t == "O") { return true }
        return p != "O" && p != "." && pType != type
    }

    private static func startOfChunk(_ p: Character, _ t: Character, _ pType: String, _ type: String) -> Bool {
        if t == "B" || t == "S" { return true }
        if (p == "E" || p == "S" || p == "O") && (t == "E" || t == "I") { return true }
        return t != "O" && t != "." && pType != type
    }

    /// Per entity type: correct, predicted and gold counts, types sorted.
    public static func counts(_ gold: [[String]], _ predicted: [[String]], suffix: Bool = false) -> [(type: String, correct: Int, predicted: Int, gold: Int)] {
        var goldByType: [String: Set<Entity>] = [:], predictedByType: [String: Set<Entity>] = [:]
        for e in entities(gold, suffix: suffix) { goldByType[e.type, default: []].insert(e) }
        for e in entities(predicted, suffix: suffix) { predictedByType[e.type, default: []].insert(e) }
        return Set(goldByType.keys).union(predictedByType.keys).sorted().map { type in
            let g = goldByType[type] ?? [], p = predictedByType[type] ?? []
            return (type, g.intersection(p).count, p.count, g.count)
        }
    }

    /// Precision, recall and F1 over all entities (seqeval's default `average='micro'`); a ratio
    /// with a zero denominator is 0, as seqeval's `zero_division='warn'`.
    public static func scores(_ gold: [[String]], _ predicted: [[String]], suffix: Bool = false) -> (precision: Double, recall: Double, f1: Double) {
        let c = counts(gold, predicted, suffix: suffix)
        return prf(c.reduce(0) { $0 + $1.correct }, c.reduce(0) { $0 + $1.predicted }, c.reduce(0) { $0 + $1.gold })
    }

    /// Entity F1 over all entities (`seqeval.metrics.f1_score`).
    public static func f1(_ gold: [[String]], _ predicted: [[String]], suffix: Bool = false) -> Double {
        scores(gold, predicted, suffix: suffix).f1
    }

    /// Token accuracy over all sentences (`seqeval.metrics.accuracy_score`).
    public static func accuracy(_ gold: [[String]], _ predicted: [[String]]) -> Double {
        let g = gold.flatMap { $0 }, p = predicted.flatMap { $0 }
        guard !g.isEmpty, g.count == p.count else { return g.isEmpty && p.isEmpty ? 0 : .nan }
        return Double(zip(g, p).filter { $0 == $1 }.count) / Double(g.count)
    }

    private static func prf(_ correct: Int, _ predicted: Int, _ gold: Int) -> (Double, Double, Double) {
        let p = predicted == 0 ? 0 : Double(correct) / Double(predicted)
        let r = gold == 0 ? 0 : Double(correct) / Double(gold)
        return (p, r, p + r == 0 ? 0 : 2 * p * r / (p + r))
    }

    /// One row of the report.
    public struct Row: Sendable, Equatable {
        /// Type or average name, its scores, and the number of gold entities.
        public var name: String, precision: Double, recall: Double, f1: Double, support: Int
    }

    /// seqeval's `classification_report`: a row per entity type, then micro, macro and weighted
    /// averages; `text` is laid out as seqeval prints it, with `digits` decimals.
    public struct Report: Sendable {
        /// Rows per entity type (sorted), and the micro, macro and weighted averages.
        public var types: [Row], micro: Row, macro: Row, weighted: Row
        /// The report as seqeval prints it.
        public var text: String
    }

    /// The per-type report (`classification_report(gold, predicted, digits:)`).
    public static func report(_ gold: [[String]], _ predicted: [[String]], digits: Int = 2, suffix: Bool = false) -> Report {
        let c = counts(gold, predicted, suffix: suffix)
        let rows = c.map { x -> Row in
            let (p, r, f) = prf(x.correct, x.predicted, x.gold)
            return Row(name: x.type, precision: p, recall: r, f1: f, support: x.gold)
        }
        let (mp, mr, mf) = prf(c.reduce(0) { $0 + $1.correct }, c.reduce(0) { $0 + $1.predicted }, c.reduce(0) { $0 + $1.gold })
        let support = rows.reduce(0) { $0 + $1.support }
        let n = Double(max(rows.count, 1))
        let macro = Row(name: "macro avg", precision: rows.reduce(0) { $0 + $1.precision } / n, recall: rows.reduce(0) { $0 + $1.recall } / n,
                        f1: rows.reduce(0) { $0 + $1.f1 } / n, support: support)
        let w = Double(max(support, 1))
        let weighted = Row(name: "weighted avg", precision: rows.reduce(0) { $0 + $1.precision * Double($1.support) } / w,
                           recall: rows.reduce(0) { $0 + $1.recall * Double($1.support) } / w,
                           f1: rows.reduce(0) { $0 + $1.f1 * Double($1.support) } / w, support: support)
        let micro = Row(name: "micro avg", precision: mp, recall: mr, f1: mf, support: support)
        // seqeval's StringReporter: names right-aligned to the widest of the type names,
        // "weighted avg" and `digits`; then "  " and numbers right-aligned in 9 columns.
        let nameWidth = max(rows.map(\.name.count).max() ?? 0, "weighted avg".count, digits)
        func pad(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
        func line(_ r: Row) -> String {
            pad(r.name, nameWidth) + " " + [String(format: "%.\(digits)f", r.precision), String(format: "%.\(digits)f", r.recall),
                                             String(format: "%.\(digits)f", r.f1), String(r.support)].map { " " + pad($0, 9) }.joined()
        }
        let header = pad("", nameWidth) + " " + ["precision", "recall", "f1-score", "support"].map { " " + pad($0, 9) }.joined()
        let text = header + "\n\n" + (rows.map(line) + [""] + [micro, macro, weighted].map(line) + [""]).joined(separator: "\n")
        return Report(types: rows, micro: micro, macro: macro, weighted: weighted, text: text)
    }
}
