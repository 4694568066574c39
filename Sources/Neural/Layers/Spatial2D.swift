/// A pair of sizes for the two spatial axes (height, width) — PyTorch's `int or (int, int)`
/// arguments (`kernel_size`, `stride`, `padding`, `dilation`). Write `3` for (3, 3) or `[3, 1]`.
public struct Spatial2D: Equatable, Sendable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral, CustomStringConvertible {
    /// Size along the height axis.
    public var h: Int
    /// Size along the width axis.
    public var w: Int

    /// Creates a pair from its two sizes.
    public init(_ h: Int, _ w: Int) { self.h = h; self.w = w }
    /// The same size on both axes.
    public init(integerLiteral value: Int) { self.init(value, value) }
    /// `[h, w]` (or `[s]` for both).
    public init(arrayLiteral elements: Int...) {
        precondition(elements.count == 1 || elements.count == 2, "Spatial2D: expected 1 or 2 sizes, got \(elements)")
        self.init(elements[0], elements.count == 2 ? elements[1] : elements[0])
    }
    public var description: String { h == w ? "\(h)" : "(\(h), \(w))" }
}
