import Foundation
import Serve

extension CheckpointRegistry {
    /// Checkpoint projects of the deployment unit.
    public static let serving: [Checkpoint] = [
        Checkpoint("serve-a-model", "Serve a saved model behind a validated REST API",
                   topics: ["model-serving-api"],
                   criterion: "a random forest saved with its column preparation, served as `swiftlearn serve` serves it, answers every held-out penguin exactly as the model itself does in all four request formats (columns+data, instances, MLflow dataframe_split, CSV), and refuses a wrong-typed cell, a missing column and an unknown model with a 4xx naming the problem") { ctx in
            let served = try ServedForest(randomState: ctx.randomState)
            defer { served.remove() }
            let direct = JSON.array(try served.direct().map(JSON.string))
            let table = try served.columnsAndData()
            guard case .array(let columns)? = table["columns"], case .array(let rows)? = table["data"] else {
                return DemoOutcome(passed: false, result: "could not build the request rows")
            }
            let records = JSON.array(rows.map { row -> JSON in
                guard case .array(let cells) = row else { return .null }
                return .object(zip(columns, cells).map { ($0.0.stringValue ?? "", $0.1) })
            })
            let csv = ([columns.compactMap(\.stringValue).joined(separator: ",")] + rows.map { row -> String in
                guard case .array(let cells) = row else { return "" }
                return cells.map { c -> String in if case .string(let s) = c { return s }; if case .null = c { return "" }; return c.serialized() }.joined(separator: ",")
            }).joined(separator: "\n") + "\n"
            let app = served.app
            let answers = try blocking {
                [await serveCall(app, "POST", "/v1/models/penguins/predict", json: table),
                 await serveCall(app, "POST", "/v1/models/penguins/predict", json: .object([("instances", records)])),
                 await serveCall(app, "POST", "/invocations", json: .object([("dataframe_split", table)])),
                 await serveCall(app, "POST", "/v1/models/penguins/predict", text: csv, contentType: "text/csv")]
            }
            let formats = ["columns+data", "instances", "MLflow dataframe_split", "CSV"]
            var lines: [String] = []
            var exact = 0
            for (name, a) in zip(formats, answers) {
                let same = a.status == 200 && a.body?["predictions"] == direct
                if same { exact += 1 }
                lines.append("\(name): \(a.status), \(same ? "all \(rows.count) predictions equal the model's" : "differs: \(a.raw.prefix(200))")")
            }
            var wrongType = try served.columnsAndData(rows: 0..<1)
            if case .array(var data)? = wrongType["data"], case .array(var cells) = data[0],
               let k = served.service.schema.firstIndex(where: { $0.type == "number" }) {
                cells[k] = .string("heavy"); data[0] = .array(cells); wrongType.set("data", .array(data))
            }
            let numeric = served.service.schema.first { $0.type == "number" }?.name ?? ""
            let missing = JSON.object([("columns", .array(Array(columns.dropFirst()))), ("data", .array([]))])
            let wrong = wrongType
            let refusals = try blocking {
                [await serveCall(app, "POST", "/v1/models/penguins/predict", json: wrong),
                 await serveCall(app, "POST", "/v1/models/penguins/predict", json: missing),
                 await serveCall(app, "POST", "/v1/models/nope/predict", json: table)]
            }
            let expectations: [(String, Int, String)] = [("wrong-typed cell", 400, numeric), ("missing column", 400, columns.first?.stringValue ?? ""),
                                                         ("unknown model", 404, "nope")]
            var refused = 0
            for ((name, status, mention), r) in zip(expectations, refusals) {
                let message = r.body?["error"]?["message"]?.stringValue ?? ""
                let ok = r.status == status && message.contains(mention)
                if ok { refused += 1 }
                lines.append("\(name): \(r.status) — \(message)")
            }
            let score = Double(exact + refused) / Double(formats.count + expectations.count)
            return DemoOutcome(passed: exact == formats.count && refused == expectations.count, result: lines.joined(separator: "\n"),
                               metrics: [("checks_passed", score)])
        },
    ]
}
