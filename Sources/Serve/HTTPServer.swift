import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// Runs a `ServeApp` over HTTP/1.1 with Hummingbird 2: bodies bounded in size and in time,
/// streamed responses for server-sent events, and a graceful shutdown on SIGTERM/SIGINT —
/// requests that arrive from then on get 503, those in flight finish, then the process exits.
public struct HTTPServer: Sendable {
    /// The API it serves, and where it listens (port 0: any free port).
    public let app: ServeApp
    public let host: String
    public let port: Int
    /// Longest wait for a request's body, and for an idle connection, in seconds.
    public var bodyTimeout: Double = 30
    public var idleTimeout: Double = 75

    public init(app: ServeApp, host: String, port: Int) {
        self.app = app; self.host = host; self.port = port
    }

    /// Hands each request, its body bounded in size and time, to a handler.
    struct Responder: HTTPResponder {
        typealias Context = BasicRequestContext
        let handler: any HTTPHandler
        let bodyTimeout: Double

        func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
            let limit = handler.maxBodyBytes
            let path = request.uri.path
            if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
                return Self.response(handler.refusal(APIError.tooLarge(limit: limit), path: path))
            }
            let body: [UInt8]
            do {
                body = try await Self.collect(request.body, limit: limit, timeout: bodyTimeout)
            } catch let e as APIError {
                return Self.response(handler.refusal(e, path: path))
            }
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let serveRequest = ServeRequest(method: request.method.rawValue, target: request.uri.description, headers: headers, body: body)
            return Self.response(await handler.handle(serveRequest))
        }

        /// The body, refused past `limit` bytes (413) or `timeout` seconds (408).
        static func collect(_ body: RequestBody, limit: Int, timeout: Double) async throws -> [UInt8] {
            try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
                group.addTask {
                    var bytes: [UInt8] = []
                    for try await buffer in body {
                        guard bytes.count + buffer.readableBytes <= limit else { throw APIError.tooLarge(limit: limit) }
                        bytes.append(contentsOf: buffer.readableBytesView)
                    }
                    return bytes
                }
                group.addTask {
                    try await Task.sleep(nanoseconds: UInt64(timeout * 1e9))
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let bytes = first else {
                    throw APIError(status: 408, message: "the request body did not arrive within \(timeout) s", type: "invalid_request_error", code: "request_timeout")
                }
                return bytes
            }
        }

        static func response(_ r: ServeResponse) -> Response {
            var fields = HTTPFields()
            for (name, value) in r.headers {
                if let n = HTTPField.Name(name) { fields.append(HTTPField(name: n, value: value)) }
            }
            let status = HTTPResponse.Status(code: r.status)
            switch r.body {
            case .bytes(let bytes):
                return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
            case .stream(let chunks):
                fields[.connection] = "keep-alive"
                return Response(status: status, headers: fields, body: ResponseBody { writer in
                    // A write to a closed connection throws: the loop ends, the stream is
                    // cancelled, and with it the generation.
                    for try await chunk in chunks { try await writer.write(ByteBuffer(bytes: chunk)) }
                    try await writer.finish(nil)
                })
            }
        }
    }

    /// Serves until SIGTERM or SIGINT. `onListening` receives the bound port (useful with port 0).
    public func run(onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        try await Self.serve(app, host: host, port: port, bodyTimeout: bodyTimeout, idleTimeout: idleTimeout,
                             logLabel: "swiftlearn.serve", onListening: onListening)
    }

    /// Serves `handler` over HTTP/1.1 until SIGTERM or SIGINT (`handleSignals`), or until the
    /// calling task is cancelled. On a signal the handler first drains (it refuses new requests
    /// and lets admitted ones finish), then the server shuts down gracefully.
    package static func serve(_ handler: any HTTPHandler, host: String, port: Int, bodyTimeout: Double = 30, idleTimeout: Double = 75,
                              handleSignals: Bool = true, logLabel: String,
                              onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        var http1 = HTTP1Channel.Configuration(idleTimeout: .milliseconds(Int64(idleTimeout * 1000)))
        http1.httpDecoder = .init(maxHeaderFieldSize: 16 * 1024, maxHeaderListSize: 64 * 1024, maxHeaderFieldCount: 200)
        let application = Application(
            responder: Responder(handler: handler, bodyTimeout: bodyTimeout),
            server: .http1(configuration: http1),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "swiftlearn"),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? port) },
            logger: {
                var logger = Logger(label: logLabel)
                logger.logLevel = .warning
                return logger
            }()
        )
        let group = ServiceGroup(configuration: .init(services: [application], gracefulShutdownSignals: [], logger: application.logger))
        if handleSignals {
            // Our own signal handling: first refuse new requests and let admitted ones finish,
            // then shut the server down gracefully.
            signal(SIGTERM, SIG_IGN)
            signal(SIGINT, SIG_IGN)
            let signals = [SIGTERM, SIGINT].map { DispatchSource.makeSignalSource(signal: $0, queue: .global()) }
            for source in signals {
                source.setEventHandler {
                    for s in signals { s.cancel() }
                    Task {
                        FileHandle.standardError.write(Data("shutting down: finishing requests in flight\n".utf8))
                        await handler.drain()
                        try? await Task.sleep(nanoseconds: 100_000_000)
                        await group.triggerGracefulShutdown()
                    }
                }
                source.resume()
            }
        }
        try await group.run()
    }
}

/// What ``HTTPServer`` serves: a function from requests to responses with a body size limit
/// (``ServeApp``, and the MCP endpoint of the Agents module).
package protocol HTTPHandler: Sendable {
    /// Largest request body, in bytes (beyond: ``refusal(_:path:)`` with 413).
    var maxBodyBytes: Int { get }
    /// Answers one request whose body arrived whole; never throws.
    func handle(_ request: ServeRequest) async -> ServeResponse
    /// The response for a request refused before it reached ``handle(_:)``: a body over the
    /// limit (413) or one that did not arrive in time (408).
    func refusal(_ error: APIError, path: String) -> ServeResponse
    /// Stops taking requests and waits for those in flight (called on SIGTERM/SIGINT).
    func drain() async
}

extension ServeApp: HTTPHandler {
    package var maxBodyBytes: Int { configuration.maxBodyBytes }
    package func refusal(_ error: APIError, path: String) -> ServeResponse { error.response(anthropic: path == "/v1/messages") }
}
