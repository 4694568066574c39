// libFuzzer target: Learn.ModelFile.decode (what `swiftlearn learn predict --model-file` and
// ModelFile.load read). A model that decodes is then used on a small fixed matrix of each
// width 1…8 (a model checks the width and throws on a mismatch): predict for classifiers,
// regressors and predicting clusterers, probabilities / decision function when offered,
// transform (and inverse transform) for transformers.
//
// SWIFTLEARN_FUZZ_WRITE_SEEDS=DIR: fits a few small estimators of different families, writes
// their model files to DIR and exits (how the committed seed corpus was made).
import Foundation
import Learn

private let matrices: [Matrix] = (1...8).map { c in
    Matrix(rows: 3, columns: c, values: (0..<(3 * c)).map { Double($0 % 7) * 0.75 - 1.5 })
}

private func use(_ estimator: any Estimator) {
    _ = estimator.parameters
    for x in matrices {
        if let m = estimator as? any Classifier { _ = try? m.predict(x); _ = m.classes }
        if let m = estimator as? any ProbabilisticClassifier { _ = try? m.predictProbabilities(x) }
        if let m = estimator as? any DecisionFunctionClassifier { _ = try? m.decisionFunction(x) }
        if let m = estimator as? any Regressor { _ = try? m.predict(x) }
        if let m = estimator as? any PredictingClusterer { _ = try? m.predict(x) }
        if let m = estimator as? any Transformer, let t = try? m.transform(x) {
            if let inv = estimator as? any InvertibleTransformer { _ = try? inv.inverseTransform(t) }
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    guard let decoded = try? ModelFile.decode(data) else { return 0 }
    use(decoded.estimator)
    _ = try? ModelFile.encode(decoded.estimator, metadata: decoded.metadata)
    return 0
}

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    guard let dir = ProcessInfo.processInfo.environment["SWIFTLEARN_FUZZ_WRITE_SEEDS"] else { return 0 }
    // 12 samples, 3 features, 3 classes.
    var rows: [[Double]] = []
    for i in 0..<12 {
        let a: Double = Double(i % 3) + 0.1 * Double(i)
        let b: Double = Double((i * 7) % 5) - 2
        let c: Double = i % 2 == 0 ? 1.5 : -0.5
        rows.append([a, b, c])
    }
    let x = Matrix(rows)
    let yc: [Int] = (0..<12).map { $0 % 3 }
    let yr: [Double] = (0..<12).map { Double($0) * 0.5 - 1 }
    let models: [(String, [String: ParamValue])] = [
        ("logistic-regression", [:]), ("linear-regression", [:]), ("ridge", [:]),
        ("decision-tree", ["max_depth": .int(3)]), ("decision-tree-regressor", ["max_depth": .int(3)]),
        ("random-forest", ["n_estimators": .int(2), "max_depth": .int(2)]),
        ("hist-gradient-boosting-regressor", ["max_iter": .int(2)]),
        ("gaussian-nb", [:]), ("knn", ["n_neighbors": .int(3)]), ("svc", [:]), ("lda", [:]),
        ("kmeans", ["n_clusters": .int(2)]), ("gmm", ["n_components": .int(2)]),
        ("standard-scaler", [:]), ("pca", ["n_components": .int(2)]), ("one-hot-encoder", [:]),
        ("adaboost", ["n_estimators": .int(2)]),
    ]
    do {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, params) in models {
            let e = try ModelRegistry.make(name)
            for (k, v) in params { try e.setParameter(k, v) }
            if let m = e as? any Classifier { try m.fit(x, yc) }
            else if let m = e as? any Regressor { try m.fit(x, yr) }
            else if let m = e as? any Transformer { try m.fit(x, target: nil) }
            else if let m = e as? any Clusterer { try m.fit(x) }
            let data = try ModelFile.encode(e, metadata: ["features": "a,b,c", "target": "y"])
            _ = try ModelFile.decode(data)
            try data.write(to: URL(fileURLWithPath: "\(dir)/\(name).json"))
        }
    } catch { print("seed generation failed: \(error)"); exit(1) }
    print("wrote seeds to \(dir)")
    exit(0)
}
