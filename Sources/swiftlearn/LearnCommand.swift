import ArgumentParser
import Foundation
import SwiftLearn
import SwiftLearnCore

/// `swiftlearn learn …`: scikit-learn's estimators on CSV files, without writing Swift.
struct LearnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learn",
        abstract: "Fit, evaluate, save and apply classical ML models on CSV files.",
        subcommands: [LearnFit.self, LearnPredict.self, LearnCluster.self, LearnReduce.self, LearnModels.self]
    )
}

/// Options shared by the subcommands that build an estimator by name.
struct ModelOptions: ParsableArguments {
    @Option(help: "Estimator name in kebab-case (see `swiftlearn learn models`).") var model: String
    @Option(name: .customLong("set"), help: ArgumentHelp("A hyper-parameter by its scikit-learn name, key=value (repeatable).", valueName: "key=value"))
    var settings: [String] = []
    @Option(help: "Random seed, passed as random_state to models that have one.") var seed: Int?

    /// The estimator with `--set` and `--seed` applied (`name` instead of `--model` when given);
    /// errors list valid names.
    func makeEstimator(named name: String? = nil) throws -> any Estimator {
        // The one-time BLAS-vs-native GEMM calibration happens here, not inside a timed fit.
        _ = BLAS.backendName(for: .float64)
        let estimator = try ModelRegistry.make(name ?? model)
        for s in settings {
            guard let eq = s.firstIndex(of: "="), eq != s.startIndex else {
                throw ValidationError("--set takes key=value, got '\(s)'")
            }
            let key = String(s[..<eq]), value = String(s[s.index(after: eq)...])
            try estimator.setParameter(key, ParamValue.parse(value))
        }
        if let seed, estimator.parameters["random_state"] != nil,
           !settings.contains(where: { $0.hasPrefix("random_state=") }) {
            try estimator.setParameter("random_state", .int(seed))
        }
        return estimator
    }
}

/// Estimators that take NaN features directly (missing values are not filled for them).
let nanTolerantModels: Set<String> = ["hist-gradient-boosting", "hist-gradient-boosting-regressor"]

/// Seconds taken by `body`.
func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let start = DispatchTime.now().uptimeNanoseconds
    let r = try body()
    return (r, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}

/// Runs `body`, naming `path` in a CSV error it throws (a missing column, a bad value): the table
/// no longer knows its file once read.
func naming<T>(_ path: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as CSVError {
        if case .inFile = e { throw e }
        throw CSVError.inFile(path: path, error: e)
    }
}

/// Reads a CSV file for the CLI.
func readTable(_ path: String) throws -> CSVTable {
    let t = try CSVTable.read(path: path)
    guard t.rowCount > 0 else { throw LearnError.invalidInput("\(path) has a header but no rows") }
    return t
}

/// A CSV file's rows as features for an unsupervised model (the `leavingOut` column dropped;
/// categorical columns one-hot encoded, missing numbers filled with column means).
func unsupervisedFeatures(_ path: String, leavingOut target: String?) throws -> (CSVTable, Matrix) {
    let table = try readTable(path)
    return try naming(path) {
        let features = try target.map { try table.dropping([$0]) } ?? table
        return (table, try TabularPreparation(fitting: features, target: nil).features(features))
    }
}

/// Writes a table as a CSV file, atomically.
func writeCSV(_ table: CSVTable, to path: String) throws {
    try writeFile(Data(table.csvText().utf8), to: URL(fileURLWithPath: path))
}

/// Prints result fields as one JSON line, or as aligned `key value` lines.
func printFields(_ fields: [(String, JSONValue)], json: Bool) {
    if json { print(JSONLine(fields).text); return }
    let width = fields.map(\.0.count).max() ?? 0
    for (k, v) in fields { print("\(k.padding(toLength: width + 2, withPad: " ", startingAt: 0))\(v)") }
}

/// Scores for ROC AUC of a binary classifier: P(class 1), else the decision function.
func positiveScores(_ model: any Classifier, _ x: Matrix) -> [Double]? {
    if let p = model as? any ProbabilisticClassifier, let probs = try? p.predictProbabilities(x), probs.columns == 2 {
        return probs.column(1)
    }
    if let d = model as? any DecisionFunctionClassifier, let f = try? d.decisionFunction(x), f.columns == 1 {
        return f.column(0)
    }
    return nil
}

/// Test-set metrics for a fitted supervised model.
func evaluate(_ model: any Estimator, prep: TabularPreparation, x: Matrix, table: CSVTable) throws -> ([(String, JSONValue)], Double) {
    if let clf = model as? any Classifier {
        let y = try prep.labels(table)
        let (pred, seconds) = try timed { try clf.predict(x) }
        var fields: [(String, JSONValue)] = [
            ("accuracy", .double(try Metrics.accuracy(y, pred))),
            ("f1_macro", .double(try Metrics.f1(y, pred, average: .macro))),
        ]
        if prep.classNames?.count == 2, let s = positiveScores(clf, x), Set(y).count == 2 {
            fields.append(("roc_auc", .double(try Metrics.rocAUC(y, s))))
        }
        return (fields, seconds)
    }
    let reg = model as! any Regressor
    let y = try prep.values(table)
    let (pred, seconds) = try timed { try reg.predict(x) }
    return ([("r2", .double(try Metrics.r2Score(y, pred))),
             ("rmse", .double(try Metrics.rootMeanSquaredError(y, pred))),
             ("mae", .double(try Metrics.meanAbsoluteError(y, pred)))], seconds)
}

struct LearnFit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit a model on a training CSV and report test metrics.",
        discussion: """
        Categorical columns are one-hot encoded; missing numeric values are filled with training \
        means (histogram gradient boosting takes them as they are). The task is inferred from the \
        target: text, or integers with at most 20 distinct values, mean classification. Without \
        --test, a stratified 25% of the training rows (chosen with --seed, default 0) is held out.
        """
    )

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Training CSV file (with a header row).") var train: String
    @Option(help: "Target column name.") var target: String
    @Option(help: "Test CSV file with the same columns.") var test: String?
    @Option(help: "classification or regression (inferred when omitted).") var task: LearningTask?
    @Option(help: "Write the fitted model (with its column encoding) to this file.") var save: String?
    @Flag(help: "Print one JSON object.") var json = false
    @OptionGroup var tracking: TrackingOptions

    func run() throws {
        _ = try modelOptions.makeEstimator()  // a bad model or setting fails before a run is tracked
        var params: [(String, String)] = [("model", modelOptions.model), ("train", train), ("target", target)]
        params += try parseSettings(modelOptions.settings).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        if let seed = modelOptions.seed { params.append(("random_state", String(seed))) }
        if let test { params.append(("test", test)) }
        let tracked = try tracking.start(defaultExperiment: "learn-\(modelOptions.model)", params: params)
        try TrackedCommandRun.around(tracked) { try fit(tracked) }
    }

    private func fit(_ tracked: TrackedCommandRun?) throws {
        var estimator = try modelOptions.makeEstimator()
        var name = modelOptions.model
        var trainTable = try readTable(train)
        var testTable: CSVTable
        var heldOut = false
        if let test { testTable = try readTable(test) } else {
            let column = try naming(train) { try trainTable.column(target) }
            let strata: [Int]? = (task ?? Datasets.inferTask(column)) == .classification ? try categoryCodes(column) : nil
            let split = try trainTestSplit(count: trainTable.rowCount, testSize: 0.25, stratify: strata, randomState: modelOptions.seed ?? 0)
            testTable = trainTable.rows(split.test)
            trainTable = trainTable.rows(split.train)
            heldOut = true
        }
        let prep = try naming(train) { try TabularPreparation(fitting: trainTable, target: target, task: task, fillMissing: !nanTolerantModels.contains(name)) }
        let xTrain = try naming(train) { try prep.features(trainTable) }, xTest = try naming(test ?? train) { try prep.features(testTable) }
        guard let resolvedTask = prep.task else { throw ValidationError("cannot tell the task of target '\(target)'; pass --task") }
        let rightKind = resolvedTask == .classification ? estimator is any Classifier : estimator is any Regressor
        var requested: String? = nil
        if !rightKind, let twin = ModelRegistry.familyTwin(of: name, regressor: resolvedTask == .regression) {
            requested = name
            name = twin
            estimator = try modelOptions.makeEstimator(named: twin)
        }
        let fitSeconds: Double
        switch resolvedTask {
        case .classification:
            guard let clf = estimator as? any Classifier else {
                throw ValidationError("'\(name)' is not a classifier, and target '\(target)' looks like classification; pass --task regression or choose a classifier (see `swiftlearn learn models`)")
            }
            let y = try prep.labels(trainTable)
            fitSeconds = try timed { try clf.fit(xTrain, y) }.1
        case .regression:
            guard let reg = estimator as? any Regressor else {
                throw ValidationError("'\(name)' is not a regressor, and target '\(target)' is a regression target; choose a regressor or pass --task classification")
            }
            let y = try prep.values(trainTable)
            fitSeconds = try timed { try reg.fit(xTrain, y) }.1
        }
        let (metrics, predictSeconds) = try evaluate(estimator, prep: prep, x: xTest, table: testTable)
        if let save {
            let prepJSON = String(decoding: try JSONEncoder().encode(prep), as: UTF8.self)
            try ModelFile.save(estimator, metadata: ["preparation": prepJSON, "trained_on": train], to: save)
        }
        var fields: [(String, JSONValue)] = [
            ("model", .string(name)), ("task", .string(resolvedTask.rawValue)),
            ("n_train", .int(xTrain.rows)), ("n_test", .int(xTest.rows)), ("n_features", .int(xTrain.columns)),
            ("fit_seconds", .double(fitSeconds)), ("predict_seconds", .double(predictSeconds)),
        ] + metrics
        if let requested { fields.append(("requested_model", .string(requested))) }
        if heldOut { fields.append(("test", .string("held-out 25% of --train"))) }
        if let tracked {
            tracked.metrics(fields.compactMap { key, value in
                switch value {
                case .double(let d): return (key, d)
                case .int(let i): return (key, Double(i))
                case .raw(let r): return Double(r).map { (key, $0) }
                default: return nil
                }
            })
            tracked.tags([("task", resolvedTask.rawValue)] + (requested.map { [("requested_model", $0), ("fitted_model", name)] } ?? []))
            if let save { tracked.artifact(save) }
        }
        if let save { fields.append(("saved", .string(save))) }
        if json { print(JSONLine(fields).text) } else {
            print("\(name) on \(train) (\(resolvedTask.rawValue), \(xTrain.rows) training rows, \(xTrain.columns) features)")
            for (k, v) in fields.dropFirst(2) { print("  \(k.padding(toLength: 16, withPad: " ", startingAt: 0)) \(v)") }
        }
    }
}

/// A model's predictions as a column: class names for a classifier, numbers for a regressor.
/// - Throws: `LearnError.corruptModel` naming `file` when the model does not predict.
func predictionColumn(_ estimator: any Estimator, _ prep: TabularPreparation, _ x: Matrix, file: String) throws -> CSVColumn {
    if let clf = estimator as? any Classifier {
        let names = prep.classNames ?? clf.classes.map(String.init)
        return .categorical(try clf.predict(x).map { names[$0] })
    }
    if let reg = estimator as? any Regressor { return .numeric(try reg.predict(x)) }
    throw LearnError.corruptModel("\(file) holds a \(type(of: estimator).modelName), which does not predict")
}

/// Integer codes of a column's values (sorted distinct values → 0, 1, …), for stratification.
func categoryCodes(_ column: CSVColumn) throws -> [Int] {
    switch column {
    case .categorical(let v):
        let names = Array(Set(v.map { $0 ?? "" })).sorted()
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        return v.map { index[$0 ?? ""]! }
    case .numeric(let v):
        let values = Array(Set(v.map { $0.isNaN ? -Double.infinity : $0 })).sorted()
        let index = Dictionary(uniqueKeysWithValues: values.enumerated().map { ($1, $0) })
        return v.map { index[$0.isNaN ? -Double.infinity : $0]! }
    }
}

struct LearnPredict: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Apply a saved model to a CSV file; writes a prediction column (and class probabilities)."
    )

    @Option(help: "A model file written by `learn fit --save`.") var modelFile: String
    @Option(help: "CSV file with the training columns (the target column may be present; it is ignored).") var data: String
    @Option(help: "Write predictions here as CSV (default: standard output).") var output: String?

    func run() throws {
        let (estimator, prep) = try ModelFile.loadPrepared(path: modelFile)
        let table = try readTable(data)
        let x = try naming(data) { try prep.features(table) }
        var header = ["prediction"]
        var columns = [try predictionColumn(estimator, prep, x, file: modelFile)]
        if let clf = estimator as? any Classifier, let p = estimator as? any ProbabilisticClassifier, let probs = try? p.predictProbabilities(x) {
            let names = prep.classNames ?? clf.classes.map(String.init)
            for (k, c) in clf.classes.enumerated() {
                header.append("probability_\(names[c])")
                columns.append(.numeric(probs.column(k)))
            }
        }
        let predictions = try CSVTable(header: header, columns: columns)
        if let output {
            try writeCSV(predictions, to: output)
            print("wrote \(x.rows) predictions to \(output)")
        } else {
            print(predictions.csvText(), terminator: "")
        }
    }
}

struct LearnCluster: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Cluster the rows of a CSV file and report cluster quality."
    )

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "CSV file to cluster.") var data: String
    @Option(help: "A label column: left out of the features and compared with the clusters (adjusted Rand index).") var target: String?
    @Option(help: "Write each row's cluster label to this CSV file.") var output: String?
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let estimator = try modelOptions.makeEstimator()
        guard let clusterer = estimator as? any Clusterer else {
            throw ValidationError("'\(modelOptions.model)' is not a clustering model (see `swiftlearn learn models`)")
        }
        let (table, x) = try unsupervisedFeatures(data, leavingOut: target)
        let seconds = try timed { try clusterer.fit(x) }.1
        let labels = clusterer.labels
        let clusters = Set(labels.filter { $0 >= 0 }).count
        var fields: [(String, JSONValue)] = [("model", .string(modelOptions.model)), ("n_samples", .int(x.rows)),
                                             ("n_clusters", .int(clusters)), ("fit_seconds", .double(seconds))]
        if labels.contains(-1) { fields.append(("n_noise", .int(labels.filter { $0 == -1 }.count))) }
        if Set(labels).count >= 2 && Set(labels).count < x.rows {
            fields.append(("silhouette", .double(try ClusterMetrics.silhouetteScore(x, labels))))
        }
        if let km = estimator as? KMeans { fields.append(("inertia", .double(km.inertia))) }
        if let target { fields.append(("adjusted_rand", .double(try ClusterMetrics.adjustedRandIndex(try categoryCodes(try table.column(target)), labels)))) }
        if let output {
            try writeCSV(try CSVTable(header: ["cluster"], columns: [.numeric(labels.map(Double.init))]), to: output)
            fields.append(("output", .string(output)))
        }
        printFields(fields, json: json)
    }
}

struct LearnReduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reduce",
        abstract: "Project the rows of a CSV file to fewer dimensions (PCA, truncated SVD, t-SNE)."
    )

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "CSV file to reduce.") var data: String
    @Option(help: "A label column: left out of the features and copied to the output.") var target: String?
    @Option(help: "Write the projected rows to this CSV file.") var output: String
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        let estimator = try modelOptions.makeEstimator()
        guard let transformer = estimator as? any Transformer else {
            throw ValidationError("'\(modelOptions.model)' does not transform data; use pca, truncated-svd or tsne")
        }
        let (table, x) = try unsupervisedFeatures(data, leavingOut: target)
        let (z, seconds) = try timed { try transformer.fitTransform(x) }
        var header = (0..<z.columns).map { "component_\($0 + 1)" }
        var columns = (0..<z.columns).map { CSVColumn.numeric(z.column($0)) }
        if let target { header.append(target); columns.append(try table.column(target)) }
        try writeCSV(try CSVTable(header: header, columns: columns), to: output)
        var fields: [(String, JSONValue)] = [("model", .string(modelOptions.model)), ("n_samples", .int(x.rows)),
                                             ("n_features", .int(x.columns)), ("n_components", .int(z.columns)),
                                             ("fit_seconds", .double(seconds)), ("output", .string(output))]
        if let pca = estimator as? PCA {
            fields.append(("explained_variance_ratio", .array(pca.explainedVarianceRatio.map { .double($0) })))
        }
        printFields(fields, json: json)
    }
}

struct LearnModels: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "models", abstract: "List the estimators and their hyper-parameters.")
    @Flag(help: "One JSON object per line.") var json = false

    func run() {
        for type in ModelRegistry.all.sorted(by: { $0.modelName < $1.modelName }) {
            let e = type.init()
            let kind = e is any Classifier ? "classifier" : e is any Regressor ? "regressor" : e is any Clusterer ? "clustering" : "transformer"
            let params = e.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            if json {
                print(JSONLine([("name", .string(type.modelName)), ("kind", .string(kind)), ("parameters", .string(params))]).text)
            } else {
                print("\(type.modelName.padding(toLength: 34, withPad: " ", startingAt: 0)) \(kind.padding(toLength: 12, withPad: " ", startingAt: 0)) \(params)")
            }
        }
    }
}

extension LearningTask: ExpressibleByArgument {}
