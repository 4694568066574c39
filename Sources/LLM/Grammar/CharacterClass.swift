/// A set of Unicode code points: what one grammar element matches. String literals become one
/// single-code-point class per character, `[a-z0-9]` a class of ranges, `[^…]` a negated class and
/// `.` the negated empty class (any character).
struct CharacterClass: Hashable, Sendable {
    /// Inclusive ranges of code points, sorted and merged.
    let ranges: [ClosedRange<UInt32>]
    /// Whether the class matches the code points *outside* `ranges`.
    let negated: Bool

    /// A class of `ranges` (in any order; overlapping ones are merged).
    init(ranges: [ClosedRange<UInt32>], negated: Bool) {
        var merged: [ClosedRange<UInt32>] = []
        for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, r.lowerBound <= last.upperBound &+ 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, r.upperBound)
            } else {
                merged.append(r)
            }
        }
        self.ranges = merged
        self.negated = negated
    }

    /// One code point.
    init(_ c: UInt32) { self.init(ranges: [c...c], negated: false) }

    /// Any character (`.`).
    static let any = CharacterClass(ranges: [], negated: true)

    /// Whether `c` is in the class.
    func matches(_ c: UInt32) -> Bool {
        var lo = 0, hi = ranges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ranges[mid].upperBound < c { lo = mid + 1 } else { hi = mid }
        }
        let inside = lo < ranges.count && ranges[lo].contains(c)
        return inside != negated
    }

    /// Whether some code point in `lo...hi` may be in the class (used for an incomplete UTF-8
    /// character, whose code point is known to lie in such a range).
    func mayMatch(_ lo: UInt32, _ hi: UInt32) -> Bool {
        if negated {
            // Some point of lo...hi escapes every excluded range unless one range covers it all.
            return !ranges.contains { $0.lowerBound <= lo && hi <= $0.upperBound }
        }
        return ranges.contains { $0.lowerBound <= hi && lo <= $0.upperBound }
    }
}
