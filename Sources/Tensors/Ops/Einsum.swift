import SwiftLearnCore
// Einstein summation composed from diagonal views, permute, reshape, sum and batched matmul, so
// it is as fast as matmul and differentiable for free.

extension Tensor {
    /// Einstein summation as `numpy.einsum`: `"bij,bjk->bik"` (batched product), `"ij->ji"`,
    /// `"ii->i"` (diagonal), `"ii"` (trace), `"i,i"` (dot), `"ij,jk,kl->il"` (chains of any
    /// length, contracted left to right). Without `->` the output lists the indices that appear
    /// exactly once, in alphabetical order (NumPy's implicit mode). Size-1 axes broadcast.
    public static func einsum(_ equation: String, _ operands: Tensor...) -> Tensor {
        einsum(equation, operands)
    }

    /// ``einsum(_:_:)-(String,Tensor...)`` with the operands in an array.
    public static func einsum(_ equation: String, _ operands: [Tensor]) -> Tensor {
        let eq = equation.filter { !$0.isWhitespace }
        let parts = eq.components(separatedBy: "->")
        ensure(parts.count <= 2, "einsum: malformed equation '\(equation)'")
        let inputs = parts[0].split(separator: ",", omittingEmptySubsequences: false).map { Array($0) }
        ensure(inputs.count == operands.count && !operands.isEmpty,
               "einsum: equation '\(equation)' names \(inputs.count) operands, got \(operands.count)")
        for (spec, x) in zip(inputs, operands) {
            ensure(spec.count == x.rank && spec.allSatisfy { $0.isLetter },
                   "einsum: subscripts '\(String(spec))' do not match operand of shape \(x.shape)")
        }
        let all = inputs.flatMap { $0 }
        let output: [Character] = parts.count == 2
            ? Array(parts[1])
            : Set(all).filter { c in all.filter { $0 == c }.count == 1 }.sorted()
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
        // Repeated indices within one operand select its diagonal (a view).
        var terms = zip(operands, inputs).map { x, spec in diagonalized(x, spec) }
        // Contract left to right, keeping the indices the output or a later operand still needs.
        var (acc, accSpec) = terms.removeFirst()
        while !terms.isEmpty {
            let (b, bSpec) = terms.removeFirst()
            let later = Set(terms.flatMap { $0.1 } + output)
            (acc, accSpec) = contractPair(acc, accSpec, b, bSpec, keep: later, size: size)
        }
        // Sum the indices the output does not list, then order the axes as the output asks.
        let drop = accSpec.indices.filter { !output.contains(accSpec[$0]) }
        if !drop.isEmpty {
            acc = acc.sum(axes: drop)
            accSpec = accSpec.enumerated().filter { !drop.contains($0.offset) }.map(\.element)
        }
        return acc.expanded(to: accSpec.map { size[$0]! }).permuted(output.map { accSpec.firstIndex(of: $0)! })
    }

    /// Replaces each index repeated within `spec` by the diagonal over its axes (moved last).
    private static func diagonalized(_ x: Tensor, _ spec: [Character]) -> (Tensor, [Character]) {
        var x = x, spec = spec
        while let (i, j) = firstRepeat(spec) {
            x = x.diagonal(axis1: i, axis2: j)
            let c = spec[i]
            spec.remove(at: j)
            spec.remove(at: i)
            spec.append(c)
        }
        return (x, spec)
    }

    private static func firstRepeat(_ spec: [Character]) -> (Int, Int)? {
        for i in spec.indices {
            if let j = spec[(i + 1)...].firstIndex(of: spec[i]) { return (i, j) }
        }
        return nil
    }

    /// One pairwise contraction as a batched matmul: a → [batch, left, contracted],
    /// b → [batch, contracted, right]. Indices in only one operand that nobody needs are summed first.
    private static func contractPair(_ a: Tensor, _ sa: [Character], _ b: Tensor, _ sb: [Character],
                                     keep: Set<Character>, size: [Character: Int]) -> (Tensor, [Character]) {
        func reduceLonely(_ x: Tensor, _ spec: [Character], other: [Character]) -> (Tensor, [Character]) {
            let drop = spec.indices.filter { !keep.contains(spec[$0]) && !other.contains(spec[$0]) }
            if drop.isEmpty { return (x, spec) }
            return (x.sum(axes: drop), spec.enumerated().filter { !drop.contains($0.offset) }.map(\.element))
        }
        var (a, sa) = reduceLonely(a, sa, other: sb)
        var (b, sb) = reduceLonely(b, sb, other: sa)
        let batch = sa.filter { sb.contains($0) && keep.contains($0) }
        let contracted = sa.filter { sb.contains($0) && !keep.contains($0) }
        let left = sa.filter { !sb.contains($0) }, right = sb.filter { !sa.contains($0) }
        a = a.permuted((batch + left + contracted).map { sa.firstIndex(of: $0)! })
        b = b.permuted((batch + contracted + right).map { sb.firstIndex(of: $0)! })
        sa = batch + left + contracted
        sb = batch + contracted + right
        let dims = { (cs: [Character]) in cs.map { size[$0]! }.reduce(1, *) }
        a = a.expanded(to: sa.map { size[$0]! }).reshaped([dims(batch), dims(left), dims(contracted)])
        b = b.expanded(to: sb.map { size[$0]! }).reshaped([dims(batch), dims(contracted), dims(right)])
        let product = a.matmul(b).reshaped((batch + left + right).map { size[$0]! })
        return (product, batch + left + right)
    }

    /// The diagonal over two axes as a view (NumPy's `diagonal`; the new axis is last, its
    /// length the smaller of the two sizes). Differentiable.
    public func diagonal(axis1: Int = 0, axis2: Int = 1) -> Tensor {
        let i = normalizedAxis(axis1, op: "diagonal"), j = normalizedAxis(axis2, op: "diagonal")
        ensure(i != j, "diagonal: axis1 and axis2 must differ, got \(axis1) and \(axis2) for shape \(shape)")
        let keep = (0..<rank).filter { $0 != i && $0 != j }
        let n = Swift.min(shape[i], shape[j])
        let out = view(shape: keep.map { shape[$0] } + [n], strides: keep.map { strides[$0] } + [strides[i] + strides[j]], offset: offset)
        let inputShape = shape
        return recordUnary(out, self, "diagonal") { g in
            var z = Tensor.zeros(inputShape, dtype: g.dtype)
            var target = z.diagonal(axis1: i, axis2: j).detached()
            Kernels.copy(from: g.contiguous(), into: &target)
            z.node = nil
            return z
        }
    }
}
