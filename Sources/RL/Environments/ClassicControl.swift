import Foundation

// The classic-control environments with Gymnasium 1.x's dynamics, operation for operation: the
// same float64 arithmetic in the same order, and float32 where Gymnasium's NumPy promotion rules
// make it float32 (a float32 action times a Python float stays float32 under NEP 50).

/// Gymnasium's `CartPole-v1` (Barto, Sutton & Anderson): push a cart left or right to keep a pole
/// upright; reward 1 per step, terminated when |θ| > 12° or |x| > 2.4.
public final class CartPole: BaseEnvironment, StatefulEnvironment {
    public let id: String
    /// 0 per step and −1 on failure instead of +1 per step.
    public let suttonBartoReward: Bool
    public let observationSpace: Space
    public let actionSpace = Space.discrete(n: 2)
    let gravity = 9.8, massCart = 1.0, massPole = 0.1, totalMass = 0.1 + 1.0, length = 0.5
    let poleMassLength = 0.1 * 0.5, forceMag = 10.0, tau = 0.02
    let thetaThreshold = 12 * 2 * Double.pi / 360, xThreshold = 2.4
    public private(set) var state: [Double] = [0, 0, 0, 0]
    var stepsBeyondTerminated: Int?

    /// The cart-pole (v1: 500-step limit through `make`).
    public init(id: String = "CartPole-v1", suttonBartoReward: Bool = false) {
        self.id = id
        self.suttonBartoReward = suttonBartoReward
        let high: [Float] = [Float(2.4 * 2), .infinity, Float(12 * 2 * Double.pi / 360 * 2), .infinity]
        observationSpace = .box(low: high.map { -$0 }, high: high, shape: [4])
    }

    public func reset(seed: UInt64?) -> [Float] {
        seedForReset(seed)
        state = (0..<4).map { _ in rng!.uniform(-0.05, 0.05) }
        stepsBeyondTerminated = nil
        return state.map { Float($0) }
    }

    public func setState(_ s: [Double]) throws {
        guard s.count == 4, s.allSatisfy(\.isFinite) else { throw RLError.invalidArgument("\(id): the state is [x, x_dot, theta, theta_dot], four finite numbers") }
        if rng == nil { rng = .fromEntropy() }
        state = s; stepsBeyondTerminated = nil; needsReset = false
    }

    public func step(_ action: Action) throws -> StepResult {
        try requireReset(id)
        let a = try discreteAction(action, 2, id)
        var x = state[0], xDot = state[1], theta = state[2], thetaDot = state[3]
        let force = a == 1 ? forceMag : -forceMag
        let cosT = cos(theta), sinT = sin(theta)
        let temp = (force + poleMassLength * (thetaDot * thetaDot) * sinT) / totalMass
        let thetaAcc = (gravity * sinT - cosT * temp) / (length * (4.0 / 3.0 - massPole * (cosT * cosT) / totalMass))
        let xAcc = temp - poleMassLength * thetaAcc * cosT / totalMass
        x = x + tau * xDot
        xDot = xDot + tau * xAcc
        theta = theta + tau * thetaDot
        thetaDot = thetaDot + tau * thetaAcc
        state = [x, xDot, theta, thetaDot]
        let terminated = x < -xThreshold || x > xThreshold || theta < -thetaThreshold || theta > thetaThreshold
        let reward: Double
        if !terminated {
            reward = suttonBartoReward ? 0 : 1
        } else if stepsBeyondTerminated == nil {
            stepsBeyondTerminated = 0
            reward = suttonBartoReward ? -1 : 1
        } else {
            stepsBeyondTerminated! += 1
            reward = suttonBartoReward ? -1 : 0
        }
        return StepResult(observation: [Float(x), Float(xDot), Float(theta), Float(thetaDot)], reward: reward, terminated: terminated)
    }

    public func renderText() -> String {
        // A 61-column track: the cart as [=], the pole's tilt as a character above it.
        let col = textColumn((state[0] + 2.4) / 4.8)
        var track = Array(repeating: Character("-"), count: 61)
        var pole = Array(repeating: Character(" "), count: 61)
        track[col] = "#"
        pole[col] = state[2] > 0.07 ? "/" : state[2] < -0.07 ? "\\" : "|"
        return String(pole) + "\n" + String(track) + String(format: "\nx=%+.3f θ=%+.3f", state[0], state[2])
    }
}

/// Gymnasium's `MountainCar-v0`: an under-powered car must rock back and forth to reach the flag
/// at x = 0.5; reward −1 per step.
public final class MountainCar: BaseEnvironment, StatefulEnvironment {
    public let id = "MountainCar-v0"
    /// The velocity the car must have at the flag.
    public let goalVelocity: Double
    public let observationSpace = Space.box(low: [-1.2, -0.07], high: [0.6, 0.07], shape: [2])
    public let actionSpace = Space.discrete(n: 3)
    public private(set) var state: [Double] = [0, 0]

    /// The hill, with a goal velocity.
    public init(goalVelocity: Double = 0) { self.goalVelocity = goalVelocity }

    public func reset(seed: UInt64?) -> [Float] {
        seedForReset(seed)
        state = [rng!.uniform(-0.6, -0.4), 0]
        return state.map { Float($0) }
    }

    public func setState(_ s: [Double]) throws {
        guard s.count == 2, s.allSatisfy(\.isFinite) else { throw RLError.invalidArgument("\(id): the state is [position, velocity]") }
        if rng == nil { rng = .fromEntropy() }
        state = s; needsReset = false
    }

    public func step(_ action: Action) throws -> StepResult {
        try requireReset(id)
        let a = try discreteAction(action, 3, id)
        var position = state[0], velocity = state[1]
        velocity += Double(a - 1) * 0.001 + cos(3 * position) * -0.0025
        velocity = min(max(velocity, -0.07), 0.07)
        position += velocity
        position = min(max(position, -1.2), 0.6)
        if position == -1.2 && velocity < 0 { velocity = 0 }
        state = [position, velocity]
        let terminated = position >= 0.5 && velocity >= goalVelocity
        return StepResult(observation: [Float(position), Float(velocity)], reward: -1, terminated: terminated)
    }

    public func renderText() -> String { hillText(position: state[0], goal: 0.5) }
}

/// Gymnasium's `MountainCarContinuous-v0`: the same hill with a force in [−1, 1]; +100 at the
/// goal (x ≥ 0.45) minus 0.1·force² per step.
///
/// Gymnasium's arithmetic here mixes float32 and float64 (the state is stored as float32 after
/// the first step; a float32 force times a Python float stays float32), and so does this.
public final class MountainCarContinuous: BaseEnvironment, StatefulEnvironment {
    public let id = "MountainCarContinuous-v0"
    /// The velocity the car must have at the flag.
    public let goalVelocity: Double
    public let observationSpace = Space.box(low: [-1.2, -0.07], high: [0.6, 0.07], shape: [2])
    public let actionSpace = Space.box(low: -1, high: 1, shape: [1])
    /// The state; after the first step it holds float32 values, as Gymnasium's does.
    public private(set) var state: [Double] = [0, 0]
    var stateIsFloat32 = false

    /// The hill, with a goal velocity.
    public init(goalVelocity: Double = 0) { self.goalVelocity = goalVelocity }

    public func reset(seed: UInt64?) -> [Float] {
        seedForReset(seed)
        state = [rng!.uniform(-0.6, -0.4), 0]
        stateIsFloat32 = false
        return state.map { Float($0) }
    }

    public func setState(_ s: [Double]) throws {
        guard s.count == 2, s.allSatisfy(\.isFinite) else { throw RLError.invalidArgument("\(id): the state is [position, velocity]") }
        if rng == nil { rng = .fromEntropy() }
        state = s; stateIsFloat32 = false; needsReset = false
    }

    public func step(_ action: Action) throws -> StepResult {
        try requireReset(id)
        let a = try continuousAction(action, 1, id)[0]
        // Each variable is a NumPy float32 (the stored state after the first step) or a float64 /
        // Python float; NEP 50 casts a Python float to float32 in arithmetic *and comparisons*.
        var position = state[0], velocity = state[1]
        var positionF32 = stateIsFloat32, velocityF32 = stateIsFloat32
        func gt(_ v: Double, _ f32: Bool, _ c: Double) -> Bool { f32 ? Float(v) > Float(c) : v > c }
        func lt(_ v: Double, _ f32: Bool, _ c: Double) -> Bool { f32 ? Float(v) < Float(c) : v < c }
        func ge(_ v: Double, _ f32: Bool, _ c: Double) -> Bool { f32 ? Float(v) >= Float(c) : v >= c }
        func eq(_ v: Double, _ f32: Bool, _ c: Double) -> Bool { f32 ? Float(v) == Float(c) : v == c }
        let threeP = positionF32 ? Double(Float(3) * Float(position)) : 3 * position
        let c = 0.0025 * cos(threeP)
        if a < -1 || a > 1 {
            // force = min(max(action[0], -1.0), 1.0) is then a Python float.
            let inc = (a < -1 ? -1.0 : 1.0) * 0.0015 - c
            velocity = velocityF32 ? Double(Float(velocity) + Float(inc)) : velocity + inc
        } else {
            let inc = Float(a) * Float(0.0015) - Float(c)          // float32 arithmetic
            velocity = velocityF32 ? Double(Float(velocity) + inc) : velocity + Double(inc)
        }
        if gt(velocity, velocityF32, 0.07) { velocity = 0.07; velocityF32 = false }
        if lt(velocity, velocityF32, -0.07) { velocity = -0.07; velocityF32 = false }
        position = positionF32 ? Double(Float(position) + Float(velocity)) : position + velocity
        if gt(position, positionF32, 0.6) { position = 0.6; positionF32 = false }
        if lt(position, positionF32, -1.2) { position = -1.2; positionF32 = false }
        if eq(position, positionF32, -1.2) && velocity < 0 { velocity = 0; velocityF32 = false }
        let terminated = ge(position, positionF32, 0.45) && ge(velocity, velocityF32, goalVelocity)
        var reward = terminated ? 100.0 : 0.0
        reward -= pow(Double(a), 2) * 0.1
        state = [Double(Float(position)), Double(Float(velocity))]
        stateIsFloat32 = true
        return StepResult(observation: state.map { Float($0) }, reward: reward, terminated: terminated)
    }

    public func renderText() -> String { hillText(position: state[0], goal: 0.45) }
}

/// The column (0…60) of a fraction of the track; values far outside it (a set state) are clamped
/// before the conversion to Int, which would trap.
func textColumn(_ fraction: Double) -> Int {
    guard fraction.isFinite else { return 0 }
    return Int((min(max(fraction, 0), 1) * 60).rounded())
}

func hillText(position: Double, goal: Double) -> String {
    let col = { (x: Double) in textColumn((x + 1.2) / 1.8) }
    var line = Array(repeating: Character("_"), count: 61)
    line[col(goal)] = "F"
    line[col(position)] = "C"
    return String(line) + String(format: "\nposition=%+.4f", position)
}

/// Gymnasium's `Pendulum-v1`: swing a pendulum up and hold it; reward −(θ² + 0.1·θ̇² + 0.001·u²).
public final class Pendulum: BaseEnvironment, StatefulEnvironment {
    public let id = "Pendulum-v1"
    /// Gravity.
    public let g: Double
    public let observationSpace = Space.box(low: [-1, -1, -8], high: [1, 1, 8], shape: [3])
    public let actionSpace = Space.box(low: -2, high: 2, shape: [1])
    public private(set) var state: [Double] = [0, 0]

    /// The pendulum under gravity `g`.
    public init(g: Double = 10.0) { self.g = g }

    public func reset(seed: UInt64?) -> [Float] {
        seedForReset(seed)
        state = [rng!.uniform(-Double.pi, Double.pi), rng!.uniform(-1, 1)]
        return observation()
    }

    public func setState(_ s: [Double]) throws {
        guard s.count == 2, s.allSatisfy(\.isFinite) else { throw RLError.invalidArgument("\(id): the state is [theta, theta_dot]") }
        if rng == nil { rng = .fromEntropy() }
        state = s; needsReset = false
    }

    func observation() -> [Float] { [Float(cos(state[0])), Float(sin(state[0])), Float(state[1])] }

    /// `(x + π) % 2π − π` with NumPy's floored remainder.
    static func angleNormalize(_ x: Double) -> Double {
        let b = 2 * Double.pi
        var m = fmod(x + Double.pi, b)
        if m != 0 && (m < 0) != (b < 0) { m += b }
        if m == 0 { m = 0 }   // copysign(0, b)
        return m - Double.pi
    }

    public func step(_ action: Action) throws -> StepResult {
        try requireReset(id)
        let th = state[0], thdot = state[1]
        let u = min(max(try continuousAction(action, 1, id)[0], -2), 2)          // float32
        let an = Pendulum.angleNormalize(th)
        let costs = an * an + 0.1 * (thdot * thdot) + Double(Float(0.001) * (u * u))
        var newthdot = thdot + (3 * g / 2 * sin(th) + Double(Float(3.0) * u)) * 0.05
        newthdot = min(max(newthdot, -8), 8)
        let newth = th + newthdot * 0.05
        state = [newth, newthdot]
        return StepResult(observation: observation(), reward: -costs, terminated: false)
    }

    public func renderText() -> String {
        String(format: "θ=%+.3f (0 is upright) θ̇=%+.3f", Pendulum.angleNormalize(state[0]), state[1])
    }
}

/// Gymnasium's `Acrobot-v1`: a two-link arm actuated at the elbow must swing its tip above a line;
/// reward −1 per step. Integrated with one RK4 step of 0.2 s per action, in float64.
public final class Acrobot: BaseEnvironment, StatefulEnvironment {
    public let id = "Acrobot-v1"
    public let observationSpace = Space.box(low: [-1, -1, -1, -1, -Float(4 * Double.pi), -Float(9 * Double.pi)],
                                           high: [1, 1, 1, 1, Float(4 * Double.pi), Float(9 * Double.pi)], shape: [6])
    public let actionSpace = Space.discrete(n: 3)
    public private(set) var state: [Double] = [0, 0, 0, 0]
    static let maxVel1 = 4 * Double.pi, maxVel2 = 9 * Double.pi

    /// The two-link acrobot.
    public override init() {}

    public func reset(seed: UInt64?) -> [Float] {
        seedForReset(seed)
        let s32 = (0..<4).map { _ in Float(rng!.uniform(-0.1, 0.1)) }
        state = s32.map(Double.init)
        // Gymnasium's reset state is a float32 array, so its first observation takes float32 cosines.
        return [cos(s32[0]), sin(s32[0]), cos(s32[1]), sin(s32[1]), s32[2], s32[3]]
    }

    public func setState(_ s: [Double]) throws {
        guard s.count == 4, s.allSatisfy(\.isFinite) else { throw RLError.invalidArgument("\(id): the state is [theta1, theta2, dtheta1, dtheta2]") }
        if rng == nil { rng = .fromEntropy() }
        state = s; needsReset = false
    }

    func observation() -> [Float] {
        [Float(cos(state[0])), Float(sin(state[0])), Float(cos(state[1])), Float(sin(state[1])), Float(state[2]), Float(state[3])]
    }

    /// The equations of motion ("book" version), Gymnasium's `_dsdt`.
    static func derivatives(_ s: (Double, Double, Double, Double), torque a: Double) -> (Double, Double, Double, Double) {
        let m1 = 1.0, m2 = 1.0, l1 = 1.0, lc1 = 0.5, lc2 = 0.5, i1 = 1.0, i2 = 1.0, g = 9.8
        let (theta1, theta2, dtheta1, dtheta2) = s
        let d1 = m1 * (lc1 * lc1) + m2 * ((l1 * l1) + (lc2 * lc2) + 2 * l1 * lc2 * cos(theta2)) + i1 + i2
        let d2 = m2 * ((lc2 * lc2) + l1 * lc2 * cos(theta2)) + i2
        let phi2 = m2 * lc2 * g * cos(theta1 + theta2 - Double.pi / 2.0)
        let phi1 = -m2 * l1 * lc2 * (dtheta2 * dtheta2) * sin(theta2) - 2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sin(theta2)
            + (m1 * lc1 + m2 * l1) * g * cos(theta1 - Double.pi / 2) + phi2
        let ddtheta2 = (a + d2 / d1 * phi1 - m2 * l1 * lc2 * (dtheta1 * dtheta1) * sin(theta2) - phi2)
            / (m2 * (lc2 * lc2) + i2 - (d2 * d2) / d1)
        let ddtheta1 = -(d2 * ddtheta2 + phi1) / d1
        return (dtheta1, dtheta2, ddtheta1, ddtheta2)
    }

    public func step(_ action: Action) throws -> StepResult {
        try requireReset(id)
        let torque = [-1.0, 0.0, 1.0][try discreteAction(action, 3, id)]
        let y0 = (state[0], state[1], state[2], state[3])
        let dt = 0.2, dt2 = dt / 2.0
        func add(_ y: (Double, Double, Double, Double), _ h: Double, _ k: (Double, Double, Double, Double)) -> (Double, Double, Double, Double) {
            (y.0 + h * k.0, y.1 + h * k.1, y.2 + h * k.2, y.3 + h * k.3)
        }
        let k1 = Acrobot.derivatives(y0, torque: torque)
        let k2 = Acrobot.derivatives(add(y0, dt2, k1), torque: torque)
        let k3 = Acrobot.derivatives(add(y0, dt2, k2), torque: torque)
        let k4 = Acrobot.derivatives(add(y0, dt, k3), torque: torque)
        let h = dt / 6.0
        var ns = [y0.0 + h * (k1.0 + 2 * k2.0 + 2 * k3.0 + k4.0), y0.1 + h * (k1.1 + 2 * k2.1 + 2 * k3.1 + k4.1),
                  y0.2 + h * (k1.2 + 2 * k2.2 + 2 * k3.2 + k4.2), y0.3 + h * (k1.3 + 2 * k2.3 + 2 * k3.3 + k4.3)]
        ns[0] = Acrobot.wrap(ns[0]); ns[1] = Acrobot.wrap(ns[1])
        ns[2] = min(max(ns[2], -Acrobot.maxVel1), Acrobot.maxVel1)
        ns[3] = min(max(ns[3], -Acrobot.maxVel2), Acrobot.maxVel2)
        state = ns
        let terminated = -cos(ns[0]) - cos(ns[1] + ns[0]) > 1.0
        return StepResult(observation: observation(), reward: terminated ? 0 : -1, terminated: terminated)
    }

    static func wrap(_ x: Double) -> Double {
        var x = x
        let diff = Double.pi - -Double.pi
        // Bounded: a finite state far outside [-π, π] would otherwise loop for a long time.
        if abs(x) > 1e6 { x = fmod(x, diff) }
        while x > Double.pi { x -= diff }
        while x < -Double.pi { x += diff }
        return x
    }

    public func renderText() -> String {
        let tipY = -cos(state[0]) - cos(state[1] + state[0])
        return String(format: "θ1=%+.3f θ2=%+.3f tip height=%+.3f (goal > 1)", state[0], state[1], tipY)
    }
}
