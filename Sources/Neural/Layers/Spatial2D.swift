import Tensors

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

/// PyTorch's string forms of a convolution's `padding`.
public enum ConvPadding: String, Sendable {
    /// Pad so that, with stride 1, the output has the input's size: dilation·(k − 1) in all,
    /// split as PyTorch does (the odd element goes to the end).
    case same
    /// No padding.
    case valid
}

/// How a convolution fills its padding (PyTorch's `padding_mode`).
public enum PaddingMode: String, Sendable {
    /// Zeros (the default).
    case zeros
    /// Mirror without repeating the edge.
    case reflect
    /// Repeat the edge value.
    case replicate
    /// Wrap around.
    case circular

    var tensorMode: Tensor.PadMode {
        switch self {
        case .zeros: .constant(0)
        case .reflect: .reflect
        case .replicate: .replicate
        case .circular: .circular
        }
    }
}

/// Padding (before, after) along one axis for a convolution layer's settings: `rule` (same/valid)
/// when given, else `explicit` on both sides.
func convPaddingAmounts(explicit: Int, rule: ConvPadding?, kernel: Int, dilation: Int) -> (Int, Int) {
    switch rule {
    case .same?: let total = dilation * (kernel - 1); return (total / 2, total - total / 2)
    case .valid?: return (0, 0)
    case nil: return (explicit, explicit)
    }
}
