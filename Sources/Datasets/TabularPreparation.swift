import Foundation
import Learn

/// How a CSV table becomes a feature matrix and a target for one model: learned on the training
/// file, saved in the model file, applied again to new files.
public struct TabularPreparation: Codable, Sendable {
    /// Target column name (nil for unsupervised use).
    public var target: String?
    /// Classification or regression.
    public var task: LearningTask?
    /// One-hot encoding of categorical columns, numeric columns passed through.
    public var encoder: TableEncoder
    /// Per-column means (of the training rows) that fill missing values; nil when the model
    /// takes NaN itself (histogram gradient boosting).
    public var fillValues: [Double]?
    /// Class names by label for classification.
    public var classNames: [String]?

    /// Learns the preparation from a training table: the encoder from its feature columns, the
    /// fill values (unless `fillMissing` is false, for models that take NaN), and for
    /// classification the class names (sorted).
    public init(fitting table: CSVTable, target: String?, task: LearningTask? = nil, fillMissing: Bool = true) throws {
        self.target = target
        try Self.checkFinite(table, except: target)
        let features = try target.map { try table.dropping([$0]) } ?? table
        encoder = try TableEncoder(fitting: features)
        let x = try encoder.transform(features)
        if !fillMissing {
            fillValues = nil
        } else {
            fillValues = (0..<x.columns).map { j in
                let present = x.column(j).filter { !$0.isNaN }
                return present.isEmpty ? 0 : present.reduce(0, +) / Double(present.count)
            }
        }
        if let target {
            let column = try table.column(target)
            let resolved = task ?? Datasets.inferTask(column)
            self.task = resolved
            if resolved == .classification {
                switch column {
                case .categorical(let v): classNames = Array(Set(v.compactMap { $0 })).sorted()
                case .numeric(let v):
                    if let i = v.firstIndex(where: { !$0.isFinite || $0 != $0.rounded() }) {
                        throw LearnError.invalidInput("\(table.location(ofRow: i)): target '\(target)' has \(v[i]); class labels must be integers or names (use --task regression for a numeric target)")
                    }
                    classNames = Array(Set(v)).sorted().map(formatNumber)
                }
            }
        }
    }

    /// The feature matrix of a table (the target column, when present, is ignored).
    public func features(_ table: CSVTable) throws -> Matrix {
        try Self.checkFinite(table, except: target)
        var x = try encoder.transform(table)
        if let fill = fillValues {
            for i in 0..<x.rows { for j in 0..<x.columns where x[i, j].isNaN { x[i, j] = fill[j] } }
        }
        return x
    }

    /// Class labels (indices into ``classNames``) of the target column.
    public func labels(_ table: CSVTable) throws -> [Int] {
        guard let target, let names = classNames else { throw LearnError.invalidInput("no classification target") }
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        let texts: [String?]
        switch try table.column(target) {
        case .categorical(let v): texts = v
        case .numeric(let v): texts = v.map { $0.isNaN ? nil : formatNumber($0) }
        }
        return try texts.enumerated().map { i, t in
            guard let t else { throw LearnError.invalidInput("\(table.location(ofRow: i)): target '\(target)' is missing") }
            guard let k = index[t] else {
                throw LearnError.unseenLabel("\(table.location(ofRow: i)): target '\(target)' has class '\(t)', not seen in training (classes: \(names.joined(separator: ", ")))")
            }
            return k
        }
    }

    /// Real-valued target of a table.
    public func values(_ table: CSVTable) throws -> [Double] {
        guard let target else { throw LearnError.invalidInput("no target") }
        guard case .numeric(let v) = try table.column(target) else {
            throw LearnError.invalidInput("target '\(target)' is not numeric, so it cannot be a regression target")
        }
        if let k = v.firstIndex(where: { $0.isNaN }) { throw LearnError.invalidInput("\(table.location(ofRow: k)): target '\(target)' is missing") }
        if let k = v.firstIndex(where: { $0.isInfinite }) {
            throw LearnError.invalidInput("\(table.location(ofRow: k)): target '\(target)' is \(v[k]), not a finite number")
        }
        return v
    }

    /// Throws for ±inf in a numeric column other than `target` (a value such as 1e400 reads as
    /// infinity, which no estimator can use), naming the file line and the column.
    static func checkFinite(_ table: CSVTable, except target: String?) throws {
        for (name, column) in zip(table.header, table.columns) where name != target {
            guard case .numeric(let v) = column, let i = v.firstIndex(where: { $0.isInfinite }) else { continue }
            throw LearnError.invalidInput("\(table.location(ofRow: i)), column '\(name)': \(v[i]) is not a finite number")
        }
    }
}


extension ModelFile {
    /// A model saved by `learn fit --save`, with the column preparation it was fitted with (kept
    /// in the file's `preparation` metadata) — what `learn predict`, `serve` and `monitor` load.
    /// - Throws: `LearnError.corruptModel` naming the file when it cannot be read, is not a model
    ///   file, or has no column preparation.
    public static func loadPrepared(path: String) throws -> (estimator: any Estimator, preparation: TabularPreparation) {
        let (estimator, metadata) = try load(path: path)
        guard let text = metadata["preparation"], let prep = try? JSONDecoder().decode(TabularPreparation.self, from: Data(text.utf8)) else {
            throw LearnError.corruptModel("\(path) has no column preparation (was it written by `learn fit --save`?)")
        }
        return (estimator, prep)
    }
}
