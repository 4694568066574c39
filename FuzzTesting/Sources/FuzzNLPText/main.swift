// libFuzzer target: NLP's text-in metrics, what `swiftlearn nlp score` reads from files. The input
// is UTF-8 (invalid bytes replaced) split on "\n#REF#\n" into a hypothesis and references; the
// hypothesis is scored against them with BLEU (every tokenizer and smoothing, lowercased or not),
// chrF, chrF++ and every ROUGE kind, sentence by sentence and line by line as a corpus. Scores
// must be finite and within their ranges.
// An input starting with "W2VT\n" or "W2VB\n" is instead a word2vec text or binary file for
// `WordVectors.decode` (what `swiftlearn nlp vectors` reads); vectors that load are queried
// (nearest words, an analogy) and evaluated on a small analogy and word-pair text.
// An input starting with "KNLM\n" fits a Kneser–Ney model (`swiftlearn nlp ngram`) on the lines
// after the next byte (which picks order and cutoff); probabilities must be finite and ≥ 0.
// An input starting with "CONL\n" is a CoNLL file (`swiftlearn nlp tag`): parsed; when it has
// sentences, an HMM is counted and a CRF trained for 3 iterations on the first column's words and the last column's
// tags, and every sentence is tagged: marginals must sum to 1 per token, P(tags) lie in [0, 1],
// and seqeval's scores lie in [0, 1].
// An input starting with "SUMM\n" is text for TextRank (`swiftlearn nlp summarize`).
// An input starting with "TOPC\n" or "TCLS\n" is a file of documents, one per line
// (`swiftlearn nlp topics` / `classify`, the first word of a line its label): an LDA model
// (2 passes, batch or online by the next byte), NMF (cd, or mu with β 1, 2 or 1.5), Gibbs LDA
// (3 sweeps) and the coherence measures, or a TF-IDF logistic regression and multinomial naive
// Bayes are fitted; perplexities, factors, log-likelihoods and probabilities must be finite.
import Foundation
import NLP

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    if data.starts(with: Data("W2VT\n".utf8)) || data.starts(with: Data("W2VB\n".utf8)) {
        let binary = data[data.startIndex + 3] == UInt8(ascii: "B")
        guard let wv = try? WordVectors.decode(word2vecFormat: data.dropFirst(5), binary: binary) else { return 0 }
        let words = Array(wv.words.prefix(3))
        _ = try? wv.mostSimilar(positive: [words[0]], topN: 3)
        if words.count == 3 {
            _ = try? wv.mostSimilar(positive: [words[1], words[2]], negative: [words[0]], topN: 3)
            _ = try? wv.evaluateWordAnalogies(": s\n\(words[0]) \(words[1]) \(words[2]) \(words[0])\n")
            _ = try? wv.evaluateWordPairs("\(words[0])\t\(words[1])\t1\n\(words[1])\t\(words[2])\t2\n")
        }
        return 0
    }
    if data.starts(with: Data("SUMM\n".utf8)) {
        // TextRank over the text (`swiftlearn nlp summarize`): scores finite and summing to 1.
        let text = String(decoding: data.dropFirst(5), as: UTF8.self)
        guard let t = try? TextRank(), let ranked = try? t.rank(text), !ranked.isEmpty else { return 0 }
        let total = ranked.reduce(0) { $0 + $1.score }
        if ranked.contains(where: { !$0.score.isFinite }) || abs(total - 1) > 1e-6 { fatalError("TextRank scores sum to \(total)") }
        _ = try? t.summarize(text, ratio: 0.3)
        return 0
    }
    if data.starts(with: Data("KNLM\n".utf8)) {
        // A Kneser–Ney model of order 2–4 (from the next byte) fitted on the lines, then scored.
        guard data.count > 6 else { return 0 }
        let order = 2 + Int(data[data.startIndex + 5] % 3)
        let lines = String(decoding: data.dropFirst(6), as: UTF8.self).split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        guard let lm = try? KneserNeyModel(order: order, sentences: lines, unkCutoff: 1 + Int(data[data.startIndex + 5] % 2)) else { return 0 }
        for s in lines.prefix(4) {
            for (i, w) in s.enumerated() {
                let p = lm.score(w, context: Array(s[..<i]))
                if !(p.isFinite && p >= 0) { fatalError("P = \(p)") }   // NLTK's lower-order weights can push a sum past 1
            }
        }
        if let ppl = try? lm.perplexity(of: Array(lines.prefix(4))), ppl.isNaN { fatalError("perplexity NaN") }
        return 0
    }
    if data.starts(with: Data("CONL\n".utf8)) {
        guard let sentences = try? CoNLL.parse(String(decoding: data.dropFirst(5), as: UTF8.self), minimumColumns: 2),
              !sentences.isEmpty, let words = try? CoNLL.column(sentences, 0), let tags = try? CoNLL.column(sentences, -1) else { return 0 }
        if let hmm = try? HMMTagger(sentences: zip(words, tags).map { zip($0, $1).map { (word: $0, tag: $1) } }) {
            for w in words.prefix(8) where hmm.tag(w).count != w.count { fatalError("HMM tagged \(w.count) words with a different count") }
        }
        let items = words.map { TaggingFeatures.tutorial(words: $0) }
        var o = LinearChainCRF.TrainingOptions(); o.maxIterations = 3; o.workers = 1
        guard let (crf, _) = try? LinearChainCRF.train(sequences: items, labels: tags, options: o) else { return 0 }
        var predicted: [[String]] = []
        for (x, y) in zip(items, tags).prefix(8) {
            guard let path = try? crf.viterbi(x).labels, let marginals = try? crf.marginals(x), let p = try? crf.probability(x, labels: y) else { fatalError("tagging a training sentence failed") }
            for row in marginals where abs(row.reduce(0, +) - 1) > 1e-6 { fatalError("marginals sum to \(row.reduce(0, +))") }
            if !(p >= 0 && p <= 1 + 1e-9) { fatalError("P(y|x) = \(p)") }
            predicted.append(path)
        }
        let s = SequenceLabelingMetrics.scores(Array(tags.prefix(predicted.count)), predicted)
        for v in [s.precision, s.recall, s.f1] where !(v >= 0 && v <= 1) { fatalError("seqeval score \(v)") }
        _ = SequenceLabelingMetrics.report(Array(tags.prefix(predicted.count)), predicted).text
        return 0
    }
    if data.starts(with: Data("TOPC\n".utf8)) || data.starts(with: Data("TCLS\n".utf8)) {
        guard data.count > 6 else { return 0 }
        let lines = String(decoding: data.dropFirst(6), as: UTF8.self).split(separator: "\n").map(String.init).prefix(200)
        if data.starts(with: Data("TOPC\n".utf8)) {
            guard let counts = try? CountVectorizer(dtype: .float64).fitTransform(Array(lines)) else { return 0 }
            var o = LDAOptions(); o.nComponents = 1 + Int(data[data.startIndex + 5] % 4); o.maxIter = 2; o.randomState = 1; o.workers = 1
            o.learningMethod = data[data.startIndex + 5] % 2 == 0 ? .batch : .online; o.batchSize = 3
            guard let lda = try? LatentDirichletAllocation(options: o), (try? lda.fit(counts)) != nil else { return 0 }
            if let p = lda.finalPerplexity, !(p.isFinite && p > 0) { fatalError("perplexity \(p)") }
            if let t = try? lda.transform(counts), t.contains(where: { $0.contains { !$0.isFinite } }) { fatalError("non-finite topic weights") }
            // NMF (solver and loss from the byte), Gibbs LDA (3 sweeps) and the four coherence
            // measures on the same documents: everything finite, or a thrown error.
            let k = 1 + Int(data[data.startIndex + 5] % 3)
            var no = NMFOptions(); no.nComponents = k; no.randomState = 0; no.maxIter = 20; no.workers = 1
            if data[data.startIndex + 5] % 2 == 1 { no.solver = .mu; no.betaLoss = [1, 2, 1.5][Int(data[data.startIndex + 5] / 2) % 3] }
            if let nmf = try? NMF(options: no), let w = try? nmf.fitTransform(counts) {
                if !nmf.reconstructionError.isFinite || nmf.components.contains(where: { !$0.isFinite || $0 < 0 }) || w.contains(where: { $0.contains { !$0.isFinite } }) {
                    fatalError("NMF gave non-finite or negative factors (error \(nmf.reconstructionError))")
                }
            }
            var go = GibbsLDAOptions(); go.nTopics = k; go.nIter = 3; go.randomState = 0
            if let gibbs = try? CollapsedGibbsLDA(options: go), (try? gibbs.fit(counts)) != nil {
                if let ll = try? gibbs.logLikelihood(), !ll.isFinite { fatalError("Gibbs log-likelihood \(ll)") }
                if let t = try? gibbs.transform(counts), t.contains(where: { $0.contains { !$0.isFinite } }) { fatalError("non-finite Gibbs weights") }
            }
            let texts = lines.map { $0.split(separator: " ").map(String.init) }
            let topics = [Array(texts.flatMap { $0 }.prefix(6))]
            for m in CoherenceMeasure.allCases { _ = try? TopicCoherence.score(topics: topics, texts: texts, measure: m, windowSize: 1 + Int(data[data.startIndex + 5] % 7)) }
            return 0
        }
        let labels = lines.map { String($0.split(separator: " ").first ?? "") }
        let vectorizer = TfidfVectorizer()
        guard let x = try? vectorizer.fitTransform(Array(lines)) else { return 0 }
        if let lr = try? SparseLogisticRegression(maxIter: 5, workers: 1), (try? lr.fit(x, labels)) != nil,
           let p = try? lr.predictProbabilities(x), p.contains(where: { $0.contains { !$0.isFinite } }) { fatalError("non-finite probability") }
        if let nb = try? SparseMultinomialNB(), (try? nb.fit(x, labels)) != nil,
           let p = try? nb.predictLogProbabilities(x), p.contains(where: { $0.contains { $0.isNaN } }) { fatalError("NaN log-probability") }
        return 0
    }
    let text = String(decoding: data, as: UTF8.self)
    let parts = text.components(separatedBy: "\n#REF#\n")
    let hypothesis = parts[0], references = Array(parts.dropFirst().prefix(4))
    guard !references.isEmpty else { return 0 }
    func check(_ x: Double, _ high: Double) {
        if !(x.isFinite && x >= 0 && x <= high + 1e-9) { fatalError("score \(x) outside 0…\(high)") }
    }
    for tokenizer in BLEU.Tokenizer.allCases {
        for smoothing in [BLEU.Smoothing.exp, .floor(), .addK(), .none] {
            for lowercase in [false, true] {
                let bleu = BLEU(lowercase: lowercase, tokenizer: tokenizer, smoothing: smoothing, effectiveOrder: lowercase)
                if let s = try? bleu.sentenceScore(hypothesis: hypothesis, references: references) { check(s.score, 100 * 1.0001) }
            }
        }
    }
    for chrf in [CHRF(), CHRF(wordOrder: 2, lowercase: true), CHRF(whitespace: true, epsSmoothing: true)] {
        if let s = try? chrf.sentenceScore(hypothesis: hypothesis, references: references) { check(s.score, 100) }
    }
    for kind in [ROUGE.Kind.n(1), .n(2), .n(4), .l, .lSum] {
        if let s = try? ROUGE.score(kind, targets: references, prediction: hypothesis) {
            check(s.precision, 1); check(s.recall, 1); check(s.fmeasure, 1)
        }
    }
    // Line by line as a corpus against the first reference's lines.
    let hyps = hypothesis.components(separatedBy: "\n"), refs = references[0].components(separatedBy: "\n")
    let n = min(hyps.count, refs.count)
    if n > 0, let s = try? BLEU().corpusScore(hypotheses: Array(hyps.prefix(n)), references: [Array(refs.prefix(n))]) { check(s.score, 100 * 1.0001) }
    return 0
}
