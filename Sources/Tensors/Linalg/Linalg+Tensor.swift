// numpy.linalg / torch.linalg on tensors: batched over leading axes, float32 and float64
// (integers compute in float64), with reverse-mode gradients where the op has a closed form.

extension Linalg {
    /// Matrices of a `[..., rows, cols]` tensor as row-major arrays of `T`.
    private static func matrices<T: FloatScalar>(_ x: Tensor, _: T.Type) -> (batch: [Int], rows: Int, cols: Int, mats: [[T]]) {
        let rows = x.shape[x.rank - 2], cols = x.shape[x.rank - 1]
        let flat = x.detached().toArray(as: T.self)
        let per = rows * cols
        let n = per == 0 ? x.shape.dropLast(2).reduce(1, *) : flat.count / per
        return (Array(x.shape.dropLast(2)), rows, cols, (0..<n).map { Array(flat[($0 * per)..<(($0 + 1) * per)]) })
    }

    private static func floatType(_ x: Tensor) -> DType { x.dtype == .float32 ? .float32 : .float64 }

    private static func requireMatrix(_ x: Tensor, _ op: String, square: Bool = false) throws {
        guard x.rank >= 2 else {
            throw LinalgError.invalidArgument("\(op): expected a matrix or a batch of matrices, got shape \(x.shape)")
        }
        if square && x.shape[x.rank - 1] != x.shape[x.rank - 2] {
            throw LinalgError.invalidArgument("\(op): expected square matrices, got shape \(x.shape)")
        }
    }

    /// Applies a single-matrix routine over the batch, for Float and Double, and stacks results.
    /// `body` returns the flat outputs of one matrix; `shapes` gives their per-matrix shapes.
    private static func batchMap(_ x: Tensor, shapes: [[Int]],
                                 _ f32: ([Float], Int, Int) throws -> [[Float]],
                                 _ f64: ([Double], Int, Int) throws -> [[Double]]) throws -> [Tensor] {
        func assemble<T: FloatScalar>(_ m: (batch: [Int], rows: Int, cols: Int, mats: [[T]]), _ f: ([T], Int, Int) throws -> [[T]]) throws -> [Tensor] {
            var outs = [[T]](repeating: [], count: shapes.count)
            for mat in m.mats {
                let r = try f(mat, m.rows, m.cols)
                for k in 0..<shapes.count { outs[k] += r[k] }
            }
            return (0..<shapes.count).map { Tensor(outs[$0], shape: m.batch + shapes[$0]) }
        }
        if floatType(x) == .float32 { return try assemble(matrices(x.to(.float32), Float.self), f32) }
        return try assemble(matrices(x.to(.float64), Double.self), f64)
    }

    // MARK: - Square systems

    /// Solves `A X = B` (batched; `b` may be `[..., n]` or `[..., n, k]`, NumPy 2 rules: a 1-D `b`
    /// is a vector). d/dB = A⁻ᵀ G, d/dA = −(A⁻ᵀ G) Xᵀ.
    public static func solve(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        try requireMatrix(a, "solve", square: true)
        let n = a.shape[a.rank - 1]
        let vector = b.rank == 1
        var bm = vector ? b.unsqueezed(-1) : b
        guard bm.rank >= 2, bm.shape[bm.rank - 2] == n else {
            throw LinalgError.invalidArgument("solve: a has shape \(a.shape) but b has shape \(b.shape)")
        }
        let batch = broadcastShapes(Array(a.shape.dropLast(2)), Array(bm.shape.dropLast(2)), op: "solve")
        let k = bm.shape[bm.rank - 1]
        let t = DType.promote(floatType(a), floatType(b))
        let av = a.detached().to(t).expanded(to: batch + [n, n]), bv = bm.detached().to(t).expanded(to: batch + [n, k])
        let x: Tensor
        if t == .float32 {
            let am = matrices(av, Float.self), bmats = matrices(bv, Float.self)
            let flat = try zip(am.mats, bmats.mats).flatMap { try Linalg.solve($0, $1, n: n, nrhs: k) }
            x = Tensor(flat, shape: batch + [n, k])
        } else {
            let am = matrices(av, Double.self), bmats = matrices(bv, Double.self)
            let flat = try zip(am.mats, bmats.mats).flatMap { try Linalg.solve($0, $1, n: n, nrhs: k) }
            x = Tensor(flat, shape: batch + [n, k])
        }
        bm = Tensor.record(x, [a, bm], "solve") { g in
            let gb = (try? Linalg.solve(av.transposed(), g)) ?? Tensor.full(like: g, .nan)
            return [-(gb.matmul(x.transposed())), gb]
        }
        return vector ? bm.squeezed(-1) : bm
    }

    /// The inverse of each square matrix. d/dA = −A⁻ᵀ G A⁻ᵀ.
    public static func inverse(_ a: Tensor) throws -> Tensor {
        try requireMatrix(a, "inverse", square: true)
        let n = a.shape[a.rank - 1]
        let y = try batchMap(a, shapes: [[n, n]], { m, _, _ in [try Linalg.inverse(m, n: n)] }, { m, _, _ in [try Linalg.inverse(m, n: n)] })[0]
        return Tensor.record(y, [a], "inverse") { g in
            let yt = y.transposed()
            return [-(yt.matmul(g).matmul(yt))]
        }
    }

    /// The determinant of each square matrix. d/dA = g · det(A) · A⁻ᵀ.
    public static func det(_ a: Tensor) throws -> Tensor {
        try requireMatrix(a, "det", square: true)
        let n = a.shape[a.rank - 1]
        let d = try batchMap(a, shapes: [[]], { m, _, _ in [[try Linalg.det(m, n: n)]] }, { m, _, _ in [[try Linalg.det(m, n: n)]] })[0]
        let ad = a.detached()
        return Tensor.record(d, [a], "det") { g in
            let inv = (try? Linalg.inverse(ad)) ?? Tensor.full(like: ad, .nan)
            return [(g * d).unsqueezed(-1).unsqueezed(-1) * inv.transposed()]
        }
    }

    /// Sign and log|det| of each square matrix (stable for large or tiny determinants).
    /// d log|det| / dA = A⁻ᵀ; the sign has no gradient.
    public static func slogdet(_ a: Tensor) throws -> (sign: Tensor, logAbsDet: Tensor) {
        try requireMatrix(a, "slogdet", square: true)
        let n = a.shape[a.rank - 1]
        let r = try batchMap(a, shapes: [[], []],
                             { m, _, _ in let s = try Linalg.slogdet(m, n: n); return [[s.sign], [s.logAbsDet]] },
                             { m, _, _ in let s = try Linalg.slogdet(m, n: n); return [[s.sign], [s.logAbsDet]] })
        let ad = a.detached()
        let logAbs = Tensor.record(r[1], [a], "slogdet") { g in
            let inv = (try? Linalg.inverse(ad)) ?? Tensor.full(like: ad, .nan)
            return [g.unsqueezed(-1).unsqueezed(-1) * inv.transposed()]
        }
        return (r[0], logAbs)
    }

    // MARK: - Factorizations

    /// Lower Cholesky factor L with A = L Lᵀ (reads the lower triangle of A).
    /// d/dA = ½ (S + Sᵀ) with S = L⁻ᵀ Φ(Lᵀ G) L⁻¹, Φ = lower triangle with halved diagonal.
    public static func cholesky(_ a: Tensor) throws -> Tensor {
        try requireMatrix(a, "cholesky", square: true)
        let n = a.shape[a.rank - 1]
        let l = try batchMap(a, shapes: [[n, n]], { m, _, _ in [try Linalg.cholesky(m, n: n)] }, { m, _, _ in [try Linalg.cholesky(m, n: n)] })[0]
        return Tensor.record(l, [a], "cholesky") { g in
            let p = l.transposed().matmul(g)
            let lower = Tensor.tril(n, dtype: p.dtype), diag = Tensor.eye(n, dtype: p.dtype)
            let phi = p * lower - p * diag * 0.5
            guard let linv = try? Linalg.inverse(l) else { return [Tensor.full(like: g, .nan)] }
            let s = linv.transposed().matmul(phi).matmul(linv)
            return [(s + s.transposed()) * 0.5]
        }
    }

    /// QR decomposition as `numpy.linalg.qr` (`reduced`: Q is m×k, R is k×n, k = min(m, n)).
    /// Differentiable for the reduced mode with m ≥ n and full rank (Seeger et al.):
    /// d/dA = (G_Q + Q·copyltu(M))·R⁻ᵀ with M = R·G_Rᵀ − G_Qᵀ·Q.
    public static func qr(_ a: Tensor, mode: QRMode = .reduced) throws -> (q: Tensor, r: Tensor) {
        try requireMatrix(a, "qr")
        let m = a.shape[a.rank - 2], n = a.shape[a.rank - 1], k = Swift.min(m, n)
        let qCols = mode == .complete ? m : k, rRows = mode == .complete ? m : k
        let r = try batchMap(a, shapes: [[m, qCols], [rRows, n]],
                             { let f = try Linalg.qr($0, rows: $1, cols: $2, mode: mode); return [f.q, f.r] },
                             { let f = try Linalg.qr($0, rows: $1, cols: $2, mode: mode); return [f.q, f.r] })
        let q = r[0], rr = r[1]
        guard mode == .reduced, m >= n, GradMode.isEnabled, a.requiresGrad else { return (q, rr) }
        // R⁻ᵀ applied on the right: X = B·R⁻ᵀ ⇔ R·Xᵀ = Bᵀ.
        func timesRInvT(_ b: Tensor) -> Tensor {
            (try? Linalg.solve(rr, b.transposed()).transposed()) ?? Tensor.full(like: b, .nan)
        }
        func copyltu(_ x: Tensor) -> Tensor { x.tril() + x.tril(-1).transposed() }
        // The gradient is linear in (G_Q, G_R): each output carries its own part.
        let qOut = Tensor.record(q, [a], "qr.q") { g in
            [timesRInvT(g + q.matmul(copyltu(-(g.transposed().matmul(q)))))]
        }
        let rOut = Tensor.record(rr, [a], "qr.r") { g in
            [timesRInvT(q.matmul(copyltu(rr.matmul(g.transposed()))))]
        }
        return (qOut, rOut)
    }

    /// Singular value decomposition A = U diag(S) Vᵀ, singular values descending.
    /// Gradients flow through `s` always (d/dA = U diag(gS) Vᵀ), and through `u` and `vt` for
    /// the reduced decomposition (`fullMatrices: false`) with distinct non-zero singular values,
    /// by Townsend's formula with F_ij = 1/(s_j² − s_i²):
    /// U[(F∘(UᵀG_U − G_UᵀU))S + S(F∘(VᵀG_V − G_VᵀV))]Vᵀ + (I − UUᵀ)G_U S⁻¹Vᵀ + U S⁻¹G_Vᵀ(I − VVᵀ).
    public static func svd(_ a: Tensor, fullMatrices: Bool = false) throws -> (u: Tensor, s: Tensor, vt: Tensor) {
        try requireMatrix(a, "svd")
        let m = a.shape[a.rank - 2], n = a.shape[a.rank - 1], k = Swift.min(m, n)
        let uc = fullMatrices ? m : k, vr = fullMatrices ? n : k
        let r = try batchMap(a, shapes: [[m, uc], [k], [vr, n]],
                             { let f = try Linalg.svd($0, rows: $1, cols: $2, fullMatrices: fullMatrices); return [f.u, f.s, f.vt] },
                             { let f = try Linalg.svd($0, rows: $1, cols: $2, fullMatrices: fullMatrices); return [f.u, f.s, f.vt] })
        let u = r[0], vt = r[2], sv = r[1]
        let uk = u.slice(axis: -1, 0, k), vk = vt.slice(axis: -2, 0, k)
        let s = Tensor.record(sv, [a], "svd.s") { g in [(uk * g.unsqueezed(-2)).matmul(vk)] }
        guard !fullMatrices || m == n, GradMode.isEnabled, a.requiresGrad else { return (u, s, vt) }
        let v = vt.transposed()
        let s2 = sv * sv
        let eye = Tensor.eye(k, dtype: sv.dtype)
        let f = (1 - eye) / (s2.unsqueezed(-2) - s2.unsqueezed(-1) + eye)   // 1/(s_j² − s_i²), 0 on the diagonal
        let sInv = sv.reciprocal()
        let uOut = Tensor.record(u, [a], "svd.u") { g in
            let x = f * (u.transposed().matmul(g) - g.transposed().matmul(u))
            let inner = u.matmul(x * sv.unsqueezed(-2)).matmul(vt)
            let outer = ((g - u.matmul(u.transposed().matmul(g))) * sInv.unsqueezed(-2)).matmul(vt)
            return [inner + outer]
        }
        let vtOut = Tensor.record(vt, [a], "svd.vt") { g in
            let gv = g.transposed()
            let x = f * (v.transposed().matmul(gv) - g.matmul(v))
            let inner = u.matmul(sv.unsqueezed(-1) * x).matmul(vt)
            let outer = (u * sInv.unsqueezed(-2)).matmul(g - g.matmul(v).matmul(vt))
            return [inner + outer]
        }
        return (uOut, s, vtOut)
    }

    /// Eigen-decomposition of symmetric matrices (lower triangle read): ascending eigenvalues and
    /// eigenvectors as columns. d/dA = V (diag(gλ) + F ∘ (Vᵀ gV)) Vᵀ, F_ij = 1/(λ_j − λ_i).
    public static func eigh(_ a: Tensor) throws -> (eigenvalues: Tensor, eigenvectors: Tensor) {
        try requireMatrix(a, "eigh", square: true)
        let n = a.shape[a.rank - 1]
        let r = try batchMap(a, shapes: [[n], [n, n]],
                             { m, _, _ in let f = try Linalg.eigh(m, n: n); return [f.eigenvalues, f.eigenvectors] },
                             { m, _, _ in let f = try Linalg.eigh(m, n: n); return [f.eigenvalues, f.eigenvectors] })
        let w = r[0], v = r[1]
        guard GradMode.isEnabled, a.requiresGrad else { return (w, v) }
        // One node computes both outputs' gradients; each output records its own path into it.
        let values = Tensor.record(w, [a], "eigh.values") { g in
            [v.matmul(g.unsqueezed(-1) * v.transposed())]
        }
        let vectors = Tensor.record(v, [a], "eigh.vectors") { g in
            let diff = w.unsqueezed(-2) - w.unsqueezed(-1)           // [.., i, j] = λ_j − λ_i
            let off = 1 - Tensor.eye(n, dtype: diff.dtype)
            let f = off / (diff + Tensor.eye(n, dtype: diff.dtype))   // 0 on the diagonal
            let inner = v.transposed().matmul(g) * f
            return [v.matmul(inner).matmul(v.transposed())]
        }
        return (values, vectors)
    }

    /// Minimum-norm least-squares solution of `A x ≈ b` (as `numpy.linalg.lstsq(rcond=None)`),
    /// with residual sums of squares, rank and singular values. The solution is differentiable
    /// when A has full column rank: with r = b − Ax and z = (AᵀA)⁻¹ g, d/dA = r zᵀ − A z xᵀ and
    /// d/db = A z (rank-deficient A gives NaN gradients).
    public static func lstsq(_ a: Tensor, _ b: Tensor) throws -> (solution: Tensor, residuals: Tensor, rank: Int, singularValues: Tensor) {
        guard a.rank == 2, b.rank == 1 || b.rank == 2, b.shape[0] == a.shape[0] else {
            throw LinalgError.invalidArgument("lstsq: expected a [m, n] matrix and a [m] or [m, k] right-hand side, got \(a.shape) and \(b.shape)")
        }
        let m = a.shape[0], n = a.shape[1], k = b.rank == 1 ? 1 : b.shape[1]
        let t = DType.promote(floatType(a), floatType(b))
        func run<T: FloatScalar>(_: T.Type) throws -> (Tensor, Tensor, Int, Tensor) {
            let r = try Linalg.lstsq(a.to(t).toArray(as: T.self), b.to(t).toArray(as: T.self), rows: m, cols: n, nrhs: k)
            let sol = Tensor(r.solution, shape: b.rank == 1 ? [n] : [n, k])
            return (sol, Tensor(r.residuals, shape: [r.residuals.count]), r.rank, Tensor(r.singularValues, shape: [r.singularValues.count]))
        }
        let (x, residuals, rank, sv) = t == .float32 ? try run(Float.self) : try run(Double.self)
        let ad = a.detached().to(t), bd = b.detached().to(t)
        let fullRank = rank == n
        let solution = Tensor.record(x, [a, b], "lstsq") { g in
            guard fullRank else { return [Tensor.full(like: ad, .nan), Tensor.full(like: bd, .nan)] }
            let gm = g.rank == 1 ? g.unsqueezed(-1) : g, xm = x.rank == 1 ? x.unsqueezed(-1) : x
            let bm = bd.rank == 1 ? bd.unsqueezed(-1) : bd
            guard let z = try? Linalg.solve(ad.transposed().matmul(ad), gm) else {
                return [Tensor.full(like: ad, .nan), Tensor.full(like: bd, .nan)]
            }
            let r = bm - ad.matmul(xm)
            let gA = r.matmul(z.transposed()) - ad.matmul(z).matmul(xm.transposed())
            let gb = ad.matmul(z)
            return [gA, bd.rank == 1 ? gb.squeezed(-1) : gb]
        }
        return (solution, residuals, rank, sv)
    }

    // MARK: - Norms

    /// Vector norm over `axes` (all elements when nil): `ord` 2 (default), 1, any p > 0, ∞, −∞, 0
    /// (count of non-zeros). Differentiable except at 0 for p ≤ 1.
    public static func vectorNorm(_ x: Tensor, ord: Double = 2, axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let x = x.dtype.isFloatingPoint ? x : x.to(.float64)
        switch ord {
        case 2: return x.square().sum(axes: axes, keepDims: keepDims).sqrt()
        case 1: return x.abs().sum(axes: axes, keepDims: keepDims)
        case .infinity: return x.abs().max(axes: axes, keepDims: keepDims)
        case -.infinity: return x.abs().min(axes: axes, keepDims: keepDims)
        case 0: return (x .!= 0).to(x.dtype).sum(axes: axes, keepDims: keepDims)
        default: return (x.abs() ** ord).sum(axes: axes, keepDims: keepDims) ** (1 / ord)
        }
    }

    /// Matrix norm of each matrix in `[..., m, n]`, as `numpy.linalg.norm(x, ord)` for 2-D input.
    public static func matrixNorm(_ a: Tensor, ord: MatrixNorm = .frobenius) throws -> Tensor {
        try requireMatrix(a, "matrixNorm")
        let x = a.dtype.isFloatingPoint ? a : a.to(.float64)
        switch ord {
        case .frobenius: return x.square().sum(axes: [-2, -1]).sqrt()
        case .one: return x.abs().sum(axis: -2).max(axis: -1)
        case .negativeOne: return x.abs().sum(axis: -2).min(axis: -1)
        case .infinity: return x.abs().sum(axis: -1).max(axis: -1)
        case .negativeInfinity: return x.abs().sum(axis: -1).min(axis: -1)
        case .nuclear: return try svd(x).s.sum(axis: -1)
        case .two: return try svd(x).s.max(axis: -1)
        case .negativeTwo: return try svd(x).s.min(axis: -1)
        }
    }
}

extension Tensor {
    /// A lower-triangular matrix of ones (`n`×`n`), NumPy's `tri`.
    public static func tril(_ n: Int, dtype: DType = .float32) -> Tensor {
        Tensor((0..<(n * n)).map { ($0 % n) <= ($0 / n) ? 1.0 : 0.0 }, shape: [n, n]).to(dtype)
    }

    /// The lower triangle of each matrix (elements above diagonal `k` zeroed). Differentiable.
    public func tril(_ k: Int = 0) -> Tensor {
        let r = shape[rank - 2], c = shape[rank - 1]
        let mask = Tensor((0..<(r * c)).map { ($0 % c) - ($0 / c) <= k }, shape: [r, c])
        return Tensor.where(mask, self, Tensor.zeros([], dtype: dtype))
    }

    /// The upper triangle of each matrix (elements below diagonal `k` zeroed). Differentiable.
    public func triu(_ k: Int = 0) -> Tensor {
        let r = shape[rank - 2], c = shape[rank - 1]
        let mask = Tensor((0..<(r * c)).map { ($0 % c) - ($0 / c) >= k }, shape: [r, c])
        return Tensor.where(mask, self, Tensor.zeros([], dtype: dtype))
    }
}
