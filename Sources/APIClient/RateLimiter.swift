import Foundation

/// A client-side rate limiter: requests per minute and tokens per minute, each a token bucket
/// that refills continuously and holds at most a minute's worth. `acquire` waits (it never
/// fails, except on cancellation) until both buckets can pay; the token estimate is corrected
/// from the response's usage afterwards, so the bucket may briefly go negative.
public actor RateLimiter {
    public let requestsPerMinute: Double?
    public let tokensPerMinute: Double?
    private var requests: Double
    private var tokens: Double
    private var last: Double
    private let now: @Sendable () -> Double
    private let sleep: @Sendable (Double) async throws -> Void
    /// Seconds spent waiting in `acquire`, in all.
    public private(set) var waited: Double = 0

    /// - Parameters:
    ///   - now: a monotonic clock in seconds (injectable for tests).
    ///   - sleep: waits that many seconds (injectable for tests).
    public init(requestsPerMinute: Double? = nil, tokensPerMinute: Double? = nil,
                now: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime },
                sleep: @escaping @Sendable (Double) async throws -> Void = RetryPolicy.taskSleep) {
        self.requestsPerMinute = requestsPerMinute.map { max($0, 1e-9) }
        self.tokensPerMinute = tokensPerMinute.map { max($0, 1e-9) }
        requests = self.requestsPerMinute ?? 0
        tokens = self.tokensPerMinute ?? 0
        self.now = now
        self.sleep = sleep
        last = now()
    }

    private func refill() {
        let t = now()
        let elapsed = max(0, t - last)
        last = t
        if let rpm = requestsPerMinute { requests = min(rpm, requests + elapsed * rpm / 60) }
        if let tpm = tokensPerMinute { tokens = min(tpm, tokens + elapsed * tpm / 60) }
    }

    /// The seconds until a request of `estimate` tokens could go (0: now).
    public func wait(for estimate: Int) -> Double {
        refill()
        var wait = 0.0
        if let rpm = requestsPerMinute, requests < 1 { wait = max(wait, (1 - requests) * 60 / rpm) }
        if let tpm = tokensPerMinute {
            // A request larger than the whole bucket waits for a full bucket, not forever.
            let need = min(Double(estimate), tpm)
            if tokens < need { wait = max(wait, (need - tokens) * 60 / tpm) }
        }
        return wait
    }

    /// Waits until a request of `estimate` tokens may go, and takes its share.
    public func acquire(tokens estimate: Int) async throws {
        while true {
            let w = wait(for: estimate)
            if w <= 0 {
                if requestsPerMinute != nil { requests -= 1 }
                if tokensPerMinute != nil { tokens -= Double(estimate) }
                return
            }
            waited += w
            try await sleep(w)
        }
    }

    /// Corrects a request's estimate once its real usage is known.
    public func record(estimated: Int, actual: Int) {
        guard tokensPerMinute != nil else { return }
        refill()
        tokens -= Double(actual - estimated)
    }

    /// Tokens left in the bucket now (nil when tokens are not limited).
    public var availableTokens: Double? { refill(); return tokensPerMinute == nil ? nil : tokens }
}

/// A rough token count of text: characters / 4, rounded up.
public func estimateTokens(_ text: String) -> Int { (text.count + 3) / 4 }
