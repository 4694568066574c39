import Foundation

/// Tokens a request used.
public struct TokenUsage: Sendable, Equatable {
    public var inputTokens: Int
    public var outputTokens: Int
    public var totalTokens: Int { inputTokens + outputTokens }

    public init(inputTokens: Int = 0, outputTokens: Int = 0) { self.inputTokens = inputTokens; self.outputTokens = outputTokens }

    public static func + (a: TokenUsage, b: TokenUsage) -> TokenUsage {
        TokenUsage(inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens)
    }
}

/// A model's price in US dollars per million input and output tokens.
public struct ModelPrice: Sendable, Equatable {
    public var inputPerMillion: Double
    public var outputPerMillion: Double

    public init(inputPerMillion: Double, outputPerMillion: Double) {
        self.inputPerMillion = inputPerMillion; self.outputPerMillion = outputPerMillion
    }

    public func cost(_ usage: TokenUsage) -> Double {
        (Double(usage.inputTokens) * inputPerMillion + Double(usage.outputTokens) * outputPerMillion) / 1_000_000
    }
}

/// Prices by model name; a name matches its exact entry, else the longest entry it starts with
/// (so `gpt-4o-mini-2024-07-18` is priced as `gpt-4o-mini`, not `gpt-4o`).
public struct PriceTable: Sendable {
    public var prices: [String: ModelPrice]

    public init(_ prices: [String: ModelPrice] = [:]) { self.prices = prices }

    /// EXAMPLES ONLY: public list prices (USD per million tokens, standard tier) as known when this
    /// was written. Prices change: update them, or pass your own table. The local server's
    /// models (`tiny_llama`, `tiny_bert`, and any `swiftlearn`/`local` prefix) cost 0.
    public static let examples = PriceTable([
        "gpt-4o": ModelPrice(inputPerMillion: 2.50, outputPerMillion: 10.00),
        "gpt-4o-mini": ModelPrice(inputPerMillion: 0.15, outputPerMillion: 0.60),
        "gpt-3.5-turbo": ModelPrice(inputPerMillion: 0.50, outputPerMillion: 1.50),
        "text-embedding-3-small": ModelPrice(inputPerMillion: 0.02, outputPerMillion: 0),
        "text-embedding-3-large": ModelPrice(inputPerMillion: 0.13, outputPerMillion: 0),
        "claude-3-5-sonnet": ModelPrice(inputPerMillion: 3, outputPerMillion: 15),
        "claude-3-5-haiku": ModelPrice(inputPerMillion: 0.80, outputPerMillion: 4),
        "claude-3-opus": ModelPrice(inputPerMillion: 15, outputPerMillion: 75),
        "claude-3-haiku": ModelPrice(inputPerMillion: 0.25, outputPerMillion: 1.25),
        "tiny_llama": ModelPrice(inputPerMillion: 0, outputPerMillion: 0),
        "tiny_bert": ModelPrice(inputPerMillion: 0, outputPerMillion: 0),
        "swiftlearn": ModelPrice(inputPerMillion: 0, outputPerMillion: 0),
        "local": ModelPrice(inputPerMillion: 0, outputPerMillion: 0),
    ])

    public func price(for model: String) -> ModelPrice? {
        if let p = prices[model] { return p }
        let name = model.hasSuffix(".gguf") ? String(model.dropLast(5)) : model
        if let p = prices[name] { return p }
        return prices.filter { name.hasPrefix($0.key) }.max { $0.key.count < $1.key.count }?.value
    }
}

/// Usage and cost summed per model across requests (thread-safe).
public final class CostTracker: @unchecked Sendable {
    /// One model's totals.
    public struct Entry: Sendable, Equatable {
        public var requests = 0
        public var usage = TokenUsage()
        /// US dollars; nil when the model has no price.
        public var cost: Double?
    }

    public let table: PriceTable
    // Safety: guarded by `lock`.
    private let lock = NSLock()
    private var entries: [String: Entry] = [:]

    public init(table: PriceTable = .examples) { self.table = table }

    /// Adds one response's usage; returns its cost (nil when the model has no price).
    @discardableResult
    public func record(model: String, usage: TokenUsage) -> Double? {
        let cost = table.price(for: model)?.cost(usage)
        lock.withLock {
            var e = entries[model] ?? Entry(cost: table.price(for: model) == nil ? nil : 0)
            e.requests += 1
            e.usage = e.usage + usage
            if let cost { e.cost = (e.cost ?? 0) + cost }
            entries[model] = e
        }
        return cost
    }

    /// Totals per model.
    public var byModel: [String: Entry] { lock.withLock { entries } }

    /// The priced models' cost in all.
    public var totalCost: Double { lock.withLock { entries.values.reduce(0) { $0 + ($1.cost ?? 0) } } }

    /// Usage in all.
    public var totalUsage: TokenUsage { lock.withLock { entries.values.reduce(TokenUsage()) { $0 + $1.usage } } }

    /// One line per model and a total, e.g. `gpt-4o: 2 requests, 120 in + 40 out tokens, $0.000700`.
    public var summary: String {
        let all = byModel
        var lines = all.keys.sorted().map { name -> String in
            let e = all[name]!
            let cost = e.cost.map { String(format: "$%.6f", $0) } ?? "no price"
            return "\(name): \(e.requests) request\(e.requests == 1 ? "" : "s"), \(e.usage.inputTokens) in + \(e.usage.outputTokens) out tokens, \(cost)"
        }
        lines.append(String(format: "total: $%.6f", totalCost))
        return lines.joined(separator: "\n")
    }
}
