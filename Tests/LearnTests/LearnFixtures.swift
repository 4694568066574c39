import Foundation
import Learn
import Datasets
import TestSupport

/// Test-side access to the scikit-learn fixtures in `Fixtures/` and the committed splits.
enum LearnFixtures {
    /// Parsed JSON of `Fixtures/<name>.json`.
    static func json(_ name: String) throws -> Any {
        guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "json") else {
            throw LearnError.invalidInput("fixture \(name).json missing")
        }
        return try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    }

    nonisolated(unsafe) private static var splitCache: [String: [String: [Int]]]?
    private static let lock = NSLock()

    /// The committed 75/25 split of a bundled dataset (see scripts/fixtures/learn_common.py).
    static func split(_ set: BundledDataset) throws -> (train: Dataset, test: Dataset) {
        lock.lock(); defer { lock.unlock() }
        if splitCache == nil {
            let raw = try json("splits") as! [String: [String: [Int]]]
            splitCache = raw.mapValues { ["train": $0["train"]!, "test": $0["test"]!] }.reduce(into: [:]) { $0[$1.key] = $1.value }
        }
        let s = splitCache![set.rawValue]!
        let data = try Datasets.load(set)
        return (data.subset(s["train"]!), data.subset(s["test"]!))
    }

    /// Reads `[[Double]]` from a JSON value.
    static func matrix(_ any: Any) -> Matrix { Matrix((any as! [[Any]]).map { $0.map { ($0 as! NSNumber).doubleValue } }) }
    /// Reads `[Double]` from a JSON value.
    static func doubles(_ any: Any) -> [Double] { (any as! [Any]).map { ($0 as! NSNumber).doubleValue } }
    /// Reads `[Int]` from a JSON value.
    static func ints(_ any: Any) -> [Int] { (any as! [Any]).map { ($0 as! NSNumber).intValue } }
}

/// Fraction of positions where two label arrays agree.
func agreement(_ a: [Int], _ b: [Int]) -> Double {
    precondition(a.count == b.count)
    return Double(zip(a, b).filter { $0 == $1 }.count) / Double(max(a.count, 1))
}
