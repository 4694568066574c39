import Foundation
import SwiftLearnCore

/// Collapsed Gibbs LDA's settings under the `lda` package's names and defaults (`lda.LDA`).
public struct GibbsLDAOptions: Sendable, Equatable {
    /// Number of topics (`n_topics`).
    public var nTopics = 10
    /// Sweeps over every token (`n_iter`).
    public var nIter = 2000
    /// Symmetric Dirichlet prior of document–topic weights (`alpha`).
    public var alpha = 0.1
    /// Symmetric Dirichlet prior of topic–word weights (`eta`).
    public var eta = 0.01
    /// Seed of NumPy's `RandomState` (`random_state`; nil: from the system). With the same seed
    /// every token draws the topic the `lda` package draws.
    public var randomState: UInt32?
    /// Record the log-likelihood every this many sweeps (`refresh`).
    public var refresh = 10

    /// The `lda` package's defaults (it requires `n_topics`; 10 here).
    public init() {}

    /// Sets one option by the `lda` package's name from text (`n_topics=20`, `alpha=0.1`, …).
    public mutating func set(_ key: String, _ value: String) throws {
        let text = SettingText(key: key, value: value)
        func positive() throws -> Double { try text.double(Double.leastNonzeroMagnitude...1e6, "a number in (0, 1e6]") }
        switch key {
        case "n_topics", "n_components": nTopics = try text.int(1...100_000)
        case "n_iter", "max_iter": nIter = try text.int(0...10_000_000)
        case "alpha": alpha = try positive()
        case "eta": eta = try positive()
        case "random_state": randomState = try text.seed()
        case "refresh": refresh = try text.int(1...10_000_000)
        default: throw text.bad("one of n_topics, n_iter, alpha, eta, random_state, refresh")
        }
    }

    func validate() throws {
        func bad(_ name: String, _ value: Any, _ expected: String) -> NLPError { .invalidParameter(name: name, value: "\(value)", expected: expected) }
        guard nTopics >= 1 else { throw bad("n_topics", nTopics, "≥ 1") }
        guard nIter >= 0 else { throw bad("n_iter", nIter, "≥ 0") }
        guard alpha > 0, alpha.isFinite else { throw bad("alpha", alpha, "> 0") }
        guard eta > 0, eta.isFinite else { throw bad("eta", eta, "> 0") }
        guard refresh >= 1 else { throw bad("refresh", refresh, "≥ 1") }
    }
}

/// Latent Dirichlet allocation by collapsed Gibbs sampling (Griffiths & Steyvers 2004), computed
/// as the `lda` package computes it: tokens start in topic `i mod K` in reading order, each sweep
/// resamples every token's topic from p(z = k) ∝ (n_kw + η) / (n_k + Vη) · (n_dk + α) using a fixed
/// table of 131,072 uniforms reshuffled before each sweep. With `random_state` set the draws are
/// NumPy's, so the counts after any number of sweeps equal the `lda` package's exactly (see
/// GibbsLDATests). Sampling is sequential by nature: one thread.
///
/// Where ``LatentDirichletAllocation`` approximates the posterior by variational Bayes, this
/// samples it; both give topics as normalized word weights.
public final class CollapsedGibbsLDA {
    /// The settings.
    public let options: GibbsLDAOptions
    /// Vocabulary size seen in fitting.
    public private(set) var featureCount = 0
    /// Topic–word counts n_kw after the last sweep, topics × features, row-major (`nzw_`).
    public private(set) var topicWordCounts: [Int32] = []
    /// Document–topic counts n_dk, documents × topics, row-major (`ndz_`).
    public private(set) var documentTopicCounts: [Int32] = []
    /// Tokens per topic n_k (`nz_`).
    public private(set) var topicCounts: [Int32] = []
    /// (sweep, log p(w, z)) every `refresh` sweeps, before that sweep (`loglikelihoods_`).
    public private(set) var logLikelihoods: [(sweep: Int, value: Double)] = []
    /// (n_kw + η) normalized per topic, topics × features (`topic_word_` / `components_`).
    public private(set) var components: [Double] = []
    /// (n_dk + α) normalized per document, documents × topics (`doc_topic_`).
    public private(set) var documentTopics: [[Double]] = []
    /// Whether `fit` has run.
    public var isFitted: Bool { featureCount > 0 }
    /// Number of topics.
    public var topicCount: Int { options.nTopics }

    /// The most tokens (sum of the counts) a fit takes: 2²⁶ (word, document and topic of each are kept).
    public static let maxTokens = 1 << 26
    /// The most cells the count tables may hold (topics × features, documents × topics): 2²⁶.
    public static let maxTableValues = 1 << 26
    /// Size of the `lda` package's table of uniforms (1 MiB of doubles).
    static let uniformCount = 1024 * 1024 / 8

    /// A model with these settings. - Throws: `NLPError.invalidParameter` for a value outside its domain.
    public init(options: GibbsLDAOptions = GibbsLDAOptions()) throws {
        try options.validate()
        self.options = options
    }

    /// Samples topics for a document–word count matrix (non-negative integer counts) for `n_iter` sweeps.
    /// - Throws: `NLPError.invalidInput` for an empty matrix, counts that are negative, fractional or
    ///   non-finite, no tokens at all, or more tokens or table cells than the limits.
    public func fit(_ x: SparseMatrix) throws {
        let k = options.nTopics
        guard x.rows > 0, x.columns > 0 else { throw NLPError.invalidInput("the document–word matrix is empty (\(x.rows) × \(x.columns))") }
        var total = 0.0
        for v in x.values {
            guard v >= 0, v.isFinite, v == v.rounded() else { throw NLPError.invalidInput("the document–word matrix holds \(v); Gibbs LDA needs integer counts") }
            total += v
        }
        guard total > 0 else { throw NLPError.invalidInput("the document–word matrix has no words to fit on") }
        guard total <= Double(Self.maxTokens) else { throw NLPError.invalidInput("\(Int(total)) tokens is more than \(Self.maxTokens)") }
        for side in [x.columns, x.rows] {
            let (cells, overflow) = side.multipliedReportingOverflow(by: k)
            guard !overflow, cells <= Self.maxTableValues else {
                throw NLPError.invalidInput("\(k) topics × \(side) is more than \(Self.maxTableValues) counts; lower n_topics")
            }
        }
        let n = Int(total), v = x.columns, d = x.rows
        // Tokens in reading order: each stored count repeated (the package's matrix_to_lists).
        var words = [Int32](repeating: 0, count: n), docs = [Int32](repeating: 0, count: n)
        var at = 0
        for row in 0..<d {
            for e in x.rowPointers[row]..<x.rowPointers[row + 1] {
                for _ in 0..<Int(x.values[e]) { words[at] = Int32(x.columnIndices[e]); docs[at] = Int32(row); at += 1 }
            }
        }
        // n_kw is kept word-major (k fastest), as the package's Fortran-ordered table.
        var nwz = [Int32](repeating: 0, count: v * k), ndz = [Int32](repeating: 0, count: d * k), nz = [Int32](repeating: 0, count: k)
        var z = [Int32](repeating: 0, count: n)
        for i in 0..<n {
            let t = i % k
            z[i] = Int32(t)
            ndz[Int(docs[i]) * k + t] += 1; nwz[Int(words[i]) * k + t] += 1; nz[t] += 1
        }
        var tableRandom = options.randomState.map { NumPyRandomState(seed: $0) } ?? NumPyRandomState()
        var uniforms = (0..<Self.uniformCount).map { _ in tableRandom.uniform() }
        var shuffleRandom = options.randomState.map { NumPyRandomState(seed: $0) } ?? NumPyRandomState()
        featureCount = v
        logLikelihoods = []
        // η summed one word at a time, as the package sums its η vector.
        var etaSum = 0.0
        for _ in 0..<v { etaSum += options.eta }
        let alpha = options.alpha, eta = options.eta
        var cumulative = [Double](repeating: 0, count: k)
        for sweep in 0..<options.nIter {
            shuffleRandom.shuffle(&uniforms)
            if sweep % options.refresh == 0 {
                logLikelihoods.append((sweep, Self.logLikelihood(nwz: nwz, ndz: ndz, nz: nz, words: v, documents: d, topics: k, alpha: alpha, eta: eta)))
            }
            words.withUnsafeBufferPointer { ws in
                docs.withUnsafeBufferPointer { ds in
                    z.withUnsafeMutableBufferPointer { zs in
                        nwz.withUnsafeMutableBufferPointer { nw in
                            ndz.withUnsafeMutableBufferPointer { nd in
                                nz.withUnsafeMutableBufferPointer { nt in
                                    uniforms.withUnsafeBufferPointer { r in
                                        cumulative.withUnsafeMutableBufferPointer { c in
                                            let nr = r.count
                                            for i in 0..<n {
                                                let w = Int(ws[i]) * k, doc = Int(ds[i]) * k, old = Int(zs[i])
                                                nw[w + old] -= 1; nd[doc + old] -= 1; nt[old] -= 1
                                                var sum = 0.0
                                                for t in 0..<k {
                                                    sum += (Double(nw[w + t]) + eta) / (Double(nt[t]) + etaSum) * (Double(nd[doc + t]) + alpha)
                                                    c[t] = sum
                                                }
                                                let u = r[i % nr] * sum
                                                // The first topic whose running sum reaches u (bisection, as the package).
                                                var lo = 0, hi = k
                                                while lo < hi {
                                                    let mid = lo + (hi - lo) >> 1
                                                    if u > c[mid] { lo = mid + 1 } else { hi = mid }
                                                }
                                                zs[i] = Int32(lo)
                                                nw[w + lo] += 1; nd[doc + lo] += 1; nt[lo] += 1
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        topicWordCounts = [Int32](repeating: 0, count: k * v)
        for w in 0..<v { for t in 0..<k { topicWordCounts[t * v + w] = nwz[w * k + t] } }
        documentTopicCounts = ndz
        topicCounts = nz
        components = [Double](repeating: 0, count: k * v)
        for t in 0..<k {
            var s = 0.0
            for w in 0..<v { let c = Double(topicWordCounts[t * v + w]) + eta; components[t * v + w] = c; s += c }
            for w in 0..<v { components[t * v + w] /= s }
        }
        documentTopics = (0..<d).map { row in
            let weights = (0..<k).map { Double(ndz[row * k + $0]) + alpha }
            let s = weights.reduce(0, +)
            return weights.map { $0 / s }
        }
    }

    /// log p(w, z) of the current counts (`loglikelihood()`).
    public func logLikelihood() throws -> Double {
        guard isFitted else { throw NLPError.notFitted("CollapsedGibbsLDA") }
        let k = topicCount, v = featureCount, d = documentTopicCounts.count / k
        var nwz = [Int32](repeating: 0, count: v * k)
        for t in 0..<k { for w in 0..<v { nwz[w * k + t] = topicWordCounts[t * v + w] } }
        return Self.logLikelihood(nwz: nwz, ndz: documentTopicCounts, nz: topicCounts, words: v, documents: d, topics: k,
                                  alpha: options.alpha, eta: options.eta)
    }

    static func logLikelihood(nwz: [Int32], ndz: [Int32], nz: [Int32], words v: Int, documents d: Int, topics k: Int, alpha: Double, eta: Double) -> Double {
        let lgEta: Double = Foundation.lgamma(eta), lgAlpha: Double = Foundation.lgamma(alpha)
        var ll = Double(k) * Foundation.lgamma(eta * Double(v))
        for t in 0..<k {
            ll -= Foundation.lgamma(eta * Double(v) + Double(nz[t]))
            for w in 0..<v where nwz[w * k + t] > 0 { ll += Foundation.lgamma(eta + Double(nwz[w * k + t])) - lgEta }
        }
        for doc in 0..<d {
            var length = 0
            for t in 0..<k { length += Int(ndz[doc * k + t]) }
            ll += Foundation.lgamma(alpha * Double(k)) - Foundation.lgamma(alpha * Double(k) + Double(length))
            for t in 0..<k where ndz[doc * k + t] > 0 { ll += Foundation.lgamma(alpha + Double(ndz[doc * k + t])) - lgAlpha }
        }
        return ll
    }

    /// Topic weights of new documents (`transform`): each document's tokens' topic probabilities
    /// iterated to a fixed point against the fitted topics (at most `maxIter` rounds, stopping when
    /// they change by less than `tol` in total). A document with no words gets uniform weights
    /// (the package leaves such a row uninitialized).
    public func transform(_ x: SparseMatrix, maxIter: Int = 20, tol: Double = 1e-16) throws -> [[Double]] {
        guard isFitted else { throw NLPError.notFitted("CollapsedGibbsLDA") }
        guard x.columns == featureCount else {
            throw NLPError.invalidInput("the data has \(x.columns) features while the model was fitted with \(featureCount)")
        }
        guard maxIter >= 0, tol >= 0 else { throw NLPError.invalidParameter(name: "max_iter/tol", value: "\(maxIter)/\(tol)", expected: "≥ 0") }
        let k = topicCount, v = featureCount
        var out: [[Double]] = []
        out.reserveCapacity(x.rows)
        for row in 0..<x.rows {
            var tokens: [Int] = []
            for e in x.rowPointers[row]..<x.rowPointers[row + 1] {
                let c = x.values[e]
                guard c >= 0, c.isFinite, c == c.rounded() else { throw NLPError.invalidInput("the document–word matrix holds \(c); Gibbs LDA needs integer counts") }
                guard tokens.count + Int(c) <= Self.maxTokens else { throw NLPError.invalidInput("document \(row) has more than \(Self.maxTokens) tokens") }
                tokens.append(contentsOf: repeatElement(x.columnIndices[e], count: Int(c)))
            }
            guard !tokens.isEmpty else { out.append([Double](repeating: 1 / Double(k), count: k)); continue }
            let m = tokens.count
            var p = [Double](repeating: 0, count: m * k)
            for _ in 0...maxIter {
                var columnSums = [Double](repeating: 0, count: k)
                for i in 0..<m { for t in 0..<k { columnSums[t] += p[i * k + t] } }
                var next = [Double](repeating: 0, count: m * k)
                var delta = 0.0
                for i in 0..<m {
                    var s = 0.0
                    for t in 0..<k {
                        let value = components[t * v + tokens[i]] * (columnSums[t] - p[i * k + t] + options.alpha)
                        next[i * k + t] = value; s += value
                    }
                    for t in 0..<k { next[i * k + t] /= s; delta += abs(next[i * k + t] - p[i * k + t]) }
                }
                p = next
                if delta < tol { break }
            }
            var theta = [Double](repeating: 0, count: k)
            for i in 0..<m { for t in 0..<k { theta[t] += p[i * k + t] } }
            let total = theta.reduce(0, +)
            out.append(theta.map { $0 / total })
        }
        return out
    }

    /// The `count` heaviest words of each topic (ties: the lower feature index first).
    public func topWords(featureNames: [String], count: Int) throws -> [[(word: String, weight: Double)]] {
        guard isFitted else { throw NLPError.notFitted("CollapsedGibbsLDA") }
        return try topicTopWords(components, topics: topicCount, featureNames: featureNames, count: count)
    }
}
