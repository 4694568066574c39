import Foundation
import NLP
import Testing

/// The linear-chain CRF against python-crfsuite 0.9.12 and entity scores against seqeval 1.2.2
/// (`scripts/fixtures/make_crf_fixtures.py`).
@Suite struct CRFTests {
    static let fixture = (try? FixtureFiles.json("crf.json")) as? [String: Any] ?? [:]

    /// The fixture script's token features.
    static func features(_ words: [String]) -> [CRFItem] {
        words.indices.map { i in
            let w = words[i]
            return [("w=" + w, 1), ("lower=" + w.lowercased(), 1), ("suf3=" + String(w.suffix(3)), 1), ("bias", 1), ("len", Double(w.count) / 10),
                    ("shape=" + (w.first?.isUppercase == true ? "Xx" : "x"), 1),
                    ("prev=" + (i > 0 ? words[i - 1].lowercased() : "<s>"), 1), ("next=" + (i + 1 < words.count ? words[i + 1].lowercased() : "</s>"), 1)]
        }
    }

    static var training: (items: [[CRFItem]], tags: [[String]]) {
        let train = fixture["train"] as? [[String: Any]] ?? []
        return (train.map { features($0["words"] as! [String]) }, train.map { $0["tags"] as! [String] })
    }

    static func fixedModel(_ m: [String: Any]) throws -> LinearChainCRF {
        let states = (m["state_features"] as! [[Any]]).map { (attribute: $0[0] as! String, label: $0[1] as! String, weight: $0[2] as! Double) }
        let transitions = (m["transitions"] as! [[Any]]).map { (from: $0[0] as! String, to: $0[1] as! String, weight: $0[2] as! Double) }
        return try LinearChainCRF(labels: m["labels"] as! [String], stateFeatures: states, transitions: transitions)
    }

    @Test func likelihoodMarginalsAndViterbiEqualCRFsuitesOnFixedWeights() throws {
        let models = try #require(Self.fixture["models"] as? [[String: Any]])
        #expect(models.count == 2)
        let (items, tags) = Self.training
        for m in models {
            let crf = try Self.fixedModel(m)
            let ll = try crf.logLikelihood(sequences: items, labels: tags), expected = m["train_log_likelihood"] as! Double
            #expect(abs(ll - expected) <= 1e-9 * max(1, abs(expected)), "c2 \(m["c2"]!): log-likelihood \(ll) vs \(expected)")
            for t in m["tests"] as! [[String: Any]] {
                let x = Self.features(t["words"] as! [String]), gold = t["gold"] as! [String]
                let p = try crf.probability(x, labels: gold), pe = t["probability"] as! Double
                #expect(abs(p - pe) <= 1e-10 * max(pe, 1e-300) + 1e-15, "probability \(p) vs \(pe)")
                let marginals = try crf.marginals(x).flatMap { $0 }, me = (t["marginals"] as! [[Double]]).flatMap { $0 }
                #expect(marginals.count == me.count && zip(marginals, me).allSatisfy { abs($0 - $1) < 1e-10 })
                #expect(try crf.viterbi(x).labels == t["viterbi"] as? [String])
            }
        }
    }

    @Test func trainingReachesCRFsuitesOptimum() throws {
        let models = try #require(Self.fixture["models"] as? [[String: Any]])
        let (items, tags) = Self.training
        for m in models {
            var o = LinearChainCRF.TrainingOptions()
            o.c2 = m["c2"] as! Double; o.maxIterations = 1000; o.gradientTolerance = 1e-9
            let (crf, report) = try LinearChainCRF.train(sequences: items, labels: tags, options: o)
            #expect(crf.labels == m["labels"] as? [String])
            #expect(crf.featureCount == (m["state_features"] as! [Any]).count + (m["transitions"] as! [Any]).count)
            var reference: [String: Double] = [:]
            for f in m["state_features"] as! [[Any]] { reference["\(f[0] as! String)|\(f[1] as! String)"] = f[2] as? Double }
            for f in m["transitions"] as! [[Any]] { reference["\(f[0] as! String)→\(f[1] as! String)"] = f[2] as? Double }
            var worst = 0.0
            for f in crf.stateFeatureWeights { worst = max(worst, abs(f.weight - (reference["\(f.attribute)|\(f.label)"] ?? .nan))) }
            for f in crf.transitionWeights { worst = max(worst, abs(f.weight - (reference["\(f.from)→\(f.to)"] ?? .nan))) }
            #expect(worst < 1e-4, "c2 \(o.c2): weights differ from CRFsuite's by up to \(worst) after \(report.iterations) iterations")
            let expected = m["train_log_likelihood"] as! Double
            #expect(abs(report.logLikelihood - expected) <= 1e-6 * max(1, abs(expected)), "c2 \(o.c2): \(report.logLikelihood) vs \(expected)")
        }
    }

    @Test func entityScoresEqualSeqevals() throws {
        let cases = try #require(Self.fixture["seqeval_cases"] as? [[String: Any]])
        #expect(cases.count == 12)
        for c in cases {
            let gold = c["gold"] as! [[String]], predicted = c["predicted"] as! [[String]]
            let s = SequenceLabelingMetrics.scores(gold, predicted)
            #expect(abs(s.f1 - (c["f1"] as! Double)) < 1e-12 && abs(s.precision - (c["precision"] as! Double)) < 1e-12 && abs(s.recall - (c["recall"] as! Double)) < 1e-12)
            #expect(abs(SequenceLabelingMetrics.accuracy(gold, predicted) - (c["accuracy"] as! Double)) < 1e-12)
            #expect(SequenceLabelingMetrics.report(gold, predicted, digits: 2).text == c["report2"] as? String)
            #expect(SequenceLabelingMetrics.report(gold, predicted, digits: 4).text == c["report4"] as? String)
        }
        #expect(SequenceLabelingMetrics.entities(["B-PER", "I-PER", "O", "B-LOC"]).map(\.type) == ["PER", "LOC"])
        #expect(SequenceLabelingMetrics.entities(["I-ORG", "I-ORG", "B-ORG"]).map { [$0.start, $0.end] } == [[0, 1], [2, 2]])
    }

    @Test func badInputThrows() throws {
        #expect(throws: NLPError.self) { try LinearChainCRF(labels: [], stateFeatures: [], transitions: []) }
        #expect(throws: NLPError.self) { try LinearChainCRF(labels: ["A", "A"], stateFeatures: [], transitions: []) }
        #expect(throws: NLPError.self) { try LinearChainCRF(labels: ["A"], stateFeatures: [("x", "B", 1)], transitions: []) }
        #expect(throws: NLPError.self) { try LinearChainCRF(labels: ["A"], stateFeatures: [("x", "A", .nan)], transitions: []) }
        #expect(throws: NLPError.self) { try LinearChainCRF(labels: ["A"], stateFeatures: [], transitions: [("A", "A", 1), ("A", "A", 2)]) }
        #expect(throws: NLPError.self) { try LinearChainCRF.train(sequences: [[[("x", 1)]]], labels: [["A", "B"]]) }
        #expect(throws: NLPError.self) { try LinearChainCRF.train(sequences: [], labels: []) }
        #expect(throws: NLPError.self) { try LinearChainCRF.train(sequences: [[[("x", .infinity)]]], labels: [["A"]]) }
        let crf = try LinearChainCRF(labels: ["A", "B"], stateFeatures: [("x", "B", 2)], transitions: [("B", "A", 1)])
        #expect(throws: NLPError.self) { try crf.probability([[("x", 1)]], labels: ["C"]) }
        #expect(throws: NLPError.self) { try crf.marginals([[("x", .nan)]]) }
        // Unknown attributes carry no weight; an empty sequence has one labelling.
        #expect(try crf.viterbi([[("unknown", 1)], [("x", 1)]]).labels == ["A", "B"])   // a tie at the first item goes to the lower label
        #expect(try crf.viterbi([]).labels.isEmpty)
        #expect(try crf.logPartition([]) == 0)
        #expect(throws: NLPError.self) { try LinearChainCRF(labels: (0...LinearChainCRF.maxLabels).map { "L\($0)" }, stateFeatures: [], transitions: []) }
        // A model with no features: every labelling scores 0.
        let bare = try LinearChainCRF(labels: ["A", "B"], stateFeatures: [], transitions: [])
        #expect(try bare.viterbi([[("x", 1)], [("y", 1)]]).labels == ["A", "A"])
        #expect(abs(try bare.logPartition([[("x", 1)], [("y", 1)]]) - Foundation.log(4)) < 1e-12)
        #expect(abs(try bare.logLikelihood(sequences: [[[("x", 1)]]], labels: [["B"]]) - Foundation.log(0.5)) < 1e-12)
        var none = LinearChainCRF.TrainingOptions(); none.minFrequency = 100
        #expect(throws: NLPError.self) { try LinearChainCRF.train(sequences: [[[("x", 1)]]], labels: [["A"]], options: none) }
        // Two items, brute force: Z = Σ over the 4 labellings of exp(score).
        let x: [CRFItem] = [[("x", 1)], [("x", 0.5)]]
        var z = 0.0
        for a in ["A", "B"] { for b in ["A", "B"] { z += Foundation.exp(try crf.score(x, labels: [a, b])) } }
        #expect(abs(try crf.logPartition(x) - Foundation.log(z)) < 1e-12)
    }
}
