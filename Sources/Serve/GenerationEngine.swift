import Foundation
import LLM

/// One generation a request asks for: prompt tokens and how to continue them.
public struct GenerationJob: Sendable {
    /// The prompt as token ids, and the most tokens to add.
    public var promptTokens: [Int]
    public var maxTokens: Int
    /// How tokens are drawn.
    public var sampling: SamplingParameters
    /// Stop strings (not part of the text).
    public var stop: [String]
    /// Alternatives per token to report (nil: no log-probabilities).
    public var logprobs: Int?
    /// A grammar the output must follow (tools, JSON).
    public var grammar: Grammar?

    public init(promptTokens: [Int], maxTokens: Int, sampling: SamplingParameters, stop: [String] = [], logprobs: Int? = nil, grammar: Grammar? = nil) {
        self.promptTokens = promptTokens; self.maxTokens = maxTokens; self.sampling = sampling
        self.stop = stop; self.logprobs = logprobs; self.grammar = grammar
    }
}

/// A piece of generated text: a token (id ≥ 0) with the text it makes visible now and its
/// log-probabilities when asked for, or (id -1) the text held back until the end.
public struct TokenPiece: Sendable {
    /// The token id (-1 for held-back text released at the end).
    public let id: Int
    /// The text this piece makes visible.
    public let text: String
    /// Its log-probability and alternatives, when asked for.
    public let logprob: TokenLogprob?
}

/// What a running job reports: each token as it is made, then the result.
public enum GenerationEvent: Sendable {
    case token(TokenPiece)
    case finished(GenerationResult)
}

/// Runs generation jobs for the server on its own thread with continuous batching: up to
/// `maxConcurrency` sequences are generated together, each step evaluating one token of every
/// running sequence in one forward pass (`BatchedGenerator`), so the weights are read once per
/// step instead of once per request; a waiting job joins between steps (its prompt is evaluated
/// when it joins).
///
/// Jobs wait in a FIFO queue of at most `maxQueue` entries (a full queue refuses new jobs with
/// 429 and `Retry-After`). A job whose consumer goes away (the client disconnected) is cancelled
/// before the next step; a job past its deadline ends with a timeout error. `drain()` refuses new
/// jobs (503) and waits for those admitted to finish.
public final class GenerationEngine: @unchecked Sendable {
    // Safety: every mutable field below is read and written only with `lock` held.
    /// The model and tokenizer the jobs run on.
    public let generator: Generator
    /// Most jobs waiting (beyond: 429).
    public let maxQueue: Int
    /// Most sequences generated at once.
    public let maxConcurrency: Int
    /// Each sequence's context length (nil: the model's).
    public let contextLength: Int?
    /// Longest a job may wait plus run.
    public let timeout: TimeInterval
    let metrics: ServerMetrics

    private let lock = NSCondition()
    private var waiting: [Ticket] = []
    private var active = 0
    private var draining = false
    private var started = false

    /// A queued or running job and the channel to its consumer.
    final class Ticket: @unchecked Sendable {
        // Safety: `cancelled` is written by the consumer's termination handler and read by the
        // worker, always under `flag` (through `isCancelled`/`cancel`); the rest is immutable.
        let job: GenerationJob
        let continuation: AsyncThrowingStream<GenerationEvent, any Error>.Continuation
        let deadline: Date
        let enqueued = Date()
        private let flag = NSLock()
        private var cancelled = false
        init(job: GenerationJob, continuation: AsyncThrowingStream<GenerationEvent, any Error>.Continuation, deadline: Date) {
            self.job = job; self.continuation = continuation; self.deadline = deadline
        }
        var isCancelled: Bool { flag.lock(); defer { flag.unlock() }; return cancelled }
        func cancel() { flag.lock(); cancelled = true; flag.unlock() }
    }

    public init(generator: Generator, maxQueue: Int, maxConcurrency: Int = 8, contextLength: Int? = nil, timeout: TimeInterval, metrics: ServerMetrics) {
        self.generator = generator; self.maxQueue = maxQueue; self.maxConcurrency = max(1, maxConcurrency); self.contextLength = contextLength
        self.timeout = timeout; self.metrics = metrics
    }

    /// Jobs waiting, and running.
    public var load: (waiting: Int, active: Int) { lock.lock(); defer { lock.unlock() }; return (waiting.count, active) }

    /// Queues a job; its events arrive on the returned stream, which ends after `.finished` or
    /// with an error. Ending the stream early (the consumer cancels) cancels the job.
    /// - Throws: `APIError` 429 when the queue is full, 503 while draining.
    public func submit(_ job: GenerationJob) throws -> AsyncThrowingStream<GenerationEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream<GenerationEvent, any Error>.makeStream(bufferingPolicy: .unbounded)
        let ticket = Ticket(job: job, continuation: continuation, deadline: Date().addingTimeInterval(timeout))
        continuation.onTermination = { @Sendable reason in
            if case .cancelled = reason { ticket.cancel() }
        }
        lock.lock()
        defer { lock.unlock() }
        if draining { throw APIError.unavailable("the server is shutting down", retryAfter: 5) }
        guard waiting.count < maxQueue else {
            metrics.count("queue_rejections")
            // A second per batch-full of waiting jobs, at least 1 and at most 30.
            throw APIError.overloaded(queue: waiting.count, retryAfter: min(30, max(1, waiting.count / max(1, maxConcurrency))))
        }
        waiting.append(ticket)
        metrics.setGauge("queue_depth", Double(waiting.count))
        if !started {
            started = true
            let thread = Thread { [self] in workerLoop() }
            thread.name = "swiftlearn-generation"
            thread.stackSize = 8 << 20
            thread.start()
        }
        lock.signal()
        return stream
    }

    /// Refuses new jobs and returns once every admitted job has finished.
    public func drain() async {
        lock.withLock { draining = true; lock.broadcast() }
        while true {
            let busy = load
            if busy.waiting == 0 && busy.active == 0 { return }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    /// A sequence in the batch and the job it serves.
    private struct Running {
        let ticket: Ticket
    }

    private func workerLoop() {
        let batch = BatchedGenerator(model: generator.model, tokenizer: generator.tokenizer)
        var running: [Int: Running] = [:]
        while true {
            lock.lock()
            while waiting.isEmpty && running.isEmpty { lock.wait() }
            var admitted: [Ticket] = []
            while running.count + admitted.count < maxConcurrency, !waiting.isEmpty { admitted.append(waiting.removeFirst()) }
            active = running.count + admitted.count
            metrics.setGauge("queue_depth", Double(waiting.count))
            lock.unlock()
            for ticket in admitted {
                metrics.observe("queue_wait_seconds", Date().timeIntervalSince(ticket.enqueued))
                if ticket.isCancelled { ticket.continuation.finish(throwing: CancellationError()); continue }
                if Date() > ticket.deadline { ticket.continuation.finish(throwing: APIError.timeout(seconds: timeout)); continue }
                let job = ticket.job
                do {
                    let id = try batch.add(promptTokens: job.promptTokens, maxTokens: job.maxTokens, sampling: job.sampling, stop: job.stop,
                                           logprobs: job.logprobs, contextLength: contextLength, grammar: job.grammar)
                    running[id] = Running(ticket: ticket)
                } catch {
                    ticket.continuation.finish(throwing: error)
                }
            }
            let now = Date()
            for (id, r) in running where r.ticket.isCancelled || now > r.ticket.deadline {
                batch.cancel(id)
                r.ticket.continuation.finish(throwing: r.ticket.isCancelled ? CancellationError() : APIError.timeout(seconds: timeout))
                running[id] = nil
                metrics.count("cancelled_sequences")
            }
            if !batch.isEmpty {
                metrics.observe("batch_size", Double(running.count))
                let events = batch.step()
                for e in events {
                    guard let r = running[e.sequence] else { continue }
                    if let t = e.token { r.ticket.continuation.yield(.token(TokenPiece(id: t.id, text: t.text, logprob: t.logprob))) }
                    if !e.tail.isEmpty { r.ticket.continuation.yield(.token(TokenPiece(id: -1, text: e.tail, logprob: nil))) }
                    if let result = e.result {
                        metrics.add("prompt_tokens_total", Double(result.promptTokens))
                        metrics.add("generated_tokens_total", Double(result.tokens.count))
                        metrics.observe("prompt_seconds", result.promptSeconds)
                        metrics.observe("generation_seconds", result.generationSeconds)
                        r.ticket.continuation.yield(.finished(result))
                        r.ticket.continuation.finish()
                        running[e.sequence] = nil
                    } else if let error = e.error {
                        r.ticket.continuation.finish(throwing: error)
                        running[e.sequence] = nil
                    }
                }
            }
            lock.lock()
            active = running.count
            metrics.setGauge("active_sequences", Double(active))
            lock.unlock()
        }
    }
}
