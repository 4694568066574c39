import Foundation
import Learn

/// What a dataset's target is.
public enum LearningTask: String, Codable, Sendable, CaseIterable {
    case classification, regression
}

/// A dataset ready for estimators: a feature matrix, a target, and their names.
///
/// scikit-learn's `Bunch` (`data`, `target`, `feature_names`, `target_names`).
public struct Dataset: Sendable {
    /// Short name (`"iris"`).
    public let name: String
    /// Samples × features, float64; categorical columns already one-hot encoded; missing values NaN.
    public let features: Matrix
    /// Names of the columns of ``features``.
    public let featureNames: [String]
    /// The target as numbers (class indices for classification).
    public let target: [Double]
    /// Name of the target column.
    public let targetName: String
    /// Class names, indexed by label, for classification; nil for regression.
    public let classNames: [String]?
    /// Classification or regression.
    public let task: LearningTask

    public init(name: String, features: Matrix, featureNames: [String], target: [Double], targetName: String,
                classNames: [String]?, task: LearningTask) {
        if features.rows != target.count || features.columns != featureNames.count {
            fatalError("Dataset: \(features.rows)×\(features.columns) features, \(target.count) targets and \(featureNames.count) feature names do not fit together")
        }
        self.name = name; self.features = features; self.featureNames = featureNames
        self.target = target; self.targetName = targetName; self.classNames = classNames; self.task = task
    }

    /// The target as integer class labels (classification).
    public var labels: [Int] { target.map { Int($0) } }

    /// Number of samples.
    public var count: Int { features.rows }

    /// The samples at `indices` as a new dataset.
    public func subset(_ indices: [Int]) -> Dataset {
        Dataset(name: name, features: features.rows(indices), featureNames: featureNames,
                target: indices.map { target[$0] }, targetName: targetName, classNames: classNames, task: task)
    }
}

/// The datasets bundled with SwiftLearn (provenance, licenses and SHA-256 in `Data/SOURCES.md`).
public enum BundledDataset: String, CaseIterable, Sendable {
    /// Fisher's iris: 150 flowers, 4 measurements, 3 species.
    case iris
    /// Wine recognition: 178 wines, 13 chemical measurements, 3 cultivars.
    case wine
    /// Wisconsin diagnostic breast cancer: 569 tumours, 30 features, malignant/benign.
    case breastCancer = "breast_cancer"
    /// Optical handwritten digits: 1,797 8×8 images (64 pixel intensities 0–16), 10 classes.
    case digits
    /// Diabetes progression: 442 patients, 10 scaled baseline variables, a disease measure one year on.
    case diabetes
    /// Palmer penguins: 344 penguins, numeric and categorical columns with missing values; target species.
    case penguins
    /// Diamonds: 53,940 diamonds, price from carat, cut, colour, clarity and dimensions.
    case diamonds

    /// Classification or regression.
    public var task: LearningTask {
        switch self {
        case .diabetes, .diamonds: return .regression
        default: return .classification
        }
    }

    /// The target column's name in the CSV file.
    public var targetColumn: String {
        switch self {
        case .penguins: return "species"
        case .diamonds: return "price"
        default: return "target"
        }
    }

    /// Class names by label for the sets whose file stores integer labels.
    var storedClassNames: [String]? {
        switch self {
        case .iris: return ["setosa", "versicolor", "virginica"]
        case .wine: return ["class_0", "class_1", "class_2"]
        case .breastCancer: return ["malignant", "benign"]
        case .digits: return (0...9).map(String.init)
        default: return nil
        }
    }

    /// Path of the bundled CSV file.
    public var path: String {
        get throws {
            guard let url = Bundle.module.url(forResource: "Data/\(rawValue)", withExtension: "csv") else {
                throw CSVError.unreadable(path: "\(rawValue).csv", reason: "bundled resource missing")
            }
            return url.path
        }
    }
}

/// Loaders for the bundled datasets.
///
/// ```swift
/// let iris = try Datasets.load(.iris)
/// iris.features.shape      // (rows: 150, columns: 4)
/// iris.classNames          // ["setosa", "versicolor", "virginica"]
/// ```
public enum Datasets {
    /// The raw table of a bundled dataset, as in its CSV file.
    public static func table(_ set: BundledDataset) throws -> CSVTable {
        try CSVTable.read(path: try set.path)
    }

    /// A bundled dataset as features and target: categorical feature columns one-hot encoded over
    /// their sorted categories, missing numeric values left as NaN, and a classification target
    /// mapped to class indices in sorted order of its values.
    public static func load(_ set: BundledDataset) throws -> Dataset {
        let table = try table(set)
        return try dataset(from: table, target: set.targetColumn, task: set.task, name: set.rawValue,
                           classNames: set.storedClassNames)
    }

    /// Builds a ``Dataset`` from any table: `target` names the target column; other columns become
    /// features (categorical ones one-hot encoded, a missing category giving all zeros; missing
    /// numbers stay NaN). Class labels become indices into the sorted distinct target values.
    /// `task` is inferred when nil: a categorical target, or an integer one with at most 20
    /// distinct values, is classification.
    public static func dataset(from table: CSVTable, target: String, task: LearningTask? = nil, name: String = "data",
                               classNames: [String]? = nil) throws -> Dataset {
        let prep = try TabularPreparation(fitting: table, target: target, task: task, fillMissing: false)
        let x = try prep.features(table)
        do {
            switch prep.task! {
            case .regression:
                return Dataset(name: name, features: x, featureNames: prep.encoder.outputNames, target: try prep.values(table),
                               targetName: target, classNames: nil, task: .regression)
            case .classification:
                return Dataset(name: name, features: x, featureNames: prep.encoder.outputNames,
                               target: try prep.labels(table).map(Double.init), targetName: target,
                               classNames: classNames ?? prep.classNames, task: .classification)
            }
        } catch LearnError.invalidInput(let message) {
            throw LearnError.invalidInput("\(name): \(message)")
        }
    }

    /// Classification for categorical targets and integer targets with ≤ 20 distinct values.
    public static func inferTask(_ column: CSVColumn) -> LearningTask {
        switch column {
        case .categorical: return .classification
        case .numeric(let v):
            let present = v.filter { !$0.isNaN }
            let integral = present.allSatisfy { $0 == $0.rounded() }
            return integral && Set(present).count <= 20 ? .classification : .regression
        }
    }
}

/// Turns a table into a numeric matrix: numeric columns pass through (NaN for missing),
/// categorical columns are one-hot encoded with the categories seen when fitting (sorted), and an
/// unseen or missing category encodes as all zeros (scikit-learn's `handle_unknown="ignore"`).
public struct TableEncoder: Codable, Sendable, Equatable {
    /// Input column names, in order.
    public let inputNames: [String]
    /// For each input column: nil when numeric, else its categories.
    public let categories: [[String]?]

    /// Learns the columns and categories of `table`.
    public init(fitting table: CSVTable) throws {
        inputNames = table.header
        categories = table.columns.map { c in
            if case .categorical(let v) = c { return Array(Set(v.compactMap { $0 })).sorted() }
            return nil
        }
    }

    /// Names of the output columns (`island=Biscoe` for one-hot columns).
    public var outputNames: [String] {
        zip(inputNames, categories).flatMap { name, cats in cats.map { $0.map { "\(name)=\($0)" } } ?? [name] }
    }

    /// Encodes a table with the same columns (by name, any order; extra columns are ignored).
    public func transform(_ table: CSVTable) throws -> Matrix {
        let width = outputNames.count
        var out = Matrix(rows: table.rowCount, columns: width)
        var offset = 0
        for (name, cats) in zip(inputNames, categories) {
            let col = try table.column(name)
            switch (col, cats) {
            case (.numeric(let v), nil):
                for i in 0..<v.count { out[i, offset] = v[i] }
                offset += 1
            case (.categorical(let v), let cats?):
                let index = Dictionary(uniqueKeysWithValues: cats.enumerated().map { ($1, $0) })
                for i in 0..<v.count { if let s = v[i], let k = index[s] { out[i, offset + k] = 1 } }
                offset += cats.count
            case (.numeric(let v), let cats?):
                // A column categorical at fit time but all-numeric here: match by text.
                let index = Dictionary(uniqueKeysWithValues: cats.enumerated().map { ($1, $0) })
                for i in 0..<v.count where !v[i].isNaN { if let k = index[formatNumber(v[i])] { out[i, offset + k] = 1 } }
                offset += cats.count
            case (.categorical(let v), nil):
                let k = v.firstIndex(where: { $0 != nil })!
                throw LearnError.invalidInput("column '\(name)' was numeric when fitted but has '\(v[k]!)' at row \(k + 1)")
            }
        }
        return out
    }
}
