import Foundation
import SwiftLearnCore

/// Every estimator by its kebab-case name: what the CLI's `--model` accepts and how model files
/// and nested estimators (ensembles, pipelines) are decoded.
public enum ModelRegistry {
    nonisolated(unsafe) private static var extra: [any Estimator.Type] = []
    private static let lock = NSLock()

    /// The estimators that ship with `Learn`.
    public static let builtIn: [any Estimator.Type] = [
        // Linear models
        LinearRegression.self, GradientDescentRegression.self, Ridge.self, RidgeCV.self, Lasso.self, ElasticNet.self,
        LogisticRegression.self, SGDClassifier.self, SGDRegressor.self,
        // Discriminant analysis, naive Bayes, SVM, neighbours
        LinearDiscriminantAnalysis.self, GaussianNB.self, MultinomialNB.self, BernoulliNB.self,
        SVC.self, SVR.self, KNeighborsClassifier.self, KNeighborsRegressor.self,
        // Trees and ensembles
        DecisionTreeClassifier.self, DecisionTreeRegressor.self, RandomForestClassifier.self, RandomForestRegressor.self,
        ExtraTreesClassifier.self, ExtraTreesRegressor.self, GradientBoostingClassifier.self, GradientBoostingRegressor.self,
        HistGradientBoostingClassifier.self, HistGradientBoostingRegressor.self, AdaBoostClassifier.self, AdaBoostRegressor.self,
        VotingClassifier.self, VotingRegressor.self, StackingClassifier.self, StackingRegressor.self,
        // Preprocessing, feature selection, composition
        StandardScaler.self, MinMaxScaler.self, RobustScaler.self, Normalizer.self, OneHotEncoder.self, OrdinalEncoder.self,
        SimpleImputer.self, PolynomialFeatures.self, SelectKBest.self, RFE.self, Pipeline.self,
        // Clustering, mixtures, decomposition, manifold learning
        KMeans.self, DBSCAN.self, AgglomerativeClustering.self, GaussianMixture.self, PCA.self, TruncatedSVD.self, TSNE.self,
    ]

    /// All known estimator types (built-in first).
    public static var all: [any Estimator.Type] {
        lock.lock(); defer { lock.unlock() }
        return builtIn + extra
    }

    /// Adds estimator types (your own, or for tests) so that ``type(named:)`` finds them.
    public static func register(_ types: [any Estimator.Type]) {
        lock.lock(); defer { lock.unlock() }
        for t in types where !extra.contains(where: { $0 == t }) && !builtIn.contains(where: { $0 == t }) { extra.append(t) }
    }

    /// Sorted names of every known estimator.
    public static var names: [String] { all.map { $0.modelName }.sorted() }

    /// The type for a name; throws ``LearnError/unknownModel(name:valid:)`` listing valid names.
    public static func type(named name: String) throws -> any Estimator.Type {
        guard let t = all.first(where: { $0.modelName == name }) else {
            throw LearnError.unknownModel(name: name, valid: names)
        }
        return t
    }

    /// A new estimator with default hyper-parameters.
    public static func make(_ name: String) throws -> any Estimator { try type(named: name).init() }

    /// The other member of `name`'s classifier/regressor family that is a regressor (`regressor`
    /// true) or a classifier: `random-forest` ↔ `random-forest-regressor`, `svc` ↔ `svr`,
    /// `sgd-classifier` ↔ `sgd-regressor`; nil when no such twin is registered. A scikit-learn user
    /// naming the family expects the estimator that fits the target.
    public static func familyTwin(of name: String, regressor: Bool) -> String? {
        let candidates: [String]
        if regressor {
            if name == "svc" { candidates = ["svr"] }
            else if name.hasSuffix("-classifier") { candidates = [String(name.dropLast("-classifier".count)) + "-regressor"] }
            else { candidates = [name + "-regressor"] }
        } else {
            if name == "svr" { candidates = ["svc"] }
            else if name.hasSuffix("-regressor") {
                let base = String(name.dropLast("-regressor".count))
                candidates = [base, base + "-classifier"]
            } else { candidates = [] }
        }
        return candidates.first { twin in
            guard let made = try? make(twin) else { return false }
            return regressor ? made is any Regressor : made is any Classifier
        }
    }
}

/// A type-erased estimator that encodes as `{"model": name, "state": …}`, for estimators that
/// hold other estimators of any type (voting, stacking, pipelines, AdaBoost's base estimator).
public struct EstimatorBox: Codable {
    /// The wrapped estimator.
    public let estimator: any Estimator

    public init(_ estimator: any Estimator) { self.estimator = estimator }

    private enum Keys: String, CodingKey { case model, state }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let name = try c.decode(String.self, forKey: .model)
        let type = try ModelRegistry.type(named: name)
        estimator = try Self.decode(type, from: c)
        // Every decoded estimator, at any depth, is checked before anything can use it.
        try DecodedModel.validate(estimator)
    }

    private static func decode<E: Estimator>(_ type: E.Type, from c: KeyedDecodingContainer<Keys>) throws -> any Estimator {
        try c.decode(E.self, forKey: .state)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(type(of: estimator).modelName, forKey: .model)
        try Self.encodeState(estimator, into: &c)
    }

    private static func encodeState<E: Estimator>(_ e: E, into c: inout KeyedEncodingContainer<Keys>) throws {
        try c.encode(e, forKey: .state)
    }
}

/// Saving and loading fitted estimators as JSON model files.
public enum ModelFile {
    /// Format version written into every file.
    public static let version = 1

    private struct Envelope: Codable {
        var format: String
        var version: Int
        var model: EstimatorBox
        var metadata: [String: String]
    }

    /// JSON bytes for a fitted estimator plus free-form metadata (feature names, task, …).
    public static func encode(_ estimator: any Estimator, metadata: [String: String] = [:]) throws -> Data {
        let enc = JSONEncoder()
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try enc.encode(Envelope(format: "swiftlearn-model", version: version, model: EstimatorBox(estimator), metadata: metadata))
    }

    /// Reads a model file's bytes; throws ``LearnError/corruptModel(_:)`` on anything unexpected.
    public static func decode(_ data: Data) throws -> (estimator: any Estimator, metadata: [String: String]) {
        let dec = JSONDecoder()
        dec.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let env: Envelope
        do { env = try dec.decode(Envelope.self, from: data) } catch let e as LearnError {
            throw e
        } catch let e as DecodingError {
            throw LearnError.corruptModel(DecodingErrorText.describe(e))
        } catch {
            throw LearnError.corruptModel("invalid contents")
        }
        guard env.format == "swiftlearn-model" else { throw LearnError.corruptModel("not a swiftlearn model file") }
        guard env.version <= version else { throw LearnError.corruptModel("format version \(env.version) is newer than this program's \(version)") }
        return (env.model.estimator, env.metadata)
    }

    /// Writes a model file atomically; a failed write throws an error naming the file and the reason.
    public static func save(_ estimator: any Estimator, metadata: [String: String] = [:], to path: String) throws {
        try writeFile(try encode(estimator, metadata: metadata), to: URL(fileURLWithPath: path))
    }

    /// Reads a model file; every error names the file.
    public static func load(path: String) throws -> (estimator: any Estimator, metadata: [String: String]) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw LearnError.corruptModel("cannot read \(path): \(readableReason(error))")
        }
        do { return try decode(data) } catch LearnError.corruptModel(let m) {
            throw LearnError.corruptModel("\(path): \(m)")
        } catch LearnError.unknownModel(let name, _) {
            throw LearnError.corruptModel("\(path): unknown model name '\(name)'")
        }
    }
}
