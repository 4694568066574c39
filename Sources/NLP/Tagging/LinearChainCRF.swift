import Dispatch
import Foundation
import SwiftLearnCore

/// One token's features for a CRF: attribute names with values (python-crfsuite's item: a
/// feature `"word.lower=the"` with value 1, or a numeric one such as `"length"` with 0.4).
public typealias CRFItem = [(attribute: String, value: Double)]

/// A first-order linear-chain conditional random field (Lafferty, McCallum & Pereira 2001) as
/// CRFsuite's `crf1d` model defines it: a state feature pairs an attribute with a label, a
/// transition feature pairs two labels, and
///
///     score(x, y) = Σₜ Σₐ value(a, xₜ) · w(a, yₜ) + Σₜ₌₁ w(yₜ₋₁, yₜ)
///     P(y | x) = exp(score(x, y)) / Z(x)
///
/// (no start or end transitions; attributes and pairs without a feature score 0). `Z`, the
/// per-token marginals and the gradient come from the forward–backward recursions, scaled per
/// position; the best labelling from Viterbi.
///
/// Training builds CRFsuite's feature set — the (attribute, label) and (label, label) pairs seen in
/// the training data, or all of them with `allPossibleStates` / `allPossibleTransitions` — and
/// minimizes −Σ log P(y | x) + c₂‖w‖² with L-BFGS (CRFsuite's `lbfgs` with `c1 = 0`). The
/// likelihood, marginals and Viterbi paths equal python-crfsuite's for the same weights
/// (NLPTests/CRFTests).
public final class LinearChainCRF {
    /// The labels, in the order they were first seen.
    public private(set) var labels: [String]
    /// Attribute name → index.
    public private(set) var attributeIndex: [String: Int]
    /// For each attribute, its state features: (label index, weight index) — filled while the
    /// model is built, then flattened into `stateStart` / `stateLabel` / `stateWeight` (CSR, what
    /// every later use reads) and emptied.
    private var stateFeatures: [[(label: Int, feature: Int)]]
    private var stateStart: [Int] = [0], stateLabel: [Int32] = [], stateWeight: [Int32] = []
    /// For each (from, to) label pair, the transition feature's weight index or −1.
    private var transitionFeatures: [Int]
    /// All weights: state features then transitions, in creation order.
    public private(set) var weights: [Double]

    /// Number of features (weights).
    public var featureCount: Int { weights.count }
    /// Number of labels.
    public var labelCount: Int { labels.count }

    /// The most labels and features a model may have (L-BFGS keeps 20 vectors of the features;
    /// the transition tables are labels²).
    public static let maxLabels = 1_000, maxFeatures = 1 << 24

    /// A model with given weights, e.g. read from a trained CRFsuite model (`Tagger.info()`):
    /// state features as (attribute, label, weight), transitions as (from, to, weight).
    public init(labels: [String], stateFeatures: [(attribute: String, label: String, weight: Double)],
                transitions: [(from: String, to: String, weight: Double)]) throws {
        guard !labels.isEmpty, labels.count <= Self.maxLabels, Set(labels).count == labels.count else {
            throw NLPError.invalidInput("a CRF needs 1…\(Self.maxLabels) distinct labels, got \(labels.count)")
        }
        let labelIndex = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        self.labels = labels
        attributeIndex = [:]
        self.stateFeatures = []
        transitionFeatures = [Int](repeating: -1, count: labels.count * labels.count)
        weights = []
        for f in stateFeatures {
            guard let y = labelIndex[f.label] else { throw NLPError.invalidInput("state feature for unknown label '\(f.label)'") }
            guard f.weight.isFinite else { throw NLPError.invalidInput("state feature (\(f.attribute), \(f.label)) has weight \(f.weight)") }
            let a = attribute(f.attribute, create: true)!
            self.stateFeatures[a].append((y, weights.count))
            weights.append(f.weight)
        }
        for t in transitions {
            guard let i = labelIndex[t.from], let j = labelIndex[t.to] else { throw NLPError.invalidInput("transition \(t.from) → \(t.to) names an unknown label") }
            guard t.weight.isFinite, transitionFeatures[i * labels.count + j] < 0 else { throw NLPError.invalidInput("transition \(t.from) → \(t.to): repeated or weight \(t.weight)") }
            transitionFeatures[i * labels.count + j] = weights.count
            weights.append(t.weight)
        }
        guard weights.count <= Self.maxFeatures else { throw NLPError.invalidInput("\(weights.count) CRF features; the limit is \(Self.maxFeatures)") }
        flattenFeatures()
    }

    private func flattenFeatures() {
        stateStart = [0]; stateLabel = []; stateWeight = []
        for fs in stateFeatures {
            for f in fs { stateLabel.append(Int32(f.label)); stateWeight.append(Int32(f.feature)) }
            stateStart.append(stateLabel.count)
        }
        stateFeatures = []
    }

    private func attribute(_ name: String, create: Bool) -> Int? {
        if let a = attributeIndex[name] { return a }
        guard create else { return nil }
        attributeIndex[name] = stateFeatures.count
        stateFeatures.append([])
        return stateFeatures.count - 1
    }

    // MARK: Training

    /// CRFsuite's `lbfgs` settings that apply here.
    public struct TrainingOptions: Sendable, Equatable {
        /// L2 coefficient c₂ of −log L + c₂‖w‖² (CRFsuite's default 1).
        public var c2 = 1.0
        /// Most L-BFGS iterations (`max_iterations`).
        public var maxIterations = 100
        /// Stop when max |∇| ≤ this (CRFsuite tests ‖∇‖/max(‖w‖, 1) against `epsilon`).
        public var gradientTolerance = 1e-5
        /// Features with fewer occurrences (summed values) are dropped (`feature.minfreq`).
        public var minFrequency = 0.0
        /// Pair every attribute seen with every label (`feature.possible_states`), and every two
        /// labels (`feature.possible_transitions`).
        public var allPossibleStates = false, allPossibleTransitions = false
        /// Threads for the likelihood and gradient (results do not depend on it).
        public var workers = ProcessInfo.processInfo.activeProcessorCount
        /// CRFsuite's defaults (c2 = 1), 100 iterations.
        public init() {}
    }

    /// What training did.
    public struct TrainingReport: Sendable {
        /// L-BFGS iterations, the final objective and Σ log P(y | x), whether the gradient test
        /// was met, and the wall time.
        public var iterations: Int, objective: Double, logLikelihood: Double, converged: Bool, seconds: Double
    }

    /// Builds CRFsuite's feature set from labelled sequences (weights 0).
    public init(sequences: [[CRFItem]], labels tagSequences: [[String]], options: TrainingOptions = TrainingOptions()) throws {
        guard sequences.count == tagSequences.count, !sequences.isEmpty else {
            throw NLPError.invalidInput("CRF training needs as many label sequences as item sequences (\(sequences.count) vs \(tagSequences.count)), at least one")
        }
        var labelIndex: [String: Int] = [:], labels: [String] = []
        for (s, tags) in tagSequences.enumerated() {
            guard tags.count == sequences[s].count else { throw NLPError.invalidInput("sequence \(s): \(sequences[s].count) items but \(tags.count) labels") }
            for t in tags where labelIndex[t] == nil { labelIndex[t] = labels.count; labels.append(t) }
        }
        guard !labels.isEmpty, labels.count <= Self.maxLabels else { throw NLPError.invalidInput("CRF training needs 1…\(Self.maxLabels) labels, got \(labels.count)") }
        self.labels = labels
        attributeIndex = [:]
        stateFeatures = []
        let l = labels.count
        transitionFeatures = [Int](repeating: -1, count: l * l)
        weights = []
        // Frequencies of candidate features, in first-seen order (CRFsuite keeps a sorted set;
        // the order only names the weights).
        var stateFrequency: [Int: [Int: Double]] = [:], stateOrder: [(Int, Int)] = []
        var transitionFrequency = [Double](repeating: 0, count: l * l), transitionSeen = [Bool](repeating: false, count: l * l)
        var transitionOrder: [Int] = []
        for (s, items) in sequences.enumerated() {
            var previous = -1
            for (t, item) in items.enumerated() {
                let y = labelIndex[tagSequences[s][t]]!
                if previous >= 0 {
                    let k = previous * l + y
                    if !transitionSeen[k] { transitionSeen[k] = true; transitionOrder.append(k) }
                    transitionFrequency[k] += 1
                }
                for (name, value) in item {
                    guard value.isFinite else { throw NLPError.invalidInput("sequence \(s), item \(t): attribute '\(name)' has value \(value)") }
                    let a = attribute(name, create: true)!
                    if stateFrequency[a]?[y] == nil { stateOrder.append((a, y)) }
                    stateFrequency[a, default: [:]][y, default: 0] += value
                    if options.allPossibleStates {
                        for other in 0..<l where stateFrequency[a]?[other] == nil { stateOrder.append((a, other)); stateFrequency[a, default: [:]][other] = 0 }
                    }
                }
                previous = y
            }
        }
        if options.allPossibleTransitions {
            for k in 0..<(l * l) where !transitionSeen[k] { transitionSeen[k] = true; transitionOrder.append(k) }
        }
        for (a, y) in stateOrder where stateFrequency[a]![y]! >= options.minFrequency {
            stateFeatures[a].append((y, weights.count)); weights.append(0)
        }
        for k in transitionOrder where transitionFrequency[k] >= options.minFrequency {
            transitionFeatures[k] = weights.count; weights.append(0)
        }
        guard weights.count <= Self.maxFeatures else { throw NLPError.invalidInput("the training data makes \(weights.count) CRF features; the limit is \(Self.maxFeatures)") }
        flattenFeatures()
    }

    /// Trains a CRF on labelled sequences (CRFsuite's `Trainer` with `algorithm='lbfgs'`).
    public static func train(sequences: [[CRFItem]], labels: [[String]], options: TrainingOptions = TrainingOptions()) throws -> (LinearChainCRF, TrainingReport) {
        let model = try LinearChainCRF(sequences: sequences, labels: labels, options: options)
        let report = try model.fit(sequences: sequences, labels: labels, options: options)
        return (model, report)
    }

    /// Minimizes −Σ log P(y | x) + c₂‖w‖² from the current weights.
    @discardableResult
    public func fit(sequences: [[CRFItem]], labels tagSequences: [[String]], options: TrainingOptions = TrainingOptions()) throws -> TrainingReport {
        guard options.c2 >= 0, options.c2.isFinite, options.maxIterations >= 1, options.gradientTolerance >= 0 else {
            throw NLPError.invalidParameter(name: "c2/max_iterations/epsilon", value: "\(options.c2)/\(options.maxIterations)/\(options.gradientTolerance)", expected: "c2 ≥ 0, max_iterations ≥ 1, epsilon ≥ 0")
        }
        guard !weights.isEmpty else { throw NLPError.invalidInput("the CRF has no features to train (is minfreq above every feature's count?)") }
        let start = Date()
        let data = try encode(sequences: sequences, labels: tagSequences)
        let n = weights.count, c2 = options.c2
        let sum = PartitionedSum(items: data.count, size: n)
        let threads = options.workers
        var lastLogLikelihood = 0.0
        let objective: LBFGSMinimizer.Objective = { w, gradient in
            let tables = Tables(self, w)
            let ll = w.withUnsafeBufferPointer { wp in
                sum.evaluate(threads: threads, into: &gradient) { range, g in
                    var ll = 0.0
                    let scratch = Scratch(labels: self.labels.count)
                    for s in range { ll += self.accumulate(data[s], tables: tables, weights: wp, scratch: scratch, gradient: g) }
                    return ll
                }
            }
            lastLogLikelihood = ll
            var norm = 0.0
            for i in 0..<n { norm += w[i] * w[i]; gradient[i] += 2 * c2 * w[i] }
            return -ll + c2 * norm
        }
        var lbfgs = LBFGSMinimizer()
        lbfgs.maxIterations = options.maxIterations
        lbfgs.gradientTolerance = options.gradientTolerance
        let r = lbfgs.minimize(weights, objective)
        guard r.x.allSatisfy(\.isFinite) else { throw NLPError.invalidInput("CRF training diverged") }
        weights = r.x
        var g = [Double](repeating: 0, count: n)
        let value = objective(weights, &g)
        return TrainingReport(iterations: r.iterations, objective: value, logLikelihood: lastLogLikelihood, converged: r.converged,
                              seconds: Date().timeIntervalSince(start))
    }

    // MARK: Inference

    /// One sequence in index form: item t's known attributes and values are
    /// `attributes[itemStart[t]..<itemStart[t+1]]` and the same range of `values`; labels, if known.
    struct EncodedSequence {
        var itemStart: [Int] = [0], attributes: [Int32] = [], values: [Double] = []
        var labels: [Int] = []
        var count: Int { itemStart.count - 1 }
    }

    private func encode(_ items: [CRFItem]) throws -> EncodedSequence {
        var e = EncodedSequence()
        for item in items {
            for (name, value) in item {
                guard value.isFinite else { throw NLPError.invalidInput("attribute '\(name)' has value \(value)") }
                if let a = attributeIndex[name] { e.attributes.append(Int32(a)); e.values.append(value) }   // unknown attributes have no features
            }
            e.itemStart.append(e.attributes.count)
        }
        return e
    }

    private func encode(sequences: [[CRFItem]], labels tagSequences: [[String]]) throws -> [EncodedSequence] {
        guard sequences.count == tagSequences.count else { throw NLPError.invalidInput("\(sequences.count) item sequences, \(tagSequences.count) label sequences") }
        let labelIndex = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        return try sequences.indices.map { s in
            guard sequences[s].count == tagSequences[s].count else { throw NLPError.invalidInput("sequence \(s): \(sequences[s].count) items but \(tagSequences[s].count) labels") }
            let ys = try tagSequences[s].map { t -> Int in
                guard let y = labelIndex[t] else { throw NLPError.invalidInput("sequence \(s): unknown label '\(t)'") }
                return y
            }
            var e = try encode(sequences[s])
            e.labels = ys
            return e
        }
    }

    /// The transition weights (L × L, 0 where no feature) and their exps.
    private final class Tables {
        let transition: UnsafeMutablePointer<Double>, expTransition: UnsafeMutablePointer<Double>
        init(_ crf: LinearChainCRF, _ w: [Double]) {
            let l = crf.labels.count
            transition = .allocate(capacity: l * l); expTransition = .allocate(capacity: l * l)
            for k in 0..<(l * l) {
                transition[k] = crf.transitionFeatures[k] >= 0 ? w[crf.transitionFeatures[k]] : 0
                expTransition[k] = Foundation.exp(transition[k])
            }
        }
        deinit { transition.deallocate(); expTransition.deallocate() }
    }

    /// Per-thread buffers of the forward–backward pass, grown to the longest sequence.
    private final class Scratch {
        let l: Int
        private(set) var capacity = 0
        var state = UnsafeMutablePointer<Double>.allocate(capacity: 1), expState = UnsafeMutablePointer<Double>.allocate(capacity: 1)
        var alpha = UnsafeMutablePointer<Double>.allocate(capacity: 1), beta = UnsafeMutablePointer<Double>.allocate(capacity: 1)
        var scale = UnsafeMutablePointer<Double>.allocate(capacity: 1)
        init(labels: Int) { l = labels }
        func reserve(_ t: Int) {
            guard t > capacity else { return }
            for p in [state, expState, alpha, beta, scale] { p.deallocate() }
            capacity = max(t, 2 * capacity)
            state = .allocate(capacity: capacity * l); expState = .allocate(capacity: capacity * l)
            alpha = .allocate(capacity: capacity * l); beta = .allocate(capacity: capacity * l)
            scale = .allocate(capacity: capacity)
        }
        deinit { for p in [state, expState, alpha, beta, scale] { p.deallocate() } }
    }

    /// State scores Σₐ value·w(a, y) for each position and label into `s.state`.
    private func stateScores(_ seq: EncodedSequence, weights w: UnsafeBufferPointer<Double>, scratch s: Scratch) {
        let l = labels.count, count = seq.count
        s.reserve(count)
        s.state.initialize(repeating: 0, count: count * l)
        stateStart.withUnsafeBufferPointer { start in stateLabel.withUnsafeBufferPointer { label in stateWeight.withUnsafeBufferPointer { weight in
        seq.itemStart.withUnsafeBufferPointer { items in seq.attributes.withUnsafeBufferPointer { attrs in seq.values.withUnsafeBufferPointer { values in
            for t in 0..<count {
                let row = s.state + t * l
                for k in items[t]..<items[t + 1] {
                    let a = Int(attrs[k]), v = values[k]
                    for f in start[a]..<start[a + 1] { row[Int(label[f])] += v * w[Int(weight[f])] }
                }
            }
        } } } } } }
    }

    /// The scaled forward–backward pass over `s.state`; returns log Z.
    private func forwardBackward(_ count: Int, tables: Tables, scratch s: Scratch) -> Double {
        let l = labels.count, e = tables.expTransition
        var logZ = 0.0
        for t in 0..<count {
            // exp(state − max) per position; the max goes back into log Z.
            let state = s.state + t * l, expState = s.expState + t * l, alpha = s.alpha + t * l
            var m = -Double.infinity
            for y in 0..<l { m = max(m, state[y]) }
            for y in 0..<l { expState[y] = Foundation.exp(state[y] - m) }
            var total = 0.0
            for y in 0..<l {
                var a = 1.0
                if t > 0 {
                    a = 0
                    let previous = s.alpha + (t - 1) * l
                    for p in 0..<l { a += previous[p] * e[p * l + y] }
                }
                a *= expState[y]
                alpha[y] = a
                total += a
            }
            s.scale[t] = total
            for y in 0..<l { alpha[y] /= total }
            logZ += Foundation.log(total) + m
        }
        for y in 0..<l { s.beta[(count - 1) * l + y] = 1 }
        if count >= 2 {
            for t in stride(from: count - 2, through: 0, by: -1) {
                let next = s.beta + (t + 1) * l, nextExp = s.expState + (t + 1) * l, beta = s.beta + t * l
                let inverse = 1 / s.scale[t + 1]
                for p in 0..<l {
                    var b = 0.0
                    for y in 0..<l { b += e[p * l + y] * nextExp[y] * next[y] }
                    beta[p] = b * inverse
                }
            }
        }
        return logZ
    }

    /// Adds the gradient of −log P(y | x) (expected minus observed counts) for one sequence into
    /// `g`; returns log P(y | x).
    private func accumulate(_ seq: EncodedSequence, tables: Tables, weights w: UnsafeBufferPointer<Double>, scratch s: Scratch, gradient g: UnsafeMutablePointer<Double>) -> Double {
        let l = labels.count, count = seq.count
        guard count > 0 else { return 0 }
        stateScores(seq, weights: w, scratch: s)
        let logZ = forwardBackward(count, tables: tables, scratch: s)
        var score = 0.0
        transitionFeatures.withUnsafeBufferPointer { trans in
        stateStart.withUnsafeBufferPointer { start in stateLabel.withUnsafeBufferPointer { label in stateWeight.withUnsafeBufferPointer { weight in
        seq.itemStart.withUnsafeBufferPointer { items in seq.attributes.withUnsafeBufferPointer { attrs in seq.values.withUnsafeBufferPointer { values in
            for t in 0..<count {
                let y = seq.labels[t]
                score += s.state[t * l + y]
                if t > 0 { score += tables.transition[seq.labels[t - 1] * l + y] }
                // Marginals P(yₜ = k) = α̂ₜ(k) β̂ₜ(k).
                let alpha = s.alpha + t * l, beta = s.beta + t * l
                for k in items[t]..<items[t + 1] {
                    let a = Int(attrs[k]), v = values[k]
                    for f in start[a]..<start[a + 1] {
                        let lab = Int(label[f])
                        g[Int(weight[f])] += v * alpha[lab] * beta[lab] - (lab == y ? v : 0)
                    }
                }
                if t > 0 {
                    let previous = seq.labels[t - 1]
                    if trans[previous * l + y] >= 0 { g[trans[previous * l + y]] -= 1 }
                    let before = s.alpha + (t - 1) * l, expState = s.expState + t * l, inverse = 1 / s.scale[t]
                    for p in 0..<l {
                        let ap = before[p] * inverse
                        for q in 0..<l where trans[p * l + q] >= 0 {
                            g[trans[p * l + q]] += ap * tables.expTransition[p * l + q] * expState[q] * beta[q]
                        }
                    }
                }
            }
        } } } } } } }
        return score - logZ
    }

    /// log Z(x), the log of the sum of exp(score) over every labelling.
    public func logPartition(_ items: [CRFItem]) throws -> Double {
        guard !items.isEmpty else { return 0 }
        let s = Scratch(labels: labels.count), seq = try encode(items)
        weights.withUnsafeBufferPointer { stateScores(seq, weights: $0, scratch: s) }
        return forwardBackward(items.count, tables: Tables(self, weights), scratch: s)
    }

    /// score(x, y) for a labelling (`Tagger.set` + the unnormalized log-probability).
    public func score(_ items: [CRFItem], labels tags: [String]) throws -> Double {
        let seq = try encode(sequences: [items], labels: [tags])[0]
        let l = labels.count, tb = Tables(self, weights)
        let s = Scratch(labels: l)
        weights.withUnsafeBufferPointer { stateScores(seq, weights: $0, scratch: s) }
        var total = 0.0
        for t in seq.labels.indices {
            total += s.state[t * l + seq.labels[t]]
            if t > 0 { total += tb.transition[seq.labels[t - 1] * l + seq.labels[t]] }
        }
        return total
    }

    /// P(y | x) (`Tagger.probability`).
    public func probability(_ items: [CRFItem], labels tags: [String]) throws -> Double {
        Foundation.exp(try score(items, labels: tags) - logPartition(items))
    }

    /// P(yₜ = label | x) for every position and label, positions × labels in `labels` order
    /// (`Tagger.marginal`).
    public func marginals(_ items: [CRFItem]) throws -> [[Double]] {
        guard !items.isEmpty else { return [] }
        let l = labels.count, s = Scratch(labels: l), seq = try encode(items)
        weights.withUnsafeBufferPointer { stateScores(seq, weights: $0, scratch: s) }
        _ = forwardBackward(items.count, tables: Tables(self, weights), scratch: s)
        return (0..<items.count).map { t in (0..<l).map { s.alpha[t * l + $0] * s.beta[t * l + $0] } }
    }

    /// The most probable labelling and its score (`Tagger.tag`, Viterbi; ties go to the lower label index).
    public func viterbi(_ items: [CRFItem]) throws -> (labels: [String], score: Double) {
        guard !items.isEmpty else { return ([], 0) }
        let l = labels.count, count = items.count, tb = Tables(self, weights)
        let s = Scratch(labels: l), seq = try encode(items)
        weights.withUnsafeBufferPointer { stateScores(seq, weights: $0, scratch: s) }
        var best = Array(UnsafeBufferPointer(start: s.state, count: l)), back = [Int](repeating: 0, count: count * l)
        var next = [Double](repeating: 0, count: l)
        for t in 1..<max(count, 1) {
            for y in 0..<l {
                var arg = 0, value = -Double.infinity
                for p in 0..<l {
                    let v = best[p] + tb.transition[p * l + y]
                    if v > value { value = v; arg = p }
                }
                next[y] = value + s.state[t * l + y]
                back[t * l + y] = arg
            }
            swap(&best, &next)
        }
        var y = 0
        for k in 1..<l where best[k] > best[y] { y = k }
        let total = best[y]
        var path = [Int](repeating: 0, count: count)
        path[count - 1] = y
        for t in stride(from: count - 1, to: 0, by: -1) { y = back[t * l + y]; path[t - 1] = y }
        return (path.map { labels[$0] }, total)
    }

    /// Σ log P(y | x) over labelled sequences.
    public func logLikelihood(sequences: [[CRFItem]], labels tags: [[String]]) throws -> Double {
        let data = try encode(sequences: sequences, labels: tags)
        var g = [Double](repeating: 0, count: max(1, weights.count))   // never empty: its address is passed on
        let s = Scratch(labels: labels.count), tb = Tables(self, weights)
        return weights.withUnsafeBufferPointer { w in
            g.withUnsafeMutableBufferPointer { gp in data.reduce(0) { $0 + accumulate($1, tables: tb, weights: w, scratch: s, gradient: gp.baseAddress!) } }
        }
    }

    /// The weights as CRFsuite's `Tagger.info()` lists them: state features and transitions.
    public var stateFeatureWeights: [(attribute: String, label: String, weight: Double)] {
        var names = [String](repeating: "", count: attributeIndex.count)
        for (name, a) in attributeIndex { names[a] = name }
        return names.indices.flatMap { a in (stateStart[a]..<stateStart[a + 1]).map { (names[a], labels[Int(stateLabel[$0])], weights[Int(stateWeight[$0])]) } }
    }
    /// The transition weights as (from, to, weight), from-label major.
    public var transitionWeights: [(from: String, to: String, weight: Double)] {
        let l = labels.count
        return (0..<(l * l)).compactMap { k in transitionFeatures[k] >= 0 ? (labels[k / l], labels[k % l], weights[transitionFeatures[k]]) : nil }
    }
}
