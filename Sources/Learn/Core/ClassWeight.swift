/// How classes are weighted in a fit (scikit-learn's `class_weight`).
///
/// `.balanced` gives class `c` the weight `n_samples / (n_classes · count(c))`, so every class
/// contributes equally to the loss — the usual first remedy for imbalanced data.
public enum ClassWeight: Equatable, Codable, Sendable {
    /// All classes weigh 1 (`class_weight=None`).
    case uniform
    /// Inversely proportional to class frequencies (`class_weight="balanced"`).
    case balanced
    /// An explicit weight per label; labels not listed weigh 1.
    case custom([Int: Double])

    /// Reads `None`, `"balanced"`, or a list of alternating label and weight (`[0, 1.0, 1, 5.0]`).
    public init(param value: ParamValue, name: String = "class_weight") throws {
        switch value {
        case .none: self = .uniform
        case .string("balanced"): self = .balanced
        case .list(let items) where items.count % 2 == 0:
            var d = [Int: Double]()
            for k in stride(from: 0, to: items.count, by: 2) {
                let w = try items[k + 1].double(name)
                try require(w >= 0 && w.isFinite, name, value, "weights must be finite and non-negative")
                d[try items[k].int(name)] = w
            }
            self = .custom(d)
        default:
            throw LearnError.invalidParameter(name: name, value: value.description,
                                              reason: "expected None, balanced, or [label, weight, label, weight, …]")
        }
    }

    /// As a parameter value.
    public var param: ParamValue {
        switch self {
        case .uniform: return .none
        case .balanced: return .string("balanced")
        case .custom(let d): return .list(d.keys.sorted().flatMap { [ParamValue.int($0), .double(d[$0]!)] })
        }
    }

    /// Weight of each class index (`classes` are the labels in index order; `encoded` the
    /// class index of every sample).
    public func classWeights(classes: [Int], encoded: [Int]) -> [Double] {
        switch self {
        case .uniform: return [Double](repeating: 1, count: classes.count)
        case .balanced:
            var counts = [Double](repeating: 0, count: classes.count)
            for k in encoded { counts[k] += 1 }
            let n = Double(encoded.count), c = Double(classes.count)
            return counts.map { $0 > 0 ? n / (c * $0) : 0 }
        case .custom(let d): return classes.map { d[$0] ?? 1 }
        }
    }

    /// Per-sample weights: class weight times the given sample weight (1 when nil).
    public func sampleWeights(classes: [Int], encoded: [Int], sampleWeight: [Double]? = nil) -> [Double] {
        let cw = classWeights(classes: classes, encoded: encoded)
        return encoded.enumerated().map { i, k in cw[k] * (sampleWeight?[i] ?? 1) }
    }
}

/// An estimator that can say how much each input feature matters: impurity-based importances for
/// trees, |coefficients| (summed over classes) for linear models. Recursive feature elimination
/// uses it.
public protocol FeatureImportanceProviding: Estimator {
    /// One non-negative number per feature seen in fit.
    var featureImportances: [Double] { get }
}
