import APIClient
import Foundation
import Retrieval
import SwiftLearnCore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Embeddings from any OpenAI-compatible `POST /v1/embeddings` endpoint (OpenAI, `swiftlearn
/// serve --embeddings`, vLLM, llama.cpp's server, Ollama's OpenAI API) as an ``EmbeddingFunction``.
///
/// Calls are synchronous: each batch of at most ``batchSize`` texts is one request, sent with
/// `URLSession` and waited for on the calling thread (URLSession completes on its own queue, so
/// this is safe from any thread, but it does block the caller). The dimension is learnt from one
/// probe request when the embedding is made. Replies are checked: one vector per input, in
/// `index` order, all of the same dimension, finite.
public struct EndpointEmbedding: EmbeddingFunction {
    /// The endpoint's base URL (e.g. `http://127.0.0.1:8080/v1`); `/embeddings` is appended.
    public let baseURL: URL
    /// The model name sent in each request.
    public let model: String
    /// Sent as `Authorization: Bearer …` when set.
    public let apiKey: String?
    /// Texts per request.
    public let batchSize: Int
    /// Seconds before a request fails.
    public let timeout: Double
    public private(set) var dimension: Int

    public var name: String { "endpoint-\(model)-d\(dimension)" }
    /// `URL|model`, stored by collections so the same endpoint is used again.
    public var source: String? { "\(baseURL.absoluteString)|\(model)" }

    /// Connects and learns the dimension with one request.
    /// - Throws: `RAGError.generation` when the endpoint cannot be reached or answers badly.
    public init(baseURL: URL, model: String, apiKey: String? = nil, batchSize: Int = 64, timeout: Double = 120) throws {
        try check(batchSize >= 1 && batchSize <= 2048, "batchSize", batchSize, "must be in 1...2048")
        self.baseURL = baseURL; self.model = model; self.apiKey = apiKey; self.batchSize = batchSize; self.timeout = timeout
        self.dimension = 0
        let probe = try request(["dimension probe"])
        guard let d = probe.first?.count, RetrievalLimits.dimensions.contains(d) else {
            throw RAGError.generation("\(baseURL.absoluteString)/embeddings returned a vector of unusable size \(probe.first?.count ?? 0)")
        }
        self.dimension = d
    }

    /// Parses a stored ``source`` back.
    public init(source: String, apiKey: String? = nil) throws {
        let parts = source.split(separator: "|", maxSplits: 1).map(String.init)
        guard parts.count == 2, let url = URL(string: parts[0]), url.scheme == "http" || url.scheme == "https" else {
            throw RAGError.invalidParameter(name: "embedding source", value: source, reason: "expected URL|MODEL")
        }
        try self.init(baseURL: url, model: parts[1], apiKey: apiKey)
    }

    public func embed(_ texts: [String]) throws -> [[Float]] {
        var out: [[Float]] = []
        out.reserveCapacity(texts.count)
        var start = 0
        while start < texts.count {
            let batch = Array(texts[start..<min(start + batchSize, texts.count)])
            let vectors = try request(batch)
            if dimension > 0, let bad = vectors.first(where: { $0.count != dimension }) {
                throw RetrievalError.dimensionMismatch(expected: dimension, got: bad.count)
            }
            out += vectors
            start += batch.count
        }
        return out
    }

    private func request(_ inputs: [String]) throws -> [[Float]] {
        var body: [UInt8] = Array("{\"model\":".utf8)
        OrderedJSON.appendQuoted(model, to: &body)
        body += Array(",\"encoding_format\":\"float\",\"input\":[".utf8)
        for (i, s) in inputs.enumerated() {
            if i > 0 { body.append(UInt8(ascii: ",")) }
            OrderedJSON.appendQuoted(s, to: &body)
        }
        body += Array("]}".utf8)
        var request = URLRequest(url: baseURL.appendingPathComponent("embeddings"), timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let key = apiKey { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        let (data, status) = try Self.send(request)
        let where_ = "\(baseURL.absoluteString)/embeddings"
        guard status == 200 else {
            throw RAGError.generation("\(where_) answered HTTP \(status): \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
        return try Self.vectors(fromReply: data, inputs: inputs.count, endpoint: where_)
    }

    /// The vectors of an OpenAI-style embeddings reply (`{"data": [{"embedding": […], "index": i}, …]}`)
    /// for `inputs` texts, in input order.
    /// - Throws: `RAGError.generation` naming `endpoint` for a reply that is not JSON, lacks
    ///   fields, holds a non-number, a repeated or out-of-range index, or too few vectors.
    public static func vectors(fromReply data: Data, inputs: Int, endpoint: String) throws -> [[Float]] {
        let where_ = endpoint
        guard inputs >= 0 else { throw RAGError.invalidParameter(name: "inputs", value: String(inputs), reason: "must be ≥ 0") }
        let json: OrderedJSON
        do { json = try OrderedJSON.parse(Array(data)[...]) } catch {
            throw RAGError.generation("\(where_) answered with invalid JSON: \(error)")
        }
        guard case .object(let top) = json, case .array(let items)? = top.first(where: { $0.key == "data" })?.value else {
            throw RAGError.generation("\(where_): the reply has no \"data\" array")
        }
        var vectors = [[Float]?](repeating: nil, count: inputs)
        for (position, item) in items.enumerated() {
            guard case .object(let fields) = item, case .array(let values)? = fields.first(where: { $0.key == "embedding" })?.value else {
                throw RAGError.generation("\(where_): data[\(position)] has no \"embedding\" array")
            }
            let index = fields.first(where: { $0.key == "index" })?.value.unsignedInteger.map { Int(clamping: $0) } ?? position
            guard index < inputs, vectors[index] == nil else {
                throw RAGError.generation("\(where_): data[\(position)] has index \(index) for \(inputs) inputs")
            }
            var v: [Float] = []
            v.reserveCapacity(values.count)
            for x in values {
                guard case .number(let text) = x, let f = Float(text), f.isFinite else {
                    throw RAGError.generation("\(where_): data[\(position)].embedding holds \(x.kind)")
                }
                v.append(f)
            }
            vectors[index] = v
        }
        guard vectors.allSatisfy({ $0 != nil }) else {
            throw RAGError.generation("\(where_) returned \(items.count) embeddings for \(inputs) inputs")
        }
        return vectors.map { $0! }
    }

    /// One request, waited for on this thread.
    private static func send(_ request: URLRequest) throws -> (Data, Int) {
        do { return try sendWaiting(request) } catch {
            throw RAGError.generation("\(request.url?.absoluteString ?? ""): \(error.localizedDescription)")
        }
    }
}
