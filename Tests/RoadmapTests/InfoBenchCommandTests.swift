import Foundation
import Testing
import SwiftLearn

/// Commands the README lists that had no test: `info`, `learn models` and the benchmark suites
/// `bench learn|neural|nlp|retrieval`, each on tiny inputs with one run (their figures are not
/// checked — timings on a shared machine mean nothing — but their shape and their metrics are).
@Suite(.enabled(if: swiftlearnBinary != nil, "the swiftlearn executable is not built (swift build --build-tests builds it)"))
struct InfoBenchCommandTests {
    static func objects(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }

    static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bench-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func infoReportsTheMachine() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try swiftlearn(["info", "--json"], home: dir)
        #expect(r.status == 0, "\(r.err)")
        let o = try #require(Self.objects(r.out).first)
        #expect(o["cpus"] as? Int == ProcessInfo.processInfo.activeProcessorCount)
        #expect(o["lapack"] as? String != nil && o["matmul"] as? String != nil && o["blas"] as? String != nil)
        let text = try swiftlearn(["info"], home: dir)
        #expect(text.status == 0 && text.out.contains("cpus") && text.out.contains("matmul"))
    }

    @Test func learnModelsListsTheRegistry() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try swiftlearn(["learn", "models", "--json"], home: dir)
        #expect(r.status == 0, "\(r.err)")
        let rows = Self.objects(r.out)
        #expect(rows.count == r.out.split(separator: "\n").count, "every line is a JSON object")
        let names = Set(rows.compactMap { $0["name"] as? String })
        // The executable lists the built-in estimators (other suites in this process may register more).
        #expect(names.isSubset(of: Set(ModelRegistry.names)) && names.count == rows.count, "\(names.subtracting(Set(ModelRegistry.names)))")
        for expected in ["logistic-regression", "random-forest", "kmeans", "pca", "svc"] { #expect(names.contains(expected), "\(expected)") }
        #expect(rows.allSatisfy { ["classifier", "regressor", "clustering", "transformer"].contains($0["kind"] as? String ?? "") })
        let text = try swiftlearn(["learn", "models"], home: dir)
        #expect(text.status == 0 && text.out.contains("logistic-regression") && text.out.contains("kmeans"))
    }

    @Test func benchLearnRunsAManifest() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Two well-separated blobs: any classifier gets them all right.
        let n = 40
        var x: [Float] = [], y: [Float] = []
        for i in 0..<n {
            let c = i % 2
            x += [Float(c) * 10 + Float(i % 5) * 0.1, Float(c) * -10 + Float(i % 3) * 0.1]
            y.append(Float(c))
        }
        let xt = Tensor(x, shape: [n, 2]), yt = Tensor(y, shape: [n])
        for part in ["Xtr", "Xte"] { try xt.save(npy: dir.appendingPathComponent("blobs_\(part).npy")) }
        for part in ["ytr", "yte"] { try yt.save(npy: dir.appendingPathComponent("blobs_\(part).npy")) }
        let manifest = dir.appendingPathComponent("manifest.json")
        try Data(#"{"data_dir": "\#(dir.path)", "jobs": [{"id": "logreg-blobs", "model": "logistic-regression", "params": {"C": 1.0}, "dataset": "blobs", "task": "classification"}]}"#.utf8).write(to: manifest)
        let r = try swiftlearn(["bench", "learn", "--manifest", manifest.path, "--runs", "1", "--json"], home: dir)
        #expect(r.status == 0, "\(r.err)")
        let o = try #require(Self.objects(r.out).first { $0["id"] as? String == "logreg-blobs" }, "\(r.out)")
        #expect(o["metric"] as? Double == 1.0, "\(o)")
        #expect((o["fit_seconds"] as? Double).map { $0 >= 0 } == true)
        // A label that is not a whole number is refused, naming the file.
        try Tensor([Float](repeating: 0.5, count: n), shape: [n]).save(npy: dir.appendingPathComponent("blobs_ytr.npy"))
        let bad = try swiftlearn(["bench", "learn", "--manifest", manifest.path, "--runs", "1"], home: dir)
        #expect(bad.status == 64 && bad.err.contains("blobs_ytr.npy"), "\(bad.err)")
    }

    @Test func benchNeuralRunsOneWorkload() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try swiftlearn(["bench", "neural", "--filter", "mlp", "--runs", "1", "--steps", "1", "--json"], home: dir)
        #expect(r.status == 0, "\(r.err)")
        let rows = Self.objects(r.out)
        #expect(rows.map { $0["name"] as? String } == ["mlp"], "\(r.out)")
        #expect((rows.first?["steps_per_second"] as? Double).map { $0 > 0 } == true && rows.first?["batch"] as? Int == 128)
    }

    @Test func benchNLPOnASmallCorpus() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = dir.appendingPathComponent("corpus.txt")
        try Data("the cat sat on the mat\nthe dog ate the bone\na bird in the hand\n".utf8).write(to: corpus)
        let bpe = repositoryRoot.appendingPathComponent("Tests/NLPTests/Fixtures/nlp_bpe_trained.json").path
        let vocab = repositoryRoot.appendingPathComponent("Tests/NLPTests/Fixtures/minilm_vocab.txt").path
        let r = try swiftlearn(["bench", "nlp", "--corpus", corpus.path, "--bpe", bpe, "--wordpiece", vocab, "--runs", "1", "--json"], home: dir)
        #expect(r.status == 0, "\(r.err)")
        let rows = Self.objects(r.out)
        #expect(rows.compactMap { $0["name"] as? String } == ["bpe_encode", "wordpiece_encode", "tfidf_fit_transform", "bpe_train_2000"], "\(r.out)")
        #expect(rows.allSatisfy { $0["items"] as? Int == 3 }, "\(rows)")
        // TF-IDF's non-zeros are the distinct words of each line (scikit-learn's token pattern
        // drops one-letter words): {the cat sat on mat} + {the dog ate bone} + {bird in the hand}.
        #expect(rows.first { $0["name"] as? String == "tfidf_fit_transform" }?["tokens"] as? Int == 5 + 4 + 4)
    }

    @Test func benchRetrievalOnTokenLists() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = dir.appendingPathComponent("corpus.json"), queries = dir.appendingPathComponent("queries.json")
        try Data(#"[["red", "apple"], ["green", "apple"], ["blue", "sky"]]"#.utf8).write(to: corpus)
        try Data(#"[["apple"], ["sky"], []]"#.utf8).write(to: queries)
        let r = try swiftlearn(["bench", "retrieval", "--corpus", corpus.path, "--queries", queries.path, "--k", "2", "--runs", "1", "--json"], home: dir)
        #expect(r.status == 0, "\(r.err)")
        let o = try #require(Self.objects(r.out).first)
        #expect(o["name"] as? String == "bm25" && o["documents"] as? Int == 3 && o["queries"] as? Int == 2, "\(o)")
    }
}
