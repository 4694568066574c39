import Testing
import Tensors
import TestSupport

/// The oracles the other tests rely on must be able to fail: a NaN result must not pass an error
/// bound, and `GradCheck` must reject a backward function that is wrong.
@Suite("Oracles reject wrong answers")
struct OracleTests {
    @Test func nanFailsEveryErrorMeasure() {
        let reference = [1.0, -2, 3]
        let measures: [(String, ([Double], [Double]) -> Double)] = [
            ("maxAbsoluteError", { maxAbsoluteError($0, $1) }),
            ("maxScaledError", { maxScaledError($0, $1) }),
            ("maxRelativeError", { maxRelativeError($0, $1) }),
            ("maxErrorRelativeToScale", { maxErrorRelativeToScale($0, $1) }),
        ]
        for (name, measure) in measures {
            #expect(measure(reference, reference) == 0, "\(name) of equal arrays")
            #expect(measure([1.5, -2, 3], reference) > 0.1, "\(name) sees a difference")
            // NaN first, in the middle, everywhere, and in the reference: never within a bound.
            for bad in [[Double.nan, -2, 3], [1, .nan, 3], [Double.nan, .nan, .nan]] {
                #expect(measure(bad, reference) == .infinity, "\(name)(\(bad), reference)")
                #expect(measure(reference, bad) == .infinity, "\(name)(reference, \(bad))")
            }
            #expect(measure([1, 2], reference) == .infinity, "\(name) of different lengths")
        }
        #expect(worse(0.1, .nan) == .infinity && worse(.nan, 0.1) == .infinity && worse(0.1, 0.2) == 0.2)
        #expect(largestError([0.1, .nan, 0.2]) == .infinity && largestError([0.1, 0.3, 0.2]) == 0.3)
        // The trap the measures exist for: Swift's own max drops NaN.
        #expect(Swift.max(0.1, Double.nan) == 0.1 && [0.1, .nan].max() == 0.1)
    }

    /// x² with a hand-written backward `g · factor · x` (the right factor is 2).
    private func square(_ x: Tensor, backward: @escaping (Tensor, Tensor) -> Tensor) -> Tensor {
        let y = GradMode.withoutGrad { x * x }
        return Tensor.differentiable(y, inputs: [x], name: "square") { g in [backward(g, x)] }
    }

    @Test func gradCheckAcceptsTheRightBackwardAndRejectsWrongOnes() {
        let x = Tensor.uniform([6], low: 0.5, high: 1.5, dtype: .float64, seed: 1)
        let right = GradCheck.check([x]) { square($0[0]) { g, x in g * 2 * x } }
        #expect(right.passed, "\(right)")
        #expect(right.maxAbsoluteError < 1e-8)
        let wrongBackwards: [(String, (Tensor, Tensor) -> Tensor)] = [
            ("factor off by 0.1%", { g, x in g * 2.002 * x }),
            ("missing factor 2", { g, x in g * x }),
            ("wrong sign", { g, x in -(g * 2 * x) }),
            ("ignores the incoming gradient", { _, x in 2 * x }),
            ("NaN", { g, _ in g * Double.nan }),
            ("zero", { g, _ in g * 0 }),
        ]
        for (name, backward) in wrongBackwards {
            let result = GradCheck.check([x]) { square($0[0], backward: backward) }
            #expect(!result.passed, "GradCheck accepted a backward with \(name): \(result)")
        }
        let nan = GradCheck.check([x]) { square($0[0]) { g, _ in g * Double.nan } }
        #expect(nan.maxAbsoluteError == .infinity && nan.maxRelativeError == .infinity, "NaN reported as \(nan)")
    }
}
