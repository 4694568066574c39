import Foundation
import Testing
import LLM

/// Sampler stages against llama.cpp's (llama-cpp-python 0.3.36,
/// scripts/fixtures/make_llm_sampling_fixtures.py), the draw's distribution and seeding, and the
/// UTF-8- and stop-string-safe text stream.
@Suite struct SamplerTests {
    static let fixture = try! FixtureFiles.json("llama_samplers.json") as! [String: Any]

    static func parameters(_ bias: [Int: Float]) -> SamplingParameters {
        let f = fixture["parameters"] as! [String: Double]
        var p = SamplingParameters()
        p.penaltyLastN = Int(f["penalty_last_n"]!)
        p.repeatPenalty = Float(f["repeat"]!)
        p.frequencyPenalty = Float(f["frequency"]!)
        p.presencePenalty = Float(f["presence"]!)
        p.topK = Int(f["top_k"]!)
        p.typicalP = Float(f["typical_p"]!)
        p.topP = Float(f["top_p"]!)
        p.minP = Float(f["min_p"]!)
        p.temperature = Float(f["temperature"]!)
        p.logitBias = bias
        return p
    }

    @Test func stagesKeepWhatLlamaCppKeeps() throws {
        let stages: [(String, [Sampler.Stage])] = [
            ("bias", [.logitBias]), ("penalties", [.penalties]), ("top_k", [.topK]), ("typical", [.typicalP]),
            ("top_p", [.topP]), ("min_p", [.minP]), ("temp", [.temperature]), ("chain", Sampler.Stage.allCases),
        ]
        var worst: Float = 0
        for c in Self.fixture["cases"] as! [[String: Any]] {
            let logits = (c["logits"] as! [Double]).map { Float($0) }
            let history = c["history"] as! [Int]
            let bias = Dictionary(uniqueKeysWithValues: (c["bias"] as! [String: Double]).map { (Int($0.key)!, Float($0.value)) })
            let sampler = try Sampler(Self.parameters(bias), vocabularySize: logits.count)
            let want = c["stages"] as! [String: [String: Any]]
            for (name, list) in stages {
                let got = logits.withUnsafeBufferPointer { sampler.apply(list, to: $0, history: history) }
                let w = want[name]!
                #expect(got.ids == w["ids"] as! [Int], "\(name): kept ids differ")
                for (a, b) in zip(got.logits, (w["logits"] as! [Double]).map { Float($0) }) {
                    let d: Float = a == b ? 0 : abs(a - b) / max(abs(b), 1)
                    worst = max(worst, d.isNaN ? .infinity : d)
                }
            }
        }
        // float32 arithmetic in both; llama.cpp's compiler may fuse multiply-adds.
        #expect(worst <= 1e-6, "worst relative logit difference \(worst)")
    }

    @Test func greedyIsTheArgmaxAfterPenalties() throws {
        var p = SamplingParameters.greedy
        let logits: [Float] = [1, 5, 3, 5, -2]
        var s = try Sampler(p, vocabularySize: 5)
        #expect(s.sample(logits, history: []) == 1)   // the lowest id among equal maxima
        p.repeatPenalty = 2
        s = try Sampler(p, vocabularySize: 5)
        #expect(s.sample(logits, history: [1, 3]) == 2)   // 5/2 < 3
        p.logitBias = [4: 10]
        s = try Sampler(p, vocabularySize: 5)
        #expect(s.sample(logits, history: []) == 4)
        p.logitBias = [1: -.infinity, 3: -.infinity]
        s = try Sampler(p, vocabularySize: 5)
        #expect(s.sample(logits, history: []) == 2)
    }

    @Test func drawsFollowTheSoftmaxAndSeedsRepeat() throws {
        var p = SamplingParameters()
        p.temperature = 1; p.topK = 0; p.topP = 1; p.minP = 0
        p.seed = 42
        let logits: [Float] = [0, 1, 2, 0.5, -1]
        let z = logits.map { expf($0) }.reduce(0, +)
        var s = try Sampler(p, vocabularySize: 5)
        let n = 40_000
        var counts = [Int](repeating: 0, count: 5)
        var draws: [Int] = []
        for _ in 0..<n { let t = s.sample(logits, history: []); counts[t] += 1; if draws.count < 50 { draws.append(t) } }
        for k in 0..<5 {
            let expected = Double(expf(logits[k]) / z)
            let sd = (expected * (1 - expected) / Double(n)).squareRoot()
            #expect(abs(Double(counts[k]) / Double(n) - expected) < 5 * sd, "token \(k): \(counts[k]) of \(n), expected p \(expected)")
        }
        var again = try Sampler(p, vocabularySize: 5)
        #expect((0..<50).map { _ in again.sample(logits, history: []) } == draws)
        p.seed = 43
        var other = try Sampler(p, vocabularySize: 5)
        #expect((0..<50).map { _ in other.sample(logits, history: []) } != draws)
        // top-k 1 is greedy whatever the temperature.
        p.topK = 1; p.temperature = 5
        var one = try Sampler(p, vocabularySize: 5)
        #expect(Set((0..<100).map { _ in one.sample(logits, history: []) }) == [2])
    }

    @Test func logprobsAreTheLogSoftmax() {
        let logits: [Float] = [2, 1, 0, -1]
        let lp = logits.withUnsafeBufferPointer { Sampler.logprob($0, chosen: 1, top: 2) }
        let z = logf(logits.map { expf($0) }.reduce(0, +))
        #expect(abs(lp.logprob - (1 - z)) < 1e-6)
        #expect(lp.top.map(\.id) == [0, 1])
        #expect(abs(lp.top[0].logprob - (2 - z)) < 1e-6)
    }

    @Test func parametersOutsideTheirDomainAreRefused() {
        var cases: [SamplingParameters] = []
        for f: (inout SamplingParameters) -> Void in [
            { $0.temperature = .nan }, { $0.topP = 0 }, { $0.topP = 1.5 }, { $0.minP = -0.1 }, { $0.typicalP = 0 },
            { $0.repeatPenalty = 0 }, { $0.frequencyPenalty = 3 }, { $0.presencePenalty = -2.5 }, { $0.penaltyLastN = -2 },
            { $0.logitBias = [10: 1] }, { $0.logitBias = [1: .nan] }, { $0.logitBias = [1: 1000] },
        ] { var p = SamplingParameters(); f(&p); cases.append(p) }
        for p in cases { #expect(throws: LLMError.self) { try Sampler(p, vocabularySize: 5) } }
    }

    @Test func streamNeverSplitsACharacterAndHoldsBackStops() {
        // "é🙂" as single bytes, one token each.
        var s = TextStream()
        let bytes = Array("aé🙂b".utf8)
        var shown: [String] = []
        for b in bytes { shown.append(s.append([b])) }
        #expect(shown == ["a", "", "é", "", "", "", "🙂", "b"])
        #expect(s.finish() == "")
        // An incomplete character at the end becomes U+FFFD.
        var t = TextStream()
        #expect(t.append([0x61, 0xF0, 0x9F]) == "a")
        #expect(t.finish() == "\u{FFFD}")
        // Stop strings: text that may start one is held; the stop and what follows never show.
        var u = TextStream(stopStrings: ["<|im_end|>", "\n\n"])
        var out = ""
        for piece in ["Hello", " world", "<|im", "_e", "nd|>", "more"] { out += u.append(Array(piece.utf8)) }
        out += u.finish()
        #expect(out == "Hello world")
        #expect(u.stopped && u.matchedStop == "<|im_end|>")
        var v = TextStream(stopStrings: ["<|im_end|>"])
        out = ""
        for piece in ["a <", "|not", " a stop"] { out += v.append(Array(piece.utf8)) }
        out += v.finish()
        #expect(out == "a <|not a stop" && !v.stopped)
    }
}
