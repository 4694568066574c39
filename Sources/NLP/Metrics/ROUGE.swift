/// ROUGE as Google's `rouge-score` computes it (`RougeScorer(["rouge1", "rouge2", "rougeL",
/// "rougeLsum"])`, the default tokenizer without stemming): text lowercased, every run of
/// characters outside `a–z0–9` a separator; ROUGE-N from clipped n-gram overlap, ROUGE-L from the
/// longest common subsequence, ROUGE-Lsum from the union LCS of each reference sentence against
/// the candidate's sentences (sentences separated by newlines) with counts that are not reused.
/// Each score has precision, recall and F1; several references keep the best F1 (`score_multi`).
///
/// ```swift
/// let r = try ROUGE.score(.rougeL, target: "the cat was found under the bed", prediction: "the cat was under the bed")
/// r.fmeasure   // 0.923…
/// ```
public enum ROUGE {
    /// A ROUGE variant: `rouge1`…`rouge9` (n-grams), `rougeL`, `rougeLsum`.
    public enum Kind: Sendable, Equatable, CustomStringConvertible {
        /// N-gram overlap of order n; longest common subsequence; summary-level LCS over sentences.
        case n(Int), l, lSum

        /// From rouge-score's names (`rouge1`, `rouge2`, `rougeL`, `rougeLsum`).
        public init(_ name: String) throws {
            switch name {
            case "rougeL": self = .l
            case "rougeLsum": self = .lSum
            default:
                guard name.hasPrefix("rouge"), let n = Int(name.dropFirst(5)), (1...9).contains(n), name.count == 6 else {
                    throw NLPError.invalidParameter(name: "rouge_type", value: name, expected: "rouge1…rouge9, rougeL or rougeLsum")
                }
                self = .n(n)
            }
        }

        /// rouge-score's name (`rouge2`, `rougeL`, …).
        public var description: String {
            switch self { case .n(let n): return "rouge\(n)"; case .l: return "rougeL"; case .lSum: return "rougeLsum" }
        }
    }

    /// rouge-score's `Score`.
    public struct Score: Sendable, Equatable {
        /// Matched units over the prediction's, the target's, and their harmonic mean (0–1).
        public var precision: Double, recall: Double, fmeasure: Double
    }

    /// rouge-score's default tokenizer: lowercase, then the runs of `[a-z0-9]`.
    public static func tokenize(_ text: String) -> [String] {
        var tokens: [String] = [], current = ""
        for u in PythonText.lower(text).unicodeScalars {
            if (u.value >= 0x61 && u.value <= 0x7A) || (u.value >= 0x30 && u.value <= 0x39) {
                current.unicodeScalars.append(u)
            } else if !current.isEmpty {
                tokens.append(current); current = ""
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }

    /// The score of `prediction` against `target`.
    public static func score(_ kind: Kind, target: String, prediction: String) throws -> Score {
        switch kind {
        case .n(let n):
            guard n >= 1 else { throw NLPError.invalidParameter(name: "rouge_type", value: "rouge\(n)", expected: "n ≥ 1") }
            return ngramScore(ngrams(tokenize(target), n), ngrams(tokenize(prediction), n))
        case .l:
            let t = tokenize(target), p = tokenize(prediction)
            guard !t.isEmpty, !p.isEmpty else { return Score(precision: 0, recall: 0, fmeasure: 0) }
            try checkTableSize(t.count, p.count)
            let lcs = lcsTable(t, p)[t.count][p.count]
            return make(Double(lcs) / Double(p.count), Double(lcs) / Double(t.count))
        case .lSum:
            func sentences(_ s: String) -> [[String]] {
                // Python's split("\n") on code points ("\r\n" is one Character in Swift).
                s.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: true).map { tokenize(String(String.UnicodeScalarView($0))) }
            }
            let refs = sentences(target), cans = sentences(prediction)
            for r in refs { for c in cans { try checkTableSize(r.count, c.count) } }
            return summaryLCS(refs, cans)
        }
    }

    /// The best score over several targets, by F1 (rouge-score's `score_multi`; the first on a tie).
    public static func score(_ kind: Kind, targets: [String], prediction: String) throws -> Score {
        guard !targets.isEmpty else { throw NLPError.invalidInput("ROUGE needs at least one target") }
        var best: Score? = nil
        for t in targets {
            let s = try score(kind, target: t, prediction: prediction)
            if best == nil || s.fmeasure > best!.fmeasure { best = s }
        }
        return best!
    }

    /// The longest-common-subsequence table has (n + 1) × (m + 1) cells; texts that would need more
    /// than 50 million are refused instead of exhausting memory.
    public static let maxTableCells = 50_000_000

    static func checkTableSize(_ n: Int, _ m: Int) throws {
        let (cells, overflow) = (n + 1).multipliedReportingOverflow(by: m + 1)
        guard !overflow, cells <= maxTableCells else {
            throw NLPError.invalidInput("ROUGE-L on \(n) × \(m) tokens needs a table of \(overflow ? "too many" : "\(cells)") cells; the limit is \(maxTableCells)")
        }
    }

    /// The mean precision, recall and F1 over hypotheses scored line by line against reference
    /// streams parallel to them (each line keeps its best reference by F1), as a corpus figure.
    public static func corpusScore(_ kind: Kind, hypotheses: [String], references: [[String]]) throws -> Score {
        guard !references.isEmpty else { throw NLPError.invalidInput("no reference stream given") }
        for (k, r) in references.enumerated() where r.count != hypotheses.count {
            throw NLPError.invalidInput("reference stream \(k + 1) has \(r.count) segments for \(hypotheses.count) hypotheses")
        }
        var p = 0.0, r = 0.0, f = 0.0
        for (i, h) in hypotheses.enumerated() {
            let s = try score(kind, targets: references.map { $0[i] }, prediction: h)
            p += s.precision; r += s.recall; f += s.fmeasure
        }
        let n = Double(max(hypotheses.count, 1))
        return Score(precision: p / n, recall: r / n, fmeasure: f / n)
    }

    static func make(_ precision: Double, _ recall: Double) -> Score {
        Score(precision: precision, recall: recall, fmeasure: precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0)
    }

    static func ngrams(_ tokens: [String], _ n: Int) -> [[String]: Int] {
        var out: [[String]: Int] = [:]
        if tokens.count >= n { for i in 0...(tokens.count - n) { out[Array(tokens[i..<(i + n)]), default: 0] += 1 } }
        return out
    }

    static func ngramScore(_ target: [[String]: Int], _ prediction: [[String]: Int]) -> Score {
        var overlap = 0
        for (g, c) in target { overlap += Swift.min(c, prediction[g] ?? 0) }
        let tCount = target.values.reduce(0, +), pCount = prediction.values.reduce(0, +)
        return make(Double(overlap) / Double(Swift.max(pCount, 1)), Double(overlap) / Double(Swift.max(tCount, 1)))
    }

    static func lcsTable(_ a: [String], _ b: [String]) -> [[Int]] {
        var t = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 1...Swift.max(a.count, 1) where i <= a.count {
            for j in 1...Swift.max(b.count, 1) where j <= b.count {
                t[i][j] = a[i - 1] == b[j - 1] ? t[i - 1][j - 1] + 1 : Swift.max(t[i - 1][j], t[i][j - 1])
            }
        }
        return t
    }

    /// rouge-score's `_backtrack_norec`: the reference indices of one LCS.
    static func lcsIndices(_ ref: [String], _ can: [String]) -> [Int] {
        let t = lcsTable(ref, can)
        var i = ref.count, j = can.count, out: [Int] = []
        while i > 0 && j > 0 {
            if ref[i - 1] == can[j - 1] { out.append(i - 1); i -= 1; j -= 1 } else if t[i][j - 1] > t[i - 1][j] { j -= 1 } else { i -= 1 }
        }
        return out.reversed()
    }

    static func summaryLCS(_ refs: [[String]], _ cans: [[String]]) -> Score {
        guard !refs.isEmpty, !cans.isEmpty else { return Score(precision: 0, recall: 0, fmeasure: 0) }
        let m = refs.reduce(0) { $0 + $1.count }, n = cans.reduce(0) { $0 + $1.count }
        guard m > 0, n > 0 else { return Score(precision: 0, recall: 0, fmeasure: 0) }
        var countR: [String: Int] = [:], countC: [String: Int] = [:]
        for s in refs { for t in s { countR[t, default: 0] += 1 } }
        for s in cans { for t in s { countC[t, default: 0] += 1 } }
        var hits = 0
        for r in refs {
            let union = Set(cans.flatMap { lcsIndices(r, $0) }).sorted()
            for i in union {
                let t = r[i]
                if (countC[t] ?? 0) > 0 && (countR[t] ?? 0) > 0 { hits += 1; countC[t]! -= 1; countR[t]! -= 1 }
            }
        }
        return make(Double(hits) / Double(n), Double(hits) / Double(m))
    }
}
