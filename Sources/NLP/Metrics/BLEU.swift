import Foundation

/// BLEU as `sacrebleu` 2.x computes it (`BLEU().corpus_score`, `sentence_score`): the same
/// tokenizers (`13a` — mteval-v13a's, the default — `char` and `none`), n-gram matching clipped by
/// the maximum count over the references, the closest reference length (the shorter one on a
/// tie), the brevity penalty and the smoothing methods (`exp`, the default, `floor`, `add-k`,
/// `none`). Scores are on sacrebleu's 0–100 scale and equal its figures to the last digit.
///
/// ```swift
/// let bleu = BLEU()
/// let s = try bleu.corpusScore(hypotheses: ["The cat sat on the mat."],
///                              references: [["The cat is on the mat."]])   // one reference stream
/// s.score        // 45.8…   s.precisions   s.brevityPenalty
/// ```
public struct BLEU: Sendable {
    /// How a segment is split into words before n-grams are counted (sacrebleu's `tokenize`).
    public enum Tokenizer: String, Sendable, CaseIterable {
        /// mteval-v13a's rules (WMT's standard): punctuation split off, `.`/`,` kept inside numbers.
        case thirteenA = "13a"
        /// Every character a token.
        case char
        /// Whitespace only.
        case none
    }

    /// sacrebleu's `smooth_method` (with its `smooth_value` where it takes one).
    public enum Smoothing: Sendable, Equatable {
        /// No smoothing: a zero precision makes the score 0.
        case none
        /// Chen & Cherry's method 1: a zero count becomes `value` (0.1 by default).
        case floor(Double = 0.1)
        /// Method 2: `k` added to counts and totals of orders above 1 (1 by default).
        case addK(Double = 1)
        /// Method 3, mteval-v13a's: the k-th zero precision becomes 1 / (2^k · total).
        case exp
    }

    /// Lowercase hypotheses and references first (sacrebleu's `lowercase`).
    public var lowercase: Bool
    /// How segments are split into words (`tokenize`).
    public var tokenizer: Tokenizer
    /// How zero counts are smoothed (`smooth_method`, `smooth_value`).
    public var smoothing: Smoothing
    /// The longest n-gram counted (`max_ngram_order`, 4).
    public var maxNgramOrder: Int
    /// Leave out orders with no n-grams (sacrebleu's `effective_order`; use it for sentence BLEU).
    public var effectiveOrder: Bool

    /// sacrebleu's defaults: case-sensitive, `13a`, `exp` smoothing, orders 1–4.
    public init(lowercase: Bool = false, tokenizer: Tokenizer = .thirteenA, smoothing: Smoothing = .exp,
                maxNgramOrder: Int = 4, effectiveOrder: Bool = false) {
        self.lowercase = lowercase; self.tokenizer = tokenizer; self.smoothing = smoothing
        self.maxNgramOrder = maxNgramOrder; self.effectiveOrder = effectiveOrder
    }

    /// The corpus score of `hypotheses` against one or more reference streams, each parallel to
    /// the hypotheses (sacrebleu's `references`: a list of lists). Throws when a stream's length
    /// differs from the hypotheses' or the order is outside 1…20.
    public func corpusScore(hypotheses: [String], references: [[String]]) throws -> BLEUScore {
        try check(hypotheses.count, references)
        var stats = [Int](repeating: 0, count: 2 + 2 * maxNgramOrder)
        for (i, h) in hypotheses.enumerated() {
            let s = segmentStatistics(h, references.map { $0[i] })
            for k in stats.indices { stats[k] += s[k] }
        }
        return score(stats)
    }

    /// One segment against its references (sacrebleu's `sentence_score`).
    public func sentenceScore(hypothesis: String, references: [String]) throws -> BLEUScore {
        guard !references.isEmpty else { throw NLPError.invalidInput("BLEU needs at least one reference") }
        return try corpusScore(hypotheses: [hypothesis], references: references.map { [$0] })
    }

    func check(_ count: Int, _ references: [[String]]) throws {
        guard (1...20).contains(maxNgramOrder) else {
            throw NLPError.invalidParameter(name: "max_ngram_order", value: "\(maxNgramOrder)", expected: "1…20")
        }
        guard !references.isEmpty else { throw NLPError.invalidInput("no reference stream given") }
        for (k, r) in references.enumerated() where r.count != count {
            throw NLPError.invalidInput("reference stream \(k + 1) has \(r.count) segments for \(count) hypotheses")
        }
        switch smoothing {
        case .floor(let v), .addK(let v):
            guard v.isFinite, v >= 0 else { throw NLPError.invalidParameter(name: "smooth_value", value: "\(v)", expected: "a finite value ≥ 0") }
        default: break
        }
    }

    /// sacrebleu's `_preprocess_segment`: optional lowercasing, right-strip, the tokenizer.
    func tokens(_ segment: String) -> [[UInt32]] {
        let text = PythonText.rstrip(PythonText.scalars(lowercase ? PythonText.lower(segment) : segment))
        switch tokenizer {
        case .none: return PythonText.split(text)
        case .char:
            return PythonText.split(Array(text.map { [$0] }.joined(separator: [32])))
        case .thirteenA: return PythonText.split(Self.tokenize13a(text))
        }
    }

    /// mteval-v13a's tokenization (sacrebleu's `Tokenizer13a` + `TokenizerRegexp`), each regular
    /// expression replayed as Python's `re.sub` applies it: left to right, matches not overlapping.
    static func tokenize13a(_ line: [UInt32]) -> [UInt32] {
        var s = PythonText.replace(line, "<skipped>", "")
        s = PythonText.replace(s, "-\n", "")
        s = PythonText.replace(s, "\n", " ")
        if s.contains(0x26) {
            for (a, b) in [("&quot;", "\""), ("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">")] { s = PythonText.replace(s, a, b) }
        }
        s = [32] + s + [32]
        func isDigit(_ c: UInt32) -> Bool { c >= 0x30 && c <= 0x39 }
        func isPeriodComma(_ c: UInt32) -> Bool { c == 0x2E || c == 0x2C }
        // ([\{-\~\[-\` -\&\(-\+\:-\@\/]) → ' \1 '
        var out: [UInt32] = []
        out.reserveCapacity(s.count * 2)
        for c in s {
            if (0x7B...0x7E).contains(c) || (0x5B...0x60).contains(c) || (0x20...0x26).contains(c) || (0x28...0x2B).contains(c)
                || (0x3A...0x40).contains(c) || c == 0x2F {
                out += [32, c, 32]
            } else {
                out.append(c)
            }
        }
        // Two-character patterns: ([^0-9])([\.,]) → '\1 \2 ', ([\.,])([^0-9]) → ' \1 \2', ([0-9])(-) → '\1 \2 '.
        func pass(_ s: [UInt32], _ matches: (UInt32, UInt32) -> Bool, _ emit: (UInt32, UInt32) -> [UInt32]) -> [UInt32] {
            var r: [UInt32] = []
            r.reserveCapacity(s.count + s.count / 4)
            var i = 0
            while i < s.count {
                if i + 1 < s.count && matches(s[i], s[i + 1]) {
                    r += emit(s[i], s[i + 1]); i += 2
                } else {
                    r.append(s[i]); i += 1
                }
            }
            return r
        }
        out = pass(out, { !isDigit($0) && isPeriodComma($1) }, { [$0, 32, $1, 32] })
        out = pass(out, { isPeriodComma($0) && !isDigit($1) }, { [32, $0, 32, $1] })
        out = pass(out, { isDigit($0) && $1 == 0x2D }, { [$0, 32, $1, 32] })
        return out
    }

    /// `[hyp_len, ref_len, correct_1…N, total_1…N]` for one segment.
    func segmentStatistics(_ hypothesis: String, _ references: [String]) -> [Int] {
        let n = maxNgramOrder
        var refCounts: [[UInt32]: Int] = [:], refLengths: [Int] = []
        for r in references {
            let t = tokens(r)
            refLengths.append(t.count)
            for (g, c) in Self.ngrams(t, n) { refCounts[g] = Swift.max(refCounts[g] ?? 0, c) }
        }
        let h = tokens(hypothesis)
        // The closest reference length; the shorter on a tie.
        var closest = -1, closestDiff = -1
        for len in refLengths {
            let d = abs(h.count - len)
            if closestDiff == -1 || d < closestDiff { closestDiff = d; closest = len } else if d == closestDiff && len < closest { closest = len }
        }
        var correct = [Int](repeating: 0, count: n), total = correct
        for (g, c) in Self.ngrams(h, n) {
            let order = g.reduce(0) { $0 + ($1 == 32 ? 1 : 0) }
            total[order] += c
            if let r = refCounts[g] { correct[order] += Swift.min(c, r) }
        }
        return [h.count, closest] + correct + total
    }

    /// Every n-gram of orders 1…n, as the tokens joined by a space (tokens hold no whitespace).
    static func ngrams(_ tokens: [[UInt32]], _ n: Int) -> [[UInt32]: Int] {
        var out: [[UInt32]: Int] = [:]
        for order in 1...n where tokens.count >= order {
            for i in 0...(tokens.count - order) {
                var g = tokens[i]
                for k in 1..<order { g.append(32); g += tokens[i + k] }
                out[g, default: 0] += 1
            }
        }
        return out
    }

    /// sacrebleu's `compute_bleu` on summed statistics.
    func score(_ stats: [Int]) -> BLEUScore {
        let n = maxNgramOrder
        let sysLen = stats[0], refLen = stats[1]
        var correct = stats[2..<(2 + n)].map(Double.init), total = stats[(2 + n)...].map(Double.init)
        var bp = 1.0
        if sysLen < refLen { bp = sysLen > 0 ? exp(1 - Double(refLen) / Double(sysLen)) : 0 }
        var precisions = [Double](repeating: 0, count: n)
        let counts = stats[2..<(2 + n)].map { $0 }, totals = stats[(2 + n)...].map { $0 }
        guard correct.contains(where: { $0 != 0 }) else {
            return BLEUScore(score: 0, counts: counts, totals: totals, precisions: precisions, brevityPenalty: bp, hypothesisLength: sysLen, referenceLength: refLen)
        }
        var smoothMteval = 1.0, effOrder = n
        for k in 1...n {
            if case .addK(let v) = smoothing, k > 1 { correct[k - 1] += v; total[k - 1] += v }
            if total[k - 1] == 0 { break }
            if effectiveOrder { effOrder = k }
            if correct[k - 1] == 0 {
                switch smoothing {
                case .exp:
                    smoothMteval *= 2
                    precisions[k - 1] = 100 / (smoothMteval * total[k - 1])
                case .floor(let v): precisions[k - 1] = 100 * v / total[k - 1]
                default: break
                }
            } else {
                precisions[k - 1] = 100 * correct[k - 1] / total[k - 1]
            }
        }
        // sacrebleu's my_log floors log(0) at -9999999999.
        let logs = precisions[..<effOrder].reduce(0.0) { $0 + ($1 == 0 ? -9_999_999_999 : log($1)) }
        return BLEUScore(score: bp * exp(logs / Double(effOrder)), counts: counts, totals: totals, precisions: precisions,
                         brevityPenalty: bp, hypothesisLength: sysLen, referenceLength: refLen)
    }
}

/// A BLEU result, with sacrebleu's fields.
public struct BLEUScore: Sendable, Equatable {
    /// BLEU on the 0–100 scale.
    public var score: Double
    /// Matched n-grams per order (clipped), and all hypothesis n-grams per order.
    public var counts: [Int], totals: [Int]
    /// Modified precisions per order, 0–100 (smoothed where a count was 0).
    public var precisions: [Double]
    /// exp(1 − r/c) when the hypotheses are shorter than the references, else 1.
    public var brevityPenalty: Double
    /// Total hypothesis and (closest) reference lengths in tokens.
    public var hypothesisLength: Int, referenceLength: Int
    /// hypothesis length / reference length.
    public var ratio: Double { referenceLength > 0 ? Double(hypothesisLength) / Double(referenceLength) : 0 }
}
