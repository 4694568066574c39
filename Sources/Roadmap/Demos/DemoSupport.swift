import Foundation
import Learn
import Datasets

// Small helpers shared by the demo and checkpoint files.

/// `x` with `digits` decimals.
func f(_ x: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", x) }

/// `x` in scientific notation with 1 decimal.
func e(_ x: Double) -> String { String(format: "%.1e", x) }

/// A fraction as a percentage with 1 decimal.
func pct(_ x: Double) -> String { String(format: "%.1f%%", 100 * x) }

/// Largest absolute element-wise difference.
func maxGap(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map { Swift.abs($0 - $1) }.max() ?? 0 }

/// 0, 1, 2 … as Doubles (chart x values).
func steps(_ n: Int, from start: Int = 0) -> [Double] { (start..<(start + n)).map(Double.init) }

/// A stratified 75/25 split of a bundled classification set.
func classificationSplit(_ set: BundledDataset, _ ctx: DemoContext) throws -> (data: Dataset, xTrain: Matrix, xTest: Matrix, yTrain: [Int], yTest: [Int]) {
    let data = try Datasets.load(set)
    let s = try trainTestSplit(data.features, data.labels, testSize: 0.25, stratify: true, randomState: ctx.randomState)
    return (data, s.xTrain, s.xTest, s.yTrain, s.yTest)
}

/// Test accuracy of a classifier fitted on the training part.
func testAccuracy(_ model: any Classifier, _ xTrain: Matrix, _ yTrain: [Int], _ xTest: Matrix, _ yTest: [Int]) throws -> Double {
    try model.fit(xTrain, yTrain)
    return try Metrics.accuracy(yTest, try model.predict(xTest))
}

/// A standard-scaler + model pipeline.
func scaled(_ model: any Estimator) -> Pipeline { Pipeline([("scale", StandardScaler()), ("model", model)]) }

/// Linear regression on standardized diabetes data fitted twice: by gradient descent (learning
/// rate 0.3, up to 50,000 steps) and in closed form. `relativeGap` is the largest coefficient
/// difference divided by the largest closed-form coefficient.
func diabetesGradientDescentVersusClosedForm() throws -> (x: Matrix, y: [Double], gd: GradientDescentRegression, exact: LinearRegression, relativeGap: Double) {
    let diabetes = try Datasets.load(.diabetes)
    let x = try StandardScaler().fitTransform(diabetes.features)
    let gd = GradientDescentRegression(learningRate: 0.3, maxIter: 50_000, tol: 1e-13)
    try gd.fit(x, diabetes.target)
    let exact = LinearRegression()
    try exact.fit(x, diabetes.target)
    let gap = maxGap(gd.coef + [gd.intercept], exact.coef + [exact.intercept]) / exact.coef.map { Swift.abs($0) }.max()!
    return (x, diabetes.target, gd, exact, gap)
}
