import Foundation

extension Blackjack {
    /// The exact expected return of a policy over `Blackjack-v1`'s deal (an infinite deck: each
    /// card 1–9 with probability 1/13, a ten with 4/13; the dealer hits below 17 and stands on a
    /// soft 17), computed by recursion over the hands instead of by sampling. `policy` maps an
    /// observation `(player sum, dealer's card, usable ace)` to 0 (stick) or 1 (hit); with nil it
    /// is the optimal policy's return (each decision takes the better action).
    ///
    /// Follows the environment's rules for `natural` and `sab` (Sutton & Barto's: a natural beats
    /// any dealer hand but a natural). Returns the value and the policy that reached it, as a table
    /// over observations with player sums 4…21.
    public func exactReturn(policy: ((Int, Int, Bool) -> Int)? = nil) -> (value: Double, actions: [ObservationKey: Int]) {
        var solver = BlackjackSolver(natural: natural, sab: sab, policy: policy)
        var total = 0.0
        let p = 1.0 / 13
        for show in 1...10 {
            let pShow = show == 10 ? 4 * p : p
            for a in 1...10 { for b in 1...10 {
                let pa = a == 10 ? 4 * p : p, pb = b == 10 ? 4 * p : p
                let isNatural = (a == 1 && b == 10) || (a == 10 && b == 1)
                total += pShow * pa * pb * solver.value(raw: a + b, ace: a == 1 || b == 1, show: show, natural: isNatural)
            } }
        }
        return (total, solver.chosen)
    }

    /// An observation of Blackjack: the player's sum, the dealer's showing card, a usable ace.
    public struct ObservationKey: Hashable, Sendable {
        public var sum: Int, dealer: Int, usableAce: Bool
        public init(sum: Int, dealer: Int, usableAce: Bool) { self.sum = sum; self.dealer = dealer; self.usableAce = usableAce }
    }
}

/// The recursion behind ``Blackjack/exactReturn(policy:)``, memoised.
private struct BlackjackSolver {
    let natural: Bool, sab: Bool
    let policy: ((Int, Int, Bool) -> Int)?
    var memo: [Int: Double] = [:]
    var dealerMemo: [Int: [(score: Int, natural: Bool, p: Double)]] = [:]
    var chosen: [Blackjack.ObservationKey: Int] = [:]

    init(natural: Bool, sab: Bool, policy: ((Int, Int, Bool) -> Int)?) { self.natural = natural; self.sab = sab; self.policy = policy }

    static func cardProbability(_ c: Int) -> Double { c == 10 ? 4.0 / 13 : 1.0 / 13 }
    static func sum(_ raw: Int, _ ace: Bool) -> Int { ace && raw + 10 <= 21 ? raw + 10 : raw }

    /// The value of the player's hand (raw total with aces as 1, whether it holds an ace) against
    /// the dealer's showing card, with the policy (or the best action) deciding.
    mutating func value(raw: Int, ace: Bool, show: Int, natural isNatural: Bool) -> Double {
        let key = ((raw * 2 + (ace ? 1 : 0)) * 11 + show) * 2 + (isNatural ? 1 : 0)
        if let v = memo[key] { return v }
        let s = Self.sum(raw, ace), usable = ace && raw + 10 <= 21
        let stick = stickValue(player: s, show: show, natural: isNatural)
        var hit = 0.0
        for c in 1...10 {
            let nr = raw + c, na = ace || c == 1
            hit += Self.cardProbability(c) * (Self.sum(nr, na) > 21 ? -1 : value(raw: nr, ace: na, show: show, natural: false))
        }
        let action = policy?(s, show, usable) ?? (hit > stick ? 1 : 0)
        if !isNatural { chosen[Blackjack.ObservationKey(sum: s, dealer: show, usableAce: usable)] = action }
        let v = action == 1 ? hit : stick
        memo[key] = v
        return v
    }

    /// The expected reward of sticking on `player` (≤ 21).
    mutating func stickValue(player: Int, show: Int, natural isNatural: Bool) -> Double {
        var v = 0.0
        for (d, dealerNatural, p) in dealerOutcomes(show: show) {
            var r: Double = player > d ? 1 : player < d ? -1 : 0
            if sab && isNatural && !dealerNatural { r = 1 } else if !sab && natural && isNatural && r == 1 { r = 1.5 }
            v += p * r
        }
        return v
    }

    /// The dealer's final score (0 for a bust) and whether the first two cards were a natural,
    /// with probabilities, given the showing card.
    mutating func dealerOutcomes(show: Int) -> [(score: Int, natural: Bool, p: Double)] {
        if let o = dealerMemo[show] { return o }
        var out: [(Int, Bool, Double)] = []
        func play(_ raw: Int, _ ace: Bool, _ p: Double, _ isNatural: Bool) {
            let s = Self.sum(raw, ace)
            if s >= 17 { out.append((s > 21 ? 0 : s, isNatural, p)); return }
            for c in 1...10 { play(raw + c, ace || c == 1, p * Self.cardProbability(c), false) }
        }
        for hidden in 1...10 {
            let isNatural = (show == 1 && hidden == 10) || (show == 10 && hidden == 1)
            play(show + hidden, show == 1 || hidden == 1, Self.cardProbability(hidden), isNatural)
        }
        dealerMemo[show] = out
        return out
    }
}
