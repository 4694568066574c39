import Tensors
import SwiftLearnCore

/// A sparse matrix in compressed sparse row (CSR) form, as SciPy's `csr_matrix`: the nonzeros of
/// row `i` are `values[rowPointers[i]..<rowPointers[i+1]]` at columns
/// `columnIndices[rowPointers[i]..<rowPointers[i+1]]`, sorted by column within each row.
///
/// Values are stored as `Double`; `dtype` says what they stand for (a float32 TF-IDF matrix holds
/// values computed in `Float`, exactly representable as `Double`), and `toTensor()` produces that dtype.
///
/// ```swift
/// let m = try SparseMatrix(rows: 2, columns: 3, rowPointers: [0, 1, 3], columnIndices: [2, 0, 1], values: [5, 1, 2])
/// m.toDense()   // [[0, 0, 5], [1, 2, 0]]
/// ```
public struct SparseMatrix: Sendable, Equatable {
    /// Number of rows (documents).
    public let rows: Int
    /// Number of columns (features).
    public let columns: Int
    /// `rows + 1` offsets into `columnIndices`/`values`; `rowPointers[0] == 0`.
    public let rowPointers: [Int]
    /// Column of each stored value, ascending within a row.
    public let columnIndices: [Int]
    /// The stored values.
    public let values: [Double]
    /// The element type the values stand for (default `.float64`).
    public let dtype: DType

    /// Creates a CSR matrix, checking its structure.
    /// - Throws: `NLPError.invalidInput` when the arrays are inconsistent (wrong lengths, pointers not
    ///   non-decreasing, columns out of range or not strictly ascending within a row).
    public init(rows: Int, columns: Int, rowPointers: [Int], columnIndices: [Int], values: [Double], dtype: DType = .float64) throws {
        guard rows >= 0, columns >= 0 else { throw NLPError.invalidInput("sparse matrix shape [\(rows), \(columns)] is negative") }
        guard rowPointers.count == rows + 1, rowPointers.first == 0, rowPointers.last == values.count,
              columnIndices.count == values.count else {
            throw NLPError.invalidInput("CSR arrays do not fit: \(rowPointers.count) row pointers for \(rows) rows, \(columnIndices.count) indices, \(values.count) values")
        }
        for i in 0..<rows {
            guard rowPointers[i] <= rowPointers[i + 1] else { throw NLPError.invalidInput("row pointers decrease at row \(i)") }
            var previous = -1
            for k in rowPointers[i]..<rowPointers[i + 1] {
                let c = columnIndices[k]
                guard c > previous, c < columns else {
                    throw NLPError.invalidInput("row \(i): column \(c) is out of range 0..<\(columns) or not ascending")
                }
                previous = c
            }
        }
        self.init(unchecked: rows, columns, rowPointers, columnIndices, values, dtype)
    }

    /// Internal initializer for arrays built correctly by construction.
    init(unchecked rows: Int, _ columns: Int, _ rowPointers: [Int], _ columnIndices: [Int], _ values: [Double], _ dtype: DType) {
        self.rows = rows
        self.columns = columns
        self.rowPointers = rowPointers
        self.columnIndices = columnIndices
        self.values = values
        self.dtype = dtype
    }

    /// Builds a CSR matrix from per-row `(column, value)` lists (any order; zeros are kept out).
    public init(rows: [[(column: Int, value: Double)]], columns: Int, dtype: DType = .float64) {
        var pointers = [0], indices: [Int] = [], vals: [Double] = []
        for row in rows {
            for (c, v) in row.sorted(by: { $0.column < $1.column }) where v != 0 {
                ensure(c >= 0 && c < columns, "SparseMatrix(rows:columns:): column \(c) out of range 0..<\(columns)")
                ensure(indices.count == pointers.last! || indices.last! != c, "SparseMatrix(rows:columns:): column \(c) appears twice in a row")
                indices.append(c); vals.append(v)
            }
            pointers.append(indices.count)
        }
        self.init(unchecked: rows.count, columns, pointers, indices, vals, dtype)
    }

    /// `[rows, columns]`.
    public var shape: [Int] { [rows, columns] }

    /// Number of stored values.
    public var nonzeroCount: Int { values.count }

    /// The element at `(row, column)` (0 when not stored). O(log nnz(row)).
    public subscript(row: Int, column: Int) -> Double {
        ensure(row >= 0 && row < rows && column >= 0 && column < columns,
               "SparseMatrix[\(row), \(column)]: index out of range for shape [\(rows), \(columns)]")
        var lo = rowPointers[row], hi = rowPointers[row + 1]
        while lo < hi {
            let mid = (lo + hi) / 2
            if columnIndices[mid] < column { lo = mid + 1 } else { hi = mid }
        }
        return lo < rowPointers[row + 1] && columnIndices[lo] == column ? values[lo] : 0
    }

    /// The stored `(column, value)` pairs of `row`, by ascending column.
    public func row(_ row: Int) -> [(column: Int, value: Double)] {
        ensure(row >= 0 && row < rows, "SparseMatrix.row(\(row)): out of range for \(rows) rows")
        return (rowPointers[row]..<rowPointers[row + 1]).map { (columnIndices[$0], values[$0]) }
    }

    /// The dense matrix, row by row: `rows × columns` values.
    public func toDense() -> [[Double]] {
        var out = [[Double]](repeating: [Double](repeating: 0, count: columns), count: rows)
        for i in 0..<rows {
            for k in rowPointers[i]..<rowPointers[i + 1] { out[i][columnIndices[k]] = values[k] }
        }
        return out
    }

    /// The dense `[rows, columns]` tensor of dtype `dtype` (or of this matrix's `dtype`).
    public func toTensor(dtype: DType? = nil) -> Tensor {
        var flat = [Double](repeating: 0, count: rows * columns)
        for i in 0..<rows {
            for k in rowPointers[i]..<rowPointers[i + 1] { flat[i * columns + columnIndices[k]] = values[k] }
        }
        return Tensor(flat, shape: [rows, columns]).to(dtype ?? self.dtype)
    }

    /// Sum of each column (a term's total count across documents).
    public func columnSums() -> [Double] {
        var s = [Double](repeating: 0, count: columns)
        for k in 0..<values.count { s[columnIndices[k]] += values[k] }
        return s
    }

    /// Number of rows in which each column is stored (document frequency).
    public func columnNonzeroCounts() -> [Int] {
        var s = [Int](repeating: 0, count: columns)
        for c in columnIndices { s[c] += 1 }
        return s
    }

    /// A copy with the same structure and values `transform(value)`.
    public func mapValues(dtype: DType? = nil, _ transform: (Double) -> Double) -> SparseMatrix {
        SparseMatrix(unchecked: rows, columns, rowPointers, columnIndices, values.map(transform), dtype ?? self.dtype)
    }

    /// The rows `indices` of this matrix, in that order.
    public func selectingRows(_ indices: [Int]) -> SparseMatrix {
        var pointers = [0], cols: [Int] = [], vals: [Double] = []
        for i in indices {
            ensure(i >= 0 && i < rows, "SparseMatrix.selectingRows: row \(i) out of range for \(rows) rows")
            cols.append(contentsOf: columnIndices[rowPointers[i]..<rowPointers[i + 1]])
            vals.append(contentsOf: values[rowPointers[i]..<rowPointers[i + 1]])
            pointers.append(cols.count)
        }
        return SparseMatrix(unchecked: indices.count, columns, pointers, cols, vals, dtype)
    }

    /// The transpose, in CSR (columns become rows; each new row lists its entries by ascending
    /// original row, so products through it add terms in the order SciPy's CSC product does).
    public func transposed() -> SparseMatrix {
        var counts = [Int](repeating: 0, count: columns + 1)
        for c in columnIndices { counts[c + 1] += 1 }
        for c in 0..<columns { counts[c + 1] += counts[c] }
        var next = counts
        var cols = [Int](repeating: 0, count: values.count), vals = [Double](repeating: 0, count: values.count)
        for r in 0..<rows {
            for e in rowPointers[r]..<rowPointers[r + 1] {
                let c = columnIndices[e], at = next[c]
                cols[at] = r; vals[at] = values[e]; next[c] = at + 1
            }
        }
        return SparseMatrix(unchecked: columns, rows, counts, cols, vals, dtype)
    }

    /// This matrix times a dense row-major `columns × width` matrix: `rows × width`, each row's
    /// terms added in stored order (SciPy's `csr @ dense`), rows split over `workers` threads.
    func times(_ dense: [Double], columns width: Int, workers: Int) -> [Double] {
        precondition(dense.count == columns * width, "SparseMatrix.times: \(dense.count) values for a \(columns) × \(width) matrix")
        var out = [Double](repeating: 0, count: rows * width)
        let blocks = RowBlocks(count: rows, workers: values.count * width >= 1 << 16 ? workers : 1)
        out.withUnsafeMutableBufferPointer { o in
            dense.withUnsafeBufferPointer { d in
                rowPointers.withUnsafeBufferPointer { ptr in
                    columnIndices.withUnsafeBufferPointer { idx in
                        values.withUnsafeBufferPointer { val in
                            let base = o.baseAddress!
                            let db = d.baseAddress!
                            blocks.run { range in
                                for i in range {
                                    let row = base + i &* width
                                    for e in ptr[i]..<ptr[i + 1] {
                                        let v = val[e], from = db + idx[e] &* width
                                        for c in 0..<width { row[c] += v * from[c] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
