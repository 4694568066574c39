/// chrF and chrF++ as `sacrebleu` 2.x computes them (`CHRF().corpus_score`): character n-grams
/// of orders 1…`charOrder` over the text with whitespace removed, plus word n-grams of orders
/// 1…`wordOrder` (chrF++: `wordOrder = 2`) after punctuation is split from word ends; per order
/// the hypothesis, reference and matched counts are summed over the corpus, precision and recall
/// are averaged over the orders that have n-grams on both sides, and combined as F-β (β = 2).
/// Against several references each segment keeps the one with the best segment F-score.
///
/// ```swift
/// try CHRF().corpusScore(hypotheses: hyps, references: [refs]).score              // chrF2
/// try CHRF(wordOrder: 2).corpusScore(hypotheses: hyps, references: [refs]).score  // chrF2++
/// ```
public struct CHRF: Sendable {
    /// Character n-gram orders 1…charOrder (6), word n-gram orders 1…wordOrder (0; 2 for chrF++),
    /// and β, recall's weight against precision (2).
    public var charOrder: Int, wordOrder: Int, beta: Int
    /// Lowercase before counting (`lowercase`).
    public var lowercase: Bool
    /// Keep whitespace inside character n-grams (sacrebleu's `whitespace`).
    public var whitespace: Bool
    /// chrF++.py's ε-smoothing of zero orders instead of the effective-order average.
    public var epsSmoothing: Bool

    /// sacrebleu's defaults: chrF2 (6 character orders, no word orders, β = 2).
    public init(charOrder: Int = 6, wordOrder: Int = 0, beta: Int = 2, lowercase: Bool = false, whitespace: Bool = false, epsSmoothing: Bool = false) {
        self.charOrder = charOrder; self.wordOrder = wordOrder; self.beta = beta
        self.lowercase = lowercase; self.whitespace = whitespace; self.epsSmoothing = epsSmoothing
    }

    /// The corpus score (0–100) of `hypotheses` against reference streams parallel to them.
    public func corpusScore(hypotheses: [String], references: [[String]]) throws -> CHRFScore {
        guard (1...20).contains(charOrder), (0...10).contains(wordOrder), (0...100).contains(beta) else {
            throw NLPError.invalidParameter(name: "char_order/word_order/beta", value: "\(charOrder)/\(wordOrder)/\(beta)", expected: "1…20 / 0…10 / 0…100")
        }
        guard !references.isEmpty else { throw NLPError.invalidInput("no reference stream given") }
        for (k, r) in references.enumerated() where r.count != hypotheses.count {
            throw NLPError.invalidInput("reference stream \(k + 1) has \(r.count) segments for \(hypotheses.count) hypotheses")
        }
        var stats = [Int](repeating: 0, count: 3 * (charOrder + wordOrder))
        for (i, h) in hypotheses.enumerated() {
            let s = segmentStatistics(h, references.map { $0[i] })
            for k in s.indices { stats[k] += s[k] }
        }
        return CHRFScore(score: fScore(stats), charOrder: charOrder, wordOrder: wordOrder, beta: beta)
    }

    /// One segment against its references (sacrebleu's `sentence_score`).
    public func sentenceScore(hypothesis: String, references: [String]) throws -> CHRFScore {
        guard !references.isEmpty else { throw NLPError.invalidInput("chrF needs at least one reference") }
        return try corpusScore(hypotheses: [hypothesis], references: references.map { [$0] })
    }

    /// sacrebleu's name: `chrF2`, `chrF2++`.
    public var name: String { "chrF\(beta)" + String(repeating: "+", count: wordOrder) }

    static let punctuation: Set<UInt32> = Set(PythonText.scalars("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"))

    /// Every n-gram counter of a segment: character orders, then word orders.
    func ngrams(_ segment: String) -> [[[UInt32]: Int]] {
        let text = PythonText.scalars(lowercase ? PythonText.lower(segment) : segment)
        let chars = whitespace ? text : Array(PythonText.split(text).joined())
        var out: [[[UInt32]: Int]] = []
        for n in 1...charOrder {
            var c: [[UInt32]: Int] = [:]
            if chars.count >= n { for i in 0...(chars.count - n) { c[Array(chars[i..<(i + n)]), default: 0] += 1 } }
            out.append(c)
        }
        if wordOrder > 0 {
            // sacrebleu's _remove_punctuation: one punctuation mark split off the end, else off the start.
            var words: [[UInt32]] = []
            for w in PythonText.split(text) {
                if w.count == 1 { words.append(w) } else if Self.punctuation.contains(w[w.count - 1]) {
                    words.append(Array(w.dropLast())); words.append([w[w.count - 1]])
                } else if Self.punctuation.contains(w[0]) {
                    words.append([w[0]]); words.append(Array(w.dropFirst()))
                } else {
                    words.append(w)
                }
            }
            for n in 1...wordOrder {
                var c: [[UInt32]: Int] = [:]
                if words.count >= n {
                    for i in 0...(words.count - n) { c[Array(words[i..<(i + n)].joined(separator: [32])), default: 0] += 1 }
                }
                out.append(c)
            }
        }
        return out
    }

    /// `[hyp, ref, match]` per order for the best-scoring reference.
    func segmentStatistics(_ hypothesis: String, _ references: [String]) -> [Int] {
        let hyp = ngrams(hypothesis)
        var best: [Int] = [], bestF = -1.0
        for r in references {
            let ref = ngrams(r)
            var stats: [Int] = []
            for (h, rc) in zip(hyp, ref) {
                var match = 0, hypCount = 0
                for (g, c) in h { hypCount += c; if let x = rc[g] { match += Swift.min(c, x) } }
                stats += [rc.isEmpty ? 0 : hypCount, rc.values.reduce(0, +), match]
            }
            let f = fScore(stats)
            if f > bestF { bestF = f; best = stats }
        }
        return best
    }

    /// sacrebleu's `_compute_f_score`.
    func fScore(_ stats: [Int]) -> Double {
        let eps = 1e-16, factor = Double(beta * beta), order = charOrder + wordOrder
        var score = 0.0, effective = 0, avgP = 0.0, avgR = 0.0
        for i in 0..<order {
            let nHyp = stats[3 * i], nRef = stats[3 * i + 1], nMatch = stats[3 * i + 2]
            let p = nHyp > 0 ? Double(nMatch) / Double(nHyp) : eps
            let r = nRef > 0 ? Double(nMatch) / Double(nRef) : eps
            let denom = factor * p + r
            score += denom > 0 ? (1 + factor) * p * r / denom : eps
            if nHyp > 0 && nRef > 0 { avgP += p; avgR += r; effective += 1 }
        }
        if epsSmoothing { return 100 * score / Double(order) }
        if effective == 0 { avgP = 0; avgR = 0 } else { avgP /= Double(effective); avgR /= Double(effective) }
        guard avgP + avgR != 0 else { return 0 }
        return 100 * ((1 + factor) * avgP * avgR / (factor * avgP + avgR))
    }
}

/// A chrF result.
public struct CHRFScore: Sendable, Equatable {
    /// chrF on the 0–100 scale.
    public var score: Double
    /// The settings it was computed with.
    public var charOrder: Int, wordOrder: Int, beta: Int
    /// sacrebleu's name: `chrF2`, `chrF2++`.
    public var name: String { "chrF\(beta)" + String(repeating: "+", count: wordOrder) }
}
