import Foundation

extension Tensor: CustomStringConvertible, CustomDebugStringConvertible {
    /// NumPy-like text: nested brackets, aligned columns, and `...` for large tensors
    /// (more than 1000 elements show 3 items at each edge of every axis).
    public var description: String {
        let summarize = count > 1000
        let edge = 3
        let values = to(dtype.isFloatingPoint ? .float64 : (dtype == .bool ? .bool : .int64)).contiguous()
        // Collect the formatted elements that will be shown, to find a common width.
        func shownIndices(_ n: Int) -> [Int?] {
            if summarize && n > 2 * edge { return Array(0..<edge).map { Optional($0) } + [nil] + Array((n - edge)..<n).map { Optional($0) } }
            return Array(0..<n).map { Optional($0) }
        }
        let strideList = Tensor.contiguousStrides(for: shape)
        func read(_ flat: Int) -> Double { Kernels.readDouble(values, elementOffset: flat) }
        var shownFlat: [Int] = []
        func collect(_ d: Int, _ base: Int) {
            if d == rank { shownFlat.append(base); return }
            for i in shownIndices(shape[d]) { if let i { collect(d + 1, base + i * strideList[d]) } }
        }
        collect(0, 0)
        let format = NumberFormat(values: shownFlat.map(read), dtype: dtype)
        let width = shownFlat.map { format.string(read($0)).count }.max() ?? 1
        let prefix = "Tensor("
        func render(_ d: Int, _ base: Int, indent: Int) -> String {
            if rank == 0 { return format.string(read(0)) }
            if d == rank - 1 {
                let items = shownIndices(shape[d]).map { i -> String in
                    guard let i else { return "..." }
                    let s = format.string(read(base + i * strideList[d]))
                    return String(repeating: " ", count: width - s.count) + s
                }
                return "[" + items.joined(separator: ", ") + "]"
            }
            let sep = "," + String(repeating: "\n", count: rank - 1 - d) + String(repeating: " ", count: indent + 1)
            let parts = shownIndices(shape[d]).map { i -> String in
                guard let i else { return "..." }
                return render(d + 1, base + i * strideList[d], indent: indent + 1)
            }
            return "[" + parts.joined(separator: sep) + "]"
        }
        let body = count == 0 ? "[]" : render(0, 0, indent: prefix.count)
        var extras = ["dtype: \(dtype)"]
        if count == 0 || summarize { extras.insert("shape: \(shape)", at: 0) }
        if requiresGrad { extras.append("requiresGrad: true") }
        return prefix + body + ", " + extras.joined(separator: ", ") + ")"
    }

    public var debugDescription: String { description }
}

/// How to print the numbers of one tensor so they line up (PyTorch-like choices).
private struct NumberFormat {
    enum Style { case integer, bool, fixed(Int), scientific }
    let style: Style

    init(values: [Double], dtype: DType) {
        if dtype == .bool { style = .bool; return }
        if !dtype.isFloatingPoint { style = .integer; return }
        let finite = values.filter { $0.isFinite }
        let absMax = finite.map(Swift.abs).max() ?? 0
        let absMin = finite.filter { $0 != 0 }.map(Swift.abs).min() ?? 0
        if finite.allSatisfy({ $0 == $0.rounded() }) && absMax < 1e8 { style = .fixed(0) }
        else if absMax >= 1e8 || (absMin > 0 && absMin < 1e-4) || (absMin > 0 && absMax / absMin > 1e8) { style = .scientific }
        else { style = .fixed(4) }
    }

    func string(_ v: Double) -> String {
        switch style {
        case .bool: return v != 0 ? "true" : "false"
        case .integer: return String(Int64(v))
        case .fixed(let p):
            if v.isNaN { return "nan" }
            if v.isInfinite { return v > 0 ? "inf" : "-inf" }
            return p == 0 ? String(format: "%.0f.", v) : String(format: "%.\(p)f", v)
        case .scientific:
            if v.isNaN { return "nan" }
            if v.isInfinite { return v > 0 ? "inf" : "-inf" }
            return String(format: "%.4e", v)
        }
    }
}
