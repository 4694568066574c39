import Foundation
import LLM

/// Runs blocking work (a forward pass) off the server's event loops and Swift's cooperative
/// threads, one item at a time, with a bounded number waiting.
final class SerialWorker: @unchecked Sendable {
    // Safety: `pending` is guarded by `lock`; `queue` is a serial DispatchQueue.
    private let queue: DispatchQueue
    private let lock = NSLock()
    private var pending = 0
    let limit: Int

    init(label: String, limit: Int) {
        queue = DispatchQueue(label: label)
        self.limit = limit
    }

    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        let admitted: Int? = lock.withLock {
            guard pending < limit else { return nil }
            pending += 1
            return pending
        }
        guard admitted != nil else { throw APIError.overloaded(queue: limit, retryAfter: 1) }
        defer { lock.withLock { pending -= 1 } }
        return try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}

/// A sentence-embedding model behind OpenAI's `POST /v1/embeddings`.
public final class EmbeddingService: Sendable {
    /// The id clients name in `model` (the model folder's name).
    public let name: String
    let encoder: BertEncoder
    let worker: SerialWorker
    /// Most inputs per request (OpenAI's limit).
    public static let maxInputs = 2048

    public init(name: String, encoder: BertEncoder, maxQueue: Int) {
        self.name = name; self.encoder = encoder
        worker = SerialWorker(label: "swiftlearn-embeddings", limit: max(1, maxQueue))
    }

    /// Whether `model` names this model.
    public func serves(_ model: String) -> Bool { model == name }

    /// `POST /v1/embeddings`: `input` is a string, a list of strings, a list of token ids or a
    /// list of such lists; `encoding_format` is `float` or `base64` (little-endian float32, what
    /// the official client asks for by default).
    public func embeddings(_ body: JSON) async throws -> ServeResponse {
        let f = try JSONFields(body)
        guard let model = try f.string("model") else { throw APIError.invalid("'model' is required", param: "model", code: "missing_required_parameter") }
        guard serves(model) else {
            throw APIError.notFound("The model '\(model)' does not exist (this server embeds with '\(name)')", param: "model", code: "model_not_found")
        }
        guard let input = f.raw("input") else { throw APIError.invalid("'input' is required", param: "input", code: "missing_required_parameter") }
        let maxLength = self.encoder.maxSequenceLength
        var sequences: [[Int]]
        switch input {
        case .string(let s): sequences = [self.encoder.tokenize(s)]
        case .array(let items) where items.isEmpty:
            throw APIError.invalid("'input' must not be empty", param: "input", code: "invalid_value")
        case .array(let items) where items.allSatisfy({ $0.stringValue != nil }):
            sequences = items.compactMap(\.stringValue).map { self.encoder.tokenize($0) }
        case .array(let items) where items.allSatisfy({ $0.doubleValue != nil }):
            sequences = [try LanguageModelService.tokenIDs(items, param: "input", vocabulary: self.encoder.configuration.vocabularySize)]
        case .array(let items):
            sequences = try items.enumerated().map { i, item in
                switch item {
                case .string(let s): return self.encoder.tokenize(s)
                case .array(let ids): return try LanguageModelService.tokenIDs(ids, param: "input[\(i)]", vocabulary: self.encoder.configuration.vocabularySize)
                default: throw APIError.invalid("'input[\(i)]' must be a string or a list of token ids, not \(item.kind)", param: "input[\(i)]")
                }
            }
        default: throw f.wrongType("input", input, "a string, a list of strings, or token ids")
        }
        guard sequences.count <= Self.maxInputs else {
            throw APIError.invalid("'input' has \(sequences.count) items (at most \(Self.maxInputs))", param: "input", code: "invalid_value")
        }
        for (i, s) in sequences.enumerated() {
            if s.isEmpty { throw APIError.invalid("input \(i) is empty", param: "input", code: "invalid_value") }
            if s.count > maxLength {
                // Token-id input longer than the model's positions is refused (text is truncated
                // by the tokenizer, as sentence-transformers does).
                throw APIError.invalid("input \(i) has \(s.count) tokens; this model reads at most \(maxLength)", param: "input", code: "context_length_exceeded")
            }
        }
        let format = try f.string("encoding_format") ?? "float"
        guard format == "float" || format == "base64" else {
            throw APIError.invalid("'encoding_format' must be \"float\" or \"base64\", not '\(format)'", param: "encoding_format", code: "invalid_value")
        }
        if let d = try f.integer("dimensions", in: 1...100_000), d != self.encoder.dimension {
            throw APIError.invalid("this model's embeddings have \(self.encoder.dimension) dimensions; 'dimensions' \(d) is not supported", param: "dimensions")
        }
        let encoder = self.encoder
        let seqs = sequences
        let vectors = try await worker.run { try encoder.embed(tokenIDs: seqs) }
        let data: [JSON] = vectors.enumerated().map { i, v in
            let embedding: JSON
            if format == "base64" {
                var bytes = [UInt8]()
                bytes.reserveCapacity(v.count * 4)
                for x in v { withUnsafeBytes(of: x.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
                embedding = .string(Data(bytes).base64EncodedString())
            } else {
                embedding = .array(v.map(JSON.float))
            }
            return .object([("object", .string("embedding")), ("index", .int(i)), ("embedding", embedding)])
        }
        let tokens = sequences.reduce(0) { $0 + $1.count }
        return .json(.object([("object", .string("list")), ("data", .array(data)), ("model", .string(name)),
                              ("usage", .object([("prompt_tokens", .int(tokens)), ("total_tokens", .int(tokens))]))]))
    }
}
