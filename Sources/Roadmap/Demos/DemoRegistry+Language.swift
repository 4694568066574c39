import Datasets
import Foundation
import NLP
import Plot

extension DemoRegistry {
    /// Demos for text processing: tokens, normalization, stems, counts, TF-IDF, n-grams, sub-words.
    public static let language: [Demo] = [
        Demo("tokenization", "Tokenisation: words and sentences",
             shows: "The same paragraph split into sentences, into words (Python's \\w rule), and with scikit-learn's pattern (two or more word characters).") { _ in
            let text = NLPDemos.sampleDocuments.prefix(4).joined(separator: " ")
            let sentences = SentenceTokenizer().split(text)
            let words = WordTokenizer.standard.tokenize(text)
            let sklearn = try WordTokenizer(pattern: .sklearn).tokenize(text)
            let first = words.prefix(12).joined(separator: " | ")
            return DemoOutcome(passed: sentences.count == 4 && words.count > sklearn.count,
                               result: "\(sentences.count) sentences, \(words.count) word tokens (\(sklearn.count) with scikit-learn's 2+ character rule)\nfirst tokens: \(first)",
                               metrics: [("sentences", Double(sentences.count)), ("words", Double(words.count))],
                               figures: [DemoFigure("tokens-per-sentence", BarChart(title: "Word tokens per sentence", yLabel: "tokens",
                                                                                     categories: sentences.indices.map { "sentence \($0 + 1)" },
                                                                                     values: sentences.map { Double(WordTokenizer.standard.tokenize($0).count) }),
                                                    caption: "Sentence lengths in tokens.")])
        },
        Demo("text-normalization", "Normalisation and stop words",
             shows: "Lower-casing, accent stripping and Unicode NFKC, then removing scikit-learn's English stop words: how many tokens and distinct words remain.") { _ in
            let text = NLPDemos.sampleDocuments.joined(separator: " ")
            let raw = WordTokenizer.standard.tokenize(text)
            let normalizer = TextNormalizer(form: .nfkc, lowercase: true, accents: .unicode)
            let normalized = try WordTokenizer(normalizer: normalizer).tokenize(text)
            let content = try WordTokenizer(normalizer: normalizer, stopWords: .english).tokenize(text)
            let counts = [raw, normalized, content].map { Double($0.count) }
            let distinct = [raw, normalized, content].map { Double(Set($0).count) }
            return DemoOutcome(passed: Set(normalized).count < Set(raw).count && content.count < normalized.count,
                               result: "tokens: raw \(raw.count), normalized \(normalized.count), without stop words \(content.count); distinct: \(Set(raw).count) → \(Set(normalized).count) → \(Set(content).count)\n\"café naïve\" → \"\(normalizer("café naïve"))\"",
                               metrics: [("distinct_raw", distinct[0]), ("distinct_content", distinct[2])],
                               figures: [DemoFigure("vocabulary", BarChart(title: "Tokens and distinct words after each step", yLabel: "count",
                                                                            categories: ["raw", "normalized", "no stop words"],
                                                                            series: [(name: "tokens", values: counts), (name: "distinct", values: distinct)]),
                                                    caption: "Normalization merges spellings; stop words are most of the tokens.")])
        },
        Demo("stemming-lemmatization", "Porter stemming and lemmatisation",
             shows: "Porter's stemmer cuts suffixes by rule; the lemmatizer maps words to dictionary forms, irregular ones included.") { _ in
            let words = ["running", "ran", "studies", "studying", "better", "generalization", "mice", "connected", "relational"]
            let stemmer = PorterStemmer()
            let lemmatizer = Lemmatizer()
            let stems = words.map { stemmer.stem($0) }
            let lemmas = words.map { lemmatizer.lemmatize($0, as: ["ran", "running", "studying", "connected"].contains($0) ? .verb : ($0 == "better" ? .adjective : .noun)) }
            let table = zip(words, zip(stems, lemmas)).map { "\($0): stem \($1.0), lemma \($1.1)" }.joined(separator: "\n")
            return DemoOutcome(passed: stemmer.stem("relational") == "relat" && lemmatizer.lemmatize("mice") == "mouse" && lemmatizer.lemmatize("ran", as: .verb) == "run",
                               result: table)
        },
        Demo("bag-of-words", "Bag of words",
             shows: "Documents as word-count vectors (scikit-learn's CountVectorizer, English stop words removed): vocabulary size and sparsity.") { _ in
            let bow = try NLPDemos.bagOfWords()
            let cells = bow.counts.rows * bow.counts.columns
            let sparsity = 1 - Double(bow.counts.values.count) / Double(cells)
            let totals = bow.counts.columnSums()
            let order = totals.indices.sorted { totals[$0] != totals[$1] ? totals[$0] > totals[$1] : $0 < $1 }.prefix(10)
            return DemoOutcome(passed: bow.counts.rows == bow.documents.count && sparsity > 0.8,
                               result: "\(bow.documents.count) documents × \(bow.featureNames.count) words; \(pct(sparsity)) of the count matrix is zero",
                               metrics: [("vocabulary", Double(bow.featureNames.count)), ("sparsity", sparsity)],
                               figures: [DemoFigure("top-words", BarChart(title: "Most frequent words (stop words removed)", yLabel: "count",
                                                                           categories: order.map { bow.featureNames[$0] }, values: order.map { totals[$0] }),
                                                    caption: "A few words dominate; most appear once.")])
        },
        Demo("summarization", "Extractive summaries by TextRank",
             shows: "TextRank on a news story of the bundled Lee corpus: sentences linked by the words they share (summa's weight), ranked by PageRank (networkx's iteration, damping 0.85); the three best, in the story's order.") { _ in
            let story = try BundledText.leeBackground.load().split(separator: "\n").first.map(String.init) ?? ""
            let textRank = try TextRank()
            let ranked = try textRank.rank(story)
            let summary = try textRank.summarize(story, sentences: 3)
            let top = ranked.max { $0.score < $1.score }
            let total = ranked.map(\.score).reduce(0, +)
            let lines = summary.map { "[\($0.index + 1) of \(ranked.count), score \(f($0.score, 3))] \($0.text)" }
            return DemoOutcome(passed: summary.count == 3 && summary.map(\.index) == summary.map(\.index).sorted()
                                   && abs(total - 1) < 1e-9 && summary.contains { $0.index == top?.index },
                               result: lines.joined(separator: "\n"),
                               metrics: [("sentences", Double(ranked.count)), ("summary_sentences", Double(summary.count))],
                               figures: [DemoFigure("sentence-scores", BarChart(title: "TextRank score of each sentence", yLabel: "PageRank score",
                                                                                 categories: ranked.map { "s\($0.index + 1)" }, values: ranked.map(\.score)),
                                                    caption: "The summary keeps the three highest bars, in the story's order.")])
        },
        Demo("tf-idf", "TF-IDF weights",
             shows: "TF-IDF (scikit-learn's defaults: smooth idf, l2 norm) on the sample documents: each document's highest-weighted words.") { _ in
            let bow = try NLPDemos.bagOfWords(top: 3)
            let lines = bow.topTerms.enumerated().prefix(6).map { i, terms in "doc \(i + 1): " + terms.map { "\($0.term) \(f($0.weight, 2))" }.joined(separator: ", ") }
            var norms: [Double] = []
            for i in 0..<bow.tfidf.rows { norms.append(bow.tfidf.row(i).reduce(0) { $0 + $1.value * $1.value }.squareRoot()) }
            let matrix = bow.tfidf.toDense()
            let rows = min(6, bow.tfidf.rows)
            var similarity: [[Double]] = []
            for i in 0..<rows {
                similarity.append((0..<rows).map { j in (0..<bow.tfidf.columns).reduce(0) { $0 + matrix[i][$1] * matrix[j][$1] } })
            }
            return DemoOutcome(passed: norms.allSatisfy { Swift.abs($0 - 1) < 1e-9 },
                               result: lines.joined(separator: "\n"),
                               metrics: [("documents", Double(bow.tfidf.rows))],
                               figures: [DemoFigure("cosine-similarity", HeatmapChart(title: "Cosine similarity of TF-IDF vectors", rowLabels: (1...rows).map { "doc \($0)" },
                                                                                       columnLabels: (1...rows).map { "doc \($0)" }, values: similarity, valueDecimals: 2),
                                                    caption: "Rows are unit vectors, so dot products are cosine similarities.")])
        },
        Demo("n-grams", "N-grams",
             shows: "Word uni-, bi- and tri-grams of the sample text: how the number of distinct features grows with n.") { _ in
            let tokens = NLPDemos.sampleDocuments.flatMap { WordTokenizer.standard.tokenize($0.lowercased()) }
            let ns = [1, 2, 3]
            let distinct = ns.map { Double(Set(NGrams.words(tokens, range: $0...$0)).count) }
            let example = NGrams.words(Array(tokens.prefix(5)), range: 2...2).joined(separator: " | ")
            return DemoOutcome(passed: distinct[1] > distinct[0] && distinct[2] >= distinct[1],
                               result: "distinct 1-grams \(Int(distinct[0])), 2-grams \(Int(distinct[1])), 3-grams \(Int(distinct[2]))\nfirst bigrams: \(example)",
                               metrics: [("bigrams", distinct[1])],
                               figures: [DemoFigure("distinct", BarChart(title: "Distinct n-grams in the sample text", yLabel: "features", categories: ns.map { "\($0)-grams" }, values: distinct),
                                                    caption: "Longer n-grams keep word order but multiply the features.")])
        },
        Demo("word-embeddings", "Word2vec: word vectors learned from context",
             shows: "Skip-gram word2vec with negative sampling (gensim's settings and update rule) trained on the bundled Lee news corpus — 59,890 words, 10 epochs in about a second: words that appear in the same company get similar vectors: the nearest neighbours of a cricket word are cricket words, of a Middle-East word Middle-East words.") { ctx in
            let sentences = try leeSentences()
            var o = Word2VecOptions()
            o.skipGram = true; o.minCount = 2; o.epochs = 10; o.seed = ctx.seed &+ 1; o.workers = 1
            let model = try Word2Vec.train(sentences: sentences, options: o)
            let probes = ["cricket", "police", "fire", "Israeli"].filter { model.vectors.index[$0] != nil }
            let lines = try probes.map { w in "\(w): " + (try model.vectors.mostSimilar(positive: [w], topN: 6)).map { "\($0.word) \(f($0.similarity, 2))" }.joined(separator: ", ") }
            let (correct, total) = topicNeighbourAccuracy(model.vectors)
            let top = try model.vectors.mostSimilar(positive: ["cricket"], topN: 8)
            return DemoOutcome(passed: correct * 100 >= 65 * total,
                               result: (["\(model.vectors.count) words × \(o.vectorSize) dimensions; \(correct) of \(total) topic words (cricket, Middle East, bushfires, Afghanistan) have a word of their own topic as nearest neighbour (criterion ≥ 65 %; chance ≈ 23 %; gensim: 18–20)"] + lines).joined(separator: "\n"),
                               metrics: [("topic_neighbour_accuracy", Double(correct) / Double(max(total, 1)))],
                               figures: [DemoFigure("neighbours", BarChart(title: "Nearest words to 'cricket' (cosine similarity)", yLabel: "cosine", categories: top.map(\.word), values: top.map(\.similarity)),
                                                    caption: "Learned only from which words appear near which in 300 news paragraphs.")])
        },
        Demo("text-classification", "Which Debian section is this package in? Classifying descriptions",
             shows: "4,800 real Debian package descriptions labelled by archive section (12 sections: games, science, sound, libs, …). TF-IDF features and a logistic regression trained on 3,600 of them label the other 1,200 — 83 % right, as scikit-learn's identical pipeline — against 77 % for multinomial naive Bayes on raw counts and 8 % for guessing; the heaviest words of a class show what it learned.") { _ in
            let lr = try debianClassifierScore(logistic: true), nb = try debianClassifierScore(logistic: false)
            let probes = ["games", "science", "sound", "math"].compactMap { c in lr.topWords[c].map { "\(c): \($0.joined(separator: ", "))" } }
            return DemoOutcome(passed: lr.accuracy >= 0.80 && nb.accuracy >= 0.75,
                               result: (["TF-IDF + logistic regression: accuracy \(f(lr.accuracy, 4)), macro F1 \(f(lr.macroF1, 4)) (scikit-learn 1.9.1, same pipeline: 0.8292, 0.8287)",
                                         "counts + multinomial naive Bayes: accuracy \(f(nb.accuracy, 4)), macro F1 \(f(nb.macroF1, 4)) (scikit-learn: 0.7725, 0.7664)",
                                         "heaviest words per class:"] + probes).joined(separator: "\n"),
                               metrics: [("accuracy_logistic", lr.accuracy), ("macro_f1_logistic", lr.macroF1), ("accuracy_naive_bayes", nb.accuracy)],
                               figures: [DemoFigure("f1-per-section", BarChart(title: "F1 per Debian section (TF-IDF + logistic regression)", yLabel: "F1",
                                                                                categories: lr.report.classes.map(\.name), values: lr.report.classes.map(\.f1)),
                                                    caption: "1,200 held-out descriptions: games, doc and sound are easiest; libs, admin and devel, whose descriptions share the vocabulary of software, hardest.")])
        },
        Demo("named-entity-recognition", "Finding names in news: a CRF tagger on CoNLL-2003",
             shows: "A linear-chain CRF (CRFsuite's model and training) learns people, places, organisations and other names from 3,000 tagged Reuters sentences of CoNLL-2003, using each word's spelling, part of speech and neighbours; it tags the 3,250 validation sentences with Viterbi and is scored per entity, as seqeval scores it. Needs the CoNLL-2003 files (scripts/data/fetch_conll2003.sh).") { _ in
            guard let folder = CoNLL2003Locator.find() else { return .skipped(CoNLL2003Locator.howToGet) }
            let train = try conll2003(folder, "train", limit: 3000), valid = try conll2003(folder, "valid")
            var o = LinearChainCRF.TrainingOptions(); o.c2 = 0.1; o.maxIterations = 60
            let (crf, report) = try LinearChainCRF.train(sequences: train.items, labels: train.tags, options: o)
            let predicted = try valid.items.map { try crf.viterbi($0).labels }
            let r = SequenceLabelingMetrics.report(valid.tags, predicted, digits: 3)
            let example = (valid.words.indices.first { valid.words[$0].count >= 8 && valid.tags[$0].filter { $0 != "O" }.count >= 3 }) ?? 0
            let tagged = zip(valid.words[example], predicted[example]).map { $1 == "O" ? $0 : "\($0)/\($1)" }.joined(separator: " ")
            return DemoOutcome(passed: r.micro.f1 >= 0.65,
                               result: (["\(crf.featureCount) features from \(train.items.count) sentences, \(report.iterations) L-BFGS iterations in \(f(report.seconds, 1)) s; validation entity F1 \(f(r.micro.f1, 3)) (precision \(f(r.micro.precision, 3)), recall \(f(r.micro.recall, 3)); criterion ≥ 0.65)"]
                                        + r.types.map { "\($0.name): F1 \(f($0.f1, 3)) over \($0.support) entities" } + ["example: " + tagged]).joined(separator: "\n"),
                               metrics: [("entity_f1", r.micro.f1)],
                               figures: [DemoFigure("f1-per-type", BarChart(title: "Entity F1 per type (CoNLL-2003 validation)", yLabel: "F1",
                                                                             categories: r.types.map(\.name), values: r.types.map(\.f1)),
                                                    caption: "ORG is the hardest: sports teams carry the names of their towns and counties (Somerset, Leicestershire), so they look like places or people.")])
        },
        Demo("subword-tokenization", "Byte-pair encoding",
             shows: "A byte-level BPE tokenizer (GPT-2 style) trained on the sample text: frequent words become one token, rare ones split, and any UTF-8 text round-trips.") { _ in
            let (tokenizer, examples) = try NLPDemos.bytePairEncoding()
            let lines = examples.map { "\"\($0.text)\" → \($0.tokens.joined(separator: " ")) (\($0.ids.count) ids, round trip \($0.roundTrips ? "exact" : "FAILED"))" }
            let corpus = NLPDemos.sampleDocuments.joined(separator: " ")
            let idsPerByte = Double(tokenizer.encode(corpus).count) / Double(corpus.utf8.count)
            return DemoOutcome(passed: examples.allSatisfy(\.roundTrips) && idsPerByte < 0.5,
                               result: "vocabulary \(tokenizer.vocabularySize) tokens; the training text takes \(f(idsPerByte, 2)) ids per byte\n" + lines.joined(separator: "\n"),
                               metrics: [("vocabulary", Double(tokenizer.vocabularySize)), ("ids_per_byte", idsPerByte)])
        },
    ]
}
