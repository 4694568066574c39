import Foundation

// `validateDecoded()` for clustering, mixtures, decomposition and t-SNE (see ``DecodedModel``).

extension KMeans {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        guard !clusterCenters.values.isEmpty else { return }
        try check.atLeast(clusterCenters.columns, 1, "clusterCenters' column count (n_features)")
        try check.matrix(clusterCenters, rows: nil, columns: nil, "clusterCenters")
        try check.indices(labels, below: clusterCenters.rows, "labels")
    }
}

extension DBSCAN {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        try check.indices(coreSampleIndices, below: labels.count, "coreSampleIndices")
        try check.matrix(components, rows: coreSampleIndices.count, columns: nil, "components")
        try check.that(labels.allSatisfy { $0 >= -1 }, "labels has a value below -1")
    }
}

extension AgglomerativeClustering {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        try check.atLeast(nLeaves, 0, "nLeaves")
        for (i, pair) in children.enumerated() {
            try check.count(pair, 2, "children[\(i)]")
            try check.indices(pair, below: nLeaves + i, "children[\(i)]")
        }
        try check.finite(distances, "distances")
        try check.that(labels.allSatisfy { $0 >= 0 }, "labels has a negative value")
    }
}

extension GaussianMixture {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        guard !weights.isEmpty || !means.values.isEmpty else { return }
        let k = means.rows, d = means.columns
        try check.atLeast(k, 1, "the number of components")
        try check.atLeast(d, 1, "means' column count (n_features)")
        try check.matrix(means, rows: k, columns: d, "means")
        try check.probabilities(weights, k, "weights")
        let size: Int
        switch covarianceType {
        case "full": size = k * d * d
        case "tied": size = d * d
        case "diag": size = k * d
        case "spherical": size = k
        default: throw check.failure("covarianceType '\(covarianceType)' is unknown")
        }
        try check.vector(covariances, size, "covariances")
        try check.vector(precisionsCholesky, size, "precisionsCholesky")
        // The factors prediction uses must be those of the stored covariances, which must be
        // positive definite: recompute them as `fit` does and compare.
        guard let expected = try? Self.precisionCholesky(covariances, type: covarianceType, k: k, d: d) else {
            throw check.failure("covariances are not positive definite")
        }
        if let j = expected.indices.first(where: { abs(expected[$0] - precisionsCholesky[$0]) > 1e-8 * Swift.max(1, abs(expected[$0])) }) {
            throw check.failure("precisionsCholesky[\(j)] is \(precisionsCholesky[j]), the covariances give \(expected[j])")
        }
        try check.indices(labels, below: k, "labels")
    }
}

extension PCA {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        guard !mean.isEmpty || !components.values.isEmpty else { return }
        let f = mean.count, k = components.rows
        try check.vector(mean, f, "mean")
        try check.atLeast(f, 1, "n_features")
        try check.matrix(components, rows: nil, columns: f, "components")
        try check.vector(explainedVariance, k, "explainedVariance")
        try check.vector(explainedVarianceRatio, k, "explainedVarianceRatio")
        try check.vector(singularValues, k, "singularValues")
        try check.finite(noiseVariance, "noiseVariance")
    }
}

extension TruncatedSVD {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        guard !components.values.isEmpty else { return }
        let k = components.rows
        try check.matrix(components, rows: nil, columns: nil, "components")
        try check.vector(explainedVariance, k, "explainedVariance")
        try check.vector(explainedVarianceRatio, k, "explainedVarianceRatio")
        try check.vector(singularValues, k, "singularValues")
    }
}

extension TSNE {
    public func validateDecoded() throws {
        try DecodedCheck(Self.modelName).finite(embedding.values, "embedding")
    }
}
