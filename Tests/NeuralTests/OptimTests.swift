import Foundation
import Testing
import Tensors
import Neural

/// Loads a JSON fixture from Tests/NeuralTests/Fixtures.
func optimFixture<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
    guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "json") else {
        throw TrainingError.invalidArgument("fixture \(name).json is missing")
    }
    return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
}

/// A JSON value of the fixtures' option dictionaries (numbers, booleans, strings, lists).
enum FixtureValue: Decodable {
    case number(Double), bool(Bool), string(String), list([Double])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let l = try? c.decode([Double].self) { self = .list(l) }
        else { self = .string(try c.decode(String.self)) }
    }

    var number: Double? { if case .number(let d) = self { return d }; return nil }
    var bool: Bool? { if case .bool(let b) = self { return b }; return nil }
    var list: [Double]? { if case .list(let l) = self { return l }; return nil }
    var string: String? { if case .string(let s) = self { return s }; return nil }
}

struct OptimizerFixture: Decodable {
    struct Case: Decodable {
        let name: String
        let optimizer: String
        let options: [String: FixtureValue]
        let groups: [[String: Double]]?
        let dtype: String
        let w: [[Double]]
        let b: [[Double]]
        let loss: [Double]
    }
    let steps: Int
    let x: [[Double]], y: [[Double]], w0: [[Double]], b0: [Double]
    let cases: [Case]
}

/// Builds the optimizer a fixture case describes, over parameters w and b.
func makeOptimizer(_ c: OptimizerFixture.Case, _ w: Parameter, _ b: Parameter) -> Optimizer {
    let o = c.options
    func num(_ k: String, _ d: Double) -> Double { o[k]?.number ?? d }
    func flag(_ k: String) -> Bool { o[k]?.bool ?? false }
    let groups: [ParameterGroup]
    if let gs = c.groups {
        groups = zip([w, b], gs).map { p, g in
            ParameterGroup([p], learningRate: g["lr"], weightDecay: g["weight_decay"], momentum: g["momentum"])
        }
    } else {
        groups = [ParameterGroup([w, b])]
    }
    let betas = o["betas"]?.list.map { ($0[0], $0[1]) } ?? (0.9, 0.999)
    switch c.optimizer {
    case "SGD":
        return SGD(groups: groups, learningRate: num("lr", 1e-3), momentum: num("momentum", 0), dampening: num("dampening", 0),
                   weightDecay: num("weight_decay", 0), nesterov: flag("nesterov"), maximize: flag("maximize"))
    case "Adam":
        return Adam(groups: groups, learningRate: num("lr", 1e-3), betas: betas, epsilon: num("eps", 1e-8),
                    weightDecay: num("weight_decay", 0), amsgrad: flag("amsgrad"))
    case "AdamW":
        return AdamW(groups: groups, learningRate: num("lr", 1e-3), betas: betas, epsilon: num("eps", 1e-8),
                     weightDecay: num("weight_decay", 0.01), amsgrad: flag("amsgrad"))
    case "RMSprop":
        return RMSprop(groups: groups, learningRate: num("lr", 1e-2), alpha: num("alpha", 0.99), epsilon: num("eps", 1e-8),
                       weightDecay: num("weight_decay", 0), momentum: num("momentum", 0), centered: flag("centered"))
    case "Adagrad":
        return Adagrad(groups: groups, learningRate: num("lr", 1e-2), learningRateDecay: num("lr_decay", 0),
                       weightDecay: num("weight_decay", 0), initialAccumulatorValue: num("initial_accumulator_value", 0),
                       epsilon: num("eps", 1e-10))
    default:
        fatalError("unknown optimizer \(c.optimizer)")
    }
}

@Suite struct OptimTests {
    static let fixture: OptimizerFixture = try! optimFixture("optim_trajectories", as: OptimizerFixture.self)

    /// The fixture's problem: loss = mean((tanh(x·w + b) − y)²).
    static func loss(_ w: Parameter, _ b: Parameter, dtype: DType) -> Tensor {
        let f = fixture
        let x = Tensor(f.x).to(dtype), y = Tensor(f.y).to(dtype)
        return ((x.matmul(w.value) + b.value).tanh() - y).square().mean()
    }

    @Test(arguments: fixture.cases.map(\.name).enumerated().map { $0.offset })
    func trajectoryMatchesTorch(_ index: Int) {
        let c = Self.fixture.cases[index]
        let dtype: DType = c.dtype == "float64" ? .float64 : .float32
        let w = Parameter(Tensor(Self.fixture.w0).to(dtype))
        let b = Parameter(Tensor(Self.fixture.b0).to(dtype))
        let optimizer = makeOptimizer(c, w, b)
        // Values of order 1. Worst errors seen over the 14 optimizers and CI's kernel levels: float64
        // 2.2e-16, float32 1.2e-7 (one float32 ulp). The bars are about 10× that.
        let (rel, abs) = dtype == .float64 ? (0.0, 3e-15) : (0.0, 1e-6)
        for step in 0..<Self.fixture.steps {
            optimizer.zeroGrad()
            let loss = Self.loss(w, b, dtype: dtype)
            loss.backward()
            optimizer.step()
            #expect(Swift.abs(loss.item() - c.loss[step]) <= abs + rel * Swift.abs(c.loss[step]), "\(c.name) \(c.dtype) loss at step \(step)")
            for (got, want) in zip(w.value.scalars + b.value.scalars, c.w[step] + c.b[step]) {
                #expect(Swift.abs(got - want) <= abs + rel * Swift.abs(want), "\(c.name) \(c.dtype) step \(step): \(got) vs \(want)")
            }
        }
    }

    @Test func stepSkipsParametersWithoutGradientAndZeroGradClears() {
        let a = Parameter(Tensor([1.0, 2.0])), frozen = Parameter(Tensor([5.0]))
        let sgd = SGD([a, frozen], learningRate: 0.5)
        (a.value * a.value).sum().backward()
        sgd.step()
        #expect(a.value.scalars == [0, 0])        // 1 − 0.5·2, 2 − 0.5·4
        #expect(frozen.value.scalars == [5])
        sgd.zeroGrad()
        #expect(a.grad == nil)
    }

    @Test func stateRoundTripContinuesTheSameTrajectory() throws {
        func run(restartAt: Int?) -> [Double] {
            let w = Parameter(Tensor(Self.fixture.w0)), b = Parameter(Tensor(Self.fixture.b0))
            var optimizer: Optimizer = Adam([w, b], learningRate: 0.01, amsgrad: true)
            for step in 0..<10 {
                if step == restartAt {
                    let saved = optimizer.stateTensors()
                    optimizer = Adam([w, b], learningRate: 0.01, amsgrad: true)
                    try! optimizer.loadStateTensors(saved)
                }
                optimizer.zeroGrad()
                Self.loss(w, b, dtype: .float64).backward()
                optimizer.step()
            }
            return w.value.scalars + b.value.scalars
        }
        #expect(run(restartAt: nil) == run(restartAt: 5))
        let p = Parameter(Tensor([1.0, 2.0]))
        let opt = SGD([p], learningRate: 0.1, momentum: 0.9)
        #expect(throws: TrainingError.self) { try opt.loadStateTensors([("state.3.momentum_buffer", Tensor([1.0, 2.0]))]) }
        #expect(throws: TrainingError.self) { try opt.loadStateTensors([("state.0.momentum_buffer", Tensor([1.0]))]) }
        #expect(throws: TrainingError.self) { try opt.loadStateTensors([("momentum", Tensor([1.0]))]) }
    }

    @Test func clipGradNormMatchesTorchFormula() {
        let a = Parameter(Tensor([3.0, 4.0])), b = Parameter(Tensor([12.0]))
        a.grad = Tensor([3.0, 4.0]); b.grad = Tensor([12.0])
        let total = clipGradNorm([a, b], maxNorm: 6.5)
        #expect(Swift.abs(total - 13) < 1e-12)
        let scale = 6.5 / (13 + 1e-6)
        #expect(a.grad!.scalars.map { $0 / scale }.enumerated().allSatisfy { Swift.abs($0.element - [3.0, 4.0][$0.offset]) < 1e-9 })
        let c = Parameter(Tensor([1.0, -7.0]))
        c.grad = Tensor([1.0, -7.0])
        #expect(clipGradNorm([c], maxNorm: 100, normType: .infinity) == 7)
        #expect(c.grad!.scalars == [1, -7])            // below the limit: unchanged
        clipGradValue([c], clipValue: 2)
        #expect(c.grad!.scalars == [1, -2])
    }

    @Test func earlyStoppingWaitsPatienceAndRestoresBest() {
        let p = Parameter(Tensor([0.0]))
        let stopper = EarlyStopping(patience: 2, minDelta: 0.01, mode: .min)
        var stoppedAt = 0
        for (epoch, loss) in [1.0, 0.5, 0.495, 0.6, 0.7, 0.2].enumerated() {
            p.value = Tensor([Double(epoch)])
            if stopper.update(loss, parameters: [p]) { stoppedAt = epoch + 1; break }
        }
        #expect(stoppedAt == 5)                       // 0.495 is not better by 0.01; 3 bad epochs > patience 2
        #expect(stopper.bestValue == 0.5 && stopper.bestEpoch == 2)
        #expect(stopper.restoreBest(into: [p]))
        #expect(p.value.scalars == [1])
        let up = EarlyStopping(patience: 0, mode: .max)
        #expect(!up.update(0.8) && !up.update(0.9) && up.update(0.9))
    }
}

@Suite struct OptimValueSemanticsTests {
    @Test func snapshotsKeepTheirValuesAcrossSteps() {
        for make in [{ (p: [Parameter]) -> Optimizer in SGD(p, learningRate: 0.1, momentum: 0.9) },
                     { (p: [Parameter]) -> Optimizer in Adam(p, learningRate: 0.1) }] {
            let w = Parameter(Tensor([1.0, 2.0, 3.0] as [Float]))
            let optimizer = make([w])
            let snapshot = w.value                    // shares storage with the parameter
            let view = w.value.reshaped([3, 1])       // a view of it
            (w.value * w.value).sum().backward()
            optimizer.step()
            #expect(snapshot.toArray(as: Float.self) == [1, 2, 3])
            #expect(view.toArray(as: Float.self) == [1, 2, 3])
            #expect(w.value.toArray(as: Float.self) != [1, 2, 3])
            #expect(w.grad != nil)                    // the gradient survives the copy
            // Unshared now: a second step updates in place and keeps the parameter a leaf.
            optimizer.step()
            #expect(w.value.isLeaf && w.value.requiresGrad)
        }
    }
}
