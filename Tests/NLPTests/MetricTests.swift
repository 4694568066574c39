import Foundation
import NLP
import Testing

/// BLEU, chrF and ROUGE against sacrebleu 2.6.0 and rouge-score 0.1.2
/// (`scripts/fixtures/make_nlp_metric_fixtures.py`).
@Suite struct MetricTests {
    static let fixture = (try? FixtureFiles.json("nlp_metrics.json")) as? [String: Any] ?? [:]
    let hyps = fixture["hypotheses"] as? [String] ?? []
    let refs = fixture["references"] as? [String] ?? []
    let refs2 = fixture["references2"] as? [String] ?? []

    func close(_ a: Double, _ b: Double, _ tol: Double = 1e-9) -> Bool { abs(a - b) <= tol * max(1, abs(b)) }
    /// Equal to 1e-12: Foundation's JSON reader can land one ulp away from the value Python wrote.
    func same(_ a: [Double], _ b: [Double]) -> Bool { a.count == b.count && zip(a, b).allSatisfy { close($0, $1, 1e-12) } }

    @Test func corpusBLEUEqualsSacrebleuForEveryTokenizerSmoothingAndCase() throws {
        let cases = try #require(Self.fixture["bleu"] as? [[String: Any]])
        #expect(cases.count == 48 && hyps.count == 255)
        for c in cases {
            let smoothing: BLEU.Smoothing
            switch c["smooth_method"] as? String {
            case "floor": smoothing = .floor(c["smooth_value"] as? Double ?? 0.1)
            case "add-k": smoothing = .addK(c["smooth_value"] as? Double ?? 1)
            case "none": smoothing = .none
            default: smoothing = .exp
            }
            let bleu = BLEU(lowercase: c["lowercase"] as? Bool ?? false, tokenizer: try #require(BLEU.Tokenizer(rawValue: c["tokenize"] as? String ?? "")),
                            smoothing: smoothing)
            let streams = (c["streams"] as? Int) == 2 ? [refs, refs2] : [refs]
            let s = try bleu.corpusScore(hypotheses: hyps, references: streams)
            let label = "\(c["tokenize"]!) \(c["smooth_method"]!) lowercase=\(c["lowercase"]!) streams=\(streams.count)"
            #expect(close(s.score, c["score"] as? Double ?? .nan), "\(label): \(s.score) vs \(c["score"]!)")
            // sacrebleu's add-k adds k to the counts and totals of orders above 1 in place and reports them so.
            let k = c["smooth_method"] as? String == "add-k" ? Int(c["smooth_value"] as? Double ?? 1) : 0
            let bump = { (v: [Int]) in v.enumerated().map { $0.offset > 0 ? $0.element + k : $0.element } }
            #expect(bump(s.counts) == c["counts"] as? [Int] && bump(s.totals) == c["totals"] as? [Int], "\(label)")
            #expect(s.hypothesisLength == c["sys_len"] as? Int && s.referenceLength == c["ref_len"] as? Int, "\(label)")
            #expect(close(s.brevityPenalty, c["bp"] as? Double ?? .nan), "\(label)")
            #expect(zip(s.precisions, c["precisions"] as? [Double] ?? []).allSatisfy { close($0, $1) }, "\(label): \(s.precisions)")
        }
        // Orders with no n-grams at all: the score collapses unless the effective order is used.
        let tiny = try #require(Self.fixture["tiny_bleu"] as? [Any])
        let plain = try BLEU().corpusScore(hypotheses: ["a b", "c"], references: [["a b", "c d"]])
        let effective = try BLEU(effectiveOrder: true).corpusScore(hypotheses: ["a b", "c"], references: [["a b", "c d"]])
        #expect(close(plain.score, tiny[0] as? Double ?? .nan) && close(effective.score, tiny[1] as? Double ?? .nan), "\(plain.score) \(effective.score)")
    }

    @Test func sentenceScoresEqualSacrebleus() throws {
        let sentence = try #require(Self.fixture["sentence"] as? [[String: Double]])
        let bleu = BLEU(effectiveOrder: true), chrf = CHRF(), chrfpp = CHRF(wordOrder: 2)
        for (i, expected) in sentence.enumerated() {
            let b = try bleu.sentenceScore(hypothesis: hyps[i], references: [refs[i]]).score
            let c = try chrf.sentenceScore(hypothesis: hyps[i], references: [refs[i]]).score
            let p = try chrfpp.sentenceScore(hypothesis: hyps[i], references: [refs[i]]).score
            #expect(close(b, expected["bleu"] ?? .nan), "BLEU \(i) '\(hyps[i])': \(b) vs \(expected["bleu"]!)")
            #expect(close(c, expected["chrf"] ?? .nan), "chrF \(i) '\(hyps[i])': \(c) vs \(expected["chrf"]!)")
            #expect(close(p, expected["chrfpp"] ?? .nan), "chrF++ \(i) '\(hyps[i])': \(p) vs \(expected["chrfpp"]!)")
        }
    }

    @Test func corpusChrFEqualsSacrebleuForEverySetting() throws {
        let cases = try #require(Self.fixture["chrf"] as? [[String: Any]])
        #expect(cases.count == 32)
        for c in cases {
            let m = CHRF(wordOrder: c["word_order"] as? Int ?? 0, lowercase: c["lowercase"] as? Bool ?? false,
                         whitespace: c["whitespace"] as? Bool ?? false, epsSmoothing: c["eps_smoothing"] as? Bool ?? false)
            let streams = (c["streams"] as? Int) == 2 ? [refs, refs2] : [refs]
            let s = try m.corpusScore(hypotheses: hyps, references: streams)
            #expect(close(s.score, c["score"] as? Double ?? .nan), "\(c): \(s.score)")
        }
        #expect(CHRF().name == "chrF2" && CHRF(wordOrder: 2).name == "chrF2++")
    }

    @Test func rougeEqualsRougeScore() throws {
        let rows = try #require(Self.fixture["rouge"] as? [[String: [Double]]])
        let kinds = ["rouge1", "rouge2", "rouge3", "rougeL", "rougeLsum"]
        for (i, row) in rows.enumerated() {
            for k in kinds {
                let kind = try ROUGE.Kind(k)
                let one = try ROUGE.score(kind, target: refs[i], prediction: hyps[i])
                let multi = try ROUGE.score(kind, targets: [refs[i], refs2[i]], prediction: hyps[i])
                let e = row[k] ?? [], m = row["multi_" + k] ?? []
                #expect(same([one.precision, one.recall, one.fmeasure], e), "\(k) \(i) '\(hyps[i])' vs '\(refs[i])'")
                #expect(same([multi.precision, multi.recall, multi.fmeasure], m), "multi \(k) \(i)")
            }
        }
        let summaries = try #require(Self.fixture["summaries"] as? [[String: Any]])
        for s in summaries {
            let t = s["target"] as? String ?? "", p = s["prediction"] as? String ?? ""
            let lsum = try ROUGE.score(.lSum, target: t, prediction: p), l = try ROUGE.score(.l, target: t, prediction: p)
            #expect(same([lsum.precision, lsum.recall, lsum.fmeasure], s["rougeLsum"] as? [Double] ?? []), "\(t) / \(p)")
            #expect(same([l.precision, l.recall, l.fmeasure], s["rougeL"] as? [Double] ?? []))
        }
        let tokens = try #require(Self.fixture["rouge_tokens"] as? [[String]])
        for (h, t) in zip(hyps.suffix(tokens.count), tokens) { #expect(ROUGE.tokenize(h) == t, "\(h)") }
    }

    @Test func badArgumentsAreTypedErrors() throws {
        #expect(throws: NLPError.self) { try BLEU().corpusScore(hypotheses: ["a", "b"], references: [["a"]]) }
        #expect(throws: NLPError.self) { try BLEU().corpusScore(hypotheses: ["a"], references: []) }
        #expect(throws: NLPError.self) { try BLEU(maxNgramOrder: 0).corpusScore(hypotheses: ["a"], references: [["a"]]) }
        #expect(throws: NLPError.self) { try BLEU(smoothing: .floor(.nan)).corpusScore(hypotheses: ["a"], references: [["a"]]) }
        #expect(throws: NLPError.self) { try BLEU().sentenceScore(hypothesis: "a", references: []) }
        #expect(throws: NLPError.self) { try CHRF(charOrder: 0).corpusScore(hypotheses: ["a"], references: [["a"]]) }
        #expect(throws: NLPError.self) { try CHRF().corpusScore(hypotheses: ["a"], references: [["a", "b"]]) }
        for bad in ["rouge", "rouge0", "rouge10", "rougel", "bleu"] { #expect(throws: NLPError.self, "\(bad)") { try ROUGE.Kind(bad) } }
        #expect(throws: NLPError.self) { try ROUGE.score(.l, targets: [], prediction: "a") }
        let long = String(repeating: "w ", count: 8000)
        #expect(throws: NLPError.self) { try ROUGE.score(.l, target: long, prediction: long) }   // a 64M-cell table
        #expect(throws: NLPError.self) { try ROUGE.score(.lSum, target: long, prediction: long) }
        #expect(try ROUGE.score(.n(2), target: long, prediction: long).fmeasure == 1)
        // Empty inputs score 0 instead of dividing by zero.
        #expect(try BLEU().corpusScore(hypotheses: [""], references: [[""]]).score == 0)
        #expect(try CHRF().corpusScore(hypotheses: [""], references: [[""]]).score == 0)
        #expect(try ROUGE.score(.l, target: "", prediction: "x").fmeasure == 0)
    }
}
