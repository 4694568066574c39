/// A growable, contiguous row-major buffer of float32 vectors (`count` rows of `dimension`),
/// kept in manually allocated 64-byte aligned memory so hot loops read raw pointers without
/// copy-on-write checks. Not thread-safe for writes.
final class FloatRows {
    let dimension: Int
    private(set) var count = 0
    private(set) var capacity = 0
    private(set) var base: UnsafeMutablePointer<Float>

    init(dimension: Int, capacity: Int = 16) {
        self.dimension = dimension
        self.capacity = max(capacity, 1)
        base = Self.allocate(self.capacity * dimension)
    }

    deinit { base.deallocate() }

    private static func allocate(_ n: Int) -> UnsafeMutablePointer<Float> {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(n, 1) * 4, alignment: 64)
        return raw.bindMemory(to: Float.self, capacity: max(n, 1))
    }

    /// Pointer to row `i`.
    @inline(__always) func row(_ i: Int) -> UnsafeMutablePointer<Float> { base + i * dimension }

    func reserve(_ rows: Int) {
        guard rows > capacity else { return }
        let newCap = max(rows, capacity * 2)
        let nb = Self.allocate(newCap * dimension)
        nb.update(from: base, count: count * dimension)
        base.deallocate()
        base = nb
        capacity = newCap
    }

    /// Appends one row copied from `v` (dimension values) and returns its index.
    @discardableResult
    func append(_ v: UnsafePointer<Float>) -> Int {
        reserve(count + 1)
        row(count).update(from: v, count: dimension)
        count += 1
        return count - 1
    }

    /// Overwrites row `i`.
    func set(_ i: Int, _ v: UnsafePointer<Float>) { row(i).update(from: v, count: dimension) }

    /// Moves the last row into row `i` and drops the last (O(d) removal for unordered storage).
    func swapRemove(_ i: Int) {
        if i != count - 1 { row(i).update(from: row(count - 1), count: dimension) }
        count -= 1
    }

    /// A copy of row `i`.
    func array(_ i: Int) -> [Float] { Array(UnsafeBufferPointer(start: row(i), count: dimension)) }

    /// All rows as one flat array.
    var flat: [Float] { Array(UnsafeBufferPointer(start: base, count: count * dimension)) }

    func encode(_ w: inout BinaryWriter) { w.array(UnsafeBufferPointer(start: base, count: count * dimension)) }

    static func decode(_ r: inout BinaryReader, dimension: Int) throws -> FloatRows {
        let values = try r.array(Float.self)
        guard dimension > 0, values.count % dimension == 0 else {
            throw RetrievalError.corruptFile(path: r.path, reason: "vector block of \(values.count) floats is not a multiple of dimension \(dimension)")
        }
        let rows = FloatRows(dimension: dimension, capacity: values.count / dimension)
        values.withUnsafeBufferPointer { rows.base.update(from: $0.baseAddress!, count: values.count) }
        rows.count = values.count / dimension
        return rows
    }
}
