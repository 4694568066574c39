import Foundation
import Testing
import Tensors
import TestSupport

// Linalg against NumPy (which calls LAPACK): fixtures from scripts/fixtures/make_linalg_fixtures.py.
// Float64 must agree within 1e-10 (relative to the size of the reference array, floor 1),
// float32 within 1e-4. Both backends run where LAPACK is available; native always runs.
// Set SWIFTLEARN_LINALG_REPORT=1 to print the measured maximum errors.

// MARK: - Fixture access

/// One array from the fixture: `data` is the row-major flattening sampled every `stride`-th entry.
struct FixtureArray {
    var shape: [Int]
    var stride: Int
    var data: [Double]

    init(_ json: Any?) {
        let d = json as! [String: Any]
        shape = (d["shape"] as! [Any]).map { ($0 as! NSNumber).intValue }
        stride = (d["stride"] as! NSNumber).intValue
        data = (d["data"] as! [Any]).map { ($0 as! NSNumber).doubleValue }
    }

    var rows: Int { shape.first ?? 1 }
    var cols: Int { shape.count > 1 ? shape[1] : 1 }
    var count: Int { shape.reduce(1, *) }
}

enum Fixture {
    static let root: [String: Any] = {
        let url = Bundle.module.url(forResource: "linalg", withExtension: "json", subdirectory: "Fixtures")!
        let data = try! Data(contentsOf: url)
        return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
    }()

    static func cases(_ op: String) -> [[String: Any]] { root[op] as! [[String: Any]] }

    static func input(_ name: String) -> FixtureArray {
        FixtureArray((root["inputs"] as! [String: Any])[name])
    }
}

// MARK: - Comparison helpers

let backends: [LinalgBackend] = Linalg.isLAPACKAvailable ? [.native, .lapack] : [.native]
let reportErrors = ProcessInfo.processInfo.environment["SWIFTLEARN_LINALG_REPORT"] != nil

/// Max |actual − reference| over the sampled entries, divided by max(1, max |reference|).
func relativeError(_ actual: [Double], _ ref: FixtureArray) -> Double {
    precondition(actual.count == ref.count, "result has \(actual.count) entries, fixture \(ref.shape)")
    let scale = max(1, largestError(ref.data.map(abs)))
    var largest = 0.0
    for (i, r) in ref.data.enumerated() { largest = worse(largest, abs(actual[i * ref.stride] - r)) }
    return errorValue(largest / scale)
}

/// Max |actual − reference| / max(1, max |reference|) over whole arrays.
func relativeError(_ actual: [Double], _ ref: [Double]) -> Double {
    precondition(actual.count == ref.count)
    return errorValue(maxAbsoluteError(actual, ref) / max(1, largestError(ref.map(abs))))
}

/// Multiplies each column of a row-major matrix by the sign of its largest-magnitude entry
/// (the fixture's normalization of singular vectors and eigenvectors).
func signNormalizedColumns(_ m: [Double], rows: Int, cols: Int) -> [Double] {
    var out = m
    for j in 0..<cols {
        var best = 0
        for i in 0..<rows where abs(m[i * cols + j]) > abs(m[best * cols + j]) { best = i }
        if m[best * cols + j] < 0 { for i in 0..<rows { out[i * cols + j] = -m[i * cols + j] } }
    }
    return out
}

func transposed(_ m: [Double], rows: Int, cols: Int) -> [Double] {
    var t = [Double](repeating: 0, count: m.count)
    for i in 0..<rows { for j in 0..<cols { t[j * rows + i] = m[i * cols + j] } }
    return t
}

func matmul(_ a: [Double], _ b: [Double], _ m: Int, _ k: Int, _ n: Int) -> [Double] {
    var c = [Double](repeating: 0, count: m * n)
    for i in 0..<m { for p in 0..<k { for j in 0..<n { c[i * n + j] += a[i * k + p] * b[p * n + j] } } }
    return c
}

/// max |QᵀQ − I| for the columns of a row-major `rows × cols` matrix.
func orthonormalityError(_ q: [Double], rows: Int, cols: Int) -> Double {
    let qtq = matmul(transposed(q, rows: rows, cols: cols), q, cols, rows, cols)
    var worst = 0.0
    for i in 0..<cols { for j in 0..<cols { worst = worse(worst, abs(qtq[i * cols + j] - (i == j ? 1 : 0))) } }
    return worst
}

func report(_ op: String, _ backend: LinalgBackend, _ type: String, _ error: Double) {
    if reportErrors { print("LINALG-ERROR \(op) \(backend) \(type) \(error)") }
}

let tol64 = 1e-10
let tol32 = 1e-4

// MARK: - Float64 against NumPy

@Suite("Linalg float64 vs NumPy")
struct LinalgFloat64Tests {
    @Test(arguments: backends)
    func solve(backend: LinalgBackend) throws {
        var worst = 0.0
        for c in Fixture.cases("solve") {
            let a = Fixture.input(c["a"] as! String), b = Fixture.input(c["b"] as! String)
            let x = try Linalg.solve(a.data, b.data, n: a.rows, nrhs: b.cols, backend: backend)
            worst = max(worst, relativeError(x, FixtureArray(c["x"])))
            // A single right-hand side (a vector) gives the first column.
            let b0 = (0..<b.rows).map { b.data[$0 * b.cols] }
            let x0 = try Linalg.solve(a.data, b0, n: a.rows, backend: backend)
            #expect(relativeError(x0, (0..<a.rows).map { x[$0 * b.cols] }) < 1e-12)
        }
        report("solve", backend, "f64", worst)
        #expect(worst < tol64)
    }

    @Test(arguments: backends)
    func inverse(backend: LinalgBackend) throws {
        var worst = 0.0
        for c in Fixture.cases("inv") {
            let a = Fixture.input(c["a"] as! String)
            let inv = try Linalg.inverse(a.data, n: a.rows, backend: backend)
            worst = max(worst, relativeError(inv, FixtureArray(c["inv"])))
            var identity = [Double](repeating: 0, count: a.count)
            for i in 0..<a.rows { identity[i * a.rows + i] = 1 }
            #expect(relativeError(matmul(a.data, inv, a.rows, a.rows, a.rows), identity) < 1e-12)
        }
        report("inverse", backend, "f64", worst)
        #expect(worst < tol64)
    }

    @Test(arguments: backends)
    func determinant(backend: LinalgBackend) throws {
        var worst = 0.0
        for c in Fixture.cases("det") {
            let a = Fixture.input(c["a"] as! String)
            let det = try Linalg.det(a.data, n: a.rows, backend: backend)
            let ref = (c["det"] as! NSNumber).doubleValue
            worst = worse(worst, abs(det - ref) / max(1, abs(ref)))
            let (sign, logAbs) = try Linalg.slogdet(a.data, n: a.rows, backend: backend)
            #expect(sign == (c["sign"] as! NSNumber).doubleValue)
            worst = worse(worst, abs(logAbs - (c["logabsdet"] as! NSNumber).doubleValue))
        }
        report("det/slogdet", backend, "f64", worst)
        #expect(worst < tol64)
    }

    @Test(arguments: backends)
    func cholesky(backend: LinalgBackend) throws {
        var worst = 0.0
        for c in Fixture.cases("cholesky") {
            let a = Fixture.input(c["a"] as! String)
            let l = try Linalg.cholesky(a.data, n: a.rows, backend: backend)
            worst = max(worst, relativeError(l, FixtureArray(c["l"])))
            #expect(relativeError(matmul(l, transposed(l, rows: a.rows, cols: a.rows), a.rows, a.rows, a.rows), a.data) < 1e-12)
        }
        report("cholesky", backend, "f64", worst)
        #expect(worst < tol64)
    }

    @Test(arguments: backends)
    func qr(backend: LinalgBackend) throws {
        var worst = 0.0
        for c in Fixture.cases("qr") {
            let a = Fixture.input(c["a"] as! String)
            let mode: QRMode = c["mode"] as! String == "complete" ? .complete : .reduced
            let f = try Linalg.qr(a.data, rows: a.rows, cols: a.cols, mode: mode, backend: backend)
            let q = FixtureArray(c["q"]), r = FixtureArray(c["r"])
            #expect(f.k == q.cols && f.q.count == q.count && f.r.count == r.count)
            worst = max(worst, relativeError(f.q, q), relativeError(f.r, r))
            #expect(orthonormalityError(f.q, rows: a.rows, cols: f.k) < 1e-12)
            #expect(relativeError(matmul(f.q, f.r, a.rows, f.k, a.cols), a.data) < 1e-12)
            if mode == .reduced {
                let rOnly = try Linalg.qr(a.data, rows: a.rows, cols: a.cols, mode: .r, backend: backend)
                #expect(rOnly.q.isEmpty && relativeError(rOnly.r, f.r) < 1e-13)
            }
        }
        report("qr", backend, "f64", worst)
        #expect(worst < tol64)
    }

    @Test(arguments: backends)
    func svd(backend: LinalgBackend) throws {
        var worst = 0.0
        for c in Fixture.cases("svd") {
            let a = Fixture.input(c["a"] as! String)
            let (m, n) = (a.rows, a.cols), k = min(m, n)
            let f = try Linalg.svd(a.data, rows: m, cols: n, fullMatrices: false, backend: backend)
            #expect(f.uCols == k && f.vtRows == k)
            let u = signNormalizedColumns(f.u, rows: m, cols: k)
            let v = signNormalizedColumns(transposed(f.vt, rows: k, cols: n), rows: n, cols: k)
            worst = max(worst, relativeError(f.s, FixtureArray(c["s"])), relativeError(u, FixtureArray(c["u"])),
                        relativeError(transposed(v, rows: n, cols: k), FixtureArray(c["vt"])))
            // U diag(s) Vᵀ = A.
            var us = f.u
            for i in 0..<m { for j in 0..<k { us[i * k + j] *= f.s[j] } }
            #expect(relativeError(matmul(us, f.vt, m, k, n), a.data) < 1e-12)

            // Full matrices: square orthogonal U and Vᵀ whose first k vectors are the reduced ones.
            let full = try Linalg.svd(a.data, rows: m, cols: n, fullMatrices: true, backend: backend)
            // LAPACK may take a different path for full matrices (OpenBLAS's gesdd does on some CPUs),
            // so the singular values agree to rounding, not bit for bit.
            #expect(full.uCols == m && full.vtRows == n && relativeError(full.s, f.s) < 1e-13)
            #expect(orthonormalityError(full.u, rows: m, cols: m) < 1e-12)
            #expect(orthonormalityError(transposed(full.vt, rows: n, cols: n), rows: n, cols: n) < 1e-12)
            let uFirst = (0..<m).flatMap { i in full.u[(i * m)..<(i * m + k)] }
            #expect(relativeError(signNormalizedColumns(uFirst, rows: m, cols: k), u) < 1e-12)

            let sOnly = try Linalg.svd(a.data, rows: m, cols: n, computeUV: false, backend: backend)
            #expect(sOnly.u.isEmpty && sOnly.vt.isEmpty && relativeError(sOnly.s, f.s) < 1e-13)
        }
        report("svd", backend, "f64", worst)
        #expect(worst < tol64)
    }

    @Test(arguments: backends)
    func eigh(backend: LinalgBackend) throws {
        var worst = 0.0
        for c in Fixture.cases("eigh") {
            let a = Fixture.input(c["a"] as! String)
            let n = a.rows
            let f = try Linalg.eigh(a.data, n: n, backend: backend)
            worst = max(worst, relativeError(f.eigenvalues, FixtureArray(c["w"])),
                        relativeError(signNormalizedColumns(f.eigenvectors, rows: n, cols: n), FixtureArray(c["v"])))
            // A V = V diag(λ).
            var vl = f.eigenvectors
            for i in 0..<n { for j in 0..<n { vl[i * n + j] *= f.eigenvalues[j] } }
            #expect(relativeError(matmul(a.data, f.eigenvectors, n, n, n), vl) < 1e-12)
            #expect(orthonormalityError(f.eigenvectors, rows: n, cols: n) < 1e-12)

            let valuesOnly = try Linalg.eigh(a.data, n: n, computeVectors: false, backend: backend)
            #expect(valuesOnly.eigenvectors.isEmpty && relativeError(valuesOnly.eigenvalues, f.eigenvalues) < 1e-13)
            // Only the lower triangle is read.
            var garbled = a.data
            for i in 0..<n { for j in (i + 1)..<max(i + 1, n) { garbled[i * n + j] = 1e3 * Double(i - j) } }
            let g = try Linalg.eigh(garbled, n: n, backend: backend)
            #expect(relativeError(g.eigenvalues, f.eigenvalues) < 1e-13)
        }
        report("eigh", backend, "f64", worst)
        #expect(worst < tol64)
    }

    @Test(arguments: backends)
    func lstsq(backend: LinalgBackend) throws {
        var worst = 0.0
        for c in Fixture.cases("lstsq") {
            let a = Fixture.input(c["a"] as! String), b = Fixture.input(c["b"] as! String)
            let f = try Linalg.lstsq(a.data, b.data, rows: a.rows, cols: a.cols, nrhs: b.cols, backend: backend)
            #expect(f.rank == (c["rank"] as! NSNumber).intValue, "rank of \(c["a"]!)")
            let residuals = FixtureArray(c["residuals"])
            #expect(f.residuals.count == residuals.count, "residuals of \(c["a"]!)")
            if f.residuals.count == residuals.count { worst = max(worst, relativeError(f.residuals, residuals)) }
            worst = max(worst, relativeError(f.solution, FixtureArray(c["x"])),
                        relativeError(f.singularValues, FixtureArray(c["s"])))
        }
        report("lstsq", backend, "f64", worst)
        #expect(worst < tol64)
    }

    @Test(arguments: backends)
    func norms(backend: LinalgBackend) throws {
        var worst = 0.0
        for c in Fixture.cases("vector_norm") {
            let x = Fixture.input(c["x"] as! String)
            let value = try Linalg.norm(x.data, ord: Double(c["ord"] as! String)!)
            let ref = (c["value"] as! NSNumber).doubleValue
            worst = worse(worst, abs(value - ref) / max(1, abs(ref)))
        }
        for c in Fixture.cases("matrix_norm") {
            let a = Fixture.input(c["a"] as! String)
            let ord = MatrixNorm(rawValue: c["ord"] as! String)!
            let value = try Linalg.norm(a.data, rows: a.rows, cols: a.cols, ord: ord, backend: backend)
            let ref = (c["value"] as! NSNumber).doubleValue
            #expect(abs(value - ref) / max(1, abs(ref)) < tol64, "\(ord) norm of \(c["a"]!)")
            worst = worse(worst, abs(value - ref) / max(1, abs(ref)))
        }
        report("norm", backend, "f64", worst)
        #expect(worst < tol64)
    }
}

// MARK: - Float32 against the float64 reference

@Suite("Linalg float32 vs NumPy")
struct LinalgFloat32Tests {
    static func f32(_ x: [Double]) -> [Float] { x.map { Float($0) } }
    static func f64(_ x: [Float]) -> [Double] { x.map { Double($0) } }

    @Test(arguments: backends)
    func float32(backend: LinalgBackend) throws {
        var worst = [String: Double]()
        func note(_ op: String, _ e: Double) { worst[op] = max(worst[op] ?? 0, e) }
        for c in Fixture.cases("solve") {
            let a = Fixture.input(c["a"] as! String), b = Fixture.input(c["b"] as! String)
            let x = try Linalg.solve(Self.f32(a.data), Self.f32(b.data), n: a.rows, nrhs: b.cols, backend: backend)
            note("solve", relativeError(Self.f64(x), FixtureArray(c["x"])))
        }
        for c in Fixture.cases("inv") {
            let a = Fixture.input(c["a"] as! String)
            note("inverse", relativeError(Self.f64(try Linalg.inverse(Self.f32(a.data), n: a.rows, backend: backend)), FixtureArray(c["inv"])))
        }
        for c in Fixture.cases("det") {
            let a = Fixture.input(c["a"] as! String)
            let (sign, logAbs) = try Linalg.slogdet(Self.f32(a.data), n: a.rows, backend: backend)
            #expect(Double(sign) == (c["sign"] as! NSNumber).doubleValue)
            let ref = (c["logabsdet"] as! NSNumber).doubleValue
            note("slogdet", abs(Double(logAbs) - ref) / max(1, abs(ref)))
            let det = try Linalg.det(Self.f32(a.data), n: a.rows, backend: backend)
            let refDet = (c["det"] as! NSNumber).doubleValue
            note("det", abs(Double(det) - refDet) / max(1, abs(refDet)))
        }
        for c in Fixture.cases("cholesky") {
            let a = Fixture.input(c["a"] as! String)
            note("cholesky", relativeError(Self.f64(try Linalg.cholesky(Self.f32(a.data), n: a.rows, backend: backend)), FixtureArray(c["l"])))
        }
        for c in Fixture.cases("qr") {
            let a = Fixture.input(c["a"] as! String)
            let mode: QRMode = c["mode"] as! String == "complete" ? .complete : .reduced
            let f = try Linalg.qr(Self.f32(a.data), rows: a.rows, cols: a.cols, mode: mode, backend: backend)
            note("qr", max(relativeError(Self.f64(f.q), FixtureArray(c["q"])), relativeError(Self.f64(f.r), FixtureArray(c["r"]))))
        }
        for c in Fixture.cases("svd") {
            let a = Fixture.input(c["a"] as! String)
            let (m, n) = (a.rows, a.cols), k = min(m, n)
            let f = try Linalg.svd(Self.f32(a.data), rows: m, cols: n, fullMatrices: false, backend: backend)
            let u = signNormalizedColumns(Self.f64(f.u), rows: m, cols: k)
            let v = signNormalizedColumns(transposed(Self.f64(f.vt), rows: k, cols: n), rows: n, cols: k)
            note("svd", max(relativeError(Self.f64(f.s), FixtureArray(c["s"])), relativeError(u, FixtureArray(c["u"])),
                            relativeError(transposed(v, rows: n, cols: k), FixtureArray(c["vt"]))))
        }
        for c in Fixture.cases("eigh") {
            let a = Fixture.input(c["a"] as! String)
            let f = try Linalg.eigh(Self.f32(a.data), n: a.rows, backend: backend)
            note("eigh", max(relativeError(Self.f64(f.eigenvalues), FixtureArray(c["w"])),
                             relativeError(signNormalizedColumns(Self.f64(f.eigenvectors), rows: a.rows, cols: a.rows), FixtureArray(c["v"]))))
        }
        for c in Fixture.cases("lstsq") {
            let a = Fixture.input(c["a"] as! String), b = Fixture.input(c["b"] as! String)
            let f = try Linalg.lstsq(Self.f32(a.data), Self.f32(b.data), rows: a.rows, cols: a.cols, nrhs: b.cols, backend: backend)
            #expect(f.rank == (c["rank"] as! NSNumber).intValue)
            note("lstsq", max(relativeError(Self.f64(f.solution), FixtureArray(c["x"])),
                              relativeError(Self.f64(f.singularValues), FixtureArray(c["s"]))))
        }
        for c in Fixture.cases("matrix_norm") {
            let a = Fixture.input(c["a"] as! String)
            let value = try Linalg.norm(Self.f32(a.data), rows: a.rows, cols: a.cols,
                                        ord: MatrixNorm(rawValue: c["ord"] as! String)!, backend: backend)
            let ref = (c["value"] as! NSNumber).doubleValue
            note("norm", abs(Double(value) - ref) / max(1, abs(ref)))
        }
        for (op, e) in worst.sorted(by: { $0.key < $1.key }) {
            report(op, backend, "f32", e)
            #expect(e < tol32, "float32 \(op) error \(e)")
        }
    }
}

// MARK: - Errors, edge cases, backend selection

@Suite("Linalg errors and edge cases")
struct LinalgEdgeTests {
    @Test(arguments: backends)
    func singularMatrixThrows(backend: LinalgBackend) throws {
        let singular: [Double] = [1, 2, 3, 2, 4, 6, 1, 0, 1]  // row 1 = 2 × row 0
        #expect(throws: LinalgError.self) { try Linalg.solve(singular, [1, 2, 3], n: 3, backend: backend) }
        do {
            _ = try Linalg.inverse(singular, n: 3, backend: backend)
            Issue.record("inverse of a singular matrix did not throw")
        } catch let LinalgError.singularMatrix(pivot) {
            #expect(pivot == 2)
        }
        #expect(try Linalg.det(singular, n: 3, backend: backend) == 0)
        let (sign, logAbs) = try Linalg.slogdet(singular, n: 3, backend: backend)
        #expect(sign == 0 && logAbs == -.infinity)
        #expect(throws: LinalgError.singularMatrix(pivot: 0)) {
            try Linalg.solve([Float](repeating: 0, count: 4), [1, 1], n: 2, backend: backend)
        }
    }

    @Test(arguments: backends)
    func notPositiveDefiniteThrows(backend: LinalgBackend) throws {
        // Leading 1×1 minor is 4 > 0; the 2×2 minor 4·1 − 3·3 < 0.
        #expect(throws: LinalgError.notPositiveDefinite(order: 2)) {
            try Linalg.cholesky([4.0, 3, 0, 3, 1, 0, 0, 0, 1], n: 3, backend: backend)
        }
        #expect(throws: LinalgError.notPositiveDefinite(order: 1)) {
            try Linalg.cholesky([Float(-1)], n: 1, backend: backend)
        }
    }

    @Test(arguments: backends)
    func shapeMismatchThrows(backend: LinalgBackend) {
        let a: [Double] = [1, 2, 3, 4]
        #expect(throws: LinalgError.self) { try Linalg.solve(a, [1, 2, 3], n: 2, backend: backend) }
        #expect(throws: LinalgError.self) { try Linalg.inverse(a, n: 3, backend: backend) }
        #expect(throws: LinalgError.self) { try Linalg.det(a, n: 3, backend: backend) }
        #expect(throws: LinalgError.self) { try Linalg.cholesky(a, n: 3, backend: backend) }
        #expect(throws: LinalgError.self) { try Linalg.qr(a, rows: 3, cols: 2, backend: backend) }
        #expect(throws: LinalgError.self) { try Linalg.svd(a, rows: 1, cols: 3, backend: backend) }
        #expect(throws: LinalgError.self) { try Linalg.eigh(a, n: 1, backend: backend) }
        #expect(throws: LinalgError.self) { try Linalg.lstsq(a, [1, 2, 3], rows: 2, cols: 2, backend: backend) }
        #expect(throws: LinalgError.self) { try Linalg.norm(a, rows: 3, cols: 3, backend: backend) }
        let message = "\(LinalgError.invalidArgument("solve: b has 3 elements, expected 2 × 1 = 2"))"
        #expect(message.contains("solve"))
    }

    /// Rank-deficient and zero matrices: singular vectors for σ = 0 must still be orthonormal.
    @Test(arguments: backends)
    func svdOfRankDeficientMatrices(backend: LinalgBackend) throws {
        let zeros = [Double](repeating: 0, count: 12)
        let rankOne: [Double] = (0..<25).map { (i: Int) -> Double in Double((i / 5 + 1) * (i % 5 + 1)) }
        let twoRows: [Double] = [1, 2, 3, 4, 2, 4, 6, 8, 0, 0, 0, 0]
        let cases: [(rows: Int, cols: Int, a: [Double])] = [
            (rows: 4, cols: 3, a: zeros), (rows: 3, cols: 4, a: twoRows),
            (rows: 2, cols: 2, a: [1, 0, 0, 0]), (rows: 5, cols: 5, a: rankOne),
        ]
        for c in cases {
            let f = try Linalg.svd(c.a, rows: c.rows, cols: c.cols, backend: backend)
            #expect(orthonormalityError(f.u, rows: c.rows, cols: c.rows) < 1e-12)
            #expect(orthonormalityError(transposed(f.vt, rows: c.cols, cols: c.cols), rows: c.cols, cols: c.cols) < 1e-12)
            let k = min(c.rows, c.cols)
            var us = [Double](repeating: 0, count: c.rows * c.cols)
            for i in 0..<c.rows {
                for j in 0..<k {
                    let uij: Double = f.u[i * c.rows + j] * f.s[j]
                    for l in 0..<c.cols { us[i * c.cols + l] += uij * f.vt[j * c.cols + l] }
                }
            }
            #expect(relativeError(us, c.a) < 1e-12)
            #expect(zip(f.s, f.s.dropFirst()).allSatisfy { $0 >= $1 })
        }
    }

    /// Repeated eigenvalues and singular values: any orthonormal basis of the eigenspace is
    /// right, so check the invariants rather than NumPy's particular basis.
    @Test(arguments: backends)
    func repeatedEigenvalues(backend: LinalgBackend) throws {
        let n = 6
        let u: [Double] = [1, -2, 0.5, 3, 0, 1]
        var a = [Double](repeating: 0, count: n * n)  // I + u uᵀ: eigenvalue 1 five times, 1 + ‖u‖²
        for i in 0..<n { for j in 0..<n { a[i * n + j] = (i == j ? 1 : 0) + u[i] * u[j] } }
        let f = try Linalg.eigh(a, n: n, backend: backend)
        #expect(relativeError(f.eigenvalues, [1, 1, 1, 1, 1, 1 + u.map { $0 * $0 }.reduce(0, +)]) < 1e-13)
        #expect(orthonormalityError(f.eigenvectors, rows: n, cols: n) < 1e-13)
        var vl = f.eigenvectors
        for i in 0..<n { for j in 0..<n { vl[i * n + j] *= f.eigenvalues[j] } }
        #expect(relativeError(matmul(a, f.eigenvectors, n, n, n), vl) < 1e-13)
        let s = try Linalg.svd(a, rows: n, cols: n, backend: backend)
        #expect(relativeError(s.s, f.eigenvalues.reversed()) < 1e-13)
        #expect(orthonormalityError(s.u, rows: n, cols: n) < 1e-13)
    }

    @Test(arguments: backends)
    func emptyAndTinyMatrices(backend: LinalgBackend) throws {
        #expect(try Linalg.det([Double](), n: 0, backend: backend) == 1)
        #expect(try Linalg.solve([Double](), [], n: 0, backend: backend).isEmpty)
        #expect(try Linalg.det([-3.0], n: 1, backend: backend) == -3)
        #expect(try Linalg.inverse([4.0], n: 1, backend: backend) == [0.25])
        let e = try Linalg.eigh([2.0, 0, 0, 1], n: 2, backend: backend)
        #expect(e.eigenvalues == [1, 2])
        let q = try Linalg.qr([Double](), rows: 0, cols: 3, backend: backend)
        #expect(q.q.isEmpty && q.r.isEmpty && q.k == 0)
        let s = try Linalg.svd([Double](), rows: 2, cols: 0, backend: backend)
        #expect(s.s.isEmpty && s.u == [1, 0, 0, 1] && s.vt.isEmpty)
    }

    @Test func vectorNormSpecialOrders() throws {
        let x: [Double] = [3, -4, 0]
        #expect(try Linalg.norm(x) == 5)
        #expect(try Linalg.norm(x, ord: 1) == 7)
        #expect(try Linalg.norm(x, ord: .infinity) == 4)
        #expect(try Linalg.norm(x, ord: -.infinity) == 0)
        #expect(try Linalg.norm(x, ord: 0) == 2)
        #expect(try Linalg.norm([Float(1e30), 1e30]) == Float(1e30) * Float(2).squareRoot())  // no overflow
        #expect(throws: LinalgError.self) { try Linalg.norm(x, ord: .nan) }
    }

    @Test func backendSelection() throws {
        #expect(try Linalg.resolvedBackend(.native, for: Double.self) == .native)
        let env = ProcessInfo.processInfo.environment
        let forcedNative = env["SWIFTLEARN_LAPACK"]?.lowercased() == "native" || env["SWIFTLEARN_BLAS"]?.lowercased() == "native"
        let auto = try Linalg.resolvedBackend(.auto, for: Float.self)
        #expect(auto == (Linalg.isLAPACKAvailable && !forcedNative ? .lapack : .native))
        if Linalg.isLAPACKAvailable {
            #expect(try Linalg.resolvedBackend(.lapack, for: Double.self) == .lapack)
        } else {
            #expect(throws: LinalgError.self) { try Linalg.resolvedBackend(.lapack, for: Double.self) }
        }
    }
}
