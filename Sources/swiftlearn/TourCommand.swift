import ArgumentParser
import Foundation
import SwiftLearn

/// `swiftlearn tour`: walks what is implemented so far, running each piece on real computation
/// and checking its result, then prints a summary. Later roadmap phases add their demos here.
struct TourCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tour",
        abstract: "Walk the implemented roadmap: run each quick demo and check its result."
    )

    @Option(help: "Seed for every random draw in the tour.") var seed: UInt64 = 0
    @Flag(help: "One JSON object per step.") var json = false

    struct Step {
        var name: String
        var passed: Bool
        var detail: String
        var seconds: Double
    }

    func run() throws {
        var steps: [Step] = []
        func step(_ name: String, _ body: () throws -> (Bool, String)) rethrows {
            let start = DispatchTime.now().uptimeNanoseconds
            let (ok, detail) = try body()
            let s = Step(name: name, passed: ok, detail: detail, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            steps.append(s)
            if json {
                print(JSONLine([("step", .string(name)), ("passed", .bool(ok)), ("detail", .string(detail)), ("seconds", .double(s.seconds))]).text)
            } else {
                print("\(ok ? "✓" : "✗") \(name)  (\(String(format: "%.2f", s.seconds)) s)")
                print(detail.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
            }
        }
        if !json {
            print("SwiftLearn tour — the foundation (tensors, autograd, linear algebra, I/O) and classical ML\n")
            for (k, v) in SystemInfo.current.fields { print("  \(k): \(v)") }
            print("")
        }

        step("Tensors: creation, broadcasting, reductions") {
            let x = Tensor.arange(0, 12, step: 1).reshaped([3, 4]).to(.float32)
            let centered = x - x.mean(axis: 0, keepDims: true)
            let ok = centered.sum(axis: 0).abs().max().item() < 1e-6 && x.sum().item() == 66
            return (ok, "x =\n\(x)\nx − column means (a [1, 4] row broadcast over 3 rows): largest |column sum| = \(centered.sum(axis: 0).abs().max().item())")
        }

        try step("Autograd: linear regression by gradient descent vs the closed form") {
            let n = 200
            let features = Tensor.uniform([n, 2], low: -1, high: 1, dtype: .float64, seed: seed)
            let trueW = Tensor([3.0, -2.0], shape: [2, 1])
            let y = features.matmul(trueW) + 0.5 + Tensor.normal([n, 1], std: 0.1, dtype: .float64, seed: seed + 1)
            var w = Tensor.zeros([2, 1], dtype: .float64).requiringGrad()
            var b = Tensor.zeros([1], dtype: .float64).requiringGrad()
            var losses: [Double] = []
            for _ in 0..<300 {
                let loss = (features.matmul(w) + b - y).square().mean()
                loss.backward()
                losses.append(loss.item())
                w = (w.detached() - w.grad! * 0.3).requiringGrad()
                b = (b.detached() - b.grad! * 0.3).requiringGrad()
            }
            let design = Tensor.concat([features, Tensor.ones([n, 1], dtype: .float64)], axis: 1)
            let closed = try Linalg.lstsq(design, y).solution.scalars
            let gd = w.scalars + b.scalars
            let gap = zip(gd, closed).map { Swift.abs($0 - $1) }.max()!
            return (gap < 1e-6 && losses.last! < losses.first!,
                    String(format: "loss %.4f → %.6f; gradient descent w=[%.4f, %.4f] b=%.4f; closed form w=[%.4f, %.4f] b=%.4f; max gap %.1e",
                           losses.first!, losses.last!, gd[0], gd[1], gd[2], closed[0], closed[1], closed[2], gap))
        }

        try step("Linear algebra: solve, Cholesky, eigh, SVD") {
            let m = Tensor.randn([64, 64], dtype: .float64, seed: seed + 2)
            let spd = m.matmul(m.transposed()) + Tensor.eye(64, dtype: .float64) * 64
            let rhs = Tensor.randn([64, 3], dtype: .float64, seed: seed + 3)
            let x = try Linalg.solve(spd, rhs)
            let residual = (spd.matmul(x) - rhs).abs().max().item()
            let l = try Linalg.cholesky(spd)
            let recon = (l.matmul(l.transposed()) - spd).abs().max().item()
            let (values, vectors) = try Linalg.eigh(spd)
            let eigErr = (spd.matmul(vectors) - vectors * values.unsqueezed(0)).abs().max().item()
            let s = try Linalg.svd(spd).s
            let svdErr = (s.sorted().values - values).abs().max().item()
            let ok = residual < 1e-10 && recon < 1e-10 && eigErr < 1e-9 && svdErr < 1e-9
            return (ok, String(format: "|Ax−b| %.1e, |LLᵀ−A| %.1e, |AV−VΛ| %.1e, |σ−λ| %.1e (LAPACK: %@)",
                               residual, recon, eigErr, svdErr, Linalg.isLAPACKAvailable ? "yes" : "no, native"))
        }

        try step("I/O: .npy, .npz and safetensors round trips") {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlearn-tour-\(ProcessInfo.processInfo.processIdentifier)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let t = Tensor.randn([3, 5], seed: seed + 4)
            try t.save(npy: dir.appendingPathComponent("t.npy"))
            try Tensor.save(npz: [("a", t), ("b", Tensor.arange(4))], to: dir.appendingPathComponent("t.npz"), compressed: true)
            try Tensor.save(safetensors: [("weight", t)], metadata: ["format": "pt"], to: dir.appendingPathComponent("t.safetensors"))
            let a = try Tensor.load(npy: dir.appendingPathComponent("t.npy"))
            let z = try Tensor.load(npz: dir.appendingPathComponent("t.npz"))
            let s = try Tensor.load(safetensors: dir.appendingPathComponent("t.safetensors"))
            let ok = a.scalars == t.scalars && z[0].tensor.scalars == t.scalars && s.tensors[0].tensor.scalars == t.scalars && s.metadata["format"] == "pt"
            return (ok, "3 formats written and read back bit-exactly")
        }

        try step("Classical ML: linear regression from scratch (gradient descent) vs the closed form") {
            let diabetes = try Datasets.load(.diabetes)
            let x = try StandardScaler().fitTransform(diabetes.features)
            let gd = GradientDescentRegression(learningRate: 0.3, maxIter: 50_000, tol: 1e-13)
            try gd.fit(x, diabetes.target)
            let exact = LinearRegression()
            try exact.fit(x, diabetes.target)
            let gap = zip(gd.coef + [gd.intercept], exact.coef + [exact.intercept]).map { Swift.abs($0 - $1) }.max()!
            let scale = exact.coef.map { Swift.abs($0) }.max()!
            let costs = gd.costHistory
            return (gap / scale < 1e-3 && costs.last! < costs.first!,
                    String(format: "diabetes (442 patients, 10 standardized features): cost %.1f → %.1f in %d steps; largest coefficient gap to the least-squares solution %.2g (%.2g of the largest coefficient); R² %.4f vs %.4f",
                           costs.first!, costs.last!, gd.nIterations, gap, gap / scale, try gd.score(x, diabetes.target), try exact.score(x, diabetes.target)))
        }

        try step("Classical ML: five classifiers on four real datasets (stratified 75/25 split)") {
            var lines: [String] = []
            var worstBest = 1.0
            for set in [BundledDataset.iris, .wine, .breastCancer, .digits] {
                let data = try Datasets.load(set)
                let split = try trainTestSplit(data.features, data.labels, testSize: 0.25, stratify: true, seed: Int(seed))
                let models: [(String, any Classifier)] = [
                    ("logistic", Pipeline([("scale", StandardScaler()), ("model", LogisticRegression())])),
                    ("svc", Pipeline([("scale", StandardScaler()), ("model", SVC())])),
                    ("knn", Pipeline([("scale", StandardScaler()), ("model", KNeighborsClassifier())])),
                    ("gaussian-nb", GaussianNB()),
                    ("lda", LinearDiscriminantAnalysis()),
                ]
                var scores: [String] = []
                var best = 0.0
                for (name, model) in models {
                    try model.fit(split.xTrain, split.yTrain)
                    let accuracy = try Metrics.accuracy(split.yTest, try model.predict(split.xTest))
                    best = Swift.max(best, accuracy)
                    scores.append(String(format: "%@ %.3f", name, accuracy))
                }
                worstBest = Swift.min(worstBest, best)
                lines.append("\(set.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0)) " + scores.joined(separator: "  "))
            }
            return (worstBest >= 0.9, "test accuracy:\n" + lines.joined(separator: "\n"))
        }

        try step("Classical ML: ensembles, clustering and PCA") {
            let cancer = try Datasets.load(.breastCancer)
            let split = try trainTestSplit(cancer.features, cancer.labels, testSize: 0.25, stratify: true, seed: Int(seed))
            let forest = RandomForestClassifier(randomState: Int(seed))
            try forest.fit(split.xTrain, split.yTrain)
            let forestAccuracy = try Metrics.accuracy(split.yTest, try forest.predict(split.xTest))
            let boosting = HistGradientBoostingClassifier(randomState: Int(seed))
            try boosting.fit(split.xTrain, split.yTrain)
            let boostingAccuracy = try Metrics.accuracy(split.yTest, try boosting.predict(split.xTest))
            let top = forest.featureImportances.enumerated().max { $0.element < $1.element }!
            let iris = try Datasets.load(.iris)
            let kmeans = KMeans(nClusters: 3, randomState: Int(seed))
            let clusters = try kmeans.fitPredict(iris.features)
            let ari = try ClusterMetrics.adjustedRandIndex(iris.labels, clusters)
            let digits = try Datasets.load(.digits)
            let pca = PCA(nComponents: 10)
            try pca.fit(digits.features)
            let kept = pca.explainedVarianceRatio.reduce(0, +)
            return (forestAccuracy >= 0.93 && boostingAccuracy >= 0.93 && ari >= 0.6 && kept > 0.7,
                    String(format: "breast cancer: random forest %.3f, histogram gradient boosting %.3f test accuracy; most important feature: %@\niris: k-means (k=3) adjusted Rand index %.3f against the species, inertia %.1f\ndigits: 10 principal components keep %.1f%% of the variance of 64 pixels",
                           forestAccuracy, boostingAccuracy, cancer.featureNames[top.offset], ari, kmeans.inertia, 100 * kept))
        }

        step("Speed: one float32 GEMM") {
            let n = 1024
            let a = Tensor.randn([n, n], seed: seed + 5), b = Tensor.randn([n, n], seed: seed + 6)
            let t = medianSeconds(runs: 3) { blackHole(a.matmul(b)) }
            return (t > 0, String(format: "1024×1024 sgemm: %.1f GFLOP/s on %@ (%d cpus)", 2e-9 * Double(n * n * n) / t, BLAS.activeBackendName, CPU.count))
        }

        let passed = steps.filter(\.passed).count
        if json {
            print(JSONLine([("final", .bool(true)), ("passed", .int(passed)), ("steps", .int(steps.count))]).text)
        } else {
            print("\n\(passed)/\(steps.count) steps passed. Next on the roadmap: deep learning (Neural), NLP and retrieval.")
        }
        if passed != steps.count { throw ExitCode.failure }
    }
}
