import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// When and how long to wait before trying a request again: on 408, 409, 429, 5xx and transport
/// failures, up to `maxAttempts` tries in all, with exponential back-off and full jitter
/// (a uniform wait in `0 ... min(maxDelay, initialDelay × 2^(retry-1))`), or what the server asked
/// for (`retry-after-ms`, `Retry-After` in seconds or as an HTTP date), capped at `maxRetryAfter`.
/// A stream is never retried once its first byte has arrived.
public struct RetryPolicy: Sendable {
    /// Tries in all, the first included (1: never retry).
    public var maxAttempts: Int
    public var initialDelay: Double
    public var maxDelay: Double
    /// Longest server-requested wait honoured.
    public var maxRetryAfter: Double
    /// A uniform random number in `0 ... bound` (injectable for tests).
    public var random: @Sendable (_ bound: Double) -> Double
    /// Waits that many seconds (injectable for tests; throws on cancellation).
    public var sleep: @Sendable (_ seconds: Double) async throws -> Void

    public init(maxAttempts: Int = 3, initialDelay: Double = 0.5, maxDelay: Double = 8, maxRetryAfter: Double = 60,
                random: @escaping @Sendable (Double) -> Double = { $0 > 0 ? Double.random(in: 0...$0) : 0 },
                sleep: @escaping @Sendable (Double) async throws -> Void = RetryPolicy.taskSleep) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay; self.maxDelay = maxDelay; self.maxRetryAfter = maxRetryAfter
        self.random = random; self.sleep = sleep
    }

    /// No retries.
    public static var none: RetryPolicy { RetryPolicy(maxAttempts: 1) }

    /// `Task.sleep`, as seconds.
    public static let taskSleep: @Sendable (Double) async throws -> Void = { seconds in
        guard seconds > 0 else { return }
        do { try await Task.sleep(nanoseconds: UInt64(min(seconds, 1e6) * 1e9)) } catch { throw APIClientError.cancelled }
    }

    /// Statuses worth another try.
    public static func isRetryable(status: Int) -> Bool { status == 408 || status == 409 || status == 429 || status >= 500 }

    /// Whether a failure is worth another try.
    public static func isRetryable(_ error: APIClientError) -> Bool {
        switch error {
        case .server(let e): return e.status > 0 && isRetryable(status: e.status)
        case .transport, .timedOut: return true
        case .cancelled, .malformedResponse, .invalidRequest: return false
        }
    }

    /// The back-off ceiling before retry number `retry` (1 for the first retry).
    public func backoffCeiling(retry: Int) -> Double {
        min(maxDelay, initialDelay * pow(2, Double(max(0, retry - 1))))
    }

    /// The wait before retry number `retry`: the server's request when it made one, else full jitter.
    public func delay(retry: Int, serverRequested: Double?) -> Double {
        if let s = serverRequested, s >= 0 { return min(s, maxRetryAfter) }
        return min(max(0, random(backoffCeiling(retry: retry))), backoffCeiling(retry: retry))
    }

    /// Seconds asked for by `retry-after-ms` or `Retry-After` (seconds, or an HTTP date).
    public static func retryAfter(headers: [String: String], now: Date = Date()) -> Double? {
        let lower = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        if let ms = lower["retry-after-ms"].flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }), ms >= 0, ms.isFinite { return ms / 1000 }
        guard let value = lower["retry-after"]?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let s = Double(value), s >= 0, s.isFinite { return s }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        if let date = formatter.date(from: value) { return max(0, date.timeIntervalSince(now)) }
        return nil
    }
}

/// Runs `operation` with a deadline: past `seconds` it is cancelled and `.timedOut` thrown;
/// a cancelled caller gets `.cancelled`.
func withTimeout<T: Sendable>(_ seconds: Double, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    guard seconds.isFinite, seconds > 0 else { return try await operation() }
    do {
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(min(seconds, 1e6) * 1e9))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw APIClientError.cancelled }
            guard let value = first else {
                if Task.isCancelled { throw APIClientError.cancelled }
                throw APIClientError.timedOut(seconds: seconds)
            }
            return value
        }
    } catch is CancellationError {
        throw APIClientError.cancelled
    }
}
