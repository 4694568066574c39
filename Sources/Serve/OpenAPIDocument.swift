import Foundation

/// `GET /openapi.json`: an OpenAPI 3.1 description of every route, with the request bodies'
/// main fields, so generic tools (schemathesis, client generators) can find their way.
enum OpenAPIDocument {
    static func object(_ properties: [(String, JSON)], required: [String] = []) -> JSON {
        var fields: [(key: String, value: JSON)] = [("type", .string("object")), ("properties", .object(properties.map { ($0.0, $0.1) }))]
        if !required.isEmpty { fields.append(("required", .array(required.map(JSON.string)))) }
        return .object(fields)
    }
    static func type(_ t: String) -> JSON { .object([("type", .string(t))]) }
    static let anyValue = JSON.object([])

    static let errorSchema = object([("error", object([("message", type("string")), ("type", type("string")),
                                                       ("param", .object([("type", .array([.string("string"), .string("null")]))])),
                                                       ("code", .object([("type", .array([.string("string"), .string("null")]))]))],
                                                      required: ["message", "type"]))], required: ["error"])

    static func requestBody(_ path: String) -> JSON? {
        let message = object([("role", .object([("type", .string("string")), ("enum", .array(["system", "developer", "user", "assistant", "tool"].map(JSON.string)))])),
                              ("content", anyValue)], required: ["role"])
        switch path {
        case "/v1/chat/completions":
            return object([("model", type("string")), ("messages", .object([("type", .string("array")), ("items", message), ("minItems", .int(1))])),
                           ("stream", type("boolean")), ("max_tokens", type("integer")), ("max_completion_tokens", type("integer")),
                           ("temperature", type("number")), ("top_p", type("number")), ("n", type("integer")), ("seed", type("integer")),
                           ("stop", anyValue), ("tools", type("array")), ("tool_choice", anyValue), ("response_format", type("object")),
                           ("logprobs", type("boolean")), ("top_logprobs", type("integer"))], required: ["model", "messages"])
        case "/v1/completions":
            return object([("model", type("string")), ("prompt", anyValue), ("max_tokens", type("integer")), ("stream", type("boolean")),
                           ("temperature", type("number")), ("n", type("integer")), ("echo", type("boolean")), ("logprobs", type("integer"))],
                          required: ["model", "prompt"])
        case "/v1/embeddings":
            return object([("model", type("string")), ("input", anyValue),
                           ("encoding_format", .object([("type", .string("string")), ("enum", .array([.string("float"), .string("base64")]))]))],
                          required: ["model", "input"])
        case "/v1/messages":
            return object([("model", type("string")), ("max_tokens", type("integer")), ("messages", type("array")), ("system", anyValue),
                           ("stream", type("boolean")), ("tools", type("array")), ("tool_choice", type("object"))], required: ["model", "max_tokens", "messages"])
        case "/v1/models/{name}/predict", "/invocations":
            return object([("columns", type("array")), ("data", type("array")), ("instances", type("array")), ("dataframe_split", type("object")),
                           ("dataframe_records", type("array")), ("inputs", anyValue)])
        default: return nil
        }
    }

    static func make(routes: [(method: String, path: String, summary: String)]) -> JSON {
        var paths: [(key: String, value: JSON)] = []
        for path in routes.map(\.path).reduce(into: [String](), { if !$0.contains($1) { $0.append($1) } }) {
            var operations: [(key: String, value: JSON)] = []
            for r in routes where r.path == path {
                var op: [(key: String, value: JSON)] = [("summary", .string(r.summary)),
                                                         ("operationId", .string(r.method.lowercased() + path.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "")))]
                if path.contains("{name}") {
                    op.append(("parameters", .array([.object([("name", .string("name")), ("in", .string("path")), ("required", .bool(true)), ("schema", type("string"))])])))
                }
                if let body = requestBody(path) {
                    var content: [(key: String, value: JSON)] = [("application/json", .object([("schema", body)]))]
                    if path.hasSuffix("predict") || path == "/invocations" { content.append(("text/csv", .object([("schema", type("string"))]))) }
                    op.append(("requestBody", .object([("required", .bool(true)), ("content", .object(content))])))
                }
                var responses: [(key: String, value: JSON)] = [("200", .object([("description", .string("OK"))]))]
                for code in ["400", "401", "404", "413", "429", "503"] where r.method == "POST" || code == "401" || code == "404" {
                    responses.append((code, .object([("description", .string("Error")), ("content", .object([("application/json", .object([("schema", errorSchema)]))]))])))
                }
                op.append(("responses", .object(responses)))
                operations.append((r.method.lowercased(), .object(op)))
            }
            paths.append((path, .object(operations)))
        }
        return .object([("openapi", .string("3.1.0")),
                         ("info", .object([("title", .string("SwiftLearn server")), ("version", .string("1"))])),
                         ("components", .object([("securitySchemes", .object([("bearer", .object([("type", .string("http")), ("scheme", .string("bearer"))]))]))])),
                         ("security", .array([.object([("bearer", .array([]))]), .object([])])),
                         ("paths", .object(paths))])
    }
}
