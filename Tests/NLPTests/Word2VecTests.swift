import Foundation
import NLP
import Testing

/// word2vec against gensim 4.4.0's vocabulary tables and its update loops restated in NumPy
/// (`scripts/fixtures/make_word2vec_fixtures.py`).
@Suite struct Word2VecTests {
    static let fixture = (try? FixtureFiles.json("word2vec_updates.json")) as? [String: Any] ?? [:]
    static let corpus = ["the quick brown fox jumps over the lazy dog", "the dog barks at the fox and the fox runs",
                         "a lazy cat sleeps while the quick dog runs", "brown cats and brown dogs are quick or lazy"].map { $0.split(separator: " ").map(String.init) }

    func model(sample: Double = 0, sg: Bool = true, cbowMean: Bool = true) throws -> Word2Vec {
        var o = Word2VecOptions()
        o.vectorSize = 8; o.minCount = 1; o.sample = sample; o.negative = 3; o.window = 3; o.skipGram = sg; o.cbowMean = cbowMean
        return try Word2Vec(sentences: Self.corpus, options: o)
    }

    func close(_ a: [Float], _ b: [Double], _ tol: Float = 2e-6) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - Float($1)) <= tol * max(1, abs(Float($1))) }
    }

    @Test func vocabularyNoiseTableAndSamplingEqualGensims() throws {
        let cases = try #require(Self.fixture["vocab_cases"] as? [String: [String: Any]])
        for (sample, c) in cases {
            let m = try model(sample: Double(sample)!)
            #expect(m.vectors.words == c["words"] as? [String], "sample \(sample)")
            #expect(m.noiseTable.map(Int.init) == c["cum_table"] as? [Int], "sample \(sample)")
            #expect(m.sampleThresholds.map(Int.init) == c["sample_int"] as? [Int], "sample \(sample)")
        }
    }

    @Test func updatesEqualGensimsLoopsRestatedInNumPy() throws {
        let f = Self.fixture
        let syn0 = (f["syn0"] as? [Double] ?? []).map { Float($0) }, syn1 = (f["syn1neg"] as? [Double] ?? []).map { Float($0) }
        let sentences = try #require(f["sentences"] as? [[Int]]), reduced = try #require(f["reduced"] as? [Int])
        // The sigmoid table.
        for pair in f["sigmoid"] as? [[Double]] ?? [] {
            #expect(Word2Vec.tabulatedSigmoid(Float(pair[0])) == Float(pair[1]), "\(pair)")
        }
        // One skip-gram pair.
        let single = try #require(f["single"] as? [String: Any])
        let one = try model()
        try one.setWeights(input: syn0, output: syn1)
        let r = try one.skipGramUpdate(word: single["word"] as! Int, context: single["context"] as! Int, alpha: 0.1, nextRandom: 987_654_321)
        #expect(Int(r) == single["returned"] as? Int)
        #expect(close(one.vectors.vectors, single["syn0"] as? [Double] ?? []) && close(one.outputWeights, single["syn1neg"] as? [Double] ?? []))
        // Whole sentences: skip-gram, CBOW with the mean, CBOW with the sum; two passes at two rates.
        for run in f["runs"] as? [[String: Any]] ?? [] {
            let sg = run["sg"] as? Int == 1, mean = run["cbow_mean"] as? Int == 1
            let m = try model(sg: sg, cbowMean: mean)
            try m.setWeights(input: syn0, output: syn1)
            var nr = try m.trainIndexes(sentences, reduced: reduced, alpha: 0.05, nextRandom: 123_456_789)
            nr = try m.trainIndexes(sentences, reduced: reduced, alpha: 0.025, nextRandom: nr)
            #expect(Int(nr) == run["next_random"] as? Int, "sg \(sg) mean \(mean)")
            #expect(close(m.vectors.vectors, run["syn0"] as? [Double] ?? [], 1e-5), "sg \(sg) mean \(mean) syn0")
            #expect(close(m.outputWeights, run["syn1neg"] as? [Double] ?? [], 1e-5), "sg \(sg) mean \(mean) syn1neg")
        }
    }

    @Test func trainingLearnsTheCorpusStructureAndIsSeeded() throws {
        // A corpus whose words come in two topics: words of one topic end up closer together.
        var sentences: [[String]] = []
        var state: UInt64 = 42
        func next(_ n: Int) -> Int { state = state &* 6364136223846793005 &+ 1442695040888963407; return Int((state >> 33) % UInt64(n)) }
        let animals = ["cat", "dog", "horse", "cow", "sheep", "goat"], tools = ["hammer", "saw", "drill", "wrench", "chisel", "pliers"]
        for _ in 0..<3000 {
            let topic = next(2) == 0 ? animals : tools
            sentences.append((0..<8).map { _ in topic[next(topic.count)] })
        }
        var o = Word2VecOptions(); o.vectorSize = 16; o.minCount = 1; o.skipGram = true; o.epochs = 3; o.workers = 1
        let m = try Word2Vec.train(sentences: sentences, options: o)
        #expect(try #require(m.vectors.similarity("cat", "dog")) > (try #require(m.vectors.similarity("cat", "saw"))) + 0.3)
        let near = try m.vectors.mostSimilar(positive: ["hammer"], topN: 5).map(\.word)
        #expect(Set(near).isSubset(of: Set(tools)), "\(near)")
        let again = try Word2Vec.train(sentences: sentences, options: o)
        #expect(again.vectors.vectors == m.vectors.vectors)   // one worker: the same seed gives the same vectors
        o.workers = 2; o.skipGram = false
        let cbow = try Word2Vec.train(sentences: sentences, options: o)
        #expect(try #require(cbow.vectors.similarity("saw", "drill")) > (try #require(cbow.vectors.similarity("saw", "goat"))) + 0.3)
    }

    @Test func word2vecFilesRoundTripAndBadFilesAreRefused() throws {
        let wv = try WordVectors(words: ["a", "b", "c"], vectors: [1, 0, 0.5, -1e-7, 3, 4], dimension: 2)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("w2v-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for binary in [false, true] {
            let path = dir.appendingPathComponent(binary ? "v.bin" : "v.txt").path
            try wv.save(word2vecFormat: path, binary: binary)
            let back = try WordVectors.load(word2vecFormat: path, binary: binary)
            #expect(back.words == wv.words && back.vectors == wv.vectors && back.dimension == 2)
        }
        // The C tool's binary layout (a newline after each vector) reads too.
        var c = Data("2 1\n".utf8)
        for (w, v) in [("x", Float(1.5)), ("y", Float(-2))] {
            c.append(contentsOf: Array("\(w) ".utf8)); withUnsafeBytes(of: v.bitPattern.littleEndian) { c.append(contentsOf: $0) }; c.append(0x0A)
        }
        #expect(try WordVectors.decode(word2vecFormat: c, binary: true).vectors == [1.5, -2])
        // Windows line endings read as lines (a Character split would see "\r\n" as one character).
        let crlf = try WordVectors.decode(word2vecFormat: Data("2 2\r\na 1 2\r\nb 3 4\r\n".utf8), binary: false)
        #expect(crlf.words == ["a", "b"] && crlf.vectors == [1, 2, 3, 4])
        #expect(TextLines.split("x\r\ny\r\n\r\nz") == ["x", "y", "", "z"] && TextLines.split("a\n") == ["a"])
        let vocab = try WordPieceTokenizer(vocabularyText: "[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\nhello\r\n")
        #expect(vocab.tokens == ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "hello"])
        let bad: [(String, Bool)] = [("", false), ("3\n", false), ("2 2\na 1 2\n", false), ("1 2\na 1 x\n", false), ("1 2\na 1 nan\n", false),
                                     ("1 2\na 1 2 3\n", false), ("999999999 100\na", false), ("1 0\na\n", false), ("1 2\nab", true), ("1 1\na \u{0}\u{0}", true)]
        for (text, binary) in bad {
            #expect(throws: NLPError.self, "\(text.debugDescription)") { try WordVectors.decode(word2vecFormat: Data(text.utf8), binary: binary) }
        }
        #expect(throws: NLPError.self) { try WordVectors(words: ["a"], vectors: [1, 2, 3], dimension: 2) }
    }

    @Test func evaluationsFollowGensimsRules() throws {
        // b − a + c: king − man + woman lands on queen when the vectors are built to say so.
        let words = ["man", "woman", "king", "queen", "apple"]
        let v: [Float] = [1, 0, 0, 0, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, -1]
        let wv = try WordVectors(words: words, vectors: v, dimension: 3)
        #expect(try wv.mostSimilar(positive: ["king", "woman"], negative: ["man"], topN: 1).first?.word == "queen")
        let e = try wv.evaluateWordAnalogies(": family\nman woman king queen\nMAN KING woman queen\nman woman king prince\n: other\nman apple king queen\n")
        #expect(e.sections.map(\.name) == ["family", "other"] && e.skipped == 1)
        #expect(e.correct + e.incorrect == 3 && e.sections[0].correct == 2 && e.sections[1].incorrect == 1 && abs(e.accuracy - 2.0 / 3) < 1e-12)
        #expect(throws: NLPError.self) { try wv.evaluateWordAnalogies("man woman king queen\n") }
        let pairs = try wv.evaluateWordPairs("# comment\nman\twoman\t2\nking\tqueen\t9\nman\tapple\t1\nman\tnope\t5\n")
        #expect(pairs.pairs == 3 && pairs.outOfVocabulary == 1 && pairs.spearman.isFinite)
        #expect(throws: NLPError.self) { try wv.mostSimilar(positive: ["nope"]) }
    }

    @Test func badOptionsAreTypedErrors() throws {
        var o = Word2VecOptions()
        for (k, v) in [("vector_size", "0"), ("window", "x"), ("sg", "2"), ("sample", "-1"), ("hs", "1"), ("epochs", "0"), ("bogus", "1"), ("alpha", "nan")] {
            #expect(throws: NLPError.self, "\(k)=\(v)") { try o.set(k, v) }
        }
        try o.set("vector_size", "50"); try o.set("sg", "1")
        #expect(o.vectorSize == 50 && o.skipGram)
        #expect(throws: NLPError.self) { try Word2Vec(sentences: [["a"]], options: Word2VecOptions()) }   // nothing reaches min_count 5
        #expect(throws: NLPError.self) { try Word2Vec(sentences: [], options: Word2VecOptions()) }
        var huge = Word2VecOptions(); huge.minCount = 1; huge.vectorSize = 10_000
        let many = [(0..<30_000).map { "w\($0)" }]   // 30,000 words × 10,000 dimensions > 2²⁸ floats
        #expect(throws: NLPError.self) { try Word2Vec(sentences: many, options: huge) }
    }
}
