import Foundation

// `validateDecoded()` for decision trees, and the structural check of a ``TreeStructure`` that
// forests and gradient boosting reuse (see ``DecodedModel``).

extension DecodedCheck {
    /// A tree read from a model file: parallel arrays of one length, `nOutputs` values per node,
    /// children in range and after their parent (so the tree is acyclic and every walk ends at a
    /// leaf), each node the child of at most one parent, split features below `nFeatures`, and
    /// finite thresholds, values, impurities and weights.
    func tree(_ t: TreeStructure, nFeatures: Int, nOutputs: Int, _ field: String = "tree") throws {
        let n = t.childrenLeft.count
        try atLeast(n, 1, "\(field)'s node count")
        try that(t.nOutputs == nOutputs, "\(field)'s nOutputs is \(t.nOutputs), expected \(nOutputs)")
        for (name, c) in [("childrenRight", t.childrenRight.count), ("feature", t.feature.count), ("threshold", t.threshold.count),
                          ("impurity", t.impurity.count), ("nNodeSamples", t.nNodeSamples.count),
                          ("weightedNNodeSamples", t.weightedNNodeSamples.count)] {
            try that(c == n, "\(field).\(name) has \(c) values for \(n) nodes")
        }
        try that(t.value.count / nOutputs == n && t.value.count % nOutputs == 0,
                 "\(field).value has \(t.value.count) values for \(n) nodes × \(nOutputs) outputs")
        try finite(t.value, "\(field).value")
        try finite(t.impurity, "\(field).impurity")
        try finite(t.weightedNNodeSamples, "\(field).weightedNNodeSamples")
        try splitNodes(left: t.childrenLeft, right: t.childrenRight, feature: t.feature, threshold: t.threshold,
                       nFeatures: nFeatures, field)
    }

    /// The split structure shared by plain and histogram trees (arrays of equal length `n`,
    /// checked by the caller): children come after their parent and each node is reached once
    /// (so the tree is acyclic and every walk ends), leaves have no right child, split features
    /// are in range and thresholds finite.
    func splitNodes(left: [Int], right: [Int], feature: [Int], threshold: [Double], nFeatures: Int, _ field: String) throws {
        let n = left.count
        var hasParent = [Bool](repeating: false, count: n)
        for i in 0..<n {
            let l = left[i], r = right[i]
            if l == -1 {
                try that(r == -1, "\(field): node \(i) has no left child but right child \(r)")
                continue
            }
            for (side, c) in [("left", l), ("right", r)] {
                try that(c > i && c < n, "\(field): node \(i)'s \(side) child \(c) is out of range (\(i + 1)..<\(n))")
                try that(!hasParent[c], "\(field): node \(c) is reached twice (a cycle or shared subtree)")
                hasParent[c] = true
            }
            try that(feature[i] >= 0 && feature[i] < nFeatures,
                     "\(field): node \(i)'s feature \(feature[i]) is out of range (0..<\(nFeatures))")
            try finite(threshold[i], "\(field): node \(i)'s threshold")
        }
    }

    /// Feature importances: empty or one finite value per feature.
    func importances(_ values: [Double], _ nFeatures: Int, _ field: String = "featureImportances") throws {
        if !values.isEmpty { try vector(values, nFeatures, field) }
    }
}

extension DecisionTreeClassifier {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        guard let tree else { return try check.that(classes.isEmpty, "classes without a fitted tree") }
        try check.classes(classes)
        try check.atLeast(nFeaturesIn, 1, "nFeaturesIn")
        try check.tree(tree, nFeatures: nFeaturesIn, nOutputs: classes.count)
        try check.importances(featureImportances, nFeaturesIn)
    }
}

extension DecisionTreeRegressor {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        guard let tree else { return }
        try check.atLeast(nFeaturesIn, 1, "nFeaturesIn")
        try check.tree(tree, nFeatures: nFeaturesIn, nOutputs: 1)
        try check.importances(featureImportances, nFeaturesIn)
    }
}
