import APIClient
import Datasets
import Foundation
import GRDB
import Learn
import RAG
import Retrieval
import SwiftLearnCore

/// Tools made from the library: a calculator, files under a root, read-only SQL, CSV
/// description and model fitting, collection search, RAG answers and saved-model predictions.
public enum BuiltinTools {
    struct Expression: Decodable, Sendable, DescribedArguments, ConstrainedArguments {
        static let fieldConstraints: [String: [String: JSONValue]] = ["expression": ["minLength": 1, "maxLength": 500]]
        var expression: String
        static let fieldDescriptions = ["expression": "Arithmetic such as (12 + 3) * 4 / 5, sqrt(2), 2^10, max(3, 7), ln(10)"]
    }

    /// `calculator`: evaluates arithmetic safely (``Calculator``).
    public static func calculator() -> any AgentTool {
        // The arguments type is fixed and decodes from placeholders, so this cannot throw.
        (try? FunctionTool(name: "calculator", description: "Evaluate an arithmetic expression and return the number.") { (a: Expression) in
            Calculator.format(try Calculator.evaluate(a.expression))
        })!
    }

    struct FilePath: Decodable, Sendable, DescribedArguments, ConstrainedArguments {
        static let fieldConstraints: [String: [String: JSONValue]] = ["path": ["minLength": 1, "maxLength": 300]]
        var path: String
        static let fieldDescriptions = ["path": "A path relative to the allowed folder"]
    }

    /// `read_file`: a text file under `root` (paths that leave it, through `..` or links, are
    /// refused), at most `maxBytes`.
    public static func readFile(root: URL, maxBytes: Int = 256 << 10) throws -> any AgentTool {
        let base = root.standardizedFileURL.resolvingSymlinksInPath()
        return try FunctionTool(name: "read_file", description: "Read a text file under \(base.lastPathComponent)/") { (a: FilePath) in
            let url = try resolve(a.path, under: base)
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
            guard size <= maxBytes else { throw AgentError.toolFailed(tool: "read_file", reason: "\(a.path) has \(size) bytes; the limit is \(maxBytes)") }
            return try readTextFile(url.path)
        }
    }

    /// `list_files`: the files under `root` (recursively, at most 500).
    public static func listFiles(root: URL) throws -> any AgentTool {
        let base = root.standardizedFileURL.resolvingSymlinksInPath()
        return try JSONTool(name: "list_files", description: "List the files under \(base.lastPathComponent)/",
                            parameters: ["type": "object", "properties": [:]]) { _ in
            guard let e = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey]) else { return "" }
            var names: [String] = []
            for case let url as URL in e where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                names.append(String(url.standardizedFileURL.path.dropFirst(base.path.count + 1)))
                if names.count == 500 { break }
            }
            return names.sorted().joined(separator: "\n")
        }
    }

    /// A path under `base`, or an error when it leaves it.
    static func resolve(_ path: String, under base: URL) throws -> URL {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\0") else {
            throw AgentError.invalidToolArguments(tool: "file", reason: "give a relative path under the allowed folder")
        }
        let url = base.appendingPathComponent(path).standardizedFileURL.resolvingSymlinksInPath()
        guard url.path == base.path || url.path.hasPrefix(base.path + "/") else {
            throw AgentError.invalidToolArguments(tool: "file", reason: "\(path) is outside the allowed folder")
        }
        guard FileManager.default.fileExists(atPath: url.path) else { throw AgentError.toolFailed(tool: "file", reason: "\(path) does not exist") }
        return url
    }

    struct SQL: Decodable, Sendable, DescribedArguments, ConstrainedArguments {
        static let fieldConstraints: [String: [String: JSONValue]] = ["query": ["minLength": 8, "maxLength": 1000]]
        var query: String
        static let fieldDescriptions = ["query": "One SELECT statement (SQLite dialect)"]
    }

    /// `sql_query`: one read-only statement over a SQLite file (the connection is read-only and
    /// `query_only`; at most `maxRows` rows are returned, as `a | b` lines under a header). The
    /// tables and their columns are in the description.
    public static func sqlQuery(database path: String, maxRows: Int = 50) throws -> any AgentTool {
        var configuration = Configuration()
        configuration.readonly = true
        let db: DatabaseQueue
        var schema = ""
        do {
            db = try DatabaseQueue(path: path, configuration: configuration)
            schema = try db.read { db in
                try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE type IN ('table', 'view') AND sql IS NOT NULL")
                    .joined(separator: "\n")
            }
        } catch {
            throw AgentError.invalidParameter(name: "database", value: path, reason: "cannot be opened read-only: \(error)")
        }
        let readOnly = configuration
        return try FunctionTool(name: "sql_query", description: "Run one read-only SQL SELECT over this SQLite database:\n\(schema.prefix(4000))") { (a: SQL) in
            let trimmed = a.query.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: ";")))
            let head = trimmed.prefix(6).lowercased()
            guard head.hasPrefix("select") || head.hasPrefix("with") else {
                throw AgentError.invalidToolArguments(tool: "sql_query", reason: "only SELECT (or WITH … SELECT) statements are allowed")
            }
            do {
                // A connection per call: calls of one turn run side by side (one queue would serialize them).
                let db = try DatabaseQueue(path: path, configuration: readOnly)
                return try db.read { db in
                    try db.execute(sql: "PRAGMA query_only = 1")
                    let statement = try db.makeStatement(sql: trimmed)
                    var lines = [statement.columnNames.joined(separator: " | ")]
                    let cursor = try Row.fetchCursor(statement)
                    var n = 0
                    while let row = try cursor.next() {
                        n += 1
                        if n > maxRows { lines.append("… (more rows; add LIMIT or aggregate)"); break }
                        lines.append(row.databaseValues.map { v in v.isNull ? "NULL" : "\(v.storage.value ?? "")" }.joined(separator: " | "))
                    }
                    return lines.joined(separator: "\n")
                }
            } catch let e as DatabaseError {
                throw AgentError.invalidToolArguments(tool: "sql_query", reason: e.message ?? "\(e)")
            } catch let e as AgentError {
                throw e
            } catch {
                throw AgentError.toolFailed(tool: "sql_query", reason: "\(error)")
            }
        }
    }

    struct CSVFile: Decodable, Sendable, DescribedArguments, ConstrainedArguments {
        static let fieldConstraints: [String: [String: JSONValue]] = ["path": ["minLength": 5, "maxLength": 300]]
        var path: String
        static let fieldDescriptions = ["path": "A CSV file under the allowed folder"]
    }

    /// `describe_csv`: rows, columns, and per column its kind, missing count and summary
    /// (mean/std/min/max, or the most frequent values).
    public static func describeCSV(root: URL) throws -> any AgentTool {
        let base = root.standardizedFileURL.resolvingSymlinksInPath()
        return try FunctionTool(name: "describe_csv", description: "Describe a CSV file: rows, columns, types, missing values, statistics") { (a: CSVFile) in
            let table = try CSVTable.read(path: try resolve(a.path, under: base).path)
            var lines = ["\(table.rowCount) rows, \(table.header.count) columns"]
            for (name, column) in zip(table.header, table.columns) {
                switch column {
                case .numeric(let v):
                    let x = v.filter { !$0.isNaN }
                    let mean = x.isEmpty ? .nan : x.reduce(0, +) / Double(x.count)
                    let sd = x.count < 2 ? 0 : (x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count - 1)).squareRoot()
                    lines.append("\(name): numeric, missing \(column.missingCount), mean \(formatNumber(mean)), std \(formatNumber(sd)), min \(formatNumber(x.min() ?? .nan)), max \(formatNumber(x.max() ?? .nan))")
                case .categorical(let v):
                    var counts: [String: Int] = [:]
                    for s in v.compactMap({ $0 }) { counts[s, default: 0] += 1 }
                    let top = counts.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.prefix(5)
                    lines.append("\(name): text, missing \(column.missingCount), \(counts.count) distinct, top: " + top.map { "\($0.key) (\($0.value))" }.joined(separator: ", "))
                }
            }
            return lines.joined(separator: "\n")
        }
    }

    struct Fit: Decodable, Sendable, DescribedArguments, ConstrainedArguments {
        static let fieldConstraints: [String: [String: JSONValue]] = ["path": ["minLength": 5, "maxLength": 300], "target": ["minLength": 1, "maxLength": 200]]
        var path: String
        var target: String
        var model: String?
        static let fieldDescriptions = ["path": "A CSV file under the allowed folder", "target": "The column to predict",
                                        "model": "An estimator name such as random-forest, logistic-regression, linear-regression (default: random-forest)"]
    }

    /// `fit_model`: fits an estimator on a CSV (categorical columns one-hot encoded, missing values
    /// filled), holding out a stratified 25 % (seed 0), and reports the test accuracy (classification)
    /// or R² (regression).
    public static func fitModel(root: URL) throws -> any AgentTool {
        let base = root.standardizedFileURL.resolvingSymlinksInPath()
        return try FunctionTool(name: "fit_model", description: "Fit a model on a CSV file and report its test-set score") { (a: Fit) in
            let table = try CSVTable.read(path: try resolve(a.path, under: base).path)
            let prep = try TabularPreparation(fitting: table, target: a.target)
            guard let task = prep.task else { throw AgentError.toolFailed(tool: "fit_model", reason: "cannot tell the task of '\(a.target)'") }
            var name = a.model ?? "random-forest"
            var estimator = try ModelRegistry.make(name)
            let wanted = task == .classification ? estimator is any Classifier : estimator is any Regressor
            if !wanted, let twin = ModelRegistry.familyTwin(of: name, regressor: task == .regression) {
                name = twin
                estimator = try ModelRegistry.make(twin)
            }
            if estimator.parameters["random_state"] != nil { try estimator.setParameter("random_state", .int(0)) }
            let x = try prep.features(table)
            if let clf = estimator as? any Classifier {
                let y = try prep.labels(table)
                let split = try trainTestSplit(count: table.rowCount, testSize: 0.25, stratify: y, randomState: 0)
                try clf.fit(x.rows(split.train), split.train.map { y[$0] })
                let accuracy = try Metrics.accuracy(split.test.map { y[$0] }, try clf.predict(x.rows(split.test)))
                return "\(name) on \(split.train.count) rows; test accuracy \(formatNumber(accuracy)) on \(split.test.count) rows"
            }
            guard let reg = estimator as? any Regressor else {
                throw AgentError.toolFailed(tool: "fit_model", reason: "\(name) is neither a classifier nor a regressor")
            }
            let y = try prep.values(table)
            let split = try trainTestSplit(count: table.rowCount, testSize: 0.25, randomState: 0)
            try reg.fit(x.rows(split.train), split.train.map { y[$0] })
            let r2 = try Metrics.r2Score(split.test.map { y[$0] }, try reg.predict(x.rows(split.test)))
            return "\(name) on \(split.train.count) rows; test R² \(formatNumber(r2)) on \(split.test.count) rows"
        }
    }

    struct Search: Decodable, Sendable, DescribedArguments, ConstrainedArguments {
        static let fieldConstraints: [String: [String: JSONValue]] = ["query": ["minLength": 3, "maxLength": 500]]
        var query: String
        var k: Int?
        static let fieldDescriptions = ["query": "What to look for", "k": "How many passages (default 4, at most 20)"]
    }

    /// `search_collection`: hybrid search over a collection; passages numbered with their source.
    public static func searchCollection(_ collection: DocumentCollection, name: String = "search_collection") throws -> any AgentTool {
        try FunctionTool(name: name, description: "Search the document collection and return the most relevant passages") { (a: Search) in
            let k = min(max(a.k ?? 4, 1), 20)
            let hits = try collection.query(a.query, k: k)
            if hits.isEmpty { return "No passage matches." }
            return hits.enumerated().map { i, h in "[\(i + 1)] (\(h.documentID)) \(h.text)" }.joined(separator: "\n\n")
        }
    }

    struct Question: Decodable, Sendable, DescribedArguments, ConstrainedArguments {
        static let fieldConstraints: [String: [String: JSONValue]] = ["question": ["minLength": 3, "maxLength": 1000]]
        var question: String
        static let fieldDescriptions = ["question": "The question to answer from the documents"]
    }

    /// `rag_answer`: answers a question from the indexed documents with numbered citations.
    public static func ragAnswer(_ pipeline: RAGPipeline) throws -> any AgentTool {
        try FunctionTool(name: "rag_answer", description: "Answer a question from the documents, citing sources") { (a: Question) in
            let answer = try await pipeline.answer(a.question)
            let sources = answer.citations.map { "[\($0.n)] \($0.source)" }
            return ([answer.answer] + sources).joined(separator: "\n")
        }
    }
}
