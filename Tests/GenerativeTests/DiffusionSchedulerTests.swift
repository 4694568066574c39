import Foundation
import Generative
import Tensors
import Testing
import TestSupport

/// The schedules and single steps against diffusers 0.42.1 (fixtures from
/// scripts/fixtures/make_generative_fixtures.py). diffusers keeps its schedules in float32 and we
/// in float64: the schedule arrays agree to 1e-6 (|a − b| / (1 + |b|)). The steps are checked
/// against diffusers' step code run on the float64 schedule, to 1e-10 — its float32 steps lose
/// up to 2e-4 to cancellation, which would hide a real error.
@Suite("Diffusion schedulers against diffusers")
struct DiffusionSchedulerTests {
    let tolerance = 1e-6
    let stepTolerance = 1e-10
    func f(_ key: String) -> Tensor { GenerativeFixtures.get(key) }
    func int(_ key: String) -> Int { Int(f(key).to(.int64).toArray(as: Int64.self)[0]) }

    @Test func betaSchedulesMatch() throws {
        let cases: [(String, NoiseSchedule)] = [
            ("linear", try NoiseSchedule()),
            ("scaled_linear", try NoiseSchedule(betaStart: 0.00085, betaEnd: 0.012, schedule: .scaledLinear)),
            ("squaredcos_cap_v2", try NoiseSchedule(schedule: .cosine)),
            ("sigmoid", try NoiseSchedule(schedule: .sigmoid)),
        ]
        for (name, s) in cases {
            #expect(GenerativeFixtures.error(Tensor(s.betas), f("sched_\(name)|betas")) <= tolerance, "\(name) betas")
            #expect(GenerativeFixtures.error(Tensor(s.alphasCumprod), f("sched_\(name)|alphas_cumprod")) <= tolerance, "\(name) ᾱ")
        }
        #expect(throws: GenerativeError.self) { try NoiseSchedule(trainTimesteps: 0) }
        #expect(throws: GenerativeError.self) { try NoiseSchedule(betaStart: 0.5, betaEnd: 0.1) }
    }

    @Test func inferenceTimestepsMatchEverySpacing() throws {
        for (spacing, n, offset) in [(TimestepSpacing.leading, 50, 0), (.leading, 50, 1), (.trailing, 10, 0), (.trailing, 7, 0),
                                     (.linspace, 7, 0), (.leading, 1000, 0), (.linspace, 1, 0)] {
            let s = try DDIMScheduler(steps: n, spacing: spacing, offset: offset)
            let expected = f("timesteps_\(spacing.rawValue)_\(n)_\(offset)").to(.int64).toArray(as: Int64.self).map { Int($0) }
            #expect(s.timesteps == expected, "\(spacing) \(n) offset \(offset)")
        }
        #expect(throws: GenerativeError.self) { try DDIMScheduler(steps: 1001) }
        #expect(throws: GenerativeError.self) { try DDIMScheduler(steps: 0) }
    }

    @Test func addNoiseAndVelocityMatch() throws {
        let s = try NoiseSchedule()
        let t = f("add_noise|t").to(.int64).toArray(as: Int64.self).map { Int($0) }
        #expect(GenerativeFixtures.error(s.addNoise(f("add_noise|x0"), noise: f("add_noise|noise"), timesteps: t), f("add_noise|out")) <= stepTolerance)
        #expect(GenerativeFixtures.error(s.velocity(f("add_noise|x0"), noise: f("add_noise|noise"), timesteps: t), f("add_noise|velocity")) <= stepTolerance)
    }

    private func checkDDPM(_ name: String, _ scheduler: DDPMScheduler, timesteps: [Int]) {
        for t in timesteps {
            let key = "\(name)_\(t)|"
            #expect(int(key + "t") == t)
            let out = scheduler.step(f(key + "model"), timestep: t, sample: f(key + "sample"), noise: f(key + "noise"))
            #expect(GenerativeFixtures.error(out.previous, f(key + "prev")) <= stepTolerance, "\(name) t=\(t) previous")
            #expect(GenerativeFixtures.error(out.original, f(key + "x0")) <= stepTolerance, "\(name) t=\(t) x0")
        }
    }

    @Test func ddpmStepsMatch() throws {
        checkDDPM("ddpm_eps", try DDPMScheduler(), timesteps: [999, 500, 1, 0])
        checkDDPM("ddpm_large_v", try DDPMScheduler(prediction: .velocity, variance: .fixedLarge), timesteps: [700, 3])
        checkDDPM("ddpm_cos_sample_noclip", try DDPMScheduler(schedule: NoiseSchedule(schedule: .cosine), prediction: .sample, clipSample: false),
                  timesteps: [700, 3])
        var fifty = try DDPMScheduler()
        try fifty.setTimesteps(50)
        checkDDPM("ddpm_eps50", fifty, timesteps: [0, 25, 49].map { fifty.timesteps[$0] })
    }

    private func checkDDIM(_ name: String, _ scheduler: DDIMScheduler, indices: [Int], clipped: Bool = false) {
        for k in indices {
            let key = "\(name)_\(k)|"
            let t = scheduler.timesteps[k]
            #expect(int(key + "t") == t)
            let eta = f(key + "eta").item()
            let out = scheduler.step(f(key + "model"), timestep: t, sample: f(key + "sample"), eta: eta, useClippedModelOutput: clipped,
                                     noise: f(key + "noise"))
            #expect(GenerativeFixtures.error(out.previous, f(key + "prev")) <= stepTolerance, "\(name) step \(k) previous")
            #expect(GenerativeFixtures.error(out.original, f(key + "x0")) <= stepTolerance, "\(name) step \(k) x0")
        }
    }

    @Test func ddimStepsMatch() throws {
        let fifty = try DDIMScheduler(steps: 50)
        checkDDIM("ddim_eps", fifty, indices: [0, 10, 49])
        checkDDIM("ddim_eps_eta", fifty, indices: [0, 10, 49])
        checkDDIM("ddim_eps_eta_clipped", fifty, indices: [0, 10, 49], clipped: true)
        checkDDIM("ddim_v_trailing", try DDIMScheduler(steps: 10, spacing: .trailing, prediction: .velocity, setAlphaToOne: false), indices: [0, 9])
        checkDDIM("ddim_sample_cos", try DDIMScheduler(schedule: NoiseSchedule(schedule: .cosine), steps: 20, prediction: .sample, clipSample: false),
                  indices: [0, 19])
    }

    @Test func deterministicDDIMInvertsTheForwardProcessForAPerfectModel() throws {
        // With the true noise as the model's answer, every DDIM step (η = 0) lands on the forward
        // process's x_{t'} for the same x₀ and ε — the property that makes DDIM a deterministic map.
        let s = try DDIMScheduler(steps: 20, clipSample: false)
        let x0 = Tensor.uniform([3, 5], low: -1, high: 1, dtype: .float64, generator: RandomGenerator(seed: 1))
        let eps = Tensor.randn([3, 5], dtype: .float64, generator: RandomGenerator(seed: 2))
        var x = s.schedule.addNoise(x0, noise: eps, timesteps: [Int](repeating: s.timesteps[0], count: 3))
        for t in s.timesteps { x = s.step(eps, timestep: t, sample: x).previous }
        #expect(maxAbsoluteError(x.scalars, x0.scalars) < 1e-9)
    }
}
