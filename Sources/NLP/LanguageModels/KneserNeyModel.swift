import Foundation

/// An interpolated Kneser–Ney n-gram language model, scored exactly as NLTK 3.10's
/// `nltk.lm.KneserNeyInterpolated` scores (the classic bridge from counting to neural language
/// models): sentences padded with `<s>` and `</s>` (order − 1 of each), every n-gram of orders
/// 1…order counted, words below `unkCutoff` mapped to `<UNK>`. For the highest order the
/// discounted count `max(c(h, w) − d, 0) / c(h)` is interpolated with weight
/// `d · N₁₊(h •) / c(h)`; lower orders use continuation counts (how many distinct words precede
/// the n-gram) in the same form, down to the unigram `N₁₊(• w) / N₁₊(• •)`; an unseen context
/// passes its whole weight down. NLTK's choices are kept where they differ from textbooks: the
/// lower orders' interpolation weight counts the context's distinct followers in the raw counts
/// over the continuation total, and perplexity is 2 to the mean negative log₂ score (summed
/// exactly, as `math.fsum`).
///
/// ```swift
/// let lm = try KneserNeyModel(order: 3, sentences: corpus)
/// lm.score("mat", context: ["on", "the"])
/// try lm.perplexity(of: [["the", "cat", "sat"]])
/// ```
public final class KneserNeyModel {
    /// The n-gram order (2 = bigrams).
    public let order: Int
    /// The absolute discount d subtracted from every count.
    public let discount: Double
    /// The vocabulary: words seen at least `unkCutoff` times, `<s>`, `</s>` and `<UNK>`.
    public let vocabulary: Set<String>
    /// NLTK's labels for an unknown word and the sentence padding.
    public static let unknown = "<UNK>", start = "<s>", end = "</s>"

    let ids: [String: Int32]
    /// raw[k]: context of length k (k ≥ 1) → follower counts and their total.
    let raw: [[[Int32]: (followers: [Int32: Int], total: Int)]]
    /// continuation[k]: (context of length k) + [word] → distinct words before it (k + 2-gram types).
    let continuation: [[[Int32]: Int]]
    /// continuationTotal[k]: context of length k → distinct (x, context, y) types.
    let continuationTotal: [[[Int32]: Int]]

    /// The largest number of distinct n-grams counted (as NLTK's counter bounds memory).
    public static let maxNGrams = 50_000_000

    /// Counts `sentences` (tokens already split). `order` 2…10, `discount` in (0, 1), words seen
    /// fewer than `unkCutoff` times become `<UNK>`.
    public init(order: Int, sentences: [[String]], discount: Double = 0.1, unkCutoff: Int = 1) throws {
        guard (2...10).contains(order) else { throw NLPError.invalidParameter(name: "order", value: "\(order)", expected: "2…10") }
        guard discount.isFinite, discount > 0, discount < 1 else { throw NLPError.invalidParameter(name: "discount", value: "\(discount)", expected: "a number in (0, 1)") }
        guard unkCutoff >= 1 else { throw NLPError.invalidParameter(name: "unk_cutoff", value: "\(unkCutoff)", expected: "≥ 1") }
        guard sentences.contains(where: { !$0.isEmpty }) else { throw NLPError.invalidInput("the training text has no words") }
        self.order = order; self.discount = discount
        let padded = sentences.map { Array(repeating: Self.start, count: order - 1) + $0 + Array(repeating: Self.end, count: order - 1) }
        var counts: [String: Int] = [:]
        for s in padded { for w in s { counts[w, default: 0] += 1 } }
        var vocab = Set(counts.filter { $0.value >= unkCutoff }.keys)
        vocab.insert(Self.unknown)
        vocabulary = vocab
        var table: [String: Int32] = [:]
        for w in vocab.sorted() { table[w] = Int32(table.count) }
        ids = table
        let unk = table[Self.unknown]!
        var raw: [[[Int32]: (followers: [Int32: Int], total: Int)]] = Array(repeating: [:], count: order)
        var distinct = 0
        for s in padded {
            let t = s.map { table[$0] ?? unk }
            for n in 2...order where t.count >= n {
                for i in 0...(t.count - n) {
                    let ctx = Array(t[i..<(i + n - 1)]), w = t[i + n - 1]
                    var entry = raw[n - 1][ctx] ?? ([:], 0)
                    if entry.followers[w] == nil { distinct += 1 }
                    entry.followers[w, default: 0] += 1; entry.total += 1
                    raw[n - 1][ctx] = entry
                }
            }
            guard distinct <= Self.maxNGrams else { throw NLPError.invalidInput("more than \(Self.maxNGrams) distinct n-grams") }
        }
        self.raw = raw
        var continuation: [[[Int32]: Int]] = Array(repeating: [:], count: order - 1)
        var continuationTotal: [[[Int32]: Int]] = Array(repeating: [:], count: order - 1)
        for k in 0..<(order - 1) {
            for (prefix, entry) in raw[k + 1] {
                let ctx = Array(prefix.dropFirst())
                for (y, c) in entry.followers where c > 0 {
                    continuation[k][ctx + [y], default: 0] += 1
                    continuationTotal[k][ctx, default: 0] += 1
                }
            }
        }
        self.continuation = continuation
        self.continuationTotal = continuationTotal
    }

    /// P(word | context), NLTK's `score`: words outside the vocabulary count as `<UNK>`; only the
    /// last order − 1 context words matter.
    public func score(_ word: String, context: [String] = []) -> Double {
        let unk = ids[Self.unknown]!
        let w = ids[word] ?? unk
        let c = context.suffix(order - 1).map { ids[$0] ?? unk }
        return unmaskedScore(w, Array(c))
    }

    func unmaskedScore(_ word: Int32, _ context: [Int32]) -> Double {
        if context.isEmpty {
            let total = continuationTotal[0][[]] ?? 0
            return total > 0 ? Double(continuation[0][[word]] ?? 0) / Double(total) : 0
        }
        guard let prefix = raw[context.count][context], prefix.total > 0 else {
            return unmaskedScore(word, Array(context.dropFirst()))   // alpha 0, gamma 1
        }
        let count: Int, total: Int
        if context.count + 1 == order {
            count = prefix.followers[word] ?? 0; total = prefix.total
        } else {
            count = continuation[context.count][context + [word]] ?? 0; total = continuationTotal[context.count][context] ?? 0
        }
        guard total > 0 else { return unmaskedScore(word, Array(context.dropFirst())) }
        let alpha = max(Double(count) - discount, 0.0) / Double(total)
        // Every stored follower count is ≥ 1, so the distinct followers are the table's size.
        let gamma = discount * Double(prefix.followers.count) / Double(total)
        return alpha + gamma * unmaskedScore(word, Array(context.dropFirst()))
    }

    /// log₂ P(word | context) (−∞ for a zero probability), NLTK's `logscore`.
    public func logScore(_ word: String, context: [String] = []) -> Double {
        let s = score(word, context: context)
        return s == 0 ? -.infinity : Foundation.log(s) / Foundation.log(2.0)
    }

    /// The n-grams NLTK's perplexity is usually given: each sentence padded, then every window of
    /// `order` tokens (`ngrams(pad_both_ends(sentence, n=order), order)`).
    public func evaluationNGrams(_ sentences: [[String]]) -> [[String]] {
        var out: [[String]] = []
        for s in sentences {
            let p = Array(repeating: Self.start, count: order - 1) + s + Array(repeating: Self.end, count: order - 1)
            if p.count >= order { for i in 0...(p.count - order) { out.append(Array(p[i..<(i + order)])) } }
        }
        return out
    }

    /// Cross-entropy in bits per n-gram (NLTK's `entropy`: the negated mean log₂ score of each
    /// n-gram's last word given the rest, summed exactly).
    public func entropy(of ngrams: [[String]]) throws -> Double {
        guard !ngrams.isEmpty, ngrams.allSatisfy({ !$0.isEmpty }) else { throw NLPError.invalidInput("no n-grams to score") }
        let logs = ngrams.map { logScore($0.last!, context: Array($0.dropLast())) }
        return -1 * (ExactSum.fsum(logs) / Double(logs.count))
    }

    /// Perplexity of held-out sentences: 2^entropy over their padded `order`-grams (∞ when a word
    /// gets probability 0).
    public func perplexity(of sentences: [[String]]) throws -> Double {
        Foundation.pow(2.0, try entropy(of: evaluationNGrams(sentences)))
    }
}

/// Python's `math.fsum`: the correctly rounded sum (Shewchuk's partials, then CPython's final
/// half-even correction).
public enum ExactSum {
    /// The correctly rounded sum of `values` (an infinity in them is returned as is).
    public static func fsum(_ values: [Double]) -> Double {
        var partials: [Double] = []
        var special = 0.0, infinite = false
        for v in values {
            if !v.isFinite { special += v; infinite = true; continue }
            var x = v, i = 0
            for var y in partials {
                if abs(x) < abs(y) { swap(&x, &y) }
                let hi = x + y, lo = y - (hi - x)
                if lo != 0 { partials[i] = lo; i += 1 }
                x = hi
            }
            partials.removeSubrange(i...)
            if x != 0 { partials.append(x) }
        }
        if infinite { return special }
        guard var hi = partials.last else { return 0 }
        var n = partials.count - 1, lo = 0.0
        while n > 0 {
            let x = hi
            let y = partials[n - 1]
            n -= 1
            hi = x + y
            let yr = hi - x
            lo = y - yr
            if lo != 0 { break }
        }
        if n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0)) {
            let y = lo * 2, x = hi + y
            if y == x - hi { hi = x }
        }
        return hi
    }
}
