import Foundation
import Testing
import Tensors
import Neural

struct ScheduleFixture: Decodable {
    struct Case: Decodable {
        let name: String
        let optimizer: String
        let options: [String: FixtureValue]
        let lrs: [[Double]]
        let momentum: [[Double]]
        let metrics: [Double]?
    }
    let cases: [Case]
}

@Suite struct ScheduleTests {
    static let fixture: ScheduleFixture = try! optimFixture("optim_schedules", as: ScheduleFixture.self)

    /// Two groups (lr 0.1 and 0.01) as in the fixture script.
    static func optimizer(_ kind: String) -> Optimizer {
        let groups = [ParameterGroup([Parameter(Tensor.zeros([2]))], learningRate: 0.1),
                      ParameterGroup([Parameter(Tensor.zeros([2]))], learningRate: 0.01)]
        return kind == "adam" ? Adam(groups: groups, learningRate: 0.1) : SGD(groups: groups, learningRate: 0.1, momentum: 0.9)
    }

    @Test(arguments: fixture.cases.indices)
    func sequenceMatchesTorch(_ index: Int) {
        let c = Self.fixture.cases[index]
        let o = c.options
        func num(_ k: String) -> Double { o[k]!.number! }
        let opt = Self.optimizer(c.optimizer)
        var step: (Int) -> Void
        switch c.name {
        case "step":
            let s = StepLR(opt, stepSize: Int(num("step_size")), gamma: num("gamma")); step = { _ in s.step() }
        case "exponential":
            let s = ExponentialLR(opt, gamma: num("gamma")); step = { _ in s.step() }
        case "cosine":
            let s = CosineAnnealingLR(opt, period: Int(num("T_max")), minimumLearningRate: num("eta_min")); step = { _ in s.step() }
        case "linear", "linear_decay":
            let s = LinearLR(opt, startFactor: num("start_factor"), endFactor: num("end_factor"), totalIterations: Int(num("total_iters")))
            step = { _ in s.step() }
        case "onecycle_cos", "onecycle_adam":
            let s = OneCycleLR(opt, maxLearningRate: num("max_lr"), totalSteps: Int(num("total_steps"))); step = { _ in s.step() }
        case "onecycle_linear_three_phase":
            let s = OneCycleLR(opt, maxLearningRate: num("max_lr"), totalSteps: Int(num("total_steps")), pctStart: num("pct_start"),
                               annealing: .linear, divFactor: num("div_factor"), finalDivFactor: num("final_div_factor"), threePhase: true)
            step = { _ in s.step() }
        case "plateau":
            let s = ReduceLROnPlateau(opt, mode: .min, factor: num("factor"), patience: Int(num("patience")))
            step = { t in s.step(c.metrics![t]) }
        case "plateau_abs_cooldown":
            let s = ReduceLROnPlateau(opt, mode: .max, factor: num("factor"), patience: Int(num("patience")), threshold: num("threshold"),
                                      thresholdMode: .absolute, cooldown: Int(num("cooldown")), minimumLearningRate: num("min_lr"))
            step = { t in s.step(c.metrics![t]) }
        case "warmup_cosine":
            let warm = LinearLR(opt, startFactor: 0.1, totalIterations: 3)
            let cos = CosineAnnealingLR(opt, period: 10)
            let s = SequentialLR(opt, schedules: [warm, cos], milestones: [3]); step = { _ in s.step() }
        default:
            Issue.record("no schedule for fixture case \(c.name)"); return
        }
        func check(_ t: Int) {
            for (g, group) in opt.parameterGroups.enumerated() {
                let want = c.lrs[t][g], got = group.learningRate
                #expect(Swift.abs(got - want) <= 1e-12 + 1e-10 * Swift.abs(want), "\(c.name) step \(t) group \(g): lr \(got) vs \(want)")
                let wantM = c.momentum[t][g], gotM = group.momentum
                #expect(Swift.abs(gotM - wantM) <= 1e-12, "\(c.name) step \(t) group \(g): momentum \(gotM) vs \(wantM)")
            }
        }
        check(0)
        for t in 0..<(c.lrs.count - 1) {
            opt.step()
            step(t)
            check(t + 1)
        }
    }

    @Test func lambdaScheduleUsesBaseRates() {
        let opt = Self.optimizer("sgd")
        let s = LambdaLR(opt) { 1 / Double($0 + 1) }
        s.step(); s.step()
        #expect(Swift.abs(opt.learningRates[0] - 0.1 / 3) < 1e-15)
        #expect(Swift.abs(s.lastLearningRates[1] - 0.01 / 3) < 1e-15)
    }
}
