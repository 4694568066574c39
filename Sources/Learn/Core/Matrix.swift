import Foundation
import Tensors
import SwiftLearnCore

/// A dense row-major table of `Double`s: the currency of the `Learn` module.
///
/// Classical machine learning works on one table of samples (rows) by features (columns) in
/// float64, as scikit-learn does. `Matrix` is that table as a flat Swift array, so every algorithm
/// can be read as plain loops beside the textbook; heavy products go through ``Matrix/dot(_:)``
/// (GEMM from the `Tensors` module, OpenBLAS when present). Convert with ``init(_:)-tensor`` and
/// ``tensor``.
///
/// ```swift
/// let x = Matrix([[1, 2], [3, 4], [5, 6]])
/// x[1, 0]            // 3
/// x.row(2)           // [5, 6]
/// x.column(1)        // [2, 4, 6]
/// ```
public struct Matrix: Equatable, Sendable, Codable {
    /// Number of rows (samples).
    public let rows: Int
    /// Number of columns (features).
    public let columns: Int
    /// The elements in row-major order: element (i, j) is `values[i * columns + j]`.
    public var values: [Double]

    /// A matrix over `values` (row-major). Stops if the count is not `rows * columns`.
    public init(rows: Int, columns: Int, values: [Double]) {
        ensure(rows >= 0 && columns >= 0 && values.count == rows * columns,
                     "Matrix: \(values.count) values do not fill \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// A `rows`×`columns` matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        self.init(rows: rows, columns: columns, values: [Double](repeating: value, count: rows * columns))
    }

    /// A matrix from nested rows. Stops if the rows are ragged.
    public init(_ rowArrays: [[Double]]) {
        let c = rowArrays.first?.count ?? 0
        ensure(rowArrays.allSatisfy { $0.count == c }, "Matrix: rows of different lengths")
        self.init(rows: rowArrays.count, columns: c, values: rowArrays.flatMap { $0 })
    }

    /// A one-column matrix from a vector.
    public init(column: [Double]) { self.init(rows: column.count, columns: 1, values: column) }

    /// A matrix from columns of equal length.
    public init(columns columnArrays: [[Double]]) {
        let r = columnArrays.first?.count ?? 0
        ensure(columnArrays.allSatisfy { $0.count == r }, "Matrix: columns of different lengths")
        var v = [Double](repeating: 0, count: r * columnArrays.count)
        for (j, col) in columnArrays.enumerated() { for i in 0..<r { v[i * columnArrays.count + j] = col[i] } }
        self.init(rows: r, columns: columnArrays.count, values: v)
    }

    /// A matrix from a rank-2 tensor of any numeric dtype (converted to float64). A rank-1 tensor
    /// becomes one column.
    public init(_ tensor: Tensor) {
        ensure(tensor.rank == 1 || tensor.rank == 2, "Matrix: needs a rank-1 or rank-2 tensor, got shape \(tensor.shape)")
        let r = tensor.shape[0], c = tensor.rank == 2 ? tensor.shape[1] : 1
        self.init(rows: r, columns: c, values: tensor.toArray(as: Double.self))
    }

    /// The matrix as a float64 tensor of shape `[rows, columns]`.
    public var tensor: Tensor { Tensor(values, shape: [rows, columns]) }

    /// `(rows, columns)`, NumPy's `shape`.
    public var shape: (rows: Int, columns: Int) { (rows, columns) }

    /// Element (i, j).
    @inlinable public subscript(i: Int, j: Int) -> Double {
        get { values[i * columns + j] }
        set { values[i * columns + j] = newValue }
    }

    /// Row `i` as an array.
    public func row(_ i: Int) -> [Double] { Array(values[(i * columns)..<((i + 1) * columns)]) }

    /// Column `j` as an array.
    public func column(_ j: Int) -> [Double] {
        var out = [Double](repeating: 0, count: rows)
        for i in 0..<rows { out[i] = values[i * columns + j] }
        return out
    }

    /// The rows at `indices`, in that order (repeats allowed), as a new matrix.
    public func rows(_ indices: [Int]) -> Matrix {
        var v = [Double]()
        v.reserveCapacity(indices.count * columns)
        for i in indices { v.append(contentsOf: values[(i * columns)..<((i + 1) * columns)]) }
        return Matrix(rows: indices.count, columns: columns, values: v)
    }

    /// The columns at `indices`, in that order, as a new matrix.
    public func columns(_ indices: [Int]) -> Matrix {
        var v = [Double](repeating: 0, count: rows * indices.count)
        for i in 0..<rows { for (k, j) in indices.enumerated() { v[i * indices.count + k] = values[i * columns + j] } }
        return Matrix(rows: rows, columns: indices.count, values: v)
    }

    /// The transpose.
    public var transposed: Matrix {
        var v = [Double](repeating: 0, count: values.count)
        for i in 0..<rows { for j in 0..<columns { v[j * rows + i] = values[i * columns + j] } }
        return Matrix(rows: columns, columns: rows, values: v)
    }

    /// `self · other` by GEMM. Stops if the inner dimensions differ.
    public func dot(_ other: Matrix) -> Matrix { Matrix.product(self, other) }

    /// `op(a) · op(b)` by GEMM, where `op` transposes when asked (no transposed copy is made).
    public static func product(_ a: Matrix, _ b: Matrix, transposeA: Bool = false, transposeB: Bool = false) -> Matrix {
        let m = transposeA ? a.columns : a.rows, k = transposeA ? a.rows : a.columns
        let kb = transposeB ? b.columns : b.rows, n = transposeB ? b.rows : b.columns
        ensure(k == kb, "Matrix.product: inner dimensions differ (\(m)×\(k) · \(kb)×\(n))")
        var c = [Double](repeating: 0, count: m * n)
        if m > 0 && n > 0 && k > 0 {
            a.values.withUnsafeBufferPointer { pa in
                b.values.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        BLAS.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                  a: pa.baseAddress!, lda: a.columns, b: pb.baseAddress!, ldb: b.columns,
                                  c: pc.baseAddress!, ldc: n)
                    }
                }
            }
        }
        return Matrix(rows: m, columns: n, values: c)
    }

    /// `self · v` for a vector `v` of length `columns`.
    public func dot(_ v: [Double]) -> [Double] {
        ensure(v.count == columns, "Matrix.dot: vector of length \(v.count) for \(rows)×\(columns)")
        var out = [Double](repeating: 0, count: rows)
        values.withUnsafeBufferPointer { p in
            for i in 0..<rows {
                var s = 0.0
                let base = i * columns
                for j in 0..<columns { s += p[base + j] * v[j] }
                out[i] = s
            }
        }
        return out
    }

    /// Column means.
    public func columnMeans() -> [Double] {
        var m = [Double](repeating: 0, count: columns)
        guard rows > 0 else { return m }
        for i in 0..<rows { for j in 0..<columns { m[j] += values[i * columns + j] } }
        return m.map { $0 / Double(rows) }
    }

    /// Rows stacked: `self` on top of `other`. Stops if the column counts differ.
    public func appendingRows(_ other: Matrix) -> Matrix {
        ensure(other.columns == columns || rows == 0, "Matrix.appendingRows: \(columns) vs \(other.columns) columns")
        return Matrix(rows: rows + other.rows, columns: other.columns, values: values + other.values)
    }

    /// Columns side by side: `self` then `other`. Stops if the row counts differ.
    public func appendingColumns(_ other: Matrix) -> Matrix {
        ensure(other.rows == rows, "Matrix.appendingColumns: \(rows) vs \(other.rows) rows")
        var v = [Double]()
        v.reserveCapacity(rows * (columns + other.columns))
        for i in 0..<rows {
            v.append(contentsOf: values[(i * columns)..<((i + 1) * columns)])
            v.append(contentsOf: other.values[(i * other.columns)..<((i + 1) * other.columns)])
        }
        return Matrix(rows: rows, columns: columns + other.columns, values: v)
    }
}

extension Matrix {
    private enum CodingKeys: String, CodingKey { case rows, columns, values }

    /// Decodes a matrix, throwing (never stopping) when the stated shape does not match the
    /// values: a model file is outside data.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let rows = try c.decode(Int.self, forKey: .rows), columns = try c.decode(Int.self, forKey: .columns)
        let values = try c.decode([Double].self, forKey: .values)
        let (size, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard rows >= 0, columns >= 0, !overflow, size == values.count else {
            throw LearnError.corruptModel("\(DecodingErrorText.field(decoder.codingPath)): \(values.count) values do not fill \(rows)×\(columns)")
        }
        self.init(rows: rows, columns: columns, values: values)
    }
}

extension Matrix: CustomStringConvertible {
    public var description: String {
        let shown = Swift.min(rows, 6)
        var lines = (0..<shown).map { i in "[" + row(i).map { String(format: "%.6g", $0) }.joined(separator: ", ") + "]" }
        if rows > shown { lines.append("… (\(rows) rows)") }
        return "Matrix(\(rows)×\(columns))\n" + lines.joined(separator: "\n")
    }
}
