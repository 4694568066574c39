import Dispatch
import Foundation
import SwiftLearnCore

/// How LDA's topic–word parameters are updated (`learning_method`).
public enum LDALearningMethod: String, Sendable, Equatable, CaseIterable {
    /// One variational-Bayes update per pass over all documents (scikit-learn's default).
    case batch
    /// Online variational Bayes (Hoffman, Blei & Bach 2010): an update per mini-batch, weighted
    /// by ρ = (learning_offset + t)^−learning_decay.
    case online
}

/// Latent Dirichlet allocation's settings under scikit-learn's names and defaults
/// (`sklearn.decomposition.LatentDirichletAllocation`).
public struct LDAOptions: Sendable, Equatable {
    /// Number of topics (`n_components`).
    public var nComponents = 10
    /// Dirichlet prior of document–topic weights α (`doc_topic_prior`; nil: 1 / n_components).
    public var docTopicPrior: Double?
    /// Dirichlet prior of topic–word weights η (`topic_word_prior`; nil: 1 / n_components).
    public var topicWordPrior: Double?
    /// Batch or online variational Bayes (`learning_method`).
    public var learningMethod = LDALearningMethod.batch
    /// κ and τ₀ of the online learning rate (`learning_decay`, `learning_offset`).
    public var learningDecay = 0.7, learningOffset = 10.0
    /// Passes over the data (`max_iter`).
    public var maxIter = 10
    /// Documents per online mini-batch (`batch_size`).
    public var batchSize = 128
    /// Compute the perplexity every this many passes and stop once it changes by less than
    /// `perp_tol` (`evaluate_every`; ≤ 0 never, scikit-learn's default).
    public var evaluateEvery = -1
    /// Size of the document population `partialFit` assumes (`total_samples`).
    public var totalSamples = 1e6
    /// Tolerance of the perplexity stop (`perp_tol`).
    public var perpTol = 0.1
    /// Per-document E-step: stop when the mean change of the topic weights is below this
    /// (`mean_change_tol`), or after `max_doc_update_iter` rounds.
    public var meanChangeTol = 1e-3, maxDocUpdateIter = 100
    /// Seed of NumPy's `RandomState` (`random_state`; nil: from the system). With the same seed
    /// the draws, and so the topics, are scikit-learn's.
    public var randomState: UInt32?
    /// Threads for the E-step (`n_jobs`); results do not depend on it.
    public var workers = ProcessInfo.processInfo.activeProcessorCount

    /// scikit-learn's defaults.
    public init() {}

    /// Sets one option by scikit-learn's name from text (`n_components=10`, `learning_method=online`, …).
    public mutating func set(_ key: String, _ value: String) throws {
        let text = SettingText(key: key, value: value)
        func int(_ range: ClosedRange<Int>) throws -> Int { try text.int(range) }
        func double(_ range: ClosedRange<Double>, _ what: String? = nil) throws -> Double { try text.double(range, what) }
        switch key {
        case "n_components": nComponents = try int(1...100_000)
        case "doc_topic_prior": docTopicPrior = value == "None" ? nil : try double(0...1)
        case "topic_word_prior": topicWordPrior = value == "None" ? nil : try double(0...1)
        case "learning_method":
            guard let m = LDALearningMethod(rawValue: value) else { throw text.bad("batch or online") }
            learningMethod = m
        case "learning_decay": learningDecay = try double(0...1)
        case "learning_offset": learningOffset = try double(1...1e12)
        case "max_iter": maxIter = try int(0...1_000_000)
        case "batch_size": batchSize = try int(1...Int(Int32.max))
        case "evaluate_every": evaluateEvery = try int(-1_000_000...1_000_000)
        case "total_samples": totalSamples = try double(1e-12...1e15, "a positive number")
        case "perp_tol": perpTol = try double(0...1e300, "a number ≥ 0")
        case "mean_change_tol": meanChangeTol = try double(0...1e300, "a number ≥ 0")
        case "max_doc_update_iter": maxDocUpdateIter = try int(0...1_000_000)
        case "random_state": randomState = try text.seed()
        case "n_jobs": workers = try text.jobs()
        default:
            throw text.bad("one of n_components, doc_topic_prior, topic_word_prior, learning_method, learning_decay, learning_offset, max_iter, batch_size, evaluate_every, total_samples, perp_tol, mean_change_tol, max_doc_update_iter, random_state, n_jobs")
        }
    }

    func validate() throws {
        func bad(_ name: String, _ value: Any, _ expected: String) -> NLPError { .invalidParameter(name: name, value: "\(value)", expected: expected) }
        guard nComponents >= 1 else { throw bad("n_components", nComponents, "≥ 1") }
        if let a = docTopicPrior, !(a >= 0 && a <= 1) { throw bad("doc_topic_prior", a, "a number in 0…1") }
        if let e = topicWordPrior, !(e >= 0 && e <= 1) { throw bad("topic_word_prior", e, "a number in 0…1") }
        guard learningDecay >= 0, learningDecay <= 1 else { throw bad("learning_decay", learningDecay, "a number in 0…1") }
        guard learningOffset >= 1, learningOffset.isFinite else { throw bad("learning_offset", learningOffset, "a number ≥ 1") }
        guard maxIter >= 0 else { throw bad("max_iter", maxIter, "≥ 0") }
        guard batchSize >= 1 else { throw bad("batch_size", batchSize, "≥ 1") }
        guard totalSamples > 0, totalSamples.isFinite else { throw bad("total_samples", totalSamples, "a positive number") }
        guard perpTol >= 0, meanChangeTol >= 0 else { throw bad("perp_tol/mean_change_tol", "\(perpTol)/\(meanChangeTol)", "≥ 0") }
        guard maxDocUpdateIter >= 0 else { throw bad("max_doc_update_iter", maxDocUpdateIter, "≥ 0") }
        guard workers >= 1 else { throw bad("n_jobs", workers, "≥ 1") }
    }
}

/// Latent Dirichlet allocation by variational Bayes (Blei, Ng & Jordan 2003; online: Hoffman,
/// Blei & Bach 2010), computed as scikit-learn's `LatentDirichletAllocation` computes it: the
/// topic–word parameters λ start as Gamma(100, 1/100) draws, each E-step starts every document's
/// γ from fresh Gamma(100, 1/100) draws and iterates it to `mean_change_tol`, batch mode sets
/// λ = η + expected counts and online mode blends them in with weight ρ; the perplexity is
/// exp(−bound / words) from the same variational bound. With `random_state` set, the draws are
/// NumPy's `RandomState`'s, so the topics equal scikit-learn's to rounding (see NLPTopicTests).
///
/// The E-step runs documents on several threads; each document's contribution to the expected
/// counts is added in document order, so the result does not depend on the thread count.
///
/// ```swift
/// let counts = try CountVectorizer(stopWords: .english, minDF: .count(2)).fitTransform(documents)
/// var o = LDAOptions(); o.nComponents = 10; o.randomState = 0
/// let lda = try LatentDirichletAllocation(options: o)
/// try lda.fit(counts)
/// lda.topWords(featureNames: vectorizer.featureNames, count: 10)
/// ```
public final class LatentDirichletAllocation {
    /// The settings.
    public let options: LDAOptions
    /// Number of topics.
    public var topicCount: Int { options.nComponents }
    /// Vocabulary size it was fitted on (0 before).
    public private(set) var featureCount = 0
    /// The variational topic–word parameters λ (`components_`), topics × features, row-major.
    public private(set) var components: [Double] = []
    /// exp(E[log β]) (`exp_dirichlet_component_`), the same shape.
    public private(set) var expDirichletComponent: [Double] = []
    /// Passes over the data the last `fit` made (`n_iter_`).
    public private(set) var iterations = 0
    /// Mini-batch updates so far, plus one (`n_batch_iter_`).
    public private(set) var batchIterations = 1
    /// The training perplexity at the end of `fit` (`bound_`).
    public private(set) var finalPerplexity: Double?
    /// Perplexities computed during `fit` (`evaluate_every`), by pass.
    public private(set) var perplexityHistory: [(pass: Int, perplexity: Double)] = []
    /// α and η as used (`doc_topic_prior_`, `topic_word_prior_`).
    public var docTopicPrior: Double { options.docTopicPrior ?? 1 / Double(options.nComponents) }
    /// η as used (`topic_word_prior_`).
    public var topicWordPrior: Double { options.topicWordPrior ?? 1 / Double(options.nComponents) }
    /// Whether `fit` or `partialFit` has run.
    public var isFitted: Bool { featureCount > 0 }

    private var random: NumPyRandomState

    /// The most doubles λ may hold (topics × features): 2²⁶, 512 MiB — λ, exp(E[log β]) and the
    /// expected counts are three such matrices.
    public static let maxComponentValues = 1 << 26
    /// Documents whose E-step runs between two additions to the expected counts (bounds memory).
    static let chunkDocuments = 512

    /// A model with these settings. - Throws: `NLPError.invalidParameter` for a value outside its domain.
    public init(options: LDAOptions = LDAOptions()) throws {
        try options.validate()
        self.options = options
        random = options.randomState.map { NumPyRandomState(seed: $0) } ?? NumPyRandomState()
    }

    // MARK: Fitting

    /// Fits on a document–word count matrix (documents × features, non-negative), as `fit`:
    /// fresh parameters, `max_iter` passes (batch or mini-batches), the training perplexity last.
    /// - Throws: `NLPError.invalidInput` for an empty, negative or non-finite matrix, or one too large.
    public func fit(_ x: SparseMatrix) throws {
        try check(x, fitting: true)
        initialize(features: x.columns)
        perplexityHistory = []
        var lastBound: Double?
        for pass in 0..<options.maxIter {
            switch options.learningMethod {
            case .online:
                var start = 0
                while start < x.rows {
                    let end = min(start + options.batchSize, x.rows)
                    emStep(x, rows: start..<end, totalSamples: Double(x.rows), batch: false)
                    start = end
                }
            case .batch:
                emStep(x, rows: 0..<x.rows, totalSamples: Double(x.rows), batch: true)
            }
            if options.evaluateEvery > 0, (pass + 1) % options.evaluateEvery == 0 {
                let gamma = eStep(x, rows: 0..<x.rows, randomInit: false, statistics: false).gamma
                let p = perplexity(x, gamma: gamma)
                perplexityHistory.append((pass + 1, p))
                if let l = lastBound, l != 0, abs(l - p) < options.perpTol { break }
                lastBound = p
            }
            iterations += 1
        }
        let gamma = eStep(x, rows: 0..<x.rows, randomInit: false, statistics: false).gamma
        finalPerplexity = perplexity(x, gamma: gamma)
    }

    /// One online update per `batch_size` documents of `x`, treating the corpus as
    /// `total_samples` documents (`partial_fit`); the first call initializes the model.
    public func partialFit(_ x: SparseMatrix) throws {
        try check(x, fitting: !isFitted)
        if !isFitted { initialize(features: x.columns) }
        var start = 0
        while start < x.rows {
            let end = min(start + options.batchSize, x.rows)
            emStep(x, rows: start..<end, totalSamples: options.totalSamples, batch: false)
            start = end
        }
    }

    /// Each document's topic weights (documents × topics), summing to 1 per document when
    /// `normalize` (`transform`), or the unnormalized variational γ.
    public func transform(_ x: SparseMatrix, normalize: Bool = true) throws -> [[Double]] {
        try check(x, fitting: false)
        let k = topicCount
        let gamma = eStep(x, rows: 0..<x.rows, randomInit: false, statistics: false).gamma
        return (0..<x.rows).map { d in
            let row = Array(gamma[d * k..<(d + 1) * k])
            guard normalize else { return row }
            let s = row.reduce(0, +)
            return row.map { $0 / s }
        }
    }

    /// The approximate variational bound on the log-likelihood of `x` (`score`; higher is better).
    public func score(_ x: SparseMatrix) throws -> Double {
        try check(x, fitting: false)
        return approximateBound(x, gamma: eStep(x, rows: 0..<x.rows, randomInit: false, statistics: false).gamma)
    }

    /// exp(−bound / number of words) on `x` (`perplexity`; lower is better).
    public func perplexity(_ x: SparseMatrix) throws -> Double {
        try check(x, fitting: false)
        guard x.values.contains(where: { $0 > 0 }) else { throw NLPError.invalidInput("perplexity needs at least one word") }
        return perplexity(x, gamma: eStep(x, rows: 0..<x.rows, randomInit: false, statistics: false).gamma)
    }

    /// Each topic's word distribution (λ normalized per topic), topics × features.
    public var topicWordDistribution: [[Double]] {
        let v = featureCount
        return (0..<topicCount).map { t in
            let row = components[t * v..<(t + 1) * v]
            let s = row.reduce(0, +)
            return row.map { $0 / s }
        }
    }

    /// The `count` heaviest words of each topic, by λ (ties: the lower feature index first).
    public func topWords(featureNames: [String], count: Int) throws -> [[(word: String, weight: Double)]] {
        guard isFitted else { throw NLPError.notFitted("LatentDirichletAllocation") }
        return try topicTopWords(components, topics: topicCount, featureNames: featureNames, count: count)
    }

    // MARK: The variational computations

    private func check(_ x: SparseMatrix, fitting: Bool) throws {
        if !fitting {
            guard isFitted else { throw NLPError.notFitted("LatentDirichletAllocation") }
            guard x.columns == featureCount else {
                throw NLPError.invalidInput("the data has \(x.columns) features while the model was fitted with \(featureCount)")
            }
        }
        guard x.rows > 0, x.columns > 0 else { throw NLPError.invalidInput("the document–word matrix is empty (\(x.rows) × \(x.columns))") }
        for v in x.values where !(v >= 0 && v.isFinite) {
            throw NLPError.invalidInput("the document–word matrix holds \(v); LDA needs non-negative finite counts")
        }
        if fitting {
            guard x.values.contains(where: { $0 > 0 }) else { throw NLPError.invalidInput("the document–word matrix has no words to fit on") }
            let (size, overflow) = x.columns.multipliedReportingOverflow(by: options.nComponents)
            guard !overflow, size <= Self.maxComponentValues else {
                throw NLPError.invalidInput("\(options.nComponents) topics × \(x.columns) features is more than \(Self.maxComponentValues) values; lower n_components or the vocabulary")
            }
        }
    }

    private func initialize(features: Int) {
        random = options.randomState.map { NumPyRandomState(seed: $0) } ?? NumPyRandomState()
        featureCount = features
        batchIterations = 1
        iterations = 0
        components = (0..<(topicCount * features)).map { _ in random.gamma(shape: 100, scale: 0.01) }
        updateExpDirichlet()
    }

    /// exp(E[log β]) from λ, a topic per task (ψ of every entry dominates an online update).
    private func updateExpDirichlet() {
        let k = topicCount, v = featureCount
        if expDirichletComponent.count != k * v { expDirichletComponent = [Double](repeating: 0, count: k * v) }
        components.withUnsafeBufferPointer { lambda in
            expDirichletComponent.withUnsafeMutableBufferPointer { out in
                let lambda = lambda, out = out
                let row: (Int) -> Void = { t in
                    dirichletExpectationRow(lambda.baseAddress! + t * v, v, into: out.baseAddress! + t * v, exp: true)
                }
                if options.workers > 1, k > 1, k * v >= 1 << 14 {
                    DispatchQueue.concurrentPerform(iterations: k, execute: row)
                } else {
                    for t in 0..<k { row(t) }
                }
            }
        }
    }

    private func emStep(_ x: SparseMatrix, rows: Range<Int>, totalSamples: Double, batch: Bool) {
        var stats = eStep(x, rows: rows, randomInit: true, statistics: true).stats
        for i in stats.indices { stats[i] *= expDirichletComponent[i] }
        let eta = topicWordPrior
        if batch {
            for i in components.indices { components[i] = eta + stats[i] }
        } else {
            let weight = Foundation.pow(options.learningOffset + Double(batchIterations), -options.learningDecay)
            let ratio = totalSamples / Double(rows.count)
            for i in components.indices {
                components[i] *= 1 - weight
                components[i] += weight * (eta + ratio * stats[i])
            }
        }
        updateExpDirichlet()
        batchIterations += 1
    }

    /// The E-step over `rows`: each document's γ (rows × topics, row-major) and, when asked, the
    /// expected counts before their multiplication by exp(E[log β]) (topics × features).
    private func eStep(_ x: SparseMatrix, rows: Range<Int>, randomInit: Bool, statistics wantStats: Bool) -> (gamma: [Double], stats: [Double]) {
        let k = topicCount, v = featureCount, n = rows.count
        var gamma = randomInit ? (0..<(n * k)).map { _ in random.gamma(shape: 100, scale: 0.01) }
                               : [Double](repeating: 1, count: n * k)
        var stats = wantStats ? [Double](repeating: 0, count: k * v) : []
        let kernel = LDADocumentKernel(topics: k, features: v, alpha: docTopicPrior, tolerance: options.meanChangeTol,
                                       maxRounds: options.maxDocUpdateIter)
        let ptr = x.rowPointers, cols = x.columnIndices, vals = x.values
        var contributions = [Double]()
        var first = 0
        while first < n {
            let last = min(first + Self.chunkDocuments, n)
            // Where each document's k × nnz contribution goes within this chunk.
            var offsets = [Int](repeating: 0, count: last - first + 1)
            for d in first..<last {
                offsets[d - first + 1] = offsets[d - first] + (wantStats ? k * (ptr[rows.lowerBound + d + 1] - ptr[rows.lowerBound + d]) : 0)
            }
            if contributions.count < offsets[last - first] { contributions = [Double](repeating: 0, count: offsets[last - first]) }
            if contributions.isEmpty { contributions = [0] }   // documents without words write nothing; keep an address
            let count = last - first, blocks = min(options.workers, max(1, count / 8))
            let offsetsCopy = offsets
            expDirichletComponent.withUnsafeBufferPointer { expBeta in
                gamma.withUnsafeMutableBufferPointer { g in
                    contributions.withUnsafeMutableBufferPointer { contrib in
                        let g = g, contrib = contrib, expBeta = expBeta
                        let work: (Int) -> Void = { b in
                            var scratch = LDADocumentKernel.Scratch(topics: k)
                            for d in (first + b * count / blocks)..<(first + (b + 1) * count / blocks) {
                                let r = rows.lowerBound + d, lo = ptr[r]
                                kernel.run(gamma: g.baseAddress! + d * k, columns: cols, values: vals, range: lo..<ptr[r + 1],
                                           expBeta: expBeta.baseAddress!, scratch: &scratch,
                                           contribution: wantStats ? contrib.baseAddress.map { $0 + offsetsCopy[d - first] } : nil)
                            }
                        }
                        if blocks > 1 { DispatchQueue.concurrentPerform(iterations: blocks, execute: work) } else { work(0) }
                    }
                }
            }
            if wantStats {
                // Added in document order, as scikit-learn's loop adds them.
                for d in first..<last {
                    let r = rows.lowerBound + d
                    var o = offsets[d - first]
                    for p in ptr[r]..<ptr[r + 1] {
                        let c = cols[p]
                        for t in 0..<k { stats[t * v + c] += contributions[o + t] }
                        o += k
                    }
                }
            }
            first = last
        }
        return (gamma, stats)
    }

    private func perplexity(_ x: SparseMatrix, gamma: [Double]) -> Double {
        let bound = approximateBound(x, gamma: gamma)
        let words = x.values.reduce(0, +)
        return Foundation.exp(-bound / words)
    }

    /// scikit-learn's `_approx_bound` (no sub-sampling): E[log p(docs | θ, β)] plus the Dirichlet
    /// terms of θ and β.
    private func approximateBound(_ x: SparseMatrix, gamma: [Double]) -> Double {
        let k = topicCount, v = featureCount
        let elogTheta = dirichletExpectationRows(gamma, columns: k)
        let elogBeta = dirichletExpectationRows(components, columns: v)
        var score = 0.0
        var temp = [Double](repeating: 0, count: k)
        for d in 0..<x.rows {
            for p in x.rowPointers[d]..<x.rowPointers[d + 1] {
                let c = x.columnIndices[p]
                for t in 0..<k { temp[t] = elogTheta[d * k + t] + elogBeta[t * v + c] }
                score += x.values[p] * temp.withUnsafeBufferPointer { logSumExp($0) }
            }
        }
        func logLikelihood(prior: Double, distr: [Double], elog: [Double], columns: Int) -> Double {
            let rowsCount = distr.count / columns
            var s = 0.0
            for i in distr.indices { s += (prior - distr[i]) * elog[i] }
            let lgPrior: Double = lgamma(prior)
            for i in distr.indices { s += lgamma(distr[i]) - lgPrior }
            let lgTotalPrior: Double = lgamma(prior * Double(columns))
            for r in 0..<rowsCount {
                var total = 0.0
                for c in 0..<columns { total += distr[r * columns + c] }
                s += lgTotalPrior - lgamma(total)
            }
            return s
        }
        score += logLikelihood(prior: docTopicPrior, distr: gamma, elog: elogTheta, columns: k)
        score += logLikelihood(prior: topicWordPrior, distr: components, elog: elogBeta, columns: v)
        return score
    }
}

// MARK: Special functions, as scikit-learn's `_online_lda_fast.pyx`

/// ψ(x), the digamma function, as scikit-learn's LDA computes it: −γ − 1/x below 10⁻⁶, the
/// recurrence ψ(x) = ψ(x + 1) − 1/x up to 6, then the asymptotic series to 1/x⁶.
@inline(__always)
func ldaDigamma(_ x0: Double) -> Double {
    var x = x0
    if x <= 1e-6 { return -0.577215664901532860606512090082402431 - 1 / x }
    var result = 0.0
    while x < 6 { result -= 1 / x; x += 1 }
    var r = 1 / x
    result += Foundation.log(x) - 0.5 * r
    r = r * r
    result -= r * ((1.0 / 12.0) - r * ((1.0 / 120.0) - r * (1.0 / 252.0)))
    return result
}

/// E[log θ] for θ ~ Dirichlet(row) — ψ(x) − ψ(row sum) — for one row of `columns` values, into
/// `out`, exponentiated when `exp` (exp(E[log β]) of λ).
@inline(__always)
func dirichletExpectationRow(_ row: UnsafePointer<Double>, _ columns: Int, into out: UnsafeMutablePointer<Double>, exp: Bool) {
    var total = 0.0
    for c in 0..<columns { total += row[c] }
    let psiTotal = ldaDigamma(total)
    for c in 0..<columns {
        let e = ldaDigamma(row[c]) - psiTotal
        out[c] = exp ? Foundation.exp(e) : e
    }
}

/// E[log θ] for each row of a row-major matrix (`_dirichlet_expectation_2d`).
func dirichletExpectationRows(_ values: [Double], columns: Int) -> [Double] {
    var out = [Double](repeating: 0, count: values.count)
    let rows = columns == 0 ? 0 : values.count / columns
    values.withUnsafeBufferPointer { v in
        out.withUnsafeMutableBufferPointer { o in
            for r in 0..<rows { dirichletExpectationRow(v.baseAddress! + r * columns, columns, into: o.baseAddress! + r * columns, exp: false) }
        }
    }
    return out
}

/// One document's E-step (`_update_doc_distribution`'s loop body): iterate γ_d and
/// exp(E[log θ_d]) to `mean_change_tol`, then write the document's expected counts.
struct LDADocumentKernel: Sendable {
    let topics: Int, features: Int, alpha: Double, tolerance: Double, maxRounds: Int

    /// Per-thread buffers, grown to the longest document seen.
    struct Scratch {
        var expDoc: [Double], newDoc: [Double], lastDoc: [Double], local: [Double] = [0], ratio: [Double] = [0]   // never empty: their addresses are taken
        init(topics k: Int) {
            expDoc = [Double](repeating: 0, count: k); newDoc = expDoc; lastDoc = expDoc
        }
    }

    /// exp(ψ(row + prior) − ψ(Σ(row + prior))) into `out`, the prior added to `row` in place
    /// (`_dirichlet_expectation_1d`; a prior of 0 leaves the row as it is).
    @inline(__always)
    static func expectation(_ row: UnsafeMutablePointer<Double>, _ k: Int, prior: Double, into out: UnsafeMutablePointer<Double>) {
        var total = 0.0
        for i in 0..<k { let dt = row[i] + prior; row[i] = dt; total += dt }
        let psiTotal = ldaDigamma(total)
        for i in 0..<k { out[i] = Foundation.exp(ldaDigamma(row[i]) - psiTotal) }
    }

    /// Updates `gamma` (k values, the document's initial γ on entry) and writes the document's
    /// contribution (k per stored word, word-major) when asked.
    func run(gamma: UnsafeMutablePointer<Double>, columns: [Int], values: [Double], range: Range<Int>,
             expBeta: UnsafePointer<Double>, scratch: inout Scratch, contribution: UnsafeMutablePointer<Double>?) {
        let k = topics, v = features, m = range.count, lo = range.lowerBound, eps = Double.ulpOfOne
        if scratch.local.count < m * k { scratch.local = [Double](repeating: 0, count: m * k); scratch.ratio = [Double](repeating: 0, count: m) }
        columns.withUnsafeBufferPointer { cols in values.withUnsafeBufferPointer { vals in
        scratch.expDoc.withUnsafeMutableBufferPointer { ed in scratch.newDoc.withUnsafeMutableBufferPointer { nd0 in
        scratch.lastDoc.withUnsafeMutableBufferPointer { ld0 in scratch.local.withUnsafeMutableBufferPointer { lb in
        scratch.ratio.withUnsafeMutableBufferPointer { rb in
            let expDoc = ed.baseAddress!, local = lb.baseAddress!, ratio = rb.baseAddress!
            var newDoc = nd0.baseAddress!, lastDoc = ld0.baseAddress!
            // exp(E[log θ]) of the initial γ (no prior added, as scikit-learn), and the document's
            // columns of exp(E[log β]), word-major (m × k).
            for t in 0..<k { lastDoc[t] = gamma[t] }
            Self.expectation(lastDoc, k, prior: 0, into: expDoc)
            for j in 0..<m {
                let c = cols[lo + j]
                for t in 0..<k { local[j * k + t] = expBeta[t * v + c] }
            }
            var round = 0
            while round < maxRounds {
                for j in 0..<m {
                    var s = 0.0
                    for t in 0..<k { s += expDoc[t] * local[j * k + t] }
                    ratio[j] = vals[lo + j] / (s + eps)
                }
                for t in 0..<k { newDoc[t] = 0 }
                for j in 0..<m {
                    let rj = ratio[j]
                    for t in 0..<k { newDoc[t] += rj * local[j * k + t] }
                }
                for t in 0..<k { newDoc[t] *= expDoc[t] }
                Self.expectation(newDoc, k, prior: alpha, into: expDoc)
                var change = 0.0
                for t in 0..<k { change += abs(lastDoc[t] - newDoc[t]) }
                swap(&lastDoc, &newDoc)
                round += 1
                if change / Double(k) < tolerance { break }
            }
            for t in 0..<k { gamma[t] = lastDoc[t] }
            if let out = contribution {
                for j in 0..<m {
                    var s = 0.0
                    for t in 0..<k { s += expDoc[t] * local[j * k + t] }
                    let rj = vals[lo + j] / (s + eps)
                    for t in 0..<k { out[j * k + t] = expDoc[t] * rj }
                }
            }
        } } } } } } }
    }
}
