import Foundation

/// A small arcade game written against the custom-environment protocol, as a learner would write
/// one (after DeepMind bsuite's `catch`): balls fall one row per step from a random column of a
/// `rows × columns` board; the paddle on the bottom row moves left, stays or moves right. A caught
/// ball pays +1, a missed one −1, and the episode ends after `balls` balls (return in
/// −balls…+balls; a perfect player always catches, since a ball falls for `rows − 1` steps and the
/// paddle is never more than `columns − 1` columns away).
///
/// The observation is `[ball column, ball row, paddle column]`, each scaled to 0…1. Not in
/// Gymnasium: it shows ``BaseEnvironment``, ``Environments/register(_:)`` and
/// ``EnvironmentChecker`` at work, and gives the game-agent project a task of its own.
///
/// ```swift
/// // Catch-v0 is registered already; a variant under an id of its own:
/// try Environments.register(EnvironmentSpec(id: "WideCatch-v0") { _ in try Catch(columns: 9, id: "WideCatch-v0") })
/// try EnvironmentChecker.check { try Environments.make("WideCatch-v0") }
/// ```
public final class Catch: BaseEnvironment, StatefulEnvironment {
    /// The id it was registered or built under.
    public let id: String
    /// The board's size and the balls of one episode.
    public let rows: Int, columns: Int, balls: Int
    /// `Box(0, 1, (3,))`: ball column, ball row, paddle column, scaled.
    public let observationSpace: Space
    /// Left, stay, right.
    public let actionSpace: Space = .discrete(n: 3)
    var ballRow = 0, ballColumn = 0, paddle = 0, ballsLeft = 0
    var lastReward = 0.0

    /// A board of `rows × columns` (each 2…100) and `balls` balls per episode (1…10000).
    public init(rows: Int = 10, columns: Int = 5, balls: Int = 10, id: String = "Catch-v0") throws {
        guard (2...100).contains(rows), (2...100).contains(columns) else { throw RLError.invalidArgument("Catch: rows and columns must be 2…100") }
        guard (1...10_000).contains(balls) else { throw RLError.invalidArgument("Catch: balls must be 1…10000") }
        self.rows = rows; self.columns = columns; self.balls = balls; self.id = id
        observationSpace = .box(low: 0, high: 1, shape: [3])
        super.init()
    }

    /// From Gymnasium-style keyword options: `rows`, `columns`, `balls`.
    public convenience init(options: [String: String], id: String = "Catch-v0") throws {
        try Environments.checkKeys(options, ["rows", "columns", "balls"], id)
        try self.init(rows: try Environments.int(options, "rows") ?? 10, columns: try Environments.int(options, "columns") ?? 5,
                      balls: try Environments.int(options, "balls") ?? 10, id: id)
    }

    var observation: [Float] {
        [Float(ballColumn) / Float(columns - 1), Float(ballRow) / Float(rows - 1), Float(paddle) / Float(columns - 1)]
    }

    /// A new episode: the paddle in the middle, the first ball at a random column of the top row.
    public func reset(seed: UInt64?) -> [Float] {
        seedForReset(seed)
        ballsLeft = balls
        paddle = columns / 2
        dropBall()
        lastReward = 0
        return observation
    }

    private func dropBall() {
        ballRow = 0
        ballColumn = rng!.integers(columns)
    }

    /// Moves the paddle, then the ball one row down; scores the ball when it reaches the bottom.
    public func step(_ action: Action) throws -> StepResult {
        try requireReset(id)
        let a = try discreteAction(action, 3, id)
        paddle = Swift.min(Swift.max(paddle + a - 1, 0), columns - 1)
        ballRow += 1
        var reward = 0.0, terminated = false
        if ballRow == rows - 1 {
            reward = ballColumn == paddle ? 1 : -1
            ballsLeft -= 1
            if ballsLeft == 0 { terminated = true; needsReset = true } else { dropBall() }
        }
        lastReward = reward
        return StepResult(observation: observation, reward: reward, terminated: terminated)
    }

    /// `[ball row, ball column, paddle column, balls left]`.
    public var state: [Double] { [Double(ballRow), Double(ballColumn), Double(paddle), Double(ballsLeft)] }

    /// Sets `[ball row, ball column, paddle column, balls left]` exactly (integers on the board).
    public func setState(_ s: [Double]) throws {
        guard s.count == 4, s.allSatisfy({ $0.isFinite && $0 == $0.rounded() }) else {
            throw RLError.invalidArgument("\(id): the state is [ball row, ball column, paddle column, balls left] as integers")
        }
        let (r, c, p, left) = (Int(s[0]), Int(s[1]), Int(s[2]), Int(s[3]))
        guard (0..<(rows - 1)).contains(r), (0..<columns).contains(c), (0..<columns).contains(p), (1...balls).contains(left) else {
            throw RLError.invalidArgument("\(id): state \(s) is outside the \(rows)×\(columns) board or 1…\(balls) balls")
        }
        if rng == nil { rng = NumPyGenerator(seed: 0) }
        ballRow = r; ballColumn = c; paddle = p; ballsLeft = left; needsReset = false
    }

    /// The board as text: `o` the ball, `=` the paddle.
    public func renderText() -> String {
        var out = ""
        for r in 0..<rows {
            out += String((0..<columns).map { c -> Character in
                if r == ballRow && c == ballColumn { return "o" }
                if r == rows - 1 && c == paddle { return "=" }
                return "."
            }) + "\n"
        }
        return out + "balls left \(ballsLeft)\n"
    }
}
