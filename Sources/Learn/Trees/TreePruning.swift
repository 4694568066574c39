import Foundation

/// Minimal cost-complexity pruning (Breiman et al., CART, ch. 3).
///
/// With `R(t) = W_t/W_root · impurity(t)` the weighted impurity of node `t` and `R(T_t)` the sum of
/// `R` over the leaves of the subtree below `t`, collapsing `t` into a leaf costs
/// `α_eff(t) = (R(t) − R(T_t)) / (|leaves(T_t)| − 1)` per removed leaf. Pruning repeatedly collapses
/// the internal node with the smallest `α_eff` (the first in node order on ties) while
/// `α_eff ≤ ccp_alpha`; the pruning path records `α_eff` and the total leaf impurity `R(T)`
/// after each collapse, starting from `(0, R(T))`.
enum TreePruning {
    /// Runs the weakest-link loop. `stopAbove`: stop before collapsing a node whose α_eff exceeds
    /// it (nil: prune to the root). Returns the path and which nodes became leaves.
    static func weakestLink(_ tree: TreeStructure, stopAbove: Double?) -> (alphas: [Double], impurities: [Double], leaves: [Bool]) {
        let n = tree.nodeCount
        var parent = [Int](repeating: -1, count: n)
        for i in 0..<n where tree.childrenLeft[i] != -1 { parent[tree.childrenLeft[i]] = i; parent[tree.childrenRight[i]] = i }
        let root = tree.weightedNNodeSamples[0]
        let rNode = (0..<n).map { tree.weightedNNodeSamples[$0] * tree.impurity[$0] / root }
        var rBranch = [Double](repeating: 0, count: n)
        var nLeaves = [Int](repeating: 0, count: n)
        var candidate = [Bool](repeating: false, count: n)
        var isLeaf = [Bool](repeating: false, count: n)
        // Children have larger ids than parents in both growth orders: sweep ids backwards.
        for i in stride(from: n - 1, through: 0, by: -1) {
            if tree.childrenLeft[i] == -1 {
                rBranch[i] = rNode[i]; nLeaves[i] = 1; isLeaf[i] = true
            } else {
                let l = tree.childrenLeft[i], r = tree.childrenRight[i]
                rBranch[i] = rBranch[l] + rBranch[r]; nLeaves[i] = nLeaves[l] + nLeaves[r]; candidate[i] = true
            }
        }
        var inTree = [Bool](repeating: true, count: n)
        var alphas = [0.0], impurities = [rBranch[0]]
        while candidate[0] {
            var best = Double.greatestFiniteMagnitude, node = -1
            for i in 0..<n where candidate[i] && inTree[i] {
                let a = (rNode[i] - rBranch[i]) / Double(nLeaves[i] - 1)
                if a < best { best = a; node = i }
            }
            if node < 0 { break }
            if let stop = stopAbove, best > stop { break }
            // Collapse `node`: its descendants leave the tree.
            var stack = [tree.childrenLeft[node], tree.childrenRight[node]]
            while let d = stack.popLast() {
                inTree[d] = false; candidate[d] = false
                if tree.childrenLeft[d] != -1 { stack.append(tree.childrenLeft[d]); stack.append(tree.childrenRight[d]) }
            }
            candidate[node] = false; isLeaf[node] = true
            let removed = nLeaves[node] - 1
            let diff = rNode[node] - rBranch[node]
            nLeaves[node] = 1; rBranch[node] = rNode[node]
            var a = parent[node]
            while a != -1 { nLeaves[a] -= removed; rBranch[a] += diff; a = parent[a] }
            alphas.append(best); impurities.append(rBranch[0])
        }
        return (alphas, impurities, isLeaf)
    }

    /// The tree pruned with `ccp_alpha`, compacted into preorder.
    static func prune(_ tree: TreeStructure, alpha: Double) -> TreeStructure {
        guard alpha > 0, tree.nodeCount > 1 else { return tree }
        let leaves = weakestLink(tree, stopAbove: alpha).leaves
        var t = tree
        for i in 0..<t.nodeCount where leaves[i] && t.childrenLeft[i] != -1 { t.makeLeaf(i) }
        return t.compacted()
    }
}
