// Einstein summation for one or two operands, composed from permute, reshape, sum and batched
// matmul, so it is as fast as matmul and differentiable for free.

extension Tensor {
    /// Einstein summation, e.g. `Tensor.einsum("bij,bjk->bik", a, b)`, `"ij->ji"`, `"ii->i"` is
    /// not supported (repeated indices within one operand). Without `->` the output lists the
    /// indices that appear once, in alphabetical order (NumPy's implicit mode).
    public static func einsum(_ equation: String, _ operands: Tensor...) -> Tensor {
        let eq = equation.filter { !$0.isWhitespace }
        let parts = eq.components(separatedBy: "->")
        ensure(parts.count <= 2, "einsum: malformed equation '\(equation)'")
        let inputs = parts[0].split(separator: ",", omittingEmptySubsequences: false).map { Array($0) }
        ensure(inputs.count == operands.count && (1...2).contains(inputs.count),
                     "einsum: equation '\(equation)' names \(inputs.count) operands, got \(operands.count) (1 or 2 supported)")
        for (spec, x) in zip(inputs, operands) {
            ensure(spec.count == x.rank && spec.allSatisfy { $0.isLetter },
                         "einsum: subscripts '\(String(spec))' do not match operand of shape \(x.shape)")
            ensure(Set(spec).count == spec.count, "einsum: repeated index in '\(String(spec))' (diagonals) is not supported")
        }
        let all = inputs.flatMap { $0 }
        let output: [Character]
        if parts.count == 2 {
            output = Array(parts[1])
        } else {
            output = Set(all).filter { c in all.filter { $0 == c }.count == 1 }.sorted()
        }
        ensure(Set(output).count == output.count && output.allSatisfy { all.contains($0) },
                     "einsum: output subscripts '\(String(output))' must be distinct and appear in the inputs")
        var size: [Character: Int] = [:]
        for (spec, x) in zip(inputs, operands) {
            for (c, n) in zip(spec, x.shape) {
                if let m = size[c], m != n {
                    ensure(m == 1 || n == 1, "einsum: index '\(c)' has sizes \(m) and \(n)")
                    size[c] = Swift.max(m, n)
                } else if size[c] == nil { size[c] = n }
            }
        }
        // Sum away indices that appear in one operand only and not in the output.
        func reduceLonely(_ x: Tensor, _ spec: [Character], others: [Character]) -> (Tensor, [Character]) {
            let drop = spec.enumerated().filter { !output.contains($0.element) && !others.contains($0.element) }.map(\.offset)
            if drop.isEmpty { return (x, spec) }
            return (x.sum(axes: drop), spec.enumerated().filter { !drop.contains($0.offset) }.map(\.element))
        }
        if operands.count == 1 {
            let (x, spec) = reduceLonely(operands[0], inputs[0], others: [])
            return x.permuted(output.map { spec.firstIndex(of: $0)! })
        }
        var (a, sa) = reduceLonely(operands[0], inputs[0], others: inputs[1])
        var (b, sb) = reduceLonely(operands[1], inputs[1], others: inputs[0])
        let batch = sa.filter { sb.contains($0) && output.contains($0) }
        let contracted = sa.filter { sb.contains($0) && !output.contains($0) }
        let left = sa.filter { !sb.contains($0) }, right = sb.filter { !sa.contains($0) }
        // a → [batch, left, contracted], b → [batch, contracted, right].
        a = a.permuted((batch + left + contracted).map { sa.firstIndex(of: $0)! })
        b = b.permuted((batch + contracted + right).map { sb.firstIndex(of: $0)! })
        sa = batch + left + contracted
        sb = batch + contracted + right
        let dims = { (cs: [Character]) in cs.map { size[$0]! }.reduce(1, *) }
        let bShape = batch.map { size[$0]! }
        a = a.expanded(to: sa.map { size[$0]! }).reshaped([dims(batch), dims(left), dims(contracted)])
        b = b.expanded(to: sb.map { size[$0]! }).reshaped([dims(batch), dims(contracted), dims(right)])
        let prod = a.matmul(b).reshaped(bShape + left.map { size[$0]! } + right.map { size[$0]! })
        let have = batch + left + right
        return prod.permuted(output.map { have.firstIndex(of: $0)! })
    }
}
