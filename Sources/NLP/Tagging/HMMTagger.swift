import Foundation

/// A first-order hidden Markov model tagger trained by counting, as NLTK's
/// `HiddenMarkovModelTagger.train` builds it: start, transition and emission counts from tagged
/// sentences, each turned into a Lidstone distribution (`(count + γ) / (total + bins·γ)`, γ = 0.1;
/// bins = the number of tags, or of training words for emissions), so unseen words and
/// transitions keep a small probability. Tagging is Viterbi over base-2 log probabilities in
/// single precision, as NLTK's `best_path` computes it (float32 tables and sums, the first
/// maximum on ties), so the tags are NLTK's exactly (NLPTests/HMMTaggerTests).
public final class HMMTagger {
    /// The tags (states) and training words (symbols), in first-seen order.
    public let states: [String], symbols: [String]
    /// The Lidstone γ.
    public let gamma: Double
    private let stateIndex: [String: Int], symbolIndex: [String: Int]
    private let startCounts: [Double], startTotal: Double
    private let transitionCounts: [Double], transitionTotals: [Double]
    private let emissionCounts: [[Int: Double]], emissionTotals: [Double]
    /// log₂ tables in Float, as NLTK's cache: priors, transitions (from × to).
    private let logPrior: [Float], logTransition: [Float]

    /// Counts tagged sentences (`(word, tag)` pairs).
    /// - Throws: `NLPError.invalidInput` for no tokens; `invalidParameter` for γ ≤ 0 or not finite.
    public init(sentences: [[(word: String, tag: String)]], gamma: Double = 0.1) throws {
        guard gamma > 0, gamma.isFinite else { throw NLPError.invalidParameter(name: "gamma", value: "\(gamma)", expected: "a positive number") }
        var states: [String] = [], stateIndex: [String: Int] = [:], symbols: [String] = [], symbolIndex: [String: Int] = [:]
        for s in sentences {
            for (w, t) in s {
                if stateIndex[t] == nil { stateIndex[t] = states.count; states.append(t) }
                if symbolIndex[w] == nil { symbolIndex[w] = symbols.count; symbols.append(w) }
            }
        }
        guard !states.isEmpty else { throw NLPError.invalidInput("HMM training needs at least one tagged token") }
        let n = states.count
        var start = [Double](repeating: 0, count: n), transitions = [Double](repeating: 0, count: n * n)
        var emissions = [[Int: Double]](repeating: [:], count: n)
        for s in sentences {
            var last: Int?
            for (w, t) in s {
                let y = stateIndex[t]!
                if let l = last { transitions[l * n + y] += 1 } else { start[y] += 1 }
                emissions[y][symbolIndex[w]!, default: 0] += 1
                last = y
            }
        }
        self.states = states; self.symbols = symbols; self.stateIndex = stateIndex; self.symbolIndex = symbolIndex; self.gamma = gamma
        let startSum = start.reduce(0, +)
        let rowTotals = (0..<n).map { i in (0..<n).reduce(0.0) { $0 + transitions[i * n + $1] } }
        startCounts = start; startTotal = startSum
        transitionCounts = transitions
        transitionTotals = rowTotals
        emissionCounts = emissions
        emissionTotals = emissions.map { $0.values.reduce(0, +) }
        let lidstone = { (count: Double, total: Double, bins: Int) -> Double in (count + gamma) / (total + Double(bins) * gamma) }
        logPrior = (0..<n).map { Float(Self.log2(lidstone(start[$0], startSum, n))) }
        var lt = [Float](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n { lt[i * n + j] = Float(Self.log2(lidstone(transitions[i * n + j], rowTotals[i], n))) }
        }
        logTransition = lt
    }

    /// log₂ as Python's `math.log(p, 2)`: ln p / ln 2.
    @inline(__always) static func log2(_ p: Double) -> Double { p > 0 ? Foundation.log(p) / Foundation.log(2.0) : -.infinity }

    /// P(first tag = state) (`_priors.prob`).
    public func prior(_ state: String) -> Double? {
        guard let i = stateIndex[state] else { return nil }
        return (startCounts[i] + gamma) / (startTotal + Double(states.count) * gamma)
    }

    /// P(tag = to | previous tag = from) (`_transitions[from].prob(to)`).
    public func transition(from: String, to: String) -> Double? {
        guard let i = stateIndex[from], let j = stateIndex[to] else { return nil }
        return (transitionCounts[i * states.count + j] + gamma) / (transitionTotals[i] + Double(states.count) * gamma)
    }

    /// P(word | tag) (`_outputs[tag].prob(word)`; an unseen word gets γ / (total + bins·γ)).
    public func emission(_ word: String, given state: String) -> Double? {
        guard let i = stateIndex[state] else { return nil }
        return emissionProbability(word, i)
    }

    private func emissionProbability(_ word: String, _ i: Int) -> Double {
        let c = symbolIndex[word].flatMap { emissionCounts[i][$0] } ?? 0
        return (c + gamma) / (emissionTotals[i] + Double(symbols.count) * gamma)
    }

    /// The most probable tags (`tag` / `best_path`).
    public func tag(_ words: [String]) -> [String] {
        guard !words.isEmpty else { return [] }
        let n = states.count
        // Emission columns in Float, as NLTK's cache O[:, symbol].
        let columns = words.map { w in (0..<n).map { Float(Self.log2(emissionProbability(w, $0))) } }
        var v = (0..<n).map { logPrior[$0] + columns[0][$0] }
        var back = [Int](repeating: 0, count: words.count * n)
        var next = [Float](repeating: 0, count: n)
        for t in 1..<words.count {
            for j in 0..<n {
                var best = 0, value = v[0] + logTransition[j]
                for i in 1..<n {
                    let x = v[i] + logTransition[i * n + j]
                    if x > value { value = x; best = i }
                }
                next[j] = value + columns[t][j]
                back[t * n + j] = best
            }
            swap(&v, &next)
        }
        var current = 0
        for j in 1..<n where v[j] > v[current] { current = j }
        var path = [Int](repeating: 0, count: words.count)
        path[words.count - 1] = current
        for t in stride(from: words.count - 1, to: 0, by: -1) { current = back[t * n + current]; path[t - 1] = current }
        return path.map { states[$0] }
    }
}
