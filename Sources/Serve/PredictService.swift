import Datasets
import Foundation
import Learn

/// A model saved by `swiftlearn learn fit --save`, served for predictions. Rows come as JSON
/// (`{"columns", "data"}`, `{"instances"}`, MLflow's `dataframe_split` / `dataframe_records` /
/// `inputs`) or CSV, are checked against the model's input schema (each column's name and type),
/// and go through the same preparation as at fit time (one-hot encoding, missing-value fill).
public final class PredictService: @unchecked Sendable {
    // Safety: immutable after init; estimators' predict methods do not mutate the model.
    /// The id in routes (`/v1/models/NAME/predict`) and the model file it was loaded from.
    public let name: String
    public let path: String
    let estimator: any Estimator
    let preparation: TabularPreparation
    /// Most rows per request.
    public static let maxRows = 100_000

    /// Loads a model file.
    /// - Throws: `LearnError.corruptModel` naming the file when it cannot be read, is not a model
    ///   file, has no column preparation, or holds a model that does not predict.
    public init(name: String, path: String) throws {
        let (estimator, prep) = try ModelFile.loadPrepared(path: path)
        guard estimator is any Classifier || estimator is any Regressor else {
            throw LearnError.corruptModel("\(path) holds a \(type(of: estimator).modelName), which does not predict")
        }
        self.name = name; self.path = path; self.estimator = estimator; preparation = prep
    }

    /// Input columns: name and `number` or `string` (with its known categories).
    public var schema: [(name: String, type: String, categories: [String]?)] {
        zip(preparation.encoder.inputNames, preparation.encoder.categories).map { ($0, $1 == nil ? "number" : "string", $1) }
    }

    var isClassifier: Bool { estimator is any Classifier }

    /// The model's description for `GET /v1/models/{name}`.
    public var info: JSON {
        .object([("id", .string(name)), ("object", .string("model")), ("owned_by", .string("swiftlearn")),
                 ("kind", .string(type(of: estimator).modelName)), ("task", .string(isClassifier ? "classification" : "regression")),
                 ("target", preparation.target.map(JSON.string) ?? .null),
                 ("classes", preparation.classNames.map { .array($0.map(JSON.string)) } ?? .null),
                 ("inputs", .array(schema.map { c in
                     .object([("name", .string(c.name)), ("type", .string(c.type))] + (c.categories.map { [("categories", JSON.array($0.map(JSON.string)))] } ?? []))
                 }))])
    }

    // MARK: Reading rows

    /// Rows as named cells, from any accepted JSON shape; `param` locates errors.
    static func rows(_ body: JSON, mlflow: Bool) throws -> (columns: [String]?, rows: [[JSON]], records: [[(key: String, value: JSON)]]?) {
        let f = try JSONFields(body)
        if let split = try f.object("dataframe_split") { return try columnsAndData(split) }
        if f.raw("columns") != nil || f.raw("data") != nil { return try columnsAndData(f) }
        if let records = try f.array("dataframe_records") { return try recordList(records, param: "dataframe_records") }
        for key in ["instances", "inputs"] {
            guard let v = f.raw(key) else { continue }
            switch v {
            case .array(let items): return try recordList(items, param: key)
            case .object(let columns):
                // {"inputs": {"col": [v1, v2, …], …}}: a column-oriented table.
                var length: Int?
                var cols: [String] = [], data: [[JSON]] = []
                for (name, value) in columns {
                    let cells: [JSON]
                    if case .array(let items) = value { cells = items } else { cells = [value] }
                    if let n = length, n != cells.count {
                        throw APIError.invalid("'\(key).\(name)' has \(cells.count) values but earlier columns have \(n)", param: "\(key).\(name)")
                    }
                    length = cells.count
                    cols.append(name); data.append(cells)
                }
                let n = length ?? 0
                return (cols, (0..<n).map { i in data.map { $0[i] } }, nil)
            default: throw f.wrongType(key, v, "an array of rows or an object of columns")
            }
        }
        let expected = mlflow ? "'dataframe_split', 'dataframe_records', 'instances' or 'inputs'" : "'columns' and 'data', or 'instances'"
        throw APIError.invalid("no rows in the body: expected \(expected)", param: nil, code: "missing_required_parameter")
    }

    static func columnsAndData(_ f: JSONFields) throws -> (columns: [String]?, rows: [[JSON]], records: [[(key: String, value: JSON)]]?) {
        let columns = try f.strings("columns", limit: 100_000)
        guard let data = try f.array("data") else { throw APIError.invalid("'\(f.name("data"))' is required", param: f.name("data")) }
        let rows = try data.enumerated().map { i, row -> [JSON] in
            guard case .array(let cells) = row else { throw APIError.invalid("'\(f.name("data"))[\(i)]' must be an array, not \(row.kind)", param: "\(f.name("data"))[\(i)]") }
            if let columns, cells.count != columns.count {
                throw APIError.invalid("'\(f.name("data"))[\(i)]' has \(cells.count) values for \(columns.count) columns", param: "\(f.name("data"))[\(i)]")
            }
            return cells
        }
        return (columns, rows, nil)
    }

    static func recordList(_ items: [JSON], param: String) throws -> (columns: [String]?, rows: [[JSON]], records: [[(key: String, value: JSON)]]?) {
        if items.allSatisfy({ if case .object = $0 { return true } else { return false } }) {
            return (nil, [], items.map { if case .object(let p) = $0 { return p } else { return [] } })
        }
        let rows = try items.enumerated().map { i, row -> [JSON] in
            guard case .array(let cells) = row else { throw APIError.invalid("'\(param)[\(i)]' must be an object or an array, not \(row.kind)", param: "\(param)[\(i)]") }
            return cells
        }
        return (nil, rows, nil)
    }

    /// The table of a JSON body, with every cell checked against the schema.
    func table(json body: JSON, mlflow: Bool) throws -> CSVTable {
        let (columns, rows, records) = try Self.rows(body, mlflow: mlflow)
        let names = preparation.encoder.inputNames
        var cells: [[JSON]]   // per schema column, per row
        if let records {
            guard records.count <= Self.maxRows else { throw APIError.invalid("\(records.count) rows (at most \(Self.maxRows))") }
            cells = names.map { _ in [] }
            for (i, record) in records.enumerated() {
                let known = Set(names)
                if let extra = record.first(where: { !known.contains($0.key) && $0.key != preparation.target }) {
                    throw APIError.invalid("row \(i) has a field '\(extra.key)' the model does not take; its inputs are: \(names.joined(separator: ", "))", param: "\(i).\(extra.key)")
                }
                for (j, name) in names.enumerated() {
                    guard let v = record.first(where: { $0.key == name })?.value else {
                        throw APIError.invalid("row \(i) has no field '\(name)'", param: "\(i).\(name)", code: "missing_required_parameter")
                    }
                    cells[j].append(v)
                }
            }
        } else {
            guard rows.count <= Self.maxRows else { throw APIError.invalid("\(rows.count) rows (at most \(Self.maxRows))") }
            let order: [Int]
            if let columns {
                order = try names.map { name in
                    guard let k = columns.firstIndex(of: name) else {
                        throw APIError.invalid("column '\(name)' is missing; the model's inputs are: \(names.joined(separator: ", "))", param: "columns", code: "missing_required_parameter")
                    }
                    return k
                }
                let known = Set(names + [preparation.target].compactMap { $0 })
                if let extra = columns.first(where: { !known.contains($0) }) {
                    throw APIError.invalid("column '\(extra)' is not an input of the model; its inputs are: \(names.joined(separator: ", "))", param: "columns")
                }
            } else {
                order = Array(names.indices)
                if let bad = rows.firstIndex(where: { $0.count != names.count }) {
                    throw APIError.invalid("row \(bad) has \(rows[bad].count) values; the model takes \(names.count) (\(names.joined(separator: ", ")))", param: "\(bad)")
                }
            }
            cells = order.map { k in rows.map { $0[k] } }
        }
        var tableColumns: [CSVColumn] = []
        for (j, (name, cats)) in zip(names, preparation.encoder.categories).enumerated() {
            if cats == nil {
                tableColumns.append(.numeric(try cells[j].enumerated().map { i, v in
                    switch v {
                    case .null: return .nan
                    case .number(let t): if let d = Double(t), d.isFinite { return d }
                    default: break
                    }
                    throw APIError.invalid("row \(i), column '\(name)' must be a finite number or null, not \(v.kind)", param: "\(i).\(name)", code: "invalid_type")
                }))
            } else {
                tableColumns.append(.categorical(try cells[j].enumerated().map { i, v in
                    switch v {
                    case .null: return nil
                    case .string(let s): return s
                    case .number(let t): return Double(t).map(formatNumber) ?? t
                    case .bool(let b): return b ? "True" : "False"
                    default:
                        throw APIError.invalid("row \(i), column '\(name)' must be a string, not \(v.kind)", param: "\(i).\(name)", code: "invalid_type")
                    }
                }))
            }
        }
        do { return try CSVTable(header: names, columns: tableColumns) } catch {
            throw APIError.invalid("the rows do not make a table: \(error)")
        }
    }

    /// The table of a CSV body (a header row naming the input columns).
    func table(csv text: String) throws -> CSVTable {
        let table: CSVTable
        do { table = try CSVTable.parse(text, source: "body") } catch { throw APIError.invalid("the CSV body cannot be read: \(error)") }
        guard table.rowCount <= Self.maxRows else { throw APIError.invalid("\(table.rowCount) rows (at most \(Self.maxRows))") }
        for name in preparation.encoder.inputNames where !table.header.contains(name) {
            throw APIError.invalid("column '\(name)' is missing from the CSV header", param: "columns", code: "missing_required_parameter")
        }
        return table
    }

    // MARK: Predicting

    /// Predictions (class names or numbers) and, for probabilistic classifiers, probabilities.
    func predict(_ table: CSVTable) throws -> (predictions: [JSON], probabilities: [[Double]]?, classes: [String]?) {
        let x: Matrix
        do { x = try preparation.features(table) } catch { throw APIError.invalid("\(error)") }
        guard x.rows > 0 else { return ([], nil, nil) }
        do {
            if let clf = estimator as? any Classifier {
                let names = preparation.classNames ?? clf.classes.map(String.init)
                let labels = try clf.predict(x)
                var probabilities: [[Double]]?
                if let p = estimator as? any ProbabilisticClassifier {
                    let m = try p.predictProbabilities(x)
                    probabilities = (0..<m.rows).map { i in (0..<m.columns).map { m[i, $0] } }
                }
                return (labels.map { .string(names[$0]) }, probabilities, clf.classes.map { names[$0] })
            }
            if let reg = estimator as? any Regressor { return (try reg.predict(x).map(JSON.double), nil, nil) }
        } catch let e as APIError { throw e } catch {
            throw APIError.invalid("prediction failed: \(error)")
        }
        throw APIError.internal("the model does not predict")
    }

    func table(of request: ServeRequest, mlflow: Bool) throws -> CSVTable {
        let type = (request.headers["content-type"] ?? "application/json").lowercased()
        if type.hasPrefix("text/csv") {
            guard let text = String(validating: request.body, as: UTF8.self) else { throw APIError.invalid("the CSV body is not UTF-8 text") }
            return try table(csv: text)
        }
        guard type.hasPrefix("application/json") || type.hasPrefix("*/*") || type.isEmpty else {
            throw APIError.unsupportedMediaType(type, expected: "application/json or text/csv")
        }
        return try table(json: try JSON.parse(request.body), mlflow: mlflow)
    }

    /// `POST /v1/models/{name}/predict`: `{"model", "predictions", "probabilities"?, "classes"?}`.
    public func predict(_ request: ServeRequest) throws -> ServeResponse {
        let (predictions, probabilities, classes) = try predict(try table(of: request, mlflow: false))
        var fields: [(key: String, value: JSON)] = [("model", .string(name)), ("predictions", .array(predictions))]
        if let probabilities { fields.append(("probabilities", .array(probabilities.map { .array($0.map(JSON.double)) }))) }
        if let classes { fields.append(("classes", .array(classes.map(JSON.string)))) }
        return .json(.object(fields))
    }

    /// `POST /invocations` (MLflow's scoring protocol): `{"predictions": […]}`.
    public func invocations(_ request: ServeRequest) throws -> ServeResponse {
        let (predictions, _, _) = try predict(try table(of: request, mlflow: true))
        return .json(.object([("predictions", .array(predictions))]))
    }
}
