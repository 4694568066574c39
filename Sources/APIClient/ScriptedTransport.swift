import Foundation

/// An in-process transport for tests: answers requests from a queue of canned responses,
/// stream chunks and errors, in order, and records every request it got.
public final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    /// One scripted answer.
    public enum Reply: Sendable {
        /// A whole response.
        case response(status: Int, headers: [String: String] = [:], body: Data)
        /// A streamed response: the status and headers, then each chunk in turn, then
        /// `failure` (when given) thrown by the body.
        case stream(status: Int = 200, headers: [String: String] = ["content-type": "text/event-stream"], chunks: [Data], failure: APIClientError? = nil)
        /// A failure below HTTP.
        case failure(APIClientError)

        /// A JSON response from text.
        public static func json(_ text: String, status: Int = 200, headers: [String: String] = [:]) -> Reply {
            .response(status: status, headers: ["content-type": "application/json"].merging(headers) { _, b in b }, body: Data(text.utf8))
        }
    }

    // Safety: guarded by `lock`.
    private let lock = NSLock()
    private var queue: [Reply]
    private var recorded: [HTTPRequest] = []

    public init(_ replies: [Reply] = []) { queue = replies }

    /// Adds answers to the end of the queue.
    public func enqueue(_ replies: Reply...) { lock.withLock { queue += replies } }

    /// The requests received so far, in order.
    public var requests: [HTTPRequest] { lock.withLock { recorded } }

    /// Answers not yet used.
    public var remaining: Int { lock.withLock { queue.count } }

    private func next(_ request: HTTPRequest) throws -> Reply {
        try lock.withLock {
            recorded.append(request)
            guard !queue.isEmpty else { throw APIClientError.transport("ScriptedTransport: no scripted reply left for \(request.method) \(request.url.path)") }
            return queue.removeFirst()
        }
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try Task.checkCancellation()
        switch try next(request) {
        case .response(let status, let headers, let body): return HTTPResponse(status: status, headers: headers, body: body)
        case .stream(let status, let headers, let chunks, let failure):
            if let failure { throw failure }
            return HTTPResponse(status: status, headers: headers, body: chunks.reduce(Data(), +))
        case .failure(let e): throw e
        }
    }

    public func stream(_ request: HTTPRequest) async throws -> HTTPStreamResponse {
        try Task.checkCancellation()
        switch try next(request) {
        case .response(let status, let headers, let body):
            return HTTPStreamResponse(status: status, headers: headers, body: AsyncThrowingStream { c in c.yield(body); c.finish() })
        case .stream(let status, let headers, let chunks, let failure):
            return HTTPStreamResponse(status: status, headers: headers, body: AsyncThrowingStream { c in
                for chunk in chunks { c.yield(chunk) }
                c.finish(throwing: failure)
            })
        case .failure(let e): throw e
        }
    }
}
