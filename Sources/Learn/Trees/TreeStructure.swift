import Foundation

/// A fitted binary decision tree stored as flat parallel arrays, like scikit-learn's `tree_`.
///
/// Node `i` is a leaf when `childrenLeft[i] == -1`; otherwise a row goes to `childrenLeft[i]` when
/// `x[feature[i]] <= threshold[i]` and to `childrenRight[i]` otherwise. Node 0 is the root.
/// `value` holds `nOutputs` numbers per node (row-major): class proportions for classifiers
/// (scikit-learn ≥ 1.4 stores fractions too), the mean (or median) target for regressors.
///
/// Like scikit-learn, trees compare features as 32-bit floats: `x` is rounded to `Float` before
/// the comparison, so a tree fitted here splits exactly where scikit-learn's would.
public struct TreeStructure: Codable, Equatable, Sendable {
    /// Left child of each node, −1 for a leaf (`children_left`).
    public internal(set) var childrenLeft: [Int] = []
    /// Right child of each node, −1 for a leaf (`children_right`).
    public internal(set) var childrenRight: [Int] = []
    /// Feature tested at each node, −2 for a leaf (`feature`).
    public internal(set) var feature: [Int] = []
    /// Threshold at each node, −2 for a leaf (`threshold`).
    public internal(set) var threshold: [Double] = []
    /// `nOutputs` values per node, row-major (`value`).
    public internal(set) var value: [Double] = []
    /// Impurity of each node under the fitting criterion (`impurity`).
    public internal(set) var impurity: [Double] = []
    /// Training samples reaching each node (`n_node_samples`).
    public internal(set) var nNodeSamples: [Int] = []
    /// Total sample weight reaching each node (`weighted_n_node_samples`).
    public internal(set) var weightedNNodeSamples: [Double] = []
    /// Values per node: number of classes, or 1 for regression.
    public internal(set) var nOutputs: Int = 1

    /// Number of nodes (`node_count`).
    public var nodeCount: Int { childrenLeft.count }
    /// Number of leaves (`n_leaves`).
    public var leafCount: Int { childrenLeft.reduce(0) { $0 + ($1 == -1 ? 1 : 0) } }

    /// Depth of the tree: edges on the longest root-to-leaf path (`max_depth`).
    public var depth: Int {
        guard nodeCount > 0 else { return 0 }
        var best = 0
        var stack: [(Int, Int)] = [(0, 0)]
        while let (n, d) = stack.popLast() {
            if childrenLeft[n] == -1 { best = Swift.max(best, d) } else {
                stack.append((childrenLeft[n], d + 1)); stack.append((childrenRight[n], d + 1))
            }
        }
        return best
    }

    /// Appends a node and returns its index.
    @discardableResult
    mutating func addNode(feature f: Int, threshold t: Double, impurity imp: Double, samples: Int,
                          weight: Double, value v: UnsafeBufferPointer<Double>) -> Int {
        childrenLeft.append(-1); childrenRight.append(-1)
        feature.append(f); threshold.append(t)
        impurity.append(imp); nNodeSamples.append(samples); weightedNNodeSamples.append(weight)
        value.append(contentsOf: v)
        return childrenLeft.count - 1
    }

    /// Turns node `i` into a leaf (its subtree stays in the arrays until compacted).
    mutating func makeLeaf(_ i: Int) {
        childrenLeft[i] = -1; childrenRight[i] = -1; feature[i] = -2; threshold[i] = -2
    }

    /// The leaf reached by a row (pointer to `nFeatures` values).
    @inline(__always)
    func leaf(_ row: UnsafePointer<Double>) -> Int {
        var n = 0
        childrenLeft.withUnsafeBufferPointer { left in
            childrenRight.withUnsafeBufferPointer { right in
                feature.withUnsafeBufferPointer { feat in
                    threshold.withUnsafeBufferPointer { thr in
                        while left[n] != -1 {
                            n = Double(Float(row[feat[n]])) <= thr[n] ? left[n] : right[n]
                        }
                    }
                }
            }
        }
        return n
    }

    /// The leaf index of every row of `x` (`apply`).
    public func apply(_ x: Matrix) -> [Int] {
        var out = [Int](repeating: 0, count: x.rows)
        x.values.withUnsafeBufferPointer { xv in
            for i in 0..<x.rows { out[i] = leaf(xv.baseAddress! + i * x.columns) }
        }
        return out
    }

    /// Adds `scale ×` the leaf value of every row to `out` (`rows × nOutputs`, row-major).
    func accumulate(_ x: Matrix, scale: Double, into out: inout [Double]) {
        let k = nOutputs
        x.values.withUnsafeBufferPointer { xv in
            value.withUnsafeBufferPointer { v in
                out.withUnsafeMutableBufferPointer { o in
                    for i in 0..<x.rows {
                        let l = leaf(xv.baseAddress! + i * x.columns)
                        for c in 0..<k { o[i * k + c] += scale * v[l * k + c] }
                    }
                }
            }
        }
    }

    /// Leaf values of every row as a `rows × nOutputs` matrix.
    public func predictValues(_ x: Matrix) -> Matrix {
        var out = [Double](repeating: 0, count: x.rows * nOutputs)
        accumulate(x, scale: 1, into: &out)
        return Matrix(rows: x.rows, columns: nOutputs, values: out)
    }

    /// Unnormalized impurity decrease per feature: Σ over split nodes of
    /// `w·impurity − w_left·impurity_left − w_right·impurity_right`, divided by the root weight.
    func impurityDecrease(features nFeatures: Int) -> [Double] {
        var imp = [Double](repeating: 0, count: nFeatures)
        guard nodeCount > 0 else { return imp }
        for i in 0..<nodeCount where childrenLeft[i] != -1 {
            let l = childrenLeft[i], r = childrenRight[i]
            imp[feature[i]] += weightedNNodeSamples[i] * impurity[i]
                - weightedNNodeSamples[l] * impurity[l] - weightedNNodeSamples[r] * impurity[r]
        }
        let root = weightedNNodeSamples[0]
        return imp.map { $0 / root }
    }

    /// Impurity-based feature importances, normalized to sum to 1 (all zero for a single leaf).
    public func featureImportances(features nFeatures: Int) -> [Double] {
        let imp = impurityDecrease(features: nFeatures)
        let total = imp.reduce(0, +)
        return total > 0 ? imp.map { $0 / total } : imp
    }

    /// A copy keeping only nodes reachable from the root, renumbered in depth-first preorder.
    func compacted() -> TreeStructure {
        var out = TreeStructure()
        out.nOutputs = nOutputs
        func copy(_ n: Int) -> Int {
            let id = value.withUnsafeBufferPointer { v in
                out.addNode(feature: feature[n], threshold: threshold[n], impurity: impurity[n],
                            samples: nNodeSamples[n], weight: weightedNNodeSamples[n],
                            value: UnsafeBufferPointer(rebasing: v[(n * nOutputs)..<((n + 1) * nOutputs)]))
            }
            if childrenLeft[n] != -1 {
                let l = copy(childrenLeft[n]); let r = copy(childrenRight[n])
                out.childrenLeft[id] = l; out.childrenRight[id] = r
            }
            return id
        }
        if nodeCount > 0 { _ = copy(0) }
        return out
    }
}
