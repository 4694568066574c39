import Foundation

/// A topic-coherence measure of Röder, Both & Hinneburg's framework (2015), as gensim's
/// `CoherenceModel(coherence=…)` computes it.
public enum CoherenceMeasure: String, Sendable, Equatable, CaseIterable {
    /// Mimno et al. (2011): mean over word pairs (each word with every word ranked above it) of
    /// log((D(w, w*) / N + ε) / (D(w*) / N)), D counting documents. Higher is better; ≤ 0.
    case uMass = "u_mass"
    /// The mean cosine, over the topic's words, between each word's NPMI context vector and the
    /// whole topic's, co-occurrences counted in sliding windows of 110 tokens. In 0…1.
    case cV = "c_v"
    /// Newman et al. (2010): mean PMI over ordered word pairs, windows of 10 tokens.
    case cUCI = "c_uci"
    /// Bouma's normalized PMI (in −1…1) instead of PMI, windows of 10 tokens.
    case cNPMI = "c_npmi"

    /// gensim's default sliding-window size (nil: whole documents).
    public var defaultWindowSize: Int? {
        switch self {
        case .uMass: return nil
        case .cV: return 110
        case .cUCI, .cNPMI: return 10
        }
    }
}

/// The coherence of topics (lists of top words) over tokenized texts, equal to gensim 4.4's
/// `CoherenceModel(topics=…, texts=…, dictionary=Dictionary(texts), coherence=…, processes=1)`,
/// including its particulars:
///
/// - only the first `topN` words of each topic count (gensim truncates when the first topic is
///   longer than `topn`);
/// - topic words absent from the texts are dropped (listed in ``Result/unknownWords``);
/// - sliding windows: a text shorter than the window is one window, an empty text still counts
///   as one; as a window slides, the token leaving it is marked absent even when it occurs again
///   inside the window (gensim's `_slide_window`), so counts equal gensim's exactly;
/// - ε = 10⁻¹²; u_mass scores a pair 0 when the conditioning word never occurs.
public enum TopicCoherence {
    /// Coherence per topic and their mean.
    public struct Result: Sendable, Equatable {
        /// The arithmetic mean of ``perTopic`` (`get_coherence()`).
        public var coherence: Double
        /// Each topic's mean over its segments (`get_coherence_per_topic()`).
        public var perTopic: [Double]
        /// Topic words not found in the texts, dropped before scoring (as gensim does).
        public var unknownWords: [String]
        /// Sliding window used (nil for u_mass).
        public var windowSize: Int?
        /// Documents (u_mass) or windows counted (N in the probabilities).
        public var documentCount: Int
    }

    /// ε of gensim's confirmation measures.
    static let epsilon = 1e-12
    /// The most distinct topic words scored at once (co-occurrence counts are a square table).
    public static let maxDistinctWords = 4096

    /// Scores `topics` against `texts` (each a list of tokens).
    /// - Parameters:
    ///   - windowSize: tokens per sliding window (nil: the measure's default; ignored by u_mass).
    ///   - topN: words per topic that count (gensim's `topn`, default 20).
    /// - Throws: `NLPError.invalidInput` for no topics or texts, a topic with no known word, or too
    ///   many distinct words; `NLPError.invalidParameter` for a window or `topN` below 1.
    public static func score(topics: [[String]], texts: [[String]], measure: CoherenceMeasure,
                             windowSize: Int? = nil, topN: Int = 20) throws -> Result {
        guard !topics.isEmpty else { throw NLPError.invalidInput("no topics to score") }
        guard !texts.isEmpty else { throw NLPError.invalidInput("no texts to count co-occurrences in") }
        guard topN >= 1 else { throw NLPError.invalidParameter(name: "topn", value: "\(topN)", expected: "≥ 1") }
        let window = measure == .uMass ? nil : (windowSize ?? measure.defaultWindowSize)
        if let w = window, w < 1 { throw NLPError.invalidParameter(name: "window_size", value: "\(w)", expected: "≥ 1") }

        // Words the texts never use are dropped, as gensim's dictionary lookup does; then the
        // topics are cut to `topN` words (gensim checks the first topic's length only).
        var vocabulary = Set<String>()
        for text in texts { vocabulary.formUnion(text) }
        var unknown: [String] = []
        var known: [[String]] = []
        for (t, topic) in topics.enumerated() {
            let kept = topic.filter { vocabulary.contains($0) }
            for word in topic where !vocabulary.contains(word) && !unknown.contains(word) { unknown.append(word) }
            guard !kept.isEmpty else { throw NLPError.invalidInput("topic \(t) has no word that occurs in the texts") }
            known.append(kept)
        }
        if known[0].count > topN { known = known.map { Array($0.prefix(topN)) } }
        var ids: [String: Int] = [:]
        for topic in known { for word in topic where ids[word] == nil { ids[word] = ids.count } }
        guard ids.count <= maxDistinctWords else {
            throw NLPError.invalidInput("\(ids.count) distinct topic words; at most \(maxDistinctWords) are scored at once")
        }
        let topicIds = known.map { $0.map { ids[$0]! } }

        let counts = window.map { slidingWindowCounts(texts: texts, ids: ids, size: $0) } ?? documentCounts(texts: texts, ids: ids)
        let perTopic: [Double]
        switch measure {
        case .uMass: perTopic = topicIds.map { uMass($0, counts) }
        case .cUCI: perTopic = topicIds.map { pairwiseRatio($0, counts, normalize: false) }
        case .cNPMI: perTopic = topicIds.map { pairwiseRatio($0, counts, normalize: true) }
        case .cV: perTopic = topicIds.map { cV($0, counts) }
        }
        return Result(coherence: mean(perTopic), perTopic: perTopic, unknownWords: unknown, windowSize: window, documentCount: counts.documents)
    }

    // MARK: Probability estimation

    /// Occurrence counts of the topic words (diagonal) and of their pairs, over `documents`
    /// virtual documents.
    struct Counts {
        let size: Int
        var table: [UInt32]
        var documents = 0
        init(size: Int) { self.size = size; table = [UInt32](repeating: 0, count: size * size) }
        func occurrences(_ a: Int) -> Double { Double(table[a * size + a]) }
        func pair(_ a: Int, _ b: Int) -> Double { Double(table[a * size + b]) }
    }

    /// Each text is one document (gensim's `p_boolean_document` over the bag-of-words corpus).
    static func documentCounts(texts: [[String]], ids: [String: Int]) -> Counts {
        var counts = Counts(size: ids.count)
        var present = [Bool](repeating: false, count: ids.count)
        for text in texts {
            var found: [Int] = []
            for token in text { if let id = ids[token], !present[id] { present[id] = true; found.append(id) } }
            add(found, to: &counts)
            for id in found { present[id] = false }
            counts.documents += 1
        }
        return counts
    }

    /// gensim's `WordOccurrenceAccumulator`: every window of `size` consecutive tokens is a
    /// document; which topic words a window holds is tracked incrementally, as gensim does.
    static func slidingWindowCounts(texts: [[String]], ids: [String: Int], size: Int) -> Counts {
        let none = ids.count
        var counts = Counts(size: ids.count)
        var present = [Bool](repeating: false, count: none + 1)
        var found: [Int] = []
        for text in texts {
            let tokens = text.map { ids[$0] ?? none }
            guard !tokens.isEmpty else { counts.documents += 1; continue }
            let windows = tokens.count >= size ? tokens.count - size + 1 : 1
            let width = min(size, tokens.count)
            for i in 0..<none + 1 { present[i] = false }
            for t in tokens[0..<width] { present[t] = true }
            for start in 0..<windows {
                if start > 0 {
                    present[tokens[start - 1]] = false
                    present[tokens[start + width - 1]] = true
                }
                found.removeAll(keepingCapacity: true)
                for id in 0..<none where present[id] { found.append(id) }
                add(found, to: &counts)
                counts.documents += 1
            }
        }
        return counts
    }

    private static func add(_ found: [Int], to counts: inout Counts) {
        let n = counts.size
        for (i, a) in found.enumerated() {
            counts.table[a * n + a] &+= 1
            for b in found[(i + 1)...] { counts.table[a * n + b] &+= 1; counts.table[b * n + a] &+= 1 }
        }
    }

    // MARK: Confirmation measures

    /// log((D(w′, w*) / N + ε) / (D(w*) / N)) over the one-preceding segmentation; 0 when D(w*) = 0.
    static func uMass(_ topic: [Int], _ c: Counts) -> Double {
        let n = Double(c.documents)
        var sims: [Double] = []
        for i in 1..<max(1, topic.count) {
            for j in 0..<i {
                let star = c.occurrences(topic[j])
                sims.append(star == 0 ? 0 : Foundation.log((c.pair(topic[i], topic[j]) / n + epsilon) / (star / n)))
            }
        }
        return mean(sims)
    }

    /// PMI, or NPMI when `normalize`, of a pair (gensim's `log_ratio_measure`).
    static func logRatio(_ a: Int, _ b: Int, _ c: Counts, normalize: Bool) -> Double {
        let n = Double(c.documents)
        let co = c.pair(a, b)
        let pmi = Foundation.log((co / n + epsilon) / ((c.occurrences(a) / n) * (c.occurrences(b) / n)))
        return normalize ? pmi / -Foundation.log(co / n + epsilon) : pmi
    }

    /// Mean (N)PMI over every ordered pair of distinct positions (the one-one segmentation).
    static func pairwiseRatio(_ topic: [Int], _ c: Counts, normalize: Bool) -> Double {
        var sims: [Double] = []
        for (i, a) in topic.enumerated() {
            for (j, b) in topic.enumerated() where i != j { sims.append(logRatio(a, b, c, normalize: normalize)) }
        }
        return mean(sims)
    }

    /// C_V: each word's context vector (its NPMI with every topic word) against the topic's
    /// (the sum of all words' vectors), by cosine, averaged over the words.
    static func cV(_ topic: [Int], _ c: Counts) -> Double {
        let m = topic.count
        var npmi = [Double](repeating: 0, count: m * m)
        for i in 0..<m { for j in 0..<m { npmi[i * m + j] = logRatio(min(topic[i], topic[j]), max(topic[i], topic[j]), c, normalize: true) } }
        // Repeated words share one context-vector entry, as gensim's contiguous mapping does.
        var slot: [Int: Int] = [:]
        for id in topic where slot[id] == nil { slot[id] = slot.count }
        func contextVector(_ rows: [Int]) -> [Double] {
            var v = [Double](repeating: 0, count: slot.count)
            for j in 0..<m { for i in rows { v[slot[topic[j]]!] += npmi[i * m + j] } }
            return v
        }
        let whole = contextVector(Array(0..<m))
        let wholeNorm = whole.reduce(0) { $0 + $1 * $1 }.squareRoot()
        var sims: [Double] = []
        for i in 0..<m {
            let v = contextVector([i])
            var dot = 0.0, norm = 0.0
            for s in 0..<v.count { dot += v[s] * whole[s]; norm += v[s] * v[s] }
            sims.append(dot / (norm.squareRoot() * wholeNorm))
        }
        return mean(sims)
    }

    static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }
}
