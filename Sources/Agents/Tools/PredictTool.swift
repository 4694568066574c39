import APIClient
import Foundation
import Serve

extension BuiltinTools {
    /// Most rows one `predict` call takes.
    public static let maxPredictRows = 1000

    /// `predict`: predictions of a model saved by `swiftlearn learn fit --save`, for rows given as
    /// objects of input column → value (numbers, or strings for categorical columns; null for a
    /// missing value). The rows are checked against the model's input schema and prepared as at
    /// fit time (``Serve/PredictService``). The result is JSON: `{"model", "predictions",
    /// "probabilities"?, "classes"?}`. The model's inputs, task and classes are in the description.
    /// - Throws: `LearnError.corruptModel` when the file cannot be read or holds no predicting
    ///   model with its column preparation; ``AgentError/invalidParameter(name:value:reason:)``
    ///   for a bad tool name.
    public static func predict(modelFile path: String, name: String = "predict") throws -> any AgentTool {
        let service = try PredictService(name: URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent, path: path)
        var columns: [String: JSONValue] = [:]
        var lines: [String] = []
        for c in service.schema {
            if let categories = c.categories {
                columns[c.name] = ["anyOf": [["type": "string"], ["type": "number"], ["type": "null"]]]
                lines.append("\(c.name) (text: \(categories.prefix(20).joined(separator: ", "))\(categories.count > 20 ? ", …" : ""))")
            } else {
                columns[c.name] = ["anyOf": [["type": "number"], ["type": "null"]]]
                lines.append("\(c.name) (number)")
            }
        }
        let info = try JSONValue.parse(service.info.serialized())
        var summary = "Predict with the saved model \(service.name) (\(info["kind"]?.stringValue ?? "model"), \(info["task"]?.stringValue ?? "prediction")"
        if let target = info["target"]?.stringValue { summary += " of \(target)" }
        if let classes = info["classes"]?.arrayValue?.compactMap(\.stringValue), !classes.isEmpty {
            summary += "; classes \(classes.prefix(20).joined(separator: ", "))"
        }
        summary += "). Inputs: " + lines.joined(separator: ", ") + ". Null marks a missing value."
        let parameters: JSONValue = [
            "type": "object", "additionalProperties": false, "required": ["rows"],
            "properties": ["rows": [
                "type": "array", "minItems": 1, "maxItems": .number(Double(maxPredictRows)),
                "description": "The rows to predict, each an object of input column to value",
                "items": ["type": "object", "additionalProperties": false, "required": .array(service.schema.map { .string($0.name) }),
                          "properties": .object(columns)],
            ]],
        ]
        return try JSONTool(name: name, description: summary, parameters: parameters) { arguments in
            guard let rows = arguments["rows"]?.arrayValue, !rows.isEmpty, rows.count <= maxPredictRows else {
                throw AgentError.invalidToolArguments(tool: name, reason: "give \"rows\": an array of 1 to \(maxPredictRows) objects")
            }
            let request = ServeRequest(method: "POST", path: "/v1/models/\(service.name)/predict", headers: ["content-type": "application/json"],
                                       body: Array(JSONValue.object(["instances": .array(rows)]).data))
            let response: ServeResponse
            do { response = try service.predict(request) } catch let e as APIError {
                throw AgentError.invalidToolArguments(tool: name, reason: e.message)
            }
            return String(decoding: response.bodyBytes ?? [], as: UTF8.self)
        }
    }
}
