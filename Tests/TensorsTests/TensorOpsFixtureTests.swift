import Foundation
import Testing
import Tensors

/// Loads `Fixtures/tensor_ops.json` (written by scripts/fixtures/make_tensor_fixtures.py from NumPy).
enum TensorFixtures {
    struct Case {
        var op: String
        var inputs: [Tensor]
        var params: [String: Any]
        var expected: Tensor
    }

    static let document: [String: Any] = {
        let url = Bundle.module.url(forResource: "tensor_ops", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }()

    static func tensor(_ json: [String: Any]) -> Tensor {
        let shape = json["shape"] as! [Int]
        let dtype = json["dtype"] as! String
        let raw = json["data"] as! [Any]
        let values: [Double] = raw.map { v in
            switch v {
            case let s as String: return s == "nan" ? .nan : (s == "inf" ? .infinity : -.infinity)
            case let b as Bool: return b ? 1 : 0
            case let n as NSNumber: return n.doubleValue
            default: fatalError("bad fixture value \(v)")
            }
        }
        let map: [String: DType] = ["float64": .float64, "float32": .float32, "int32": .int32, "int64": .int64, "bool": .bool]
        if dtype == "int64" {
            // Exact for the sizes used here (|v| < 2^53).
            return Tensor(values.map { Int64($0) }, shape: shape)
        }
        return Tensor(values, shape: shape).to(map[dtype]!)
    }

    static let cases: [Case] = (document["cases"] as! [[String: Any]]).map { c in
        Case(op: c["op"] as! String,
             inputs: (c["inputs"] as! [[String: Any]]).map(tensor),
             params: c["params"] as! [String: Any],
             expected: tensor(c["expected"] as! [String: Any]))
    }
}

/// Parses a NumPy basic-index string such as "1,::-1,None,...".
func parseIndex(_ spec: String) -> [TensorIndex] {
    spec.split(separator: ",").map { part -> TensorIndex in
        let p = String(part)
        if p == "None" { return .newAxis }
        if p == "..." { return .ellipsis }
        if !p.contains(":") { return .index(Int(p)!) }
        let f = p.split(separator: ":", omittingEmptySubsequences: false).map { $0.isEmpty ? nil : Int($0) }
        return .slice(start: f[0], stop: f.count > 1 ? f[1] : nil, step: f.count > 2 ? (f[2] ?? 1) : 1)
    }
}

/// Runs one fixture case through the Swift API.
func runFixtureCase(_ c: TensorFixtures.Case) -> Tensor {
    let x = c.inputs
    let p = c.params
    func int(_ k: String) -> Int { p[k] as! Int }
    func optInt(_ k: String) -> Int? { p[k] as? Int }
    func double(_ k: String) -> Double { (p[k] as! NSNumber).doubleValue }
    let axes = p["axes"] as? [Int]
    let keep = p["keepdims"] as? Bool ?? false
    switch c.op {
    case "add": return x[0] + x[1]
    case "sub": return x[0] - x[1]
    case "mul": return x[0] * x[1]
    case "div": return x[0] / x[1]
    case "pow": return x[0] ** x[1]
    case "maximum": return maximum(x[0], x[1])
    case "minimum": return minimum(x[0], x[1])
    case "atan2": return Tensor.atan2(x[0], x[1])
    case "remainder": return Tensor.remainder(x[0], x[1])
    case "floor_divide": return Tensor.floorDivide(x[0], x[1])
    case "eq": return x[0] .== x[1]
    case "ne": return x[0] .!= x[1]
    case "lt": return x[0] .< x[1]
    case "le": return x[0] .<= x[1]
    case "gt": return x[0] .> x[1]
    case "ge": return x[0] .>= x[1]
    case "isnan": return x[0].isNaN()
    case "isfinite": return x[0].isFinite()
    case "logical_and": return x[0] .& x[1]
    case "logical_or": return x[0] .| x[1]
    case "logical_xor": return x[0] .^ x[1]
    case "logical_not": return .!x[0]
    case "where": return Tensor.where(x[0], x[1], x[2])
    case "neg": return -x[0]
    case "abs": return x[0].abs()
    case "exp": return x[0].exp()
    case "log": return x[0].log()
    case "log1p": return x[0].log1p()
    case "expm1": return x[0].expm1()
    case "sqrt": return x[0].sqrt()
    case "sin": return x[0].sin()
    case "cos": return x[0].cos()
    case "tan": return x[0].tan()
    case "tanh": return x[0].tanh()
    case "sigmoid": return x[0].sigmoid()
    case "relu": return x[0].relu()
    case "softplus": return x[0].softplus()
    case "erf": return x[0].erf()
    case "gelu": return x[0].gelu()
    case "gelu_tanh": return x[0].gelu(approximateTanh: true)
    case "square": return x[0].square()
    case "sign": return x[0].sign()
    case "floor": return x[0].floor()
    case "ceil": return x[0].ceil()
    case "round": return x[0].rounded()
    case "clamp": return x[0].clamp(min: double("min"), max: double("max"))
    case "sum": return x[0].sum(axes: axes, keepDims: keep)
    case "mean": return x[0].mean(axes: axes, keepDims: keep)
    case "max": return x[0].max(axes: axes, keepDims: keep)
    case "min": return x[0].min(axes: axes, keepDims: keep)
    case "prod": return x[0].prod(axes: axes, keepDims: keep)
    case "var": return x[0].variance(axes: axes, correction: int("correction"), keepDims: keep)
    case "std": return x[0].std(axes: axes, correction: int("correction"), keepDims: keep)
    case "logsumexp": return x[0].logsumexp(axes: axes, keepDims: keep)
    case "all": return x[0].all(axes: axes, keepDims: keep)
    case "any": return x[0].any(axes: axes, keepDims: keep)
    case "argmax": return x[0].argmax(axis: optInt("axis"))
    case "argmin": return x[0].argmin(axis: optInt("axis"))
    case "cumsum": return x[0].cumsum(axis: int("axis"))
    case "cumprod": return x[0].cumprod(axis: int("axis"))
    case "softmax": return x[0].softmax(axis: int("axis"))
    case "log_softmax": return x[0].logSoftmax(axis: int("axis"))
    case "sort": return x[0].sorted(axis: int("axis")).values
    case "argsort": return x[0].argsort(axis: int("axis"))
    case "topk_values": return x[0].topk(int("k")).values
    case "topk_indices": return x[0].topk(int("k")).indices
    case "unique_values": return x[0].unique().values
    case "unique_inverse": return x[0].unique().inverse
    case "unique_counts": return x[0].unique().counts
    case "matmul": return x[0].matmul(x[1])
    case "einsum":
        let eq = p["equation"] as! String
        return Tensor.einsum(eq, x)
    case "diagonal": return x[0].diagonal(axis1: int("axis1"), axis2: int("axis2"))
    case "transpose": return x[0].permuted(p["axes"] as! [Int])
    case "slice": return x[0].indexed(parseIndex(p["spec"] as! String))
    case "flip": return x[0].flipped(axes: p["axes"] as! [Int])
    case "gather": return x[0].gather(axis: int("axis"), index: x[1])
    case "scatter_add": return x[0].scatterAdding(axis: int("axis"), index: x[1], source: x[2])
    case "index_select": return x[0].indexSelect(axis: int("axis"), indices: x[1])
    case "masked": return x[0].masked(x[1])
    case "concat": return Tensor.concat([x[0], x[1]], axis: int("axis"))
    case "stack": return Tensor.stack([x[0], x[1]], axis: int("axis"))
    case "pad":
        let w = (p["widths"] as! [[Int]]).map { ($0[0], $0[1]) }
        let mode: Tensor.PadMode
        switch p["mode"] as! String {
        case "reflect": mode = .reflect
        case "replicate": mode = .replicate
        case "circular": mode = .circular
        default: mode = .constant(0)
        }
        return x[0].padded(w, mode: mode)
    case "tile": return x[0].tiled(p["reps"] as! [Int])
    case "repeat": return x[0].repeated(int("repeats"), axis: optInt("axis"))
    case "reshape": return x[0].reshaped(p["shape"] as! [Int])
    case "arange_f": return Tensor.arange(double("start"), double("end"), step: double("step"), dtype: .float64)
    case "linspace": return Tensor.linspace(double("start"), double("end"), count: int("count"), dtype: .float64)
    case "eye": return Tensor.eye(int("n"), int("m"), dtype: .float64)
    default: fatalError("fixture op \(c.op) has no Swift mapping")
    }
}

/// Element-wise comparison with NaN = NaN, and tolerances by dtype.
func assertClose(_ got: Tensor, _ want: Tensor, rtol: Double, atol: Double, _ context: String) {
    #expect(got.shape == want.shape, "\(context): shape \(got.shape) != \(want.shape)")
    #expect(got.dtype == want.dtype, "\(context): dtype \(got.dtype) != \(want.dtype)")
    guard got.shape == want.shape else { return }
    let g = got.scalars, w = want.scalars
    var worst = 0.0, worstIndex = -1
    for i in 0..<g.count {
        if g[i].isNaN && w[i].isNaN { continue }
        if g[i] == w[i] { continue }
        let err = Swift.abs(g[i] - w[i]) - rtol * Swift.abs(w[i])
        if !(err <= atol) && (err > worst || worstIndex < 0) { worst = err; worstIndex = i }
    }
    #expect(worstIndex < 0, "\(context): element \(worstIndex) got \(worstIndex >= 0 ? g[worstIndex] : 0), want \(worstIndex >= 0 ? w[worstIndex] : 0)")
}

@Suite("NumPy fixtures")
struct TensorOpsFixtureTests {
    @Test("every fixture case matches NumPy", arguments: Array(TensorFixtures.cases.indices))
    func fixtureCase(_ i: Int) {
        let c = TensorFixtures.cases[i]
        let got = runFixtureCase(c)
        let f32 = c.expected.dtype == .float32 || c.inputs.contains { $0.dtype == .float32 }
        // float64: a few ulps; float32: sums of 100 values in [-2, 2] may differ by ~1e-5 from the
        // float64-exact reference (accumulated float32 rounding, as in NumPy itself).
        assertClose(got, c.expected, rtol: f32 ? 2e-6 : 1e-13, atol: f32 ? 2e-5 : 1e-14, "case \(i) \(c.op) \(c.params)")
    }

    @Test func generatorMatchesIndependentXoshiroImplementation() {
        let x = TensorFixtures.document["xoshiro"] as! [String: Any]
        let want = (x["values"] as! [String]).map { UInt64($0)! }
        let g = RandomGenerator(seed: UInt64(x["seed"] as! Int))
        #expect(g.nextRawBits(count: want.count) == want)
    }
}
