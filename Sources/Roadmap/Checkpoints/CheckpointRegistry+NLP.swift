import Foundation
import NLP
import Plot

extension CheckpointRegistry {
    /// Checkpoint projects of the classic NLP tasks.
    public static let nlp: [Checkpoint] = [
        Checkpoint("word2vec-lee", "Word vectors of your own: skip-gram and CBOW on the Lee corpus",
                   topics: ["word-embeddings"],
                   criterion: "word2vec trained on the bundled Lee corpus (gensim's defaults, min_count 2, 10 epochs) as skip-gram and as CBOW: for both, at least 14 of 23 words from four news topics have a word of their own topic as their nearest topic word (chance ≈ 5; gensim 4.4.0 with the same settings: 18–20 skip-gram, 15–16 CBOW); the vectors written in the word2vec text and binary formats read back identical, with the same nearest neighbours") { ctx in
            let sentences = try leeSentences()
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("word2vec-lee-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            var lines: [String] = [], passed = true, margins: [(String, Double)] = []
            for sg in [true, false] {
                var o = Word2VecOptions()
                o.skipGram = sg; o.minCount = 2; o.epochs = 10; o.seed = ctx.seed &+ 1; o.workers = 1
                let model = try Word2Vec.train(sentences: sentences, options: o)
                let (correct, total) = topicNeighbourAccuracy(model.vectors)
                var sameFiles = true
                for binary in [false, true] {
                    let path = dir.appendingPathComponent("v\(sg)\(binary)").path
                    try model.vectors.save(word2vecFormat: path, binary: binary)
                    let back = try WordVectors.load(word2vecFormat: path, binary: binary)
                    let a = try model.vectors.mostSimilar(positive: ["government"], topN: 10).map(\.word)
                    let b = try back.mostSimilar(positive: ["government"], topN: 10).map(\.word)
                    sameFiles = sameFiles && back.vectors == model.vectors.vectors && back.words == model.vectors.words && a == b
                }
                passed = passed && correct >= 14 && sameFiles
                let name = sg ? "skip-gram" : "CBOW"
                margins.append((name, Double(correct)))
                lines.append("\(name): \(correct) of \(total) topic words have a same-topic nearest neighbour (criterion ≥ 14); text and binary files \(sameFiles ? "read back identical" : "DIFFER")")
            }
            return DemoOutcome(passed: passed, result: lines.joined(separator: "\n"), metrics: margins.map { ("topic_neighbours_\($0.0)", $0.1) },
                               figures: [DemoFigure("margins", BarChart(title: "Topic words whose nearest topic word shares their topic (of 23)", yLabel: "words", categories: margins.map(\.0), values: margins.map(\.1)),
                                                    caption: "Chance is about 5 of 23.")])
        },
    ]
}
