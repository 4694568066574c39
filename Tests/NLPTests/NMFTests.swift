import Foundation
import NLP
import SwiftLearnCore
import Testing

/// Non-negative matrix factorization against scikit-learn 1.9.1 on the Lee corpus's TF-IDF
/// (`scripts/fixtures/make_nmf_fixtures.py`).
@Suite struct NMFTests {
    static let fixture = (try? FixtureFiles.json("nmf.json")) as? [String: Any] ?? [:]

    static func matrix(_ m: [String: Any]?) throws -> SparseMatrix {
        let m = try #require(m)
        return try SparseMatrix(rows: m["rows"] as! Int, columns: m["columns"] as! Int, rowPointers: m["indptr"] as! [Int],
                                columnIndices: m["indices"] as! [Int], values: m["data"] as! [Double])
    }

    static func options(_ p: [String: Any]) throws -> NMFOptions {
        var o = NMFOptions()
        for (k, v) in p { try o.set(k, k == "shuffle" ? "\(v as! Bool)" : "\(v)") }
        return o
    }

    /// Largest |a − b| over the largest |b| (the factors hold many near-zero entries).
    func scaledError(_ a: [Double], _ b: [Double]) -> Double {
        guard a.count == b.count, !b.isEmpty else { return .infinity }
        let scale = b.map { abs($0) }.max()!
        return zip(a, b).map { abs($0 - $1) }.max()! / max(scale, 1e-300)
    }

    @Test func permutationsAreNumPys() throws {
        let sets = try #require(Self.fixture["permutations"] as? [[String: Any]])
        for s in sets {
            var r = NumPyRandomState(seed: UInt32(s["seed"] as! Int))
            #expect(r.permutation(s["n"] as! Int) == s["permutation"] as! [Int], "seed \(s["seed"]!)")
        }
    }

    @Test func nmfEqualsScikitLearnOnTheLeeCorpus() throws {
        let x = try Self.matrix(Self.fixture["train"] as? [String: Any]), held = try Self.matrix(Self.fixture["held_out"] as? [String: Any])
        let cases = try #require(Self.fixture["cases"] as? [[String: Any]])
        #expect(cases.count == 7)
        for c in cases {
            let params = c["params"] as! [String: Any]
            let nmf = try NMF(options: Self.options(params))
            let w = try nmf.fitTransform(x)
            #expect(nmf.iterations == c["n_iter"] as? Int, "\(params)")
            let components = c["components"] as! [Double]
            let e = scaledError(nmf.components, components)
            #expect(e < 1e-6, "\(params): components differ by \(e)")
            let err = c["reconstruction_err"] as! Double
            #expect(abs(nmf.reconstructionError - err) <= 1e-8 * err, "\(params): \(nmf.reconstructionError) vs \(err)")
            let first = (c["w_first"] as! [[Double]]).flatMap { $0 }
            #expect(scaledError(w.prefix(10).flatMap { $0 }, first) < 1e-6, "\(params)")
            let t = try nmf.transform(held).flatMap { $0 }
            let expected = (c["transform_held_out"] as! [[Double]]).flatMap { $0 }
            #expect(scaledError(t, expected) < 1e-6, "\(params): transform differs by \(scaledError(t, expected))")
        }
    }

    @Test func itakuraSaitoOnAPositiveMatrix() throws {
        let p = try #require(Self.fixture["positive"] as? [String: Any])
        let x = try Self.matrix(p["matrix"] as? [String: Any]), c = p["case"] as! [String: Any]
        let nmf = try NMF(options: Self.options(c["params"] as! [String: Any]))
        try nmf.fit(x)
        #expect(nmf.iterations == c["n_iter"] as? Int)
        #expect(scaledError(nmf.components, c["components"] as! [Double]) < 1e-6)
        #expect(abs(nmf.reconstructionError - (c["reconstruction_err"] as! Double)) < 1e-8 * (c["reconstruction_err"] as! Double))
        // β ≤ 0 refuses zeros.
        let sparse = try SparseMatrix(rows: 2, columns: 2, rowPointers: [0, 1, 2], columnIndices: [0, 1], values: [1, 2])
        #expect(throws: NLPError.self) { try nmf.fit(sparse) }
    }

    @Test func randomizedSVDIsScikitLearns() throws {
        // The same Gaussian test matrix (NumPy's draws), power iterations and oversampling; QR
        // where scikit-learn normalizes by LU spans the same subspace, so the triplets agree to
        // rounding, signs included (svd_flip).
        let x = try Self.matrix(Self.fixture["train"] as? [String: Any])
        let svd = try #require(Self.fixture["svd"] as? [String: Any])
        var random = NumPyRandomState(seed: UInt32(svd["random_state"] as! Int))
        let r = try NMF.randomizedSVD(x, x.transposed(), k: svd["k"] as! Int, random: &random, workers: 2)
        #expect(scaledError(r.s, svd["s"] as! [Double]) < 1e-10)
        #expect(scaledError(r.u, svd["u"] as! [Double]) < 1e-7, "U differs by \(scaledError(r.u, svd["u"] as! [Double]))")
        #expect(scaledError(r.vt, svd["vt"] as! [Double]) < 1e-7, "Vt differs by \(scaledError(r.vt, svd["vt"] as! [Double]))")
    }

    @Test func resultsDoNotDependOnTheThreadCount() throws {
        let x = try Self.matrix(Self.fixture["train"] as? [String: Any])
        for solver in ["cd", "mu"] {
            var runs: [[Double]] = []
            for workers in [1, 2, 5] {
                var o = NMFOptions(); try o.set("solver", solver); o.nComponents = 5; o.randomState = 4; o.maxIter = 20; o.workers = workers
                let nmf = try NMF(options: o)
                try nmf.fit(x)
                runs.append(nmf.components)
            }
            #expect(runs[0] == runs[1] && runs[1] == runs[2], "\(solver)")
        }
    }

    @Test func topWordsAndInverseTransform() throws {
        let x = try Self.matrix(Self.fixture["train"] as? [String: Any]), names = try #require(Self.fixture["feature_names"] as? [String])
        var o = NMFOptions(); o.nComponents = 5; o.randomState = 0
        let nmf = try NMF(options: o)
        let w = try nmf.fitTransform(x)
        let top = try nmf.topWords(featureNames: names, count: 8)
        #expect(top.count == 5 && top.allSatisfy { $0.count == 8 })
        for (t, words) in top.enumerated() {
            #expect(words.first?.weight == nmf.components[t * x.columns..<(t + 1) * x.columns].max())
        }
        // ‖X − W H‖_F from the dense reconstruction equals reconstruction_err_.
        let wh = try nmf.inverseTransform(w), dense = x.toDense()
        var sq = 0.0
        for i in 0..<x.rows { for j in 0..<x.columns { let d = dense[i][j] - wh[i][j]; sq += d * d } }
        #expect(abs(sq.squareRoot() - nmf.reconstructionError) < 1e-9 * nmf.reconstructionError)
        #expect(throws: NLPError.self) { try nmf.topWords(featureNames: ["a"], count: 3) }
        #expect(throws: NLPError.self) { try nmf.inverseTransform([[1, 2]]) }
    }

    @Test func badInputAndSettingsThrow() throws {
        var o = NMFOptions()
        #expect(throws: NLPError.self) { try o.set("n_components", "0") }
        #expect(throws: NLPError.self) { try o.set("solver", "als") }
        #expect(throws: NLPError.self) { try o.set("init", "svd") }
        #expect(throws: NLPError.self) { try o.set("beta_loss", "hellinger") }
        #expect(throws: NLPError.self) { try o.set("l1_ratio", "1.5") }
        #expect(throws: NLPError.self) { try o.set("shuffle", "maybe") }
        #expect(throws: NLPError.self) { try o.set("no_such", "1") }
        try o.set("beta_loss", "kullback-leibler")
        #expect(throws: NLPError.self) { try NMF(options: o) }          // cd takes only Frobenius
        let nmf = try NMF()
        let x = try SparseMatrix(rows: 2, columns: 3, rowPointers: [0, 1, 2], columnIndices: [0, 2], values: [1, 2])
        #expect(throws: NLPError.self) { try nmf.transform(x) }        // not fitted
        let negative = try SparseMatrix(rows: 1, columns: 2, rowPointers: [0, 1], columnIndices: [1], values: [-1])
        #expect(throws: NLPError.self) { try nmf.fit(negative) }
        let nan = try SparseMatrix(rows: 1, columns: 2, rowPointers: [0, 1], columnIndices: [1], values: [.nan])
        #expect(throws: NLPError.self) { try nmf.fit(nan) }
        let empty = try SparseMatrix(rows: 0, columns: 2, rowPointers: [0], columnIndices: [], values: [])
        #expect(throws: NLPError.self) { try nmf.fit(empty) }
        let zeros = try SparseMatrix(rows: 2, columns: 2, rowPointers: [0, 0, 0], columnIndices: [], values: [])
        #expect(throws: NLPError.self) { try nmf.fit(zeros) }
        var tooMany = NMFOptions(); tooMany.nComponents = 3; tooMany.initialization = .nndsvd
        #expect(throws: NLPError.self) { try NMF(options: tooMany).fit(x) }   // nndsvd needs k ≤ min(n, f)
        var huge = NMFOptions(); huge.nComponents = 100_000
        let wide = try SparseMatrix(rows: 1, columns: 1 << 20, rowPointers: [0, 1], columnIndices: [5], values: [1])
        #expect(throws: NLPError.self) { try NMF(options: huge).fit(wide) }
        // n_components="auto" is the number of features; a random start beyond min(n, f).
        let auto = try NMF()
        try auto.fit(x)
        #expect(auto.componentCount == 3)
        let other = try SparseMatrix(rows: 1, columns: 4, rowPointers: [0, 1], columnIndices: [3], values: [1])
        #expect(throws: NLPError.self) { try auto.transform(other) }
        // A rank-deficient matrix (one distinct row) still factorizes without NaN.
        let repeated = try SparseMatrix(rows: 3, columns: 3, rowPointers: [0, 2, 4, 6], columnIndices: [0, 1, 0, 1, 0, 1], values: [1, 2, 1, 2, 1, 2])
        var two = NMFOptions(); two.nComponents = 2; two.initialization = .nndsvd; two.randomState = 0
        let r = try NMF(options: two)
        try r.fit(repeated)
        #expect(r.components.allSatisfy { $0.isFinite } && r.reconstructionError < 1e-6)
    }
}
