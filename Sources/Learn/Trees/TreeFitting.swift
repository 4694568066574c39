import Foundation

/// What a tree is fitted to, with its criterion.
enum TreeTarget {
    /// Class indices `0..<classes`, split by Gini or entropy.
    case classes([Int32], count: Int, entropy: Bool)
    /// Real values, split by `squared_error`, `friedman_mse` or `absolute_error`.
    case values([Double], criterion: String)

    /// For a classifier's criterion name (`gini`, `entropy`, `log_loss`).
    static func classes(_ y: [Int], count: Int, criterion: String) -> TreeTarget {
        .classes(y.map { Int32($0) }, count: count, entropy: criterion != "gini")
    }
}

/// Entry points shared by single trees, forests and boosting.
enum TreeFitting {
    /// Grows one tree with the optimized builder on rows of non-zero weight.
    static func grow(_ data: TreeTrainingData, _ target: TreeTarget, weights: [Double], limits: TreeGrowthLimits, seed: UInt64) -> TreeStructure {
        weights.withUnsafeBufferPointer { w in
            switch target {
            case .classes(let y, let k, let entropy):
                return y.withUnsafeBufferPointer { yp in
                    let c = TreeClassificationCriterion(classes: k, entropy: entropy, y: yp.baseAddress!, weights: w.baseAddress!)
                    return TreeGrower(data: data, criterion: c, weights: w.baseAddress!, limits: limits, seed: seed).grow()
                }
            case .values(let y, let name):
                return y.withUnsafeBufferPointer { yp in
                    if name == "absolute_error" {
                        let c = TreeAbsoluteErrorCriterion(y: yp.baseAddress!, weights: w.baseAddress!, samples: data.nSamples)
                        return TreeGrower(data: data, criterion: c, weights: w.baseAddress!, limits: limits, seed: seed).grow()
                    }
                    let c = TreeSquaredErrorCriterion(friedman: name == "friedman_mse", y: yp.baseAddress!, weights: w.baseAddress!)
                    return TreeGrower(data: data, criterion: c, weights: w.baseAddress!, limits: limits, seed: seed).grow()
                }
            }
        }
    }

    /// Grows and, with `ccp_alpha > 0`, prunes.
    static func fit(_ data: TreeTrainingData, _ target: TreeTarget, weights: [Double], parameters: TreeParameters,
                    randomSplits: Bool, seed: UInt64) throws -> TreeStructure {
        let limits = try parameters.limits(rows: data.nSamples, totalWeight: weights.reduce(0, +),
                                           features: data.nFeatures, randomSplits: randomSplits)
        let tree = grow(data, target, weights: weights, limits: limits, seed: seed)
        return TreePruning.prune(tree, alpha: parameters.ccpAlpha)
    }

    /// Mean of the trees' impurity-based importances, normalized to sum to 1.
    static func averagedImportances(_ trees: [TreeStructure], features: Int) -> [Double] {
        var sum = [Double](repeating: 0, count: features)
        var used = 0
        for t in trees where t.nodeCount > 1 {
            let imp = t.featureImportances(features: features)
            for j in 0..<features { sum[j] += imp[j] }
            used += 1
        }
        guard used > 0 else { return sum }
        let total = sum.reduce(0, +)
        return total > 0 ? sum.map { $0 / total } : sum
    }

    /// Checks a classifier fit's inputs; returns labels, encoded targets and per-sample weights
    /// (class weights times sample weights).
    static func classificationInputs(_ x: Matrix, _ y: [Int], _ sampleWeight: [Double]?, classWeight: ClassWeight,
                                     caller: String) throws -> (LabelSet, [Int], [Double]) {
        let (labels, encoded) = try LabelSet.fitting(x, y, caller, minClasses: 1)
        try Check.sampleWeights(sampleWeight, rows: x.rows, caller)
        let w = classWeight.sampleWeights(classes: labels.classes, encoded: encoded, sampleWeight: sampleWeight)
        if !w.contains(where: { $0 > 0 }) { throw LearnError.invalidInput("\(caller): all sample weights are zero") }
        return (labels, encoded, w)
    }

    /// Checks a regressor fit's inputs; returns the per-sample weights.
    static func regressionInputs(_ x: Matrix, _ y: [Double], _ sampleWeight: [Double]?, caller: String) throws -> [Double] {
        try Check.targets(x, y, caller)
        try Check.sampleWeights(sampleWeight, rows: x.rows, caller)
        return sampleWeight ?? [Double](repeating: 1, count: x.rows)
    }

    /// Coefficient of determination of `pred` against `y`.
    static func r2(_ y: [Double], _ pred: [Double]) -> Double {
        let mean = y.reduce(0, +) / Double(Swift.max(y.count, 1))
        var res = 0.0, tot = 0.0
        for i in 0..<y.count { res += (y[i] - pred[i]) * (y[i] - pred[i]); tot += (y[i] - mean) * (y[i] - mean) }
        return tot > 0 ? 1 - res / tot : (res == 0 ? 1 : 0)
    }

    /// Index of the largest value in each row (first on ties).
    static func argmaxRows(_ m: [Double], columns k: Int) -> [Int] {
        let rows = k == 0 ? 0 : m.count / k
        return (0..<rows).map { i in
            var best = 0
            for c in 1..<Swift.max(k, 1) where m[i * k + c] > m[i * k + best] { best = c }
            return best
        }
    }
}
