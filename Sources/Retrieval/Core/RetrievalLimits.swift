/// The largest sizes the vector indexes accept, checked the same way at build time, at query
/// time and when a file is loaded, so a setting that cannot be built cannot be loaded or searched
/// either, and no user-supplied size can ask for an unbounded allocation.
public enum RetrievalLimits {
    /// Vector dimensions: 65,536 is 5× the widest embedding models in use (4,096–12,288).
    public static let dimensions = 1...65_536
    /// HNSW beam widths (`ef_construction`, `ef_search`). A beam wider than the graph is clamped
    /// to the number of nodes when it runs.
    public static let beamWidth = 1...1_000_000
    /// IVF cells (`nlist`) and cells visited per query (`nprobe`, clamped to `nlist` when it runs,
    /// as faiss does).
    public static let cells = 1...(1 << 24)
    /// Chunk sizes (characters, tokens or sentence characters) and overlaps: a chunk of 2³⁰
    /// characters is larger than any document a collection is meant for, and window arithmetic
    /// on larger sizes would overflow.
    public static let chunkSize = 1...(1 << 30)

    /// Throws ``RetrievalError/invalidParameter(name:value:reason:)`` unless `value` is in `range`.
    static func check(_ value: Int, in range: ClosedRange<Int>, _ name: String) throws {
        try require(range.contains(value), name, value, "must be in \(range.lowerBound)...\(range.upperBound)")
    }
}
