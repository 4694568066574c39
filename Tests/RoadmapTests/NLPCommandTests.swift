import Foundation
import SwiftLearn
import Testing

@Suite(.enabled(if: swiftlearnBinary != nil, "the swiftlearn executable is not built (swift build --build-tests builds it)"))
struct NLPCommandTests {
    func files(_ home: URL, _ contents: [String: String]) throws -> [String: String] {
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        var paths: [String: String] = [:]
        for (name, text) in contents {
            let url = home.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            paths[name] = url.path
        }
        return paths
    }

    @Test func scoresEqualTheLibrarysAndBadInputExits64() throws {
        let home = temporaryHome("nlp-score")
        defer { try? FileManager.default.removeItem(at: home) }
        let hyps = ["The cat sat on the mat.", "It costs 3.14 dollars, or 1,000 cents.", "ΣΊΣΥΦΟΣ ran home"]
        let refs = ["The cat is on the mat.", "It costs 3.14 dollars or 1,000 cents.", "σίσυφος ran home\r"]
        let f = try files(home, ["h.txt": hyps.joined(separator: "\n") + "\n", "r.txt": refs.joined(separator: "\n") + "\n",
                                 "short.txt": "one line\n", "bin.txt": "a\u{0}b\n"])
        let refsClean = refs.map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
        for (metric, expected) in [("bleu", try BLEU().corpusScore(hypotheses: hyps, references: [refsClean]).score),
                                   ("chrf++", try CHRF(wordOrder: 2).corpusScore(hypotheses: hyps, references: [refsClean]).score)] {
            let r = try swiftlearn(["nlp", "score", "--metric", metric, "--hypotheses", f["h.txt"]!, "--references", f["r.txt"]!, "--json"], home: home)
            #expect(r.status == 0, "\(r.err)")
            let obj = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
            #expect(obj?["score"] as? Double == expected, "\(metric): \(r.out)")
        }
        // The same references with Windows line endings score the same, line for line.
        let crlf = try files(home, ["crlf.txt": refsClean.joined(separator: "\r\n") + "\r\n"])
        let a = try swiftlearn(["nlp", "score", "--metric", "chrf", "--hypotheses", f["h.txt"]!, "--references", f["r.txt"]!, "--json"], home: home)
        let b = try swiftlearn(["nlp", "score", "--metric", "chrf", "--hypotheses", f["h.txt"]!, "--references", crlf["crlf.txt"]!, "--json"], home: home)
        #expect(a.status == 0 && b.status == 0 && a.out == b.out, "\(a.out) \(b.out) \(b.err)")
        let rouge = try swiftlearn(["nlp", "score", "--metric", "rouge2", "--hypotheses", f["h.txt"]!, "--references", f["r.txt"]!], home: home)
        #expect(rouge.status == 0 && rouge.out.hasPrefix("rouge2: F1"), "\(rouge.err)")
        for (args, hint) in [(["--metric", "meteor"], "unknown --metric"), (["--metric", "bleu"], "--references"),
                             (["--metric", "bleu", "--references", f["r.txt"]!, "--tokenize", "intl"], "--tokenize"),
                             (["--metric", "bleu", "--references", f["r.txt"]!, "--smooth-value", "nan"], "--smooth-value"),
                             (["--metric", "bleu", "--references", f["short.txt"]!], "has 1 lines")] {
            let r = try swiftlearn(["nlp", "score", "--hypotheses", f["h.txt"]!] + args, home: home)
            #expect(r.status == 64 && r.err.contains(hint), "\(args): \(r.status) \(r.err)")
        }
        let binary = try swiftlearn(["nlp", "score", "--metric", "chrf", "--hypotheses", f["bin.txt"]!, "--references", f["r.txt"]!], home: home)
        #expect(binary.status != 0 && binary.err.contains("NUL"), "\(binary.err)")
        let missing = try swiftlearn(["nlp", "score", "--metric", "chrf", "--hypotheses", home.appendingPathComponent("nope").path, "--references", f["r.txt"]!], home: home)
        #expect(missing.status == 1, "\(missing.err)")
    }

    @Test func word2vecVectorsAndNGramCommands() throws {
        let home = temporaryHome("nlp-w2v")
        defer { try? FileManager.default.removeItem(at: home) }
        var lines: [String] = []
        for i in 0..<400 { lines.append(i % 2 == 0 ? "the cat chased the mouse around the house" : "a dog barked at the mail carrier near the gate") }
        let f = try files(home, ["corpus.txt": lines.joined(separator: "\n") + "\n", "pairs.tsv": "# c\ncat\tdog\t5\ncat\tmouse\t8\ndog\tgate\t2\n",
                                 "q.txt": ": s\ncat mouse dog gate\n"])
        let out = home.appendingPathComponent("v.bin").path
        let t = try swiftlearn(["nlp", "word2vec", "--input", f["corpus.txt"]!, "--output", out, "--binary", "--set", "min_count=1", "--set", "vector_size=16",
                                "--set", "sg=1", "--set", "workers=1", "--json"], home: home)
        #expect(t.status == 0, "\(t.err)")
        let last = try JSONSerialization.jsonObject(with: Data((t.out.split(separator: "\n").last ?? "").utf8)) as? [String: Any]
        #expect(last?["words"] as? Int == 14 && (last?["words_per_second"] as? Double ?? 0) > 0, "\(t.out)")
        let q = try swiftlearn(["nlp", "vectors", "--vectors", out, "--binary", "--similar", "cat", "--topn", "3", "--analogy", "cat:mouse:dog",
                                "--evaluate-pairs", f["pairs.tsv"]!, "--evaluate-analogies", f["q.txt"]!, "--json"], home: home)
        #expect(q.status == 0 && q.out.split(separator: "\n").count == 4, "\(q.out) \(q.err)")
        let lm = try swiftlearn(["nlp", "ngram", "--train", f["corpus.txt"]!, "--test", f["corpus.txt"]!, "--order", "3", "--query", "the cat|chased", "--json"], home: home)
        let obj = try JSONSerialization.jsonObject(with: Data(lm.out.utf8)) as? [String: Any]
        #expect(lm.status == 0 && (obj?["perplexity"] as? Double ?? 0) > 1, "\(lm.out) \(lm.err)")
        for (args, hint) in [(["nlp", "word2vec", "--input", f["corpus.txt"]!, "--output", out, "--set", "sg=3"], "sg"),
                             (["nlp", "word2vec", "--input", f["corpus.txt"]!, "--output", out, "--set", "hs=1"], "hierarchical"),
                             (["nlp", "vectors", "--vectors", out], "give --similar"),
                             (["nlp", "vectors", "--vectors", out, "--analogy", "a:b"], "a:b:c"),
                             (["nlp", "ngram", "--train", f["corpus.txt"]!, "--order", "1"], "--order"),
                             (["nlp", "ngram", "--train", f["corpus.txt"]!, "--discount", "1"], "--discount")] {
            let r = try swiftlearn(args, home: home)
            #expect(r.status == 64 && r.err.contains(hint), "\(args): \(r.status) \(r.err)")
        }
        let garbage = try files(home, ["bad.txt": "2 3\nonly 1 2\n"])
        let bad = try swiftlearn(["nlp", "vectors", "--vectors", garbage["bad.txt"]!, "--similar", "x"], home: home)
        #expect(bad.status == 1 && bad.err.contains("bad.txt"), "\(bad.err)")
    }

    @Test func topicModelsAndSummaries() throws {
        let home = temporaryHome("nlp-topics")
        defer { try? FileManager.default.removeItem(at: home) }
        var docs: [String] = []
        for i in 0..<60 {
            docs.append(i % 3 == 0 ? "the cricket team won the test match at the oval by an innings" :
                        i % 3 == 1 ? "fire crews fought the bushfire as winds pushed the blaze toward homes" :
                                     "the bank raised interest rates as the market fell and loans slowed")
        }
        let f = try files(home, ["docs.txt": docs.joined(separator: "\n") + "\n",
                                 "story.txt": "The cricket team won the match. The team played well at the oval. Rain fell in the city. The match ended early for the team.\n"])
        for (model, settings) in [("lda", ["n_components=3", "random_state=0"]), ("nmf", ["n_components=3", "random_state=0"]),
                                  ("gibbs", ["n_topics=3", "n_iter=30", "random_state=0"])] {
            let r = try swiftlearn(["nlp", "topics", "--input", f["docs.txt"]!, "--model", model, "--set"] + settings + ["--coherence", "u_mass", "c_v", "--json", "--top-words", "4"], home: home)
            #expect(r.status == 0, "\(model): \(r.err)")
            let lines = r.out.split(separator: "\n")
            #expect(lines.count == 4, "\(model): \(r.out)")
            let last = try JSONSerialization.jsonObject(with: Data((lines.last ?? "").utf8)) as? [String: Any]
            #expect(last?["model"] as? String == model && (last?["coherence_c_v"] as? Double).map { $0.isFinite } == true, "\(r.out)")
        }
        let bad = try swiftlearn(["nlp", "topics", "--input", f["docs.txt"]!, "--model", "nmf", "--set", "solver=als"], home: home)
        #expect(bad.status == 64 && bad.err.contains("solver"), "\(bad.err)")
        let badMeasure = try swiftlearn(["nlp", "topics", "--input", f["docs.txt"]!, "--coherence", "c_w2v"], home: home)
        #expect(badMeasure.status == 64 && badMeasure.err.contains("--coherence"), "\(badMeasure.err)")
        let s = try swiftlearn(["nlp", "summarize", "--input", f["story.txt"]!, "--sentences", "2", "--json"], home: home)
        let obj = try JSONSerialization.jsonObject(with: Data(s.out.utf8)) as? [String: Any]
        #expect(s.status == 0 && (obj?["sentences"] as? [Int])?.count == 2, "\(s.out) \(s.err)")
        let perLine = try swiftlearn(["nlp", "summarize", "--input", f["docs.txt"]!, "--per-line", "--sentences", "1"], home: home)
        #expect(perLine.status == 0 && perLine.out.split(separator: "\n").count == 60, "\(perLine.err)")
        let both = try swiftlearn(["nlp", "summarize", "--input", f["story.txt"]!, "--sentences", "2", "--ratio", "0.5"], home: home)
        #expect(both.status == 64, "\(both.err)")
    }
}
