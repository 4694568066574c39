import Dispatch
import Foundation
import SwiftLearnCore

/// Class labels of a text classifier: the distinct labels sorted (scikit-learn's `classes_`)
/// and each document's index among them.
struct TextLabels {
    let classes: [String]
    let encoded: [Int]

    init(_ labels: [String], rows: Int, _ who: String) throws {
        guard labels.count == rows else { throw NLPError.invalidInput("\(who): \(labels.count) labels for \(rows) documents") }
        classes = Array(Set(labels)).sorted()
        guard classes.count >= 2 else { throw NLPError.invalidInput("\(who): needs at least 2 classes, got \(classes.count)") }
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        encoded = labels.map { index[$0]! }
    }
}

/// `bias + W·xᵢ` for each row of `x` (W: outputs × features, row-major), after checking the
/// model is fitted (`features > 0`) and `x` has its width.
private func linearScores(_ x: SparseMatrix, weights: [Double], bias: [Double], features p: Int, _ who: String) throws -> [[Double]] {
    guard p > 0 else { throw NLPError.notFitted(who) }
    guard x.columns == p else { throw NLPError.invalidInput("\(who): \(x.columns) features, fitted with \(p)") }
    let k = bias.count
    return (0..<x.rows).map { i in
        var z = bias
        for q in x.rowPointers[i]..<x.rowPointers[i + 1] {
            for c in 0..<k { z[c] += x.values[q] * weights[c * p + x.columnIndices[q]] }
        }
        return z
    }
}

private func checkFinite(_ x: SparseMatrix, _ who: String) throws {
    guard x.rows > 0, x.columns > 0 else { throw NLPError.invalidInput("\(who): the document–term matrix is empty (\(x.rows) × \(x.columns))") }
    for v in x.values where !v.isFinite { throw NLPError.invalidInput("\(who): the document–term matrix holds \(v)") }
}

/// Logistic regression on a sparse document–term matrix, as scikit-learn's `LogisticRegression`
/// with its default solver (`lbfgs`, L2 penalty): the loss
/// `(1/n) Σᵢ ℓᵢ + ‖W‖² / (2·C·n)` (softmax over the classes, or the logistic loss with one weight
/// vector for two), the intercepts unpenalized, minimized by L-BFGS with SciPy's stopping rules
/// (`gtol = tol`, `ftol = 64ε`, `maxiter = max_iter`). The problem is strictly convex, so the
/// weights agree with scikit-learn's to the solvers' tolerance (see TextClassifierTests).
///
/// Rows are processed on several threads with a gradient buffer per fixed block of rows, summed
/// in block order, so results do not depend on the thread count.
public final class SparseLogisticRegression {
    /// Inverse regularization strength (`C`).
    public let C: Double
    /// Fit an unpenalized intercept per class (`fit_intercept`).
    public let fitIntercept: Bool
    /// L-BFGS iterations (`max_iter`) and gradient tolerance (`tol`).
    public let maxIter: Int, tol: Double
    /// Threads for the loss and gradient.
    public let workers: Int
    /// The labels, sorted (`classes_`).
    public private(set) var classes: [String] = []
    /// Weights, outputs × features row-major (`coef_`; one row for two classes).
    public private(set) var coefficients: [Double] = []
    /// One intercept per output (`intercept_`).
    public private(set) var intercepts: [Double] = []
    /// Features seen in `fit`.
    public private(set) var featureCount = 0
    /// L-BFGS iterations used (`n_iter_`) and the final objective value.
    public private(set) var iterations = 0, objectiveValue = Double.nan

    static let blockRows = 256

    /// scikit-learn's defaults: C = 1, an intercept, 100 iterations, tol = 1e-4.
    public init(C: Double = 1, fitIntercept: Bool = true, maxIter: Int = 100, tol: Double = 1e-4,
                workers: Int = ProcessInfo.processInfo.activeProcessorCount) throws {
        guard C > 0, C.isFinite else { throw NLPError.invalidParameter(name: "C", value: "\(C)", expected: "a positive number") }
        guard maxIter >= 1 else { throw NLPError.invalidParameter(name: "max_iter", value: "\(maxIter)", expected: "≥ 1") }
        guard tol >= 0, tol.isFinite else { throw NLPError.invalidParameter(name: "tol", value: "\(tol)", expected: "a number ≥ 0") }
        guard workers >= 1 else { throw NLPError.invalidParameter(name: "workers", value: "\(workers)", expected: "≥ 1") }
        self.C = C; self.fitIntercept = fitIntercept; self.maxIter = maxIter; self.tol = tol; self.workers = workers
    }

    /// Fits to documents `x` (rows) with one label each.
    /// - Throws: `NLPError.invalidInput` for mismatched sizes, fewer than two classes, non-finite
    ///   values or a diverged optimization.
    public func fit(_ x: SparseMatrix, _ labels: [String]) throws {
        try checkFinite(x, "SparseLogisticRegression.fit")
        let y = try TextLabels(labels, rows: x.rows, "SparseLogisticRegression.fit")
        let k = y.classes.count == 2 ? 1 : y.classes.count
        let p = x.columns, stride = p + 1
        let (size, overflow) = stride.multipliedReportingOverflow(by: k)
        // L-BFGS keeps 20 vectors of this size and the gradient parts up to 8: at most 2²⁴ weights.
        guard !overflow, size <= 1 << 24 else { throw NLPError.invalidInput("SparseLogisticRegression.fit: \(k) classes × \(p) features is more than \(1 << 24) weights; lower max_features") }
        let n = x.rows, lambda = 1 / (C * Double(n)), intercept = fitIntercept
        // Rows in parts with a gradient buffer each, summed in part order (the same sums on any
        // number of threads).
        let sum = PartitionedSum(items: n, size: size)
        let encoded = y.encoded, threads = workers
        let objective: LBFGSMinimizer.Objective = { theta, gradient in
            let total = theta.withUnsafeBufferPointer { theta in
                sum.evaluate(threads: threads, into: &gradient) { rows, g in
                    var z = [Double](repeating: 0, count: k)
                    var loss = 0.0
                    for i in rows {
                        let lo = x.rowPointers[i], hi = x.rowPointers[i + 1]
                        for c in 0..<k { z[c] = intercept ? theta[c * stride + p] : 0 }
                        for q in lo..<hi {
                            let col = x.columnIndices[q], v = x.values[q]
                            for c in 0..<k { z[c] += v * theta[c * stride + col] }
                        }
                        if k == 1 {
                            // Binary: ℓ = log(1 + e^z) − y z, ∂ℓ/∂z = σ(z) − y.
                            let zi = z[0], yi = Double(encoded[i])
                            loss += (zi > 0 ? zi + Foundation.log1p(Foundation.exp(-zi)) : Foundation.log1p(Foundation.exp(zi))) - yi * zi
                            z[0] = 1 / (1 + Foundation.exp(-zi)) - yi
                        } else {
                            // Softmax: ℓ = log Σ e^z − z_y, ∂ℓ/∂z = p − [c = y].
                            let m = z.max()!
                            var s = 0.0
                            for c in 0..<k { s += Foundation.exp(z[c] - m) }
                            loss += m + Foundation.log(s) - z[encoded[i]]
                            for c in 0..<k { z[c] = Foundation.exp(z[c] - m) / s }
                            z[encoded[i]] -= 1
                        }
                        for q in lo..<hi {
                            let col = x.columnIndices[q], v = x.values[q]
                            for c in 0..<k { g[c * stride + col] += z[c] * v }
                        }
                        if intercept { for c in 0..<k { g[c * stride + p] += z[c] } }
                    }
                    return loss
                }
            }
            let invN = 1 / Double(n)
            var penalty = 0.0
            for c in 0..<k {
                for j in 0..<p {
                    let w = theta[c * stride + j]
                    penalty += w * w
                    gradient[c * stride + j] = gradient[c * stride + j] * invN + lambda * w
                }
                gradient[c * stride + p] = intercept ? gradient[c * stride + p] * invN : 0
            }
            return total * invN + 0.5 * lambda * penalty
        }
        var lbfgs = LBFGSMinimizer()
        lbfgs.maxIterations = maxIter
        lbfgs.gradientTolerance = tol
        let r = lbfgs.minimize([Double](repeating: 0, count: size), objective)
        guard r.x.allSatisfy(\.isFinite) else { throw NLPError.invalidInput("SparseLogisticRegression.fit: the optimization diverged") }
        classes = y.classes
        featureCount = p
        coefficients = (0..<k).flatMap { c in r.x[(c * stride)..<(c * stride + p)] }
        intercepts = (0..<k).map { r.x[$0 * stride + p] }
        iterations = r.iterations
        objectiveValue = r.value
    }

    /// `x·Wᵀ + b` per document (one column for two classes, positive favouring `classes[1]`).
    public func decisionFunction(_ x: SparseMatrix) throws -> [[Double]] {
        try linearScores(x, weights: coefficients, bias: intercepts, features: featureCount, "SparseLogisticRegression")
    }

    /// Class probabilities per document, columns in `classes` order (`predict_proba`).
    public func predictProbabilities(_ x: SparseMatrix) throws -> [[Double]] {
        try decisionFunction(x).map { z in
            if z.count == 1 { let p = 1 / (1 + Foundation.exp(-z[0])); return [1 - p, p] }
            let m = z.max()!
            let e = z.map { Foundation.exp($0 - m) }
            let s = e.reduce(0, +)
            return e.map { $0 / s }
        }
    }

    /// The most probable label of each document (`predict`).
    public func predict(_ x: SparseMatrix) throws -> [String] {
        try decisionFunction(x).map { z in
            if z.count == 1 { return classes[z[0] > 0 ? 1 : 0] }
            return classes[z.indices.max { z[$0] < z[$1] || (z[$0] == z[$1] && $0 > $1) }!]
        }
    }
}

/// Multinomial naive Bayes on a sparse count (or TF-IDF) matrix, as scikit-learn's
/// `MultinomialNB`: per class, log P(word | class) = log((N_cw + α) / (N_c + α·V)), and the class
/// prior from the label frequencies (`fit_prior`) or uniform.
public final class SparseMultinomialNB {
    /// Additive smoothing (`alpha`).
    public let alpha: Double
    /// Learn the class priors (`fit_prior`); otherwise uniform.
    public let fitPrior: Bool
    /// The labels, sorted (`classes_`).
    public private(set) var classes: [String] = []
    /// log P(class) (`class_log_prior_`) and log P(word | class), classes × features (`feature_log_prob_`).
    public private(set) var classLogPrior: [Double] = [], featureLogProbabilities: [Double] = []
    /// Features seen in `fit`.
    public private(set) var featureCount = 0

    /// scikit-learn's defaults: α = 1, learned priors.
    public init(alpha: Double = 1, fitPrior: Bool = true) throws {
        guard alpha >= 0, alpha.isFinite else { throw NLPError.invalidParameter(name: "alpha", value: "\(alpha)", expected: "a number ≥ 0") }
        self.alpha = max(alpha, 1e-10)   // scikit-learn clips α below 1e-10 (force_alpha=False behaviour)
        self.fitPrior = fitPrior
    }

    /// Fits to non-negative features `x` with one label per row.
    public func fit(_ x: SparseMatrix, _ labels: [String]) throws {
        try checkFinite(x, "SparseMultinomialNB.fit")
        guard x.values.allSatisfy({ $0 >= 0 }) else { throw NLPError.invalidInput("SparseMultinomialNB.fit: negative values in the document–term matrix") }
        let y = try TextLabels(labels, rows: x.rows, "SparseMultinomialNB.fit")
        let k = y.classes.count, p = x.columns
        let (size, overflow) = k.multipliedReportingOverflow(by: p)
        guard !overflow, size <= 1 << 26 else { throw NLPError.invalidInput("SparseMultinomialNB.fit: \(k) classes × \(p) features is more than \(1 << 26) values; lower max_features") }
        var counts = [Double](repeating: 0, count: k * p), classCounts = [Double](repeating: 0, count: k)
        for i in 0..<x.rows {
            let c = y.encoded[i]
            classCounts[c] += 1
            for q in x.rowPointers[i]..<x.rowPointers[i + 1] { counts[c * p + x.columnIndices[q]] += x.values[q] }
        }
        featureLogProbabilities = [Double](repeating: 0, count: k * p)
        for c in 0..<k {
            var total = 0.0
            for j in 0..<p { total += counts[c * p + j] + alpha }
            let logTotal = Foundation.log(total)
            for j in 0..<p { featureLogProbabilities[c * p + j] = Foundation.log(counts[c * p + j] + alpha) - logTotal }
        }
        let n = Double(x.rows)
        classLogPrior = fitPrior ? classCounts.map { Foundation.log($0) - Foundation.log(n) } : [Double](repeating: -Foundation.log(Double(k)), count: k)
        classes = y.classes
        featureCount = p
    }

    /// log P(class | document) per document, columns in `classes` order (`predict_log_proba`).
    public func predictLogProbabilities(_ x: SparseMatrix) throws -> [[Double]] {
        try linearScores(x, weights: featureLogProbabilities, bias: classLogPrior, features: featureCount, "SparseMultinomialNB").map { joint in
            let norm = joint.withUnsafeBufferPointer { logSumExp($0) }
            return joint.map { $0 - norm }
        }
    }

    /// The most probable label of each document (`predict`).
    public func predict(_ x: SparseMatrix) throws -> [String] {
        try predictLogProbabilities(x).map { row in classes[row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) }!] }
    }
}
