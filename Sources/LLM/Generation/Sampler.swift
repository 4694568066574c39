import Foundation
import SwiftLearnCore

/// How the next token is chosen from the model's logits — llama.cpp's sampler chain and defaults:
/// penalties and logit bias, then top-k, typical-p, top-p, min-p, temperature, and a seeded draw
/// (or the arg-max when `temperature` ≤ 0).
public struct SamplingParameters: Sendable, Equatable {
    /// Softmax temperature; ≤ 0 picks the most likely token (greedy).
    public var temperature: Float = 0.8
    /// Keep the `topK` most likely tokens (≤ 0: all).
    public var topK: Int = 40
    /// Keep the smallest set of most likely tokens whose probabilities add up to `topP` (1: all).
    public var topP: Float = 0.95
    /// Drop tokens less likely than `minP` × the most likely one's probability (0: none).
    public var minP: Float = 0.05
    /// Locally typical sampling (Meister et al., 2022) mass (1: off).
    public var typicalP: Float = 1.0
    /// Divide positive logits (multiply negative ones) of tokens seen in the last `penaltyLastN`
    /// tokens by this (1: off).
    public var repeatPenalty: Float = 1.0
    /// Subtract `count × frequencyPenalty` from a seen token's logit (OpenAI's definition).
    public var frequencyPenalty: Float = 0
    /// Subtract `presencePenalty` from the logit of every token seen at least once.
    public var presencePenalty: Float = 0
    /// How many recent tokens the penalties look at (-1: the whole context, 0: none).
    public var penaltyLastN: Int = 64
    /// Added to the logits of the given ids before anything else (-infinity bans a token).
    public var logitBias: [Int: Float] = [:]
    /// Seed of the draw: the same seed, prompt and parameters give the same text.
    public var seed: UInt64 = 0

    /// llama.cpp's defaults.
    public init() {}

    /// Greedy decoding (temperature 0, no penalties).
    public static var greedy: SamplingParameters { var p = SamplingParameters(); p.temperature = 0; return p }

    /// Checks every field's domain.
    /// - Throws: `LLMError.invalidParameter` naming the field and what is allowed.
    public func validate(vocabularySize: Int) throws {
        func check(_ ok: Bool, _ name: String, _ value: Any, _ expected: String) throws {
            if !ok { throw LLMError.invalidParameter(name: name, value: "\(value)", expected: expected) }
        }
        try check(temperature.isFinite && temperature <= 100, "temperature", temperature, "a finite number ≤ 100 (≤ 0 is greedy)")
        try check(topP.isFinite && topP > 0 && topP <= 1, "top_p", topP, "a number in (0, 1]")
        try check(minP.isFinite && minP >= 0 && minP <= 1, "min_p", minP, "a number in [0, 1]")
        try check(typicalP.isFinite && typicalP > 0 && typicalP <= 1, "typical_p", typicalP, "a number in (0, 1]")
        try check(repeatPenalty.isFinite && repeatPenalty > 0 && repeatPenalty <= 100, "repeat_penalty", repeatPenalty, "a number in (0, 100]")
        try check(frequencyPenalty.isFinite && abs(frequencyPenalty) <= 2, "frequency_penalty", frequencyPenalty, "a number in [-2, 2] (OpenAI's range)")
        try check(presencePenalty.isFinite && abs(presencePenalty) <= 2, "presence_penalty", presencePenalty, "a number in [-2, 2] (OpenAI's range)")
        try check(penaltyLastN >= -1, "repeat_last_n", penaltyLastN, "-1 (whole context), 0 (off) or a positive count")
        for (id, bias) in logitBias {
            try check(id >= 0 && id < vocabularySize, "logit_bias", id, "token ids in 0..<\(vocabularySize)")
            try check(!bias.isNaN && (bias.isInfinite ? bias < 0 : abs(bias) <= 100), "logit_bias[\(id)]", bias, "a number in [-100, 100] or -infinity")
        }
    }
}

/// One token's log-probability under the model and the most likely alternatives at that step.
public struct TokenLogprob: Sendable, Equatable {
    /// The token and its log-probability.
    public let id: Int
    public let logprob: Float
    /// The `n` most likely tokens (id, log-probability), most likely first.
    public let top: [(id: Int, logprob: Float)]

    /// Equal ids, log-probabilities and alternatives.
    public static func == (a: TokenLogprob, b: TokenLogprob) -> Bool {
        a.id == b.id && a.logprob == b.logprob && a.top.map(\.id) == b.top.map(\.id) && a.top.map(\.logprob) == b.top.map(\.logprob)
    }
}

/// Chooses tokens from logits with `SamplingParameters`; holds the seeded random stream.
public struct Sampler: Sendable {
    /// The (validated) parameters and the vocabulary size they were checked against.
    public let parameters: SamplingParameters
    public let vocabularySize: Int
    var rng: Xoshiro256StarStar

    /// - Throws: `LLMError.invalidParameter` when a parameter is outside its domain.
    public init(_ parameters: SamplingParameters, vocabularySize: Int) throws {
        try parameters.validate(vocabularySize: vocabularySize)
        self.parameters = parameters
        self.vocabularySize = vocabularySize
        rng = Xoshiro256StarStar(seed: parameters.seed)
    }

    /// The candidate tokens at one step: ids and their (transformed) logits.
    struct Candidates {
        var ids: [Int32]
        var logits: [Float]
        var sortedDescending = false
        var count: Int { ids.count }

        mutating func sortDescending() {
            guard !sortedDescending else { return }
            let order = logits.indices.sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && ids[$0] < ids[$1]) }
            ids = order.map { ids[$0] }
            logits = order.map { logits[$0] }
            sortedDescending = true
        }

        mutating func keep(first n: Int) {
            ids.removeSubrange(n...)
            logits.removeSubrange(n...)
        }

        /// Softmax probabilities of the current logits (in the current order).
        func probabilities() -> [Float] {
            let m = logits.max() ?? 0
            var p = logits.map { $0 == -.infinity ? 0 : expf($0 - m) }
            let s = p.reduce(0, +)
            if s > 0 { for k in p.indices { p[k] /= s } }
            return p
        }
    }

    /// The stages of the chain, in llama.cpp's order.
    public enum Stage: String, Sendable, CaseIterable {
        case logitBias, penalties, topK, typicalP, topP, minP, temperature
    }

    /// The candidates left after `stages` (ids ascending, with their transformed logits) — what the
    /// draw chooses from; shows what each strategy does to a distribution.
    public func apply(_ stages: [Stage] = Stage.allCases, to logits: UnsafeBufferPointer<Float>, history: [Int]) -> (ids: [Int], logits: [Float]) {
        var c = Candidates(ids: (0..<Int32(logits.count)).map { $0 }, logits: Array(logits))
        for stage in stages { apply(stage, &c, history: history) }
        let order = c.ids.indices.sorted { c.ids[$0] < c.ids[$1] }
        return (order.map { Int(c.ids[$0]) }, order.map { c.logits[$0] })
    }

    func apply(_ stage: Stage, _ c: inout Candidates, history: [Int]) {
        let p = parameters
        switch stage {
        case .logitBias:
            guard !p.logitBias.isEmpty else { return }
            for k in 0..<c.count { if let b = p.logitBias[Int(c.ids[k])] { c.logits[k] += b } }
        case .penalties:
            let window = p.penaltyLastN < 0 ? history[...] : history.suffix(p.penaltyLastN)
            guard !window.isEmpty, p.repeatPenalty != 1 || p.frequencyPenalty != 0 || p.presencePenalty != 0 else { return }
            var counts: [Int32: Int] = [:]
            for t in window { counts[Int32(truncatingIfNeeded: t), default: 0] += 1 }
            for k in 0..<c.count {
                guard let n = counts[c.ids[k]] else { continue }
                var l = c.logits[k]
                if p.repeatPenalty != 1 { l = l <= 0 ? l * p.repeatPenalty : l / p.repeatPenalty }
                l -= Float(n) * p.frequencyPenalty + p.presencePenalty
                c.logits[k] = l
            }
        case .topK:
            if p.topK > 0 && p.topK < c.count { Self.selectTop(&c, p.topK) }
        case .typicalP:
            guard p.typicalP < 1 else { return }
            let probs = c.probabilities()
            var entropy: Float = 0
            for q in probs where q > 0 { entropy -= q * logf(q) }
            let shifted = probs.map { $0 > 0 ? abs(-logf($0) - entropy) : .infinity }
            let order = shifted.indices.sorted { shifted[$0] < shifted[$1] }
            var cum: Float = 0, n = 0
            for k in order { cum += probs[k]; n += 1; if cum > p.typicalP { break } }
            let kept = Array(order.prefix(max(n, 1)))
            c = Candidates(ids: kept.map { c.ids[$0] }, logits: kept.map { c.logits[$0] })
        case .topP:
            guard p.topP < 1 else { return }
            c.sortDescending()
            let probs = c.probabilities()
            var cum: Float = 0, n = 0
            for q in probs { cum += q; n += 1; if cum >= p.topP { break } }
            c.keep(first: max(n, 1))
        case .minP:
            guard p.minP > 0 else { return }
            // p ≥ minP · pmax  ⇔  logit ≥ max logit + log minP
            let threshold = (c.logits.max() ?? 0) + logf(p.minP)
            var kept = Candidates(ids: [], logits: [], sortedDescending: c.sortedDescending)
            for k in 0..<c.count where c.logits[k] >= threshold { kept.ids.append(c.ids[k]); kept.logits.append(c.logits[k]) }
            if kept.count > 0 { c = kept }
        case .temperature:
            if p.temperature <= 0 {
                let best = Self.argmaxIndex(c)
                c = Candidates(ids: [c.ids[best]], logits: [c.logits[best]])
            } else {
                for k in 0..<c.count { c.logits[k] /= p.temperature }
            }
        }
    }

    /// The next token for `logits` (one per vocabulary id), given the tokens so far (`history`, for
    /// the penalties): the arg-max after bias and penalties when `temperature` ≤ 0, otherwise a
    /// seeded draw from what the whole chain leaves.
    public mutating func sample(_ logits: UnsafeBufferPointer<Float>, history: [Int]) -> Int {
        var c = Candidates(ids: (0..<Int32(logits.count)).map { $0 }, logits: Array(logits))
        apply(.logitBias, &c, history: history)
        apply(.penalties, &c, history: history)
        if parameters.temperature <= 0 { return Int(c.ids[Self.argmaxIndex(c)]) }
        for stage in Stage.allCases.dropFirst(2) { apply(stage, &c, history: history) }
        let probs = c.probabilities()
        let u = Float(rng.uniform())
        var cum: Float = 0
        for k in 0..<probs.count {
            cum += probs[k]
            if u < cum { return Int(c.ids[k]) }
        }
        return Int(c.ids[probs.lastIndex { $0 > 0 } ?? 0])
    }

    /// Convenience over an array.
    public mutating func sample(_ logits: [Float], history: [Int]) -> Int {
        logits.withUnsafeBufferPointer { sample($0, history: history) }
    }

    /// The id of the largest logit (the lowest id among equals): greedy decoding without the chain.
    public static func argmax(_ logits: [Float]) -> Int {
        var best = 0
        for i in logits.indices where logits[i] > logits[best] { best = i }
        return best
    }

    /// Index of the largest logit (the lowest id among equals).
    static func argmaxIndex(_ c: Candidates) -> Int {
        var best = 0
        for k in 1..<max(c.count, 1) where c.logits[k] > c.logits[best] || (c.logits[k] == c.logits[best] && c.ids[k] < c.ids[best]) { best = k }
        return best
    }

    /// Keeps the `k` largest logits, sorted descending (a bounded selection, not a full sort).
    static func selectTop(_ c: inout Candidates, _ k: Int) {
        // Threshold by a k-th largest search on a copy, then gather and sort only the kept ones.
        var sample = c.logits
        let kth = sample.withUnsafeMutableBufferPointer { nthLargest($0, k) }
        var ids: [Int32] = [], logits: [Float] = []
        ids.reserveCapacity(k); logits.reserveCapacity(k)
        for i in 0..<c.count where c.logits[i] > kth { ids.append(c.ids[i]); logits.append(c.logits[i]) }
        for i in 0..<c.count where c.logits[i] == kth && ids.count < k { ids.append(c.ids[i]); logits.append(c.logits[i]) }
        c = Candidates(ids: ids, logits: logits)
        c.sortDescending()
    }

    /// The k-th largest value (1-based) by quickselect.
    static func nthLargest(_ a: UnsafeMutableBufferPointer<Float>, _ k: Int) -> Float {
        var lo = 0, hi = a.count - 1, target = k - 1
        while lo < hi {
            let pivot = a[(lo + hi) / 2]
            var i = lo, j = hi
            while i <= j {
                while a[i] > pivot { i += 1 }
                while a[j] < pivot { j -= 1 }
                if i <= j { a.swapAt(i, j); i += 1; j -= 1 }
            }
            if target <= j { hi = j } else if target >= i { lo = i } else { return a[target] }
        }
        return a[target]
    }

    /// Log-probabilities of the model's distribution (the raw logits' log-softmax) for `chosen` and
    /// the `top` most likely tokens.
    public static func logprob(_ logits: UnsafeBufferPointer<Float>, chosen: Int, top: Int) -> TokenLogprob {
        var m = -Float.infinity
        for l in logits where l > m { m = l }
        var s: Double = 0
        for l in logits { s += Double(expf(l - m)) }
        let logZ = m + Float(log(s))
        var c = Candidates(ids: (0..<Int32(logits.count)).map { $0 }, logits: Array(logits))
        if top > 0 { selectTop(&c, min(top, logits.count)) }
        let alternatives = top > 0 ? (0..<c.count).map { (id: Int(c.ids[$0]), logprob: c.logits[$0] - logZ) } : []
        return TokenLogprob(id: chosen, logprob: logits[chosen] - logZ, top: alternatives)
    }
}
