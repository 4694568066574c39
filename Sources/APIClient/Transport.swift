import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP request, independent of the transport.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    public var url: URL
    /// Header names as given (transports compare them case-insensitively).
    public var headers: [String: String]
    public var body: Data
    /// Seconds the transport may wait (the client also enforces it).
    public var timeout: Double

    public init(method: String, url: URL, headers: [String: String] = [:], body: Data = Data(), timeout: Double = 60) {
        self.method = method; self.url = url; self.headers = headers; self.body = body; self.timeout = timeout
    }

    /// The body as text (tests, logs).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// A whole HTTP response. Header names are lowercased.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        self.body = body
    }
}

/// A response whose body arrives in chunks (server-sent events). Header names are lowercased.
public struct HTTPStreamResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: AsyncThrowingStream<Data, any Error>

    public init(status: Int, headers: [String: String] = [:], body: AsyncThrowingStream<Data, any Error>) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        self.body = body
    }

    /// Reads the whole body (an error response's).
    public func collect() async throws -> Data {
        var data = Data()
        for try await chunk in body { data.append(chunk) }
        return data
    }
}

/// How requests reach the server: URLSession over the network, or in-process fakes for tests.
/// Transports throw `APIClientError.transport` (or `.cancelled`) for failures below HTTP;
/// any HTTP status is a response.
public protocol HTTPTransport: Sendable {
    /// Sends a request and reads the whole response.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
    /// Sends a request and returns once the status line and headers have arrived.
    func stream(_ request: HTTPRequest) async throws -> HTTPStreamResponse
}

// MARK: - URLSession

/// The network transport: `URLSession` (FoundationNetworking on Linux). Streams use a
/// `URLSessionDataDelegate` whose `didReceive data` chunks feed an `AsyncThrowingStream`;
/// cancelling the calling task (or dropping the stream) cancels the data task.
public final class URLSessionTransport: HTTPTransport, @unchecked Sendable {
    // Safety: `session` is immutable and URLSession is thread-safe.
    private let session: URLSession
    private let configuration: URLSessionConfiguration

    public init(configuration: URLSessionConfiguration = .ephemeral) {
        self.configuration = configuration
        session = URLSession(configuration: configuration)
    }

    static func urlRequest(_ r: HTTPRequest) -> URLRequest {
        var u = URLRequest(url: r.url)
        u.httpMethod = r.method
        u.timeoutInterval = r.timeout
        for (k, v) in r.headers { u.setValue(v, forHTTPHeaderField: k) }
        if !r.body.isEmpty { u.httpBody = r.body }
        return u
    }

    static func headers(_ response: HTTPURLResponse) -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in response.allHeaderFields {
            if let k = k as? String, let v = v as? String { out[k.lowercased()] = v }
        }
        return out
    }

    static func failure(_ error: any Error) -> APIClientError {
        let ns = error as NSError
        if ns.domain == NSURLErrorDomain && ns.code == NSURLErrorCancelled { return .cancelled }
        if ns.domain == NSURLErrorDomain && ns.code == NSURLErrorTimedOut { return .timedOut(seconds: .nan) }
        return .transport(ns.localizedDescription)
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let box = TaskBox()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                let task = session.dataTask(with: Self.urlRequest(request)) { data, response, error in
                    if let error { return continuation.resume(throwing: Self.failure(error)) }
                    guard let http = response as? HTTPURLResponse else {
                        return continuation.resume(throwing: APIClientError.malformedResponse("not an HTTP response"))
                    }
                    continuation.resume(returning: HTTPResponse(status: http.statusCode, headers: Self.headers(http), body: data ?? Data()))
                }
                box.set(task)
                task.resume()
            }
        } onCancel: { box.cancel() }
    }

    public func stream(_ request: HTTPRequest) async throws -> HTTPStreamResponse {
        let delegate = StreamDelegate()
        let session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
        let task = session.dataTask(with: Self.urlRequest(request))
        let box = TaskBox()
        box.set(task)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPStreamResponse, any Error>) in
                delegate.start(continuation: continuation, task: task, session: session)
                task.resume()
            }
        } onCancel: { box.cancel() }
    }

    final class TaskBox: @unchecked Sendable {
        // Safety: guarded by `lock`.
        private let lock = NSLock()
        private var task: URLSessionTask?
        private var cancelled = false
        func set(_ t: URLSessionTask) {
            let cancelNow = lock.withLock { task = t; return cancelled }
            if cancelNow { t.cancel() }
        }
        func cancel() {
            let t = lock.withLock { cancelled = true; return task }
            t?.cancel()
        }
    }

    /// Forwards a data task's response and chunks into a continuation and a stream.
    final class StreamDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
        // Safety: every field is guarded by `lock`.
        private let lock = NSLock()
        private var head: CheckedContinuation<HTTPStreamResponse, any Error>?
        private var chunks: AsyncThrowingStream<Data, any Error>.Continuation?
        private var body: AsyncThrowingStream<Data, any Error>?

        func start(continuation: CheckedContinuation<HTTPStreamResponse, any Error>, task: URLSessionTask, session: URLSession) {
            let (stream, c) = AsyncThrowingStream<Data, any Error>.makeStream()
            c.onTermination = { reason in
                if case .cancelled = reason { task.cancel() }
                session.finishTasksAndInvalidate()
            }
            lock.withLock { head = continuation; chunks = c; body = stream }
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
            let (h, b) = lock.withLock { () -> (CheckedContinuation<HTTPStreamResponse, any Error>?, AsyncThrowingStream<Data, any Error>?) in
                // The body is handed over, not kept: a consumer that drops it then cancels the task.
                defer { head = nil; body = nil }
                return (head, body)
            }
            if let h, let b {
                if let http = response as? HTTPURLResponse {
                    h.resume(returning: HTTPStreamResponse(status: http.statusCode, headers: URLSessionTransport.headers(http), body: b))
                } else {
                    h.resume(throwing: APIClientError.malformedResponse("not an HTTP response"))
                }
            }
            completionHandler(.allow)
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
            _ = lock.withLock { chunks }?.yield(data)
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
            let (h, c) = lock.withLock { () -> (CheckedContinuation<HTTPStreamResponse, any Error>?, AsyncThrowingStream<Data, any Error>.Continuation?) in
                defer { head = nil; chunks = nil }
                return (head, chunks)
            }
            if let error {
                h?.resume(throwing: URLSessionTransport.failure(error))
                c?.finish(throwing: URLSessionTransport.failure(error))
            } else {
                h?.resume(throwing: APIClientError.malformedResponse("the connection ended before a response"))
                c?.finish()
            }
            session.finishTasksAndInvalidate()
        }
    }
}

/// One request sent with `URLSession.shared` and waited for on the calling thread, for
/// synchronous callers (indexing, training loops that log between steps). The wait ends
/// `request.timeoutInterval` + 5 s after the start at the latest (the task is then cancelled).
/// - Returns: the body and the HTTP status (0 when the answer is not HTTP).
/// - Throws: the session's error, or `URLError(.timedOut)`.
package func sendWaiting(_ request: URLRequest) throws -> (data: Data, status: Int) {
    final class Box: @unchecked Sendable { var result: Result<(Data, Int), any Error> = .failure(URLError(.unknown)) }
    let box = Box()
    let done = DispatchSemaphore(value: 0)
    let task = URLSession.shared.dataTask(with: request) { data, response, error in
        if let error { box.result = .failure(error) } else { box.result = .success((data ?? Data(), (response as? HTTPURLResponse)?.statusCode ?? 0)) }
        done.signal()
    }
    task.resume()
    if done.wait(timeout: .now() + request.timeoutInterval + 5) == .timedOut {
        task.cancel()
        throw URLError(.timedOut)
    }
    let (data, status) = try box.result.get()
    return (data, status)
}
