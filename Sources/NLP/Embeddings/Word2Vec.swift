import CSwiftLearnKernels
import Foundation

/// word2vec's settings under gensim's names and defaults (`gensim.models.Word2Vec`).
public struct Word2VecOptions: Sendable, Equatable {
    /// Dimensionality of the vectors (`vector_size`).
    public var vectorSize = 100
    /// Maximum distance between the current and a predicted word (`window`).
    public var window = 5
    /// Words seen fewer times are ignored (`min_count`).
    public var minCount = 5
    /// Skip-gram (`sg = 1`) or CBOW (`sg = 0`, gensim's default).
    public var skipGram = false
    /// Noise words per positive one (`negative`; negative sampling is the only objective here).
    public var negative = 5
    /// Exponent of the unigram distribution the noise words are drawn from (`ns_exponent`).
    public var nsExponent = 0.75
    /// Down-sampling threshold for frequent words (`sample`; 0 disables it).
    public var sample = 1e-3
    /// Initial and final learning rate (`alpha`, `min_alpha`), decayed linearly over all epochs.
    public var alpha = 0.025, minAlpha = 0.0001
    /// Passes over the corpus (`epochs`).
    public var epochs = 5
    /// Seed of the initial vectors and the draws (`seed`).
    public var seed: UInt64 = 1
    /// CBOW: average the context vectors (`cbow_mean = 1`) or sum them.
    public var cbowMean = true
    /// Training threads (`workers`; updates are lock-free, as gensim's and the C tool's).
    public var workers = 2
    /// Draw each position's window size uniformly from 1…window (`shrink_windows`).
    public var shrinkWindows = true

    /// gensim's defaults.
    public init() {}

    /// Sets one option by gensim's name from text (`vector_size=100`, `sg=1`, …).
    public mutating func set(_ key: String, _ value: String) throws {
        func int(_ range: ClosedRange<Int>) throws -> Int {
            guard let v = Int(value), range.contains(v) else { throw NLPError.invalidParameter(name: key, value: value, expected: "an integer in \(range.lowerBound)…\(range.upperBound)") }
            return v
        }
        func double(_ range: ClosedRange<Double>) throws -> Double {
            guard let v = Double(value), v.isFinite, range.contains(v) else { throw NLPError.invalidParameter(name: key, value: value, expected: "a number in \(range.lowerBound)…\(range.upperBound)") }
            return v
        }
        switch key {
        case "vector_size": vectorSize = try int(1...10_000)
        case "window": window = try int(1...1000)
        case "min_count": minCount = try int(1...Int(Int32.max))
        case "sg": skipGram = try int(0...1) == 1
        case "negative": negative = try int(1...100)
        case "ns_exponent": nsExponent = try double(-10...10)
        case "sample": sample = try double(0...1)
        case "alpha": alpha = try double(1e-9...10)
        case "min_alpha": minAlpha = try double(0...10)
        case "epochs": epochs = try int(1...10_000)
        case "seed": seed = UInt64(try int(0...Int.max))
        case "cbow_mean": cbowMean = try int(0...1) == 1
        case "workers": workers = try int(1...256)
        case "shrink_windows": shrinkWindows = try int(0...1) == 1
        case "hs":
            guard value == "0" else { throw NLPError.invalidParameter(name: key, value: value, expected: "0 (hierarchical softmax is not implemented; negative sampling is)") }
        default:
            throw NLPError.invalidParameter(name: key, value: value, expected: "one of vector_size, window, min_count, sg, negative, ns_exponent, sample, alpha, min_alpha, epochs, seed, cbow_mean, workers, shrink_windows, hs")
        }
    }
}

/// What a training run did.
public struct Word2VecTrainingReport: Sendable {
    /// Corpus words seen over all epochs (gensim's `raw_word_count`) and those trained on after
    /// vocabulary and down-sampling filters (`effective_words`).
    public var rawWords: Int, effectiveWords: Int
    /// Wall-clock seconds of training.
    public var seconds: Double
    /// Raw words per second (gensim logs effective words/s; both are here).
    public var wordsPerSecond: Double { Double(rawWords) / max(seconds, 1e-9) }
    /// Effective (trained) words per second.
    public var effectiveWordsPerSecond: Double { Double(effectiveWords) / max(seconds, 1e-9) }
}

/// word2vec (Mikolov et al. 2013) with negative sampling, skip-gram or CBOW, trained as gensim 4
/// trains it: the vocabulary sorted by descending count (ties: later first, as gensim's lexsort),
/// frequent words down-sampled with gensim's formula, noise words drawn from count^0.75 through
/// gensim's cumulative table, windows shrunk at random, the learning rate decayed linearly over
/// the whole run, sentences cut at 10,000 words, and the updates of `word2vec_inner.pyx` (in the C
/// kernel `sl_w2v_train`), several threads updating lock-free.
///
/// ```swift
/// var o = Word2VecOptions(); o.skipGram = true; o.minCount = 2
/// let model = try Word2Vec.train(sentences: corpus, options: o)
/// model.vectors.mostSimilar(positive: ["king", "woman"], negative: ["man"])
/// ```
public final class Word2Vec {
    /// The settings it was built and trained with.
    public let options: Word2VecOptions
    /// The trained vectors (gensim's `model.wv`).
    public private(set) var vectors: WordVectors
    /// Occurrences of each vocabulary word in the corpus, in vocabulary order.
    public let counts: [Int]
    /// The output (context) vectors of negative sampling (`syn1neg`), vocabulary × size.
    public private(set) var outputWeights: [Float]
    let sampleInts: [UInt32]
    let cumTable: [UInt32]

    /// The most floats one weight matrix may hold (vocabulary × vector size): 2²⁸, 1 GiB.
    public static let maxMatrixFloats = 1 << 28

    /// The longest sentence trained as one (gensim's MAX_WORDS_IN_BATCH); longer ones are cut.
    public static let maxSentenceLength = 10_000

    /// Builds the vocabulary of `sentences` (tokens already split) and allocates the vectors.
    public init(sentences: [[String]], options: Word2VecOptions) throws {
        guard options.vectorSize >= 1, options.window >= 1, options.negative >= 1, options.epochs >= 1, options.workers >= 1, options.minCount >= 1 else {
            throw NLPError.invalidParameter(name: "options", value: "\(options)", expected: "vector_size, window, negative, epochs, workers, min_count ≥ 1")
        }
        guard options.alpha.isFinite, options.alpha > 0, options.minAlpha.isFinite, options.minAlpha >= 0, options.sample >= 0, options.nsExponent.isFinite else {
            throw NLPError.invalidParameter(name: "alpha/min_alpha/sample/ns_exponent", value: "\(options.alpha)/\(options.minAlpha)/\(options.sample)/\(options.nsExponent)", expected: "finite, alpha > 0")
        }
        self.options = options
        // Raw counts in first-seen order.
        var order: [String] = [], raw: [String: Int] = [:]
        for s in sentences {
            for w in s {
                if let c = raw[w] { raw[w] = c + 1 } else { raw[w] = 1; order.append(w) }
            }
        }
        let kept = order.filter { raw[$0]! >= options.minCount }
        guard !kept.isEmpty else { throw NLPError.invalidInput("no word occurs at least min_count = \(options.minCount) times") }
        guard kept.count < Int(UInt32.max) else { throw NLPError.invalidInput("the vocabulary has \(kept.count) words; the limit is \(UInt32.max - 1)") }
        // np.lexsort((-indices, -counts)): by count descending, then by original index descending.
        let sorted = kept.indices.sorted { a, b in
            let ca = raw[kept[a]]!, cb = raw[kept[b]]!
            return ca != cb ? ca > cb : a > b
        }
        let words = sorted.map { kept[$0] }
        counts = words.map { raw[$0]! }
        let (vectorCount, o1) = words.count.multipliedReportingOverflow(by: options.vectorSize)
        guard !o1, vectorCount <= Self.maxMatrixFloats else {
            throw NLPError.invalidInput("\(words.count) words × \(options.vectorSize) dimensions is more than \(Self.maxMatrixFloats) floats per matrix (1 GiB); raise min_count or lower vector_size")
        }
        // Down-sampling (gensim's prepare_vocab).
        let retainTotal = Double(counts.reduce(0, +))
        let threshold = options.sample == 0 ? retainTotal : options.sample < 1 ? options.sample * retainTotal : (options.sample * (3 + 5.0.squareRoot()) / 2).rounded(.towardZero)
        sampleInts = counts.map { c in
            let v = Double(c)
            var p = options.sample == 0 ? 1.0 : ((v / threshold).squareRoot() + 1) * (threshold / v)
            if p >= 1 { p = 1 }
            return UInt32(p * 4_294_967_295.0)
        }
        // Noise distribution (gensim's make_cum_table).
        let domain = Double(Int32.max)
        let powers = counts.map { Foundation.pow(Double($0), options.nsExponent) }
        let total = powers.reduce(0, +)
        var cumulative = 0.0
        cumTable = powers.map { p in cumulative += p; return UInt32((cumulative / total * domain).rounded(.toNearestOrEven)) }
        // Input vectors uniform in [-1, 1) / size, output vectors zero (gensim's prep_vectors / syn1neg).
        var state = options.seed &* 0x9E37_79B9_7F4A_7C15 &+ 0xD1B5_4A32_D192_ED03
        var initial = [Float](repeating: 0, count: vectorCount)
        let scale = 1 / Float(options.vectorSize)
        for i in initial.indices {
            state = state &+ 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            initial[i] = (Float(z >> 40) / Float(1 << 24) * 2 - 1) * scale
        }
        vectors = try WordVectors(words: words, vectors: initial, dimension: options.vectorSize)
        outputWeights = [Float](repeating: 0, count: vectorCount)
    }

    /// Builds the vocabulary, then trains (gensim's `Word2Vec(sentences, …)`).
    public static func train(sentences: [[String]], options: Word2VecOptions,
                             progress: ((Int, Double) -> Void)? = nil) throws -> Word2Vec {
        let model = try Word2Vec(sentences: sentences, options: options)
        try model.train(sentences: sentences, progress: progress)
        return model
    }

    /// Trains `options.epochs` passes over `sentences`; `progress(epoch, seconds)` after each.
    @discardableResult
    public func train(sentences: [[String]], progress: ((Int, Double) -> Void)? = nil) throws -> Word2VecTrainingReport {
        let start = Date()
        // The corpus as vocabulary indexes (-1 out of vocabulary), cut into jobs of ≈ 10,000 words.
        let index = vectors.index
        var flat: [Int32] = [], sentenceEnds: [Int] = []
        for s in sentences {
            var n = 0
            for w in s {
                flat.append(Int32(index[w] ?? -1)); n += 1
                if n == Self.maxSentenceLength { sentenceEnds.append(flat.count); n = 0 }
            }
            if n > 0 { sentenceEnds.append(flat.count) }
        }
        guard !flat.isEmpty else { throw NLPError.invalidInput("the corpus has no words") }
        var jobs: [Range<Int>] = []   // ranges of sentence numbers
        var first = 0, words = 0, previousEnd = 0
        for (k, end) in sentenceEnds.enumerated() {
            words += end - previousEnd; previousEnd = end
            if words >= Self.maxSentenceLength || k == sentenceEnds.count - 1 { jobs.append(first..<(k + 1)); first = k + 1; words = 0 }
        }
        // Immutable copies for the worker threads (captured `var`s would be checked for exclusive access on every read).
        let corpus = flat, ends = sentenceEnds, batches = jobs, thresholds = sampleInts
        let rawPerEpoch = flat.count, epochs = options.epochs
        let size = options.vectorSize, workers = min(options.workers, max(jobs.count, 1))
        var effective = [Int](repeating: 0, count: workers)
        let lock = NSLock()
        var nextJob = 0, doneWords = 0
        let totalWords = Double(rawPerEpoch * epochs)
        withKernelModel { shared in
            let model = shared
            for epoch in 0..<epochs {
                nextJob = 0; doneWords = 0
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    var model = model
                    var work = [Float](repeating: 0, count: size), neu1 = work
                    var indexes = [UInt32](), starts = [Int32](), reduced = [Int32]()
                    var random = UInt64(truncatingIfNeeded: options.seed &* 2_654_435_761 &+ UInt64(epoch) &* 97 &+ UInt64(worker) &* 1_000_003) & 281_474_976_710_655
                    func draw() -> UInt32 {   // gensim's random_int32
                        let r = UInt32(truncatingIfNeeded: random >> 16)
                        random = (random &* 25_214_903_917 &+ 11) & 281_474_976_710_655
                        return r
                    }
                    while true {
                        lock.lock()
                        let j = nextJob; nextJob += 1
                        let progress = (Double(epoch) * Double(rawPerEpoch) + Double(doneWords)) / totalWords
                        lock.unlock()
                        guard j < batches.count else { break }
                        let alpha = Float(max(options.alpha - (options.alpha - options.minAlpha) * min(progress, 1), options.minAlpha))
                        indexes.removeAll(keepingCapacity: true); starts.removeAll(keepingCapacity: true); starts.append(0)
                        var raw = 0
                        let sampling = options.sample > 0
                        for s in batches[j] {
                            let from = s == 0 ? 0 : ends[s - 1], to = ends[s]
                            raw += to - from
                            for p in from..<to {
                                let w = corpus[p]
                                if w < 0 { continue }
                                if sampling && thresholds[Int(w)] < draw() { continue }
                                indexes.append(UInt32(w))
                            }
                            if Int32(indexes.count) != starts.last! { starts.append(Int32(indexes.count)) }
                        }
                        reduced.removeAll(keepingCapacity: true)
                        for _ in 0..<indexes.count { reduced.append(options.shrinkWindows ? Int32(draw() % UInt32(options.window)) : 0) }
                        if indexes.count > 0 {
                            random = indexes.withUnsafeBufferPointer { ix in
                                starts.withUnsafeBufferPointer { st in
                                    reduced.withUnsafeBufferPointer { rd in
                                        work.withUnsafeMutableBufferPointer { wk in
                                            neu1.withUnsafeMutableBufferPointer { nu in
                                                sl_w2v_train(&model, options.skipGram ? 1 : 0, ix.baseAddress, st.baseAddress, st.count - 1,
                                                             rd.baseAddress, alpha, wk.baseAddress, nu.baseAddress, random)
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        lock.lock()
                        doneWords += raw
                        effective[worker] += indexes.count
                        lock.unlock()
                    }
                }
                progress?(epoch + 1, Date().timeIntervalSince(start))
            }
        }
        return Word2VecTrainingReport(rawWords: rawPerEpoch * epochs, effectiveWords: effective.reduce(0, +), seconds: Date().timeIntervalSince(start))
    }

    /// One skip-gram update of gensim's `w2v_fast_sentence_sg_neg` on the current weights: the
    /// input vector of `context` predicts `word`; noise words come from `nextRandom`. Returns the
    /// advanced generator state (for tests against a NumPy restatement of gensim's update).
    public func skipGramUpdate(word: Int, context: Int, alpha: Float, nextRandom: UInt64) throws -> UInt64 {
        guard (0..<vectors.count).contains(word), (0..<vectors.count).contains(context) else {
            throw NLPError.invalidInput("word indexes must be in 0..<\(vectors.count)")
        }
        var work = [Float](repeating: 0, count: options.vectorSize)
        return withKernelModel { model in
            work.withUnsafeMutableBufferPointer { sl_w2v_sg_pair(&model, UInt32(word), UInt32(context), alpha, $0.baseAddress, nextRandom) }
        }
    }

    /// Trains on sentences given as vocabulary indexes with explicit window reductions and
    /// learning rate, no down-sampling (for tests against gensim's loops restated in NumPy).
    public func trainIndexes(_ sentences: [[Int]], reduced: [Int], alpha: Float, nextRandom: UInt64) throws -> UInt64 {
        let flat = sentences.flatMap { $0 }
        guard reduced.count == flat.count, flat.allSatisfy({ (0..<vectors.count).contains($0) }), reduced.allSatisfy({ (0..<options.window).contains($0) }) else {
            throw NLPError.invalidInput("indexes must be in the vocabulary and reductions in 0..<window, one per word")
        }
        var starts: [Int32] = [0]
        for s in sentences { starts.append(starts.last! + Int32(s.count)) }
        let ix = flat.map { UInt32($0) }, rd = reduced.map { Int32($0) }
        var work = [Float](repeating: 0, count: options.vectorSize), neu1 = work
        return withKernelModel { model in
            sl_w2v_train(&model, options.skipGram ? 1 : 0, ix, starts, starts.count - 1, rd, alpha, &work, &neu1, nextRandom)
        }
    }

    /// The C kernel's view of the weights (valid inside `body` only).
    private func withKernelModel<R>(_ body: (inout sl_w2v_model) -> R) -> R {
        vectors.withMutableStorage { syn0 in
            outputWeights.withUnsafeMutableBufferPointer { syn1 in
                cumTable.withUnsafeBufferPointer { cum in
                    var model = sl_w2v_model(syn0: syn0.baseAddress, syn1neg: syn1.baseAddress, cum_table: cum.baseAddress, cum_len: cum.count,
                                             size: options.vectorSize, negative: Int32(options.negative), window: Int32(options.window),
                                             cbow_mean: options.cbowMean ? 1 : 0)
                    return body(&model)
                }
            }
        }
    }

    /// gensim's tabulated logistic function of a dot product (nil where |f| ≥ 6: gensim skips
    /// the update there).
    public static func tabulatedSigmoid(_ f: Float) -> Float? {
        var inside: Int32 = 0
        let v = sl_w2v_sigmoid(f, &inside)
        return inside == 1 ? v : nil
    }

    /// The noise table (gensim's `cum_table`), in vocabulary order.
    public var noiseTable: [UInt32] { cumTable }
    /// The down-sampling thresholds (gensim's `sample_int`), in vocabulary order.
    public var sampleThresholds: [UInt32] { sampleInts }

    /// Replaces the weights (for tests that start from given matrices).
    public func setWeights(input: [Float], output: [Float]) throws {
        guard input.count == vectors.vectors.count, output.count == outputWeights.count else {
            throw NLPError.invalidInput("weights must have \(vectors.count) × \(options.vectorSize) values")
        }
        vectors = try WordVectors(words: vectors.words, vectors: input, dimension: options.vectorSize)
        outputWeights = output
    }
}
