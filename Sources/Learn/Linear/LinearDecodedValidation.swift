import Foundation

// `validateDecoded()` for the linear models: a model file's coefficients must be finite and
// shaped for the classes and features it states (see ``DecodedModel``).

extension DecodedCheck {
    /// A linear regressor: finite `coef` (empty means unfitted) and a finite intercept.
    func linearRegression(coef: [Double], intercept: Double) throws {
        try finite(coef, "coef")
        try finite(intercept, "intercept")
    }

    /// A linear classifier: distinct classes, `coef` with one row for two classes (else one per
    /// class) and one intercept per row, all finite; classes, coef and intercept all empty when unfitted.
    func linearClassifier(classes: [Int], coef: Matrix, intercept: [Double]) throws {
        if classes.isEmpty && coef.values.isEmpty && intercept.isEmpty { return }
        try self.classes(classes, minimum: 2)
        let rows = classes.count == 2 ? 1 : classes.count
        try atLeast(coef.columns, 1, "coef's column count (n_features)")
        try matrix(coef, rows: rows, columns: nil, "coef")
        try vector(intercept, rows, "intercept")
    }
}

extension LinearRegression {
    public func validateDecoded() throws { try DecodedCheck(Self.modelName).linearRegression(coef: coef, intercept: intercept) }
}

extension GradientDescentRegression {
    public func validateDecoded() throws { try DecodedCheck(Self.modelName).linearRegression(coef: coef, intercept: intercept) }
}

extension Ridge {
    public func validateDecoded() throws { try DecodedCheck(Self.modelName).linearRegression(coef: coef, intercept: intercept) }
}

extension RidgeCV {
    public func validateDecoded() throws { try DecodedCheck(Self.modelName).linearRegression(coef: coef, intercept: intercept) }
}

extension ElasticNet {
    public func validateDecoded() throws {
        try DecodedCheck(type(of: self).modelName).linearRegression(coef: coef, intercept: intercept)
    }
}

extension SGDRegressor {
    public func validateDecoded() throws { try DecodedCheck(Self.modelName).linearRegression(coef: coef, intercept: intercept) }
}

extension LogisticRegression {
    public func validateDecoded() throws {
        try DecodedCheck(Self.modelName).linearClassifier(classes: classes, coef: coef, intercept: intercept)
    }
}

extension SGDClassifier {
    public func validateDecoded() throws {
        try DecodedCheck(Self.modelName).linearClassifier(classes: classes, coef: coef, intercept: intercept)
    }
}
