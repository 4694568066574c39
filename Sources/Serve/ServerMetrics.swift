import Foundation

/// The server's counters, gauges and histograms, written in Prometheus' text format by
/// `GET /metrics`. Names are prefixed with `swiftlearn_`; labels are sorted for a stable output.
public final class ServerMetrics: @unchecked Sendable {
    // Safety: all state is guarded by `lock`.
    private let lock = NSLock()
    private var counters: [Key: Double] = [:]
    private var gauges: [Key: Double] = [:]
    private var histograms: [Key: Histogram] = [:]
    private let started = Date()

    /// Upper bounds of the latency buckets, in seconds.
    public static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]

    struct Key: Hashable, Comparable {
        let name: String
        let labels: [String]   // "k=\"v\"" pairs, sorted
        static func < (a: Key, b: Key) -> Bool { (a.name, a.labels.joined(separator: ",")) < (b.name, b.labels.joined(separator: ",")) }
        var labelText: String { labels.isEmpty ? "" : "{" + labels.joined(separator: ",") + "}" }
    }

    struct Histogram {
        var counts = [Int](repeating: 0, count: ServerMetrics.buckets.count)
        var sum = 0.0
        var count = 0
    }

    public init() {}

    static func key(_ name: String, _ labels: [String: String]) -> Key {
        Key(name: name, labels: labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(escape($0.value))\"" })
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Adds one to a counter.
    public func count(_ name: String, _ labels: [String: String] = [:]) { add(name, 1, labels) }

    /// Adds `value` to a counter.
    public func add(_ name: String, _ value: Double, _ labels: [String: String] = [:]) {
        let k = Self.key(name, labels)
        lock.lock(); counters[k, default: 0] += value; lock.unlock()
    }

    /// Sets a gauge.
    public func setGauge(_ name: String, _ value: Double, _ labels: [String: String] = [:]) {
        let k = Self.key(name, labels)
        lock.lock(); gauges[k] = value; lock.unlock()
    }

    /// Records one observation in a histogram.
    public func observe(_ name: String, _ value: Double, _ labels: [String: String] = [:]) {
        let k = Self.key(name, labels)
        lock.lock()
        var h = histograms[k] ?? Histogram()
        if let i = Self.buckets.firstIndex(where: { value <= $0 }) { h.counts[i] += 1 }
        h.sum += value
        h.count += 1
        histograms[k] = h
        lock.unlock()
    }

    /// A counter's value (tests).
    public func counter(_ name: String, _ labels: [String: String] = [:]) -> Double {
        lock.lock(); defer { lock.unlock() }
        return counters[Self.key(name, labels)] ?? 0
    }

    /// Prometheus text exposition (version 0.0.4).
    public func prometheusText() -> String {
        lock.lock()
        let c = counters, g = gauges, h = histograms
        lock.unlock()
        var out = ""
        var typed = Set<String>()
        func header(_ name: String, _ type: String) {
            if typed.insert(name).inserted { out += "# TYPE swiftlearn_\(name) \(type)\n" }
        }
        header("uptime_seconds", "gauge")
        out += "swiftlearn_uptime_seconds \(Date().timeIntervalSince(started))\n"
        for (k, v) in c.sorted(by: { $0.key < $1.key }) {
            let name = k.name.hasSuffix("_total") ? k.name : k.name + "_total"
            header(name, "counter")
            out += "swiftlearn_\(name)\(k.labelText) \(format(v))\n"
        }
        for (k, v) in g.sorted(by: { $0.key < $1.key }) {
            header(k.name, "gauge")
            out += "swiftlearn_\(k.name)\(k.labelText) \(format(v))\n"
        }
        for (k, hist) in h.sorted(by: { $0.key < $1.key }) {
            header(k.name, "histogram")
            var cumulative = 0
            for (i, bound) in Self.buckets.enumerated() {
                cumulative += hist.counts[i]
                let labels = (k.labels + ["le=\"\(format(bound))\""]).joined(separator: ",")
                out += "swiftlearn_\(k.name)_bucket{\(labels)} \(cumulative)\n"
            }
            let inf = (k.labels + ["le=\"+Inf\""]).joined(separator: ",")
            out += "swiftlearn_\(k.name)_bucket{\(inf)} \(hist.count)\n"
            out += "swiftlearn_\(k.name)_sum\(k.labelText) \(format(hist.sum))\n"
            out += "swiftlearn_\(k.name)_count\(k.labelText) \(hist.count)\n"
        }
        return out
    }

    private func format(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
        return "\(v)"
    }
}
