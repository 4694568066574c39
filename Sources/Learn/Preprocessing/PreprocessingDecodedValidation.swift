import Foundation

// `validateDecoded()` for scalers, encoders, the imputer, polynomial features, feature
// selectors and pipelines (see ``DecodedModel``).

extension DecodedCheck {
    /// An optional per-feature array: nil, or `n` finite values.
    func optionalVector(_ values: [Double]?, _ n: Int, _ field: String) throws {
        if let values { try vector(values, n, field) }
    }
}

extension DecodedCheck {
    /// Encoder categories as `fit` writes them and the binary search in `transform` needs them:
    /// strictly increasing finite values, then at most one NaN (the missing-value category).
    func sortedCategories(_ cats: [Double], _ field: String) throws {
        let nanLast = cats.last?.isNaN == true
        let values = nanLast ? cats.dropLast() : cats[...]
        if let k = values.firstIndex(where: { !$0.isFinite }) {
            throw failure("\(field)[\(k)] is \(values[k]); a finite value is needed (NaN only as the last category)")
        }
        for k in values.indices.dropFirst() where !(values[k - 1] < values[k]) {
            throw failure("\(field) is not sorted and distinct: \(values[k - 1]) then \(values[k]) at \(k)")
        }
    }
}

extension StandardScaler {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        try check.atLeast(nFeatures, 0, "nFeatures")
        try check.optionalVector(mean, nFeatures, "mean")
        try check.optionalVector(variance, nFeatures, "variance")
        try check.optionalVector(scale, nFeatures, "scale")
        if let scale { try check.positive(scale, "scale") }
        if let variance { try check.nonNegative(variance, "variance") }
        try check.finite(nSamplesSeen, "nSamplesSeen")
    }
}

extension MinMaxScaler {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        let n = scale.count
        try check.vector(scale, n, "scale")
        try check.positive(scale, "scale")
        try check.vector(min, n, "min")
        try check.vector(dataMin, n, "dataMin")
        try check.vector(dataMax, n, "dataMax")
        try check.vector(dataRange, n, "dataRange")
    }
}

extension RobustScaler {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        try check.atLeast(nFeatures, 0, "nFeatures")
        try check.optionalVector(center, nFeatures, "center")
        try check.optionalVector(scale, nFeatures, "scale")
        if let scale { try check.positive(scale, "scale") }
    }
}

extension Normalizer {
    public func validateDecoded() throws { try DecodedCheck(Self.modelName).atLeast(nFeatures, 0, "nFeatures") }
}

extension OneHotEncoder {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        let f = categories.count
        try check.count(outputSlot, f, "outputSlot")
        try check.count(infrequentSlot, f, "infrequentSlot")
        try check.count(blockWidth, f, "blockWidth")
        try check.count(dropIndex, f, "dropIndex")
        if !infrequentCategories.isEmpty { try check.count(infrequentCategories, f, "infrequentCategories") }
        for j in 0..<f {
            let width = blockWidth[j]
            try check.that(width >= 0 && width <= categories[j].count + 1, "blockWidth[\(j)] = \(width) is out of range (0...\(categories[j].count + 1))")
            try check.count(outputSlot[j], categories[j].count, "outputSlot[\(j)]")
            try check.indices(outputSlot[j].compactMap { $0 }, below: width, "outputSlot[\(j)]")
            try check.indices([infrequentSlot[j]].compactMap { $0 }, below: width, "infrequentSlot[\(j)]")
            try check.indices([dropIndex[j]].compactMap { $0 }, below: categories[j].count, "dropIndex[\(j)]")
            try check.sortedCategories(categories[j], "categories[\(j)]")
        }
    }
}

extension OrdinalEncoder {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        for (j, cats) in categories.enumerated() { try check.sortedCategories(cats, "categories[\(j)]") }
    }
}

extension SimpleImputer {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        // NaN statistics mark columns with no observed value (dropped), so only ±∞ is refused.
        try check.that(!statistics.contains { $0.isInfinite }, "statistics holds an infinite value")
        try check.indices(indicatorFeatures, below: statistics.count, "indicatorFeatures")
    }
}

extension PolynomialFeatures {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        try check.atLeast(nFeatures, 0, "nFeatures")
        for (i, p) in powers.enumerated() {
            try check.count(p, nFeatures, "powers[\(i)]")
            try check.that(p.allSatisfy { $0 >= 0 }, "powers[\(i)] has a negative power")
        }
        for (i, c) in combinations.enumerated() { try check.indices(c, below: nFeatures, "combinations[\(i)]") }
    }
}

extension SelectKBest {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        try check.count(scores, support.count, "scores")
        if let pvalues { try check.count(pvalues, support.count, "pvalues") }
    }
}

extension RFE {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        try check.count(ranking, support.count, "ranking")
        try check.that(ranking.allSatisfy { $0 >= 1 }, "ranking has a value below 1")
        try check.that((fittedEstimator == nil) == support.isEmpty, "support and the fitted estimator disagree")
    }
}

extension Pipeline {
    public func validateDecoded() throws {
        let check = DecodedCheck(Self.modelName)
        let names = steps.map(\.name)
        try check.that(Set(names).count == names.count, "step names \(names) are not distinct")
        for (i, s) in steps.dropLast().enumerated() {
            try check.that(s.box.estimator is any Transformer, "step \(i) '\(s.name)' (\(type(of: s.box.estimator).modelName)) is not a transformer")
        }
    }
}
