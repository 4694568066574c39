import Foundation

/// The penalized logistic loss of scikit-learn's `LogisticRegression`, its gradient and Hessian.
///
/// With per-sample weights `sᵢ` (sample × class weights), `S = Σ sᵢ` and L2 strength `λ = 1/(C·S)`:
///
///     f(W, b) = (1/S) Σᵢ sᵢ ℓᵢ + (λ/2)‖W‖²          (the intercept b is not penalized)
///
/// Two classes (one output, `yᵢ ∈ {0, 1}`, `zᵢ = xᵢ·w + b`): `ℓᵢ = log(1 + e^{zᵢ}) − yᵢ zᵢ`,
/// `∂ℓ/∂z = σ(z) − y`. More classes (softmax, one row of W per class, `zᵢₖ = xᵢ·wₖ + bₖ`):
/// `ℓᵢ = log Σₖ e^{zᵢₖ} − zᵢ,yᵢ`, `∂ℓ/∂zₖ = pₖ − [y = k]`. Gradients follow by the chain rule:
/// `∇W = (1/S) Rᵀ X + λW`, `∇b = (1/S) Σᵢ Rᵢ` with `R = s ⊙ (P − Y)`; both products are GEMMs.
///
/// Parameters are packed class by class: `[w₀ (p values), b₀, w₁, b₁, …]` (no `b` without intercept).
struct LogisticObjective {
    let x: Matrix
    /// Class index per sample.
    let y: [Int]
    /// Weight per sample.
    let s: [Double]
    let sumWeights: Double
    /// Number of outputs: 1 for two classes, else the number of classes.
    let outputs: Int
    let fitIntercept: Bool
    /// λ = 1/(C·S) times the L2 share of the penalty (0 without an L2 part).
    let l2: Double

    var features: Int { x.columns }
    var stride: Int { x.columns + (fitIntercept ? 1 : 0) }
    var parameterCount: Int { outputs * stride }

    /// Coefficient matrix (outputs × p) and intercepts from packed parameters.
    func unpack(_ theta: [Double]) -> (Matrix, [Double]) {
        let p = features, st = stride
        var w = [Double](repeating: 0, count: outputs * p)
        var b = [Double](repeating: 0, count: outputs)
        for k in 0..<outputs {
            for j in 0..<p { w[k * p + j] = theta[k * st + j] }
            if fitIntercept { b[k] = theta[k * st + p] }
        }
        return (Matrix(rows: outputs, columns: p, values: w), b)
    }

    /// Probabilities: n × 1 (σ(z) of the positive class) for binary, n × K softmax otherwise.
    func probabilities(_ theta: [Double]) -> Matrix {
        let (w, b) = unpack(theta)
        var z = LinearSupport.decision(x, coef: w, intercept: b)
        if outputs == 1 {
            for i in 0..<z.values.count { z.values[i] = LinearSupport.sigmoid(z.values[i]) }
        } else {
            LinearSupport.softmaxRows(&z)
        }
        return z
    }

    /// f(θ); writes ∇f(θ) into `gradient`.
    func value(_ theta: [Double], _ gradient: inout [Double]) -> Double {
        let (w, b) = unpack(theta)
        var z = LinearSupport.decision(x, coef: w, intercept: b)
        let n = x.rows, k = outputs
        var loss = 0.0
        // z becomes the weighted residual R = s ⊙ (P − Y) in place.
        z.values.withUnsafeMutableBufferPointer { zb in
            if k == 1 {
                for i in 0..<n {
                    let zi = zb[i], yi = Double(y[i])
                    loss += s[i] * (LinearSupport.log1pExp(zi) - yi * zi)
                    zb[i] = s[i] * (LinearSupport.sigmoid(zi) - yi)
                }
            } else {
                for i in 0..<n {
                    let row = UnsafeMutableBufferPointer(rebasing: zb[(i * k)..<((i + 1) * k)])
                    let lse = LinearSupport.logSumExp(UnsafeBufferPointer(row))
                    loss += s[i] * (lse - row[y[i]])
                    for c in 0..<k { row[c] = s[i] * Foundation.exp(row[c] - lse) }
                    row[y[i]] -= s[i]
                }
            }
        }
        let gw = Matrix.product(z, x, transposeA: true)   // K × p
        let p = features, st = stride
        let inv = 1 / sumWeights
        var penalty = 0.0
        for c in 0..<k {
            for j in 0..<p {
                let wj = w.values[c * p + j]
                gradient[c * st + j] = gw.values[c * p + j] * inv + l2 * wj
                penalty += wj * wj
            }
            if fitIntercept {
                var sum = 0.0
                for i in 0..<n { sum += z.values[i * k + c] }
                gradient[c * st + p] = sum * inv
            }
        }
        return loss * inv + 0.5 * l2 * penalty
    }

    /// The Hessian ∇²f(θ) (row-major, `parameterCount²`): blocks
    /// `(1/S) Xₐᵀ diag(sᵢ pᵢₖ(δₖₗ − pᵢₗ)) Xₐ + λ δₖₗ I` with `Xₐ = [X | 1]`
    /// (binary: the single block with weights `sᵢ pᵢ(1 − pᵢ)`). Each block is one GEMM.
    func hessian(_ theta: [Double]) -> [Double] {
        let prob = probabilities(theta)
        let n = x.rows, p = features, st = stride, k = outputs, m = parameterCount
        let xa: Matrix = fitIntercept ? x.appendingColumns(Matrix(rows: n, columns: 1, repeating: 1)) : x
        var h = [Double](repeating: 0, count: m * m)
        let inv = 1 / sumWeights
        for a in 0..<k {
            for c in a..<k {
                var scaled = xa
                scaled.values.withUnsafeMutableBufferPointer { sb in
                    for i in 0..<n {
                        let d: Double
                        if k == 1 { let pi = prob.values[i]; d = s[i] * pi * (1 - pi) } else {
                            let pa = prob.values[i * k + a], pc = prob.values[i * k + c]
                            d = s[i] * pa * ((a == c ? 1 : 0) - pc)
                        }
                        for j in 0..<st { sb[i * st + j] *= d * inv }
                    }
                }
                let block = Matrix.product(xa, scaled, transposeA: true)   // st × st
                for r in 0..<st {
                    for q in 0..<st {
                        var v = block.values[r * st + q]
                        if a == c && r == q && r < p { v += l2 }
                        h[(a * st + r) * m + (c * st + q)] = v
                        h[(c * st + q) * m + (a * st + r)] = v
                    }
                }
            }
        }
        return h
    }
}
