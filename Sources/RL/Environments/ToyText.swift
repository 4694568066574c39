import Foundation

/// A finite MDP environment driven by its table `P`, as Gymnasium's toy-text environments are:
/// `reset` samples the initial-state distribution, `step` samples `P[s][a]`.
open class TableEnvironment: BaseEnvironment, TabularEnvironment {
    public let id: String
    /// Number of states.
    public let stateCount: Int
    /// Number of actions.
    public let actionCount: Int
    public var observationSpace: Space { .discrete(n: stateCount) }
    public var actionSpace: Space { .discrete(n: actionCount) }
    /// `P[s][a]`.
    public let table: [[[Transition]]]
    /// The distribution `reset` samples the first state from.
    public let initialDistribution: [Double]
    /// The current state.
    public internal(set) var current = 0
    /// The last action taken (for rendering).
    public internal(set) var lastAction: Int?

    /// An environment stepping through `table` (`P[s][a]`).
    public init(id: String, table: [[[Transition]]], initialDistribution: [Double]) {
        self.id = id
        self.table = table
        stateCount = table.count
        actionCount = table.first?.count ?? 0
        self.initialDistribution = initialDistribution
    }

    public func transitions(state: Int, action: Int) -> [Transition] { table[state][action] }
    open func renderText() -> String { "\(id) state \(current)" }
    public var state: [Double] { [Double(current)] }

    public func setState(_ s: [Double]) throws {
        guard s.count == 1, let i = Int(exactly: s[0]), i >= 0, i < stateCount else {
            throw RLError.invalidArgument("\(id): the state is one integer in 0..<\(stateCount)")
        }
        if rng == nil { rng = .fromEntropy() }
        current = i; needsReset = false
    }

    open func reset(seed: UInt64?) -> [Float] {
        seedForReset(seed)
        current = categoricalSample(initialDistribution)
        lastAction = nil
        return [Float(current)]
    }

    open func step(_ action: Action) throws -> StepResult {
        try requireReset(id)
        let a = try discreteAction(action, actionCount, id)
        let options = table[current][a]
        let t = options[categoricalSample(options.map(\.probability))]
        current = t.nextState
        lastAction = a
        return StepResult(observation: [Float(t.nextState)], reward: t.reward, terminated: t.terminated, info: ["prob": t.probability])
    }
}

/// Gymnasium's `FrozenLake-v1`: cross a frozen lake from S to G without falling into a hole H;
/// on slippery ice the intended move happens with probability `successRate`, each perpendicular
/// one with half the rest.
public final class FrozenLake: TableEnvironment {
    /// Gymnasium's named maps.
    public static let maps: [String: [String]] = [
        "4x4": ["SFFF", "FHFH", "FFFH", "HFFG"],
        "8x8": ["SFFFFFFF", "FFFFFFFF", "FFFHFFFF", "FFFFFHFF", "FFFHFFFF", "FHHFFFHF", "FHFFHFHF", "FFFHFFFG"],
    ]
    /// The lake, row by row.
    public let map: [[Character]]
    /// Whether moves slip sideways.
    public let isSlippery: Bool

    /// A lake from a named map (`4x4`, `8x8`) or custom rows of S/F/H/G.
    public init(map: [String] = FrozenLake.maps["4x4"]!, isSlippery: Bool = true, successRate: Double = 1.0 / 3.0,
                rewardSchedule: (goal: Double, hole: Double, frozen: Double) = (1, 0, 0), id: String = "FrozenLake-v1") throws {
        let rows = map.map(Array.init)
        guard !rows.isEmpty, let ncol = rows.first?.count, ncol > 0, rows.allSatisfy({ $0.count == ncol }) else {
            throw RLError.invalidArgument("FrozenLake: the map must be non-empty rows of equal length")
        }
        guard rows.count * ncol <= 1 << 20 else { throw RLError.invalidArgument("FrozenLake: at most 2^20 cells") }
        guard rows.allSatisfy({ $0.allSatisfy { "SFHG".contains($0) } }) else {
            throw RLError.invalidArgument("FrozenLake: map cells must be S, F, H or G")
        }
        guard rows.joined().contains("S") else { throw RLError.invalidArgument("FrozenLake: the map has no start cell S") }
        guard successRate >= 0, successRate <= 1 else { throw RLError.invalidArgument("FrozenLake: success_rate must be in [0, 1]") }
        let nrow = rows.count
        let failRate = (1.0 - successRate) / 2.0
        func move(_ row: Int, _ col: Int, _ a: Int) -> (Int, Int) {
            switch a {
            case 0: return (row, max(col - 1, 0))
            case 1: return (min(row + 1, nrow - 1), col)
            case 2: return (row, min(col + 1, ncol - 1))
            default: return (max(row - 1, 0), col)
            }
        }
        func outcome(_ row: Int, _ col: Int, _ a: Int) -> (Int, Double, Bool) {
            let (r, c) = move(row, col, a)
            let letter = rows[r][c]
            let reward = letter == "G" ? rewardSchedule.goal : letter == "H" ? rewardSchedule.hole : rewardSchedule.frozen
            return (r * ncol + c, reward, letter == "G" || letter == "H")
        }
        var table: [[[Transition]]] = []
        for row in 0..<nrow {
            for col in 0..<ncol {
                let s = row * ncol + col
                table.append((0..<4).map { a in
                    if "GH".contains(rows[row][col]) { return [Transition(1.0, s, 0, true)] }
                    if isSlippery {
                        return [(a + 3) % 4, a, (a + 1) % 4].map { b in
                            let (ns, r, t) = outcome(row, col, b)
                            return Transition(b == a ? successRate : failRate, ns, r, t)
                        }
                    }
                    let (ns, r, t) = outcome(row, col, a)
                    return [Transition(1.0, ns, r, t)]
                })
            }
        }
        let starts = rows.joined().map { $0 == "S" ? 1.0 : 0.0 }
        let total = starts.reduce(0, +)
        self.map = rows
        self.isSlippery = isSlippery
        super.init(id: id, table: table, initialDistribution: starts.map { $0 / total })
    }

    /// Gymnasium's `render_mode="ansi"`: the last action, then the map with the agent's cell marked.
    public override func renderText() -> String {
        var out = ""
        if let a = lastAction { out += "  (\(["Left", "Down", "Right", "Up"][a]))\n" }
        let ncol = map[0].count
        for (r, row) in map.enumerated() {
            for (c, ch) in row.enumerated() { out += r * ncol + c == current ? "[\(ch)]" : String(ch) }
            out += "\n"
        }
        return out
    }

    /// Gymnasium's `generate_random_map(size, p, seed)`: cells frozen with probability p until the
    /// goal is reachable. (Drawn with this library's generator: the maps are not NumPy's.)
    public static func randomMap(size: Int = 8, p: Double = 0.8, seed: UInt64) throws -> [String] {
        guard size >= 2, size <= 1024 else { throw RLError.invalidArgument("FrozenLake: size must be 2–1024") }
        guard p > 0, p <= 1 else { throw RLError.invalidArgument("FrozenLake: p must be in (0, 1]") }
        var rng = NumPyGenerator(seed: seed)
        while true {
            var board = (0..<size).map { _ in (0..<size).map { _ in rng.random() < p ? Character("F") : "H" } }
            board[0][0] = "S"; board[size - 1][size - 1] = "G"
            var seen = Set<Int>(), frontier = [0]
            var reachable = false
            while let cell = frontier.popLast(), !reachable {
                guard seen.insert(cell).inserted else { continue }
                let r = cell / size, c = cell % size
                for (dr, dc) in [(1, 0), (0, 1), (-1, 0), (0, -1)] {
                    let nr = r + dr, nc = c + dc
                    guard nr >= 0, nr < size, nc >= 0, nc < size else { continue }
                    if board[nr][nc] == "G" { reachable = true }
                    if board[nr][nc] != "H" { frontier.append(nr * size + nc) }
                }
            }
            if reachable { return board.map { String($0) } }
        }
    }
}

/// Gymnasium's `CliffWalking-v1`: walk along a 4×12 grid from the bottom-left to the bottom-right
/// corner; −1 per step, −100 and back to the start for stepping onto the cliff.
public final class CliffWalking: TableEnvironment {
    /// The 4×12 cliff, slippery or not.
    public init(isSlippery: Bool = false) {
        let rows = 4, cols = 12, start = 3 * cols
        let deltas = [(-1, 0), (0, 1), (1, 0), (0, -1)]   // up, right, down, left
        var table: [[[Transition]]] = []
        for s in 0..<(rows * cols) {
            let (r, c) = (s / cols, s % cols)
            table.append((0..<4).map { move in
                let moves = isSlippery ? [(move + 3) % 4, move, (move + 1) % 4] : [move]
                return moves.map { m in
                    let nr = max(min(r + deltas[m].0, rows - 1), 0), nc = max(min(c + deltas[m].1, cols - 1), 0)
                    let p = 1.0 / Double(moves.count)
                    if nr == 3 && nc >= 1 && nc <= cols - 2 { return Transition(p, start, -100, false) }
                    return Transition(p, nr * cols + nc, -1, nr == rows - 1 && nc == cols - 1)
                }
            })
        }
        var initial = Array(repeating: 0.0, count: rows * cols)
        initial[start] = 1
        super.init(id: isSlippery ? "CliffWalkingSlippery-v1" : "CliffWalking-v1", table: table, initialDistribution: initial)
    }

    public override func renderText() -> String {
        var out = ""
        for r in 0..<4 {
            for c in 0..<12 {
                let s = r * 12 + c
                out += s == current ? " x " : (r == 3 && c == 11) ? " T " : (r == 3 && c >= 1 && c <= 10) ? " C " : " o "
            }
            out += "\n"
        }
        return out
    }
}

/// Gymnasium's `Taxi-v4`: pick a passenger up at one of four stands and drop them at their
/// destination on a 5×5 grid with walls; −1 per step, +20 for a delivery, −10 for an illegal
/// pickup or drop-off. 500 states: `((row·5 + col)·5 + passenger)·4 + destination`.
public final class Taxi: TableEnvironment {
    static let mapRows = ["+---------+", "|R: | : :G|", "| : | : : |", "| : : : : |", "| | : | : |", "|Y| : |B: |", "+---------+"].map(Array.init)
    static let stands = [(0, 0), (0, 4), (4, 0), (4, 3)]

    /// The state index of a taxi position, passenger location (4 = in the taxi) and destination.
    public static func encode(_ row: Int, _ col: Int, _ passenger: Int, _ destination: Int) -> Int {
        ((row * 5 + col) * 5 + passenger) * 4 + destination
    }
    /// The parts of a state index.
    public static func decode(_ s: Int) -> (row: Int, col: Int, passenger: Int, destination: Int) {
        (s / 100, (s / 20) % 5, (s / 4) % 5, s % 4)
    }

    /// The 5×5 taxi world.
    public init() {
        let desc = Taxi.mapRows
        var table = Array(repeating: Array(repeating: [Transition](), count: 6), count: 500)
        var initial = Array(repeating: 0.0, count: 500)
        for row in 0..<5 { for col in 0..<5 { for pass in 0..<5 { for dest in 0..<4 {
            let s = Taxi.encode(row, col, pass, dest)
            if pass < 4 && pass != dest { initial[s] += 1 }
            for action in 0..<6 {
                var (nr, nc, np) = (row, col, pass)
                var reward = -1.0, terminated = false
                let here = (row, col)
                if action == 0 { nr = min(row + 1, 4) } else if action == 1 { nr = max(row - 1, 0) }
                if action == 2 && desc[1 + row][2 * col + 2] == ":" {
                    nc = min(col + 1, 4)
                } else if action == 3 && desc[1 + row][2 * col] == ":" {
                    nc = max(col - 1, 0)
                } else if action == 4 {
                    if pass < 4 && here == Taxi.stands[pass] { np = 4 } else { reward = -10 }
                } else if action == 5 {
                    if here == Taxi.stands[dest] && pass == 4 {
                        np = dest; terminated = true; reward = 20
                    } else if let i = Taxi.stands.firstIndex(where: { $0 == here }), pass == 4 {
                        np = i
                    } else {
                        reward = -10
                    }
                }
                table[s][action] = [Transition(1.0, Taxi.encode(nr, nc, np, dest), reward, terminated)]
            }
        } } } }
        let total = initial.reduce(0, +)
        super.init(id: "Taxi-v4", table: table, initialDistribution: initial.map { $0 / total })
    }

    /// Gymnasium's ANSI rendering without colours: the taxi as `T` (`@` when carrying), the
    /// passenger's stand in lower case, the destination marked with `*`.
    public override func renderText() -> String {
        var rows = Taxi.mapRows
        let (r, c, p, d) = Taxi.decode(current)
        let letters: [Character] = ["R", "G", "Y", "B"]
        if p < 4 { let (pr, pc) = Taxi.stands[p]; rows[1 + pr][2 * pc + 1] = Character(letters[p].lowercased()) }
        let (dr, dc) = Taxi.stands[d]
        if rows[1 + dr][2 * dc + 1] == letters[d] { rows[1 + dr][2 * dc + 1] = "*" }
        rows[1 + r][2 * c + 1] = p == 4 ? "@" : "T"
        var out = rows.map { String($0) }.joined(separator: "\n") + "\n"
        if let a = lastAction { out += "  (\(["South", "North", "East", "West", "Pickup", "Dropoff"][a]))\n" }
        return out
    }
}

/// Gymnasium's `Blackjack-v1` (Sutton & Barto's example 5.1): hit or stick against a dealer who
/// draws to 17, from an infinite deck. The observation is (player sum, dealer's card, usable ace).
/// Defaults as registered: `sab = true` (Sutton & Barto's rules), `natural = false`.
public final class Blackjack: BaseEnvironment, StatefulEnvironment {
    public let id = "Blackjack-v1"
    /// Pay 1.5 for a natural; Sutton & Barto's rules.
    public let natural: Bool, sab: Bool
    public let observationSpace = Space.tuple([.discrete(n: 32), .discrete(n: 11), .discrete(n: 2)])
    public let actionSpace = Space.discrete(n: 2)
    static let deck = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10, 10]
    /// The player's cards (aces as 1).
    public private(set) var player: [Int] = []
    /// The dealer's cards.
    public private(set) var dealer: [Int] = []

    /// The game with Gymnasium's options.
    public init(natural: Bool = false, sab: Bool = true) { self.natural = natural; self.sab = sab }

    func draw() -> Int { Blackjack.deck[rng!.choice(13)] }
    static func usableAce(_ h: [Int]) -> Bool { h.contains(1) && h.reduce(0, +) + 10 <= 21 }
    static func sum(_ h: [Int]) -> Int { usableAce(h) ? h.reduce(0, +) + 10 : h.reduce(0, +) }
    static func score(_ h: [Int]) -> Int { sum(h) > 21 ? 0 : sum(h) }
    static func isNatural(_ h: [Int]) -> Bool { h.sorted() == [1, 10] }

    func observation() -> [Float] {
        [Float(Blackjack.sum(player)), Float(dealer[0]), Blackjack.usableAce(player) ? 1 : 0]
    }

    /// The hands as a state: the player's cards, then 0, then the dealer's.
    public var state: [Double] { player.map(Double.init) + [0] + dealer.map(Double.init) }

    public func setState(_ s: [Double]) throws {
        guard let split = s.firstIndex(of: 0), split >= 1, s.count - split - 1 >= 1, s.count <= 64,
              s.allSatisfy({ Int(exactly: $0).map { (0...10).contains($0) } ?? false }) else {
            throw RLError.invalidArgument("Blackjack: the state is the player's cards (1–10), 0, the dealer's cards")
        }
        if rng == nil { rng = .fromEntropy() }
        player = s[..<split].map { Int($0) }
        dealer = s[(split + 1)...].map { Int($0) }
        needsReset = false
    }

    public func reset(seed: UInt64?) -> [Float] {
        seedForReset(seed)
        dealer = [draw(), draw()]
        player = [draw(), draw()]
        // Gymnasium draws the dealer's top-card suit (and a face for a ten) for rendering.
        _ = rng!.choice(4)
        if dealer[0] == 10 { _ = rng!.choice(3) }
        return observation()
    }

    public func step(_ action: Action) throws -> StepResult {
        try requireReset(id)
        let a = try discreteAction(action, 2, id)
        let reward: Double, terminated: Bool
        if a == 1 {
            player.append(draw())
            terminated = Blackjack.sum(player) > 21
            reward = terminated ? -1 : 0
        } else {
            terminated = true
            while Blackjack.sum(dealer) < 17 { dealer.append(draw()) }
            let p = Blackjack.score(player), d = Blackjack.score(dealer)
            var r = Double(p > d ? 1 : 0) - Double(p < d ? 1 : 0)
            if sab && Blackjack.isNatural(player) && !Blackjack.isNatural(dealer) {
                r = 1
            } else if !sab && natural && Blackjack.isNatural(player) && r == 1 {
                r = 1.5
            }
            reward = r
        }
        return StepResult(observation: observation(), reward: reward, terminated: terminated)
    }

    public func renderText() -> String {
        "player \(player) = \(Blackjack.sum(player))\(Blackjack.usableAce(player) ? " (usable ace)" : ""), dealer shows \(dealer.first ?? 0)"
    }
}

/// A k-armed bandit testbed (Sutton & Barto §2.3): arm means drawn from N(0, 1), rewards from
/// N(mean, 1). One-step episodes; `optimalArm` gives the regret's reference.
public final class MultiArmedBandit: BaseEnvironment, Environment {
    public let id: String
    /// Number of arms.
    public let arms: Int
    /// Each arm's mean reward.
    public private(set) var means: [Double] = []
    public let observationSpace = Space.discrete(n: 1)
    public var actionSpace: Space { .discrete(n: arms) }
    let meanSeed: UInt64

    /// - Parameters: arms: 2–10,000; seed fixes the arm means (the testbed problem).
    public init(arms: Int = 10, seed: UInt64 = 0) throws {
        guard arms >= 2, arms <= 10_000 else { throw RLError.invalidArgument("bandit: arms must be 2–10000") }
        self.arms = arms; meanSeed = seed; id = "Bandit-\(arms)"
        super.init()
        var g = NumPyGenerator(seed: seed)
        means = (0..<arms).map { _ in g.normal() }
    }

    /// The arm with the highest mean.
    public var optimalArm: Int { means.indices.max { means[$0] < means[$1] }! }

    public func reset(seed: UInt64?) -> [Float] { seedForReset(seed); return [0] }

    public func step(_ action: Action) throws -> StepResult {
        try requireReset(id)
        let a = try discreteAction(action, arms, id)
        return StepResult(observation: [0], reward: means[a] + rng!.normal(), terminated: true)
    }
}
