import Foundation

/// Tick positions and labels for one chart axis.
///
/// Linear axes use Heckbert's "nice numbers" ("Nice numbers for graph labels", Graphics Gems, 1990):
/// the step is 1, 2 or 5 times a power of ten, the axis runs from a multiple of the step at or below
/// the data minimum to one at or above the maximum ("loose" labelling), and every tick is an
/// integer multiple of the step, so labels are exact decimals (`0.3`, never `0.30000000000000004`).
/// Labels share one number of decimals (`0.0, 0.5, 1.0`); from 10 000 up they use SI suffixes
/// (`20k`, `1.5M`), and below 0.001 scientific notation (`2×10⁻⁵`).
///
/// Logarithmic axes put ticks at powers of ten (and at 2× and 5× when the data span less than
/// two decades), labelled `0.01`, `1`, `100` from 10⁻³ to 10³ and `10⁻⁵`, `10⁶` beyond.
///
/// ```swift
/// let ticks = AxisTicks.linear(min: 105, max: 543, targetCount: 5)
/// // ticks.values == [100, 200, 300, 400, 500, 600], ticks.labels == ["100", …, "600"]
/// ```
public struct AxisTicks: Equatable, Sendable {
    /// The axis start (the first tick for linear axes): at or below the data minimum.
    public let lower: Double
    /// The axis end (the last tick for linear axes): at or above the data maximum.
    public let upper: Double
    /// The distance between ticks on a linear axis (1, 2 or 5 × 10ⁿ); for a log axis, the factor
    /// between major ticks (10, 100, …).
    public let step: Double
    /// Tick values, increasing.
    public let values: [Double]
    /// One label per tick value.
    public let labels: [String]

    /// Heckbert's nice number: a value 1, 2, 5 or 10 times a power of ten near `x` (`x > 0`).
    /// - Parameters:
    ///   - x: a positive finite value.
    ///   - round: `true` picks the nearest nice number (thresholds 1.5, 3, 7); `false` the smallest
    ///     nice number `>= x` (used for the range).
    public static func niceNumber(_ x: Double, round: Bool) -> Double {
        let (mantissa, exponent) = niceStep(x, round: round)
        return Double(mantissa) * PlotNumberFormat.power10(exponent)
    }

    /// The nice number of `x` as (1, 2, 5 or 10 → renormalized to 1) and a power of ten.
    static func niceStep(_ x: Double, round: Bool) -> (mantissa: Int64, exponent: Int) {
        guard x.isFinite, x > 0 else { return (1, 0) }
        var exponent = Int(x.log10Floor)
        let fraction = x / PlotNumberFormat.power10(exponent)
        var nice: Int64
        if round {
            nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        if nice == 10 { nice = 1; exponent += 1 }
        return (nice, exponent)
    }

    /// Nice ticks covering `[min, max]` on a linear axis, about `targetCount` of them.
    ///
    /// A zero range (`min == max`, a constant series) is widened by 10% of the value on each side
    /// (±1 around zero). Non-finite bounds give the axis `0…1`. `min > max` is swapped.
    /// - Parameters:
    ///   - min: smallest data value.
    ///   - max: largest data value.
    ///   - targetCount: wanted number of ticks (at least 2; the result has 2…~2×targetCount).
    public static func linear(min: Double, max: Double, targetCount: Int = 5) -> AxisTicks {
        var low = Swift.min(min, max), high = Swift.max(min, max)
        if !low.isFinite || !high.isFinite { low = 0; high = 1 }
        if low == high {
            let pad = low == 0 ? 1 : abs(low) * 0.1
            low -= pad; high += pad
        }
        let count = Swift.max(targetCount, 2)
        // Heckbert rounds the span up to a nice number first; taking the step from the span itself
        // keeps the same 1-2-5 steps but wastes less of the axis (0…2.13 → 0…2.5, not 0…3).
        var (mantissa, exponent) = niceStep((high - low) / Double(count - 1), round: true)
        var step = Double(mantissa) * PlotNumberFormat.power10(exponent)
        // Guard against absurd tick counts when the span is tiny relative to the values (1e9 … 1e9+1e-6).
        while (high - low) / step > 200 || step == 0 || Swift.max(abs(low), abs(high)) / step > 1e17 {
            (mantissa, exponent) = niceStep(step * 10, round: true)
            step = Double(mantissa) * PlotNumberFormat.power10(exponent)
        }
        let first = Int64((low / step + 1e-9).rounded(.down))
        let last = Int64((high / step - 1e-9).rounded(.up))
        let indices = Array(first...Swift.max(last, first + 1))
        let values = indices.map { tickValue(multiple: $0 * mantissa, exponent: exponent) }
        let labels = linearLabels(multiples: indices.map { $0 * mantissa }, exponent: exponent, values: values)
        return AxisTicks(lower: values.first!, upper: values.last!, step: step, values: values, labels: labels)
    }

    /// `n × 10^exponent` as the nearest Double (division for negative exponents keeps 0.3 as 0.3).
    static func tickValue(multiple n: Int64, exponent: Int) -> Double {
        exponent >= 0 ? Double(n) * PlotNumberFormat.power10(exponent) : Double(n) / PlotNumberFormat.power10(-exponent)
    }

    /// Labels for ticks `n × 10^exponent`, chosen by the largest tick magnitude.
    static func linearLabels(multiples: [Int64], exponent: Int, values: [Double]) -> [String] {
        let largest = values.map(abs).max() ?? 0
        if largest >= 10_000 {
            // SI suffix chosen once for the whole axis, from its largest tick.
            let suffixes = ["", "k", "M", "G", "T", "P", "E"]
            let group = Swift.min(Int(largest.log10Floor) / 3, suffixes.count - 1)
            return multiples.map { n in
                n == 0 ? "0" : PlotNumberFormat.decimal(n, exponent: exponent - 3 * group) + suffixes[group]
            }.map(PlotNumberFormat.trimmed)
        }
        if largest < 0.001 && largest > 0 {
            return values.map { $0 == 0 ? "0" : PlotNumberFormat.scientific($0, significantDigits: 3) }
        }
        return multiples.map { PlotNumberFormat.decimal($0, exponent: exponent) }
    }

    /// Ticks for a logarithmic axis covering `[min, max]` (both must be > 0; otherwise the axis is 1…10).
    ///
    /// The axis runs from the power of ten at or below `min` to the one at or above `max`. Ticks sit
    /// at powers of ten (every k-th decade when there are more than ~8), plus 2× and 5× inside each
    /// decade when the axis spans at most two decades.
    public static func logarithmic(min: Double, max: Double) -> AxisTicks {
        var low = Swift.min(min, max), high = Swift.max(min, max)
        if !(low > 0) || !high.isFinite || !low.isFinite { low = 1; high = 10 }
        var lowExponent = Int(low.log10Floor)
        var highExponent = Int(high.log10Floor)
        if PlotNumberFormat.power10(highExponent) < high { highExponent += 1 }
        if lowExponent == highExponent { lowExponent -= 1; highExponent += 1 }
        let decades = highExponent - lowExponent
        var values: [Double] = [], labels: [String] = []
        let stride = Swift.max(1, Int((Double(decades) / 8).rounded(.up)))
        // Align the decade stride so the axis ends are ticks.
        while (highExponent - lowExponent) % stride != 0 { lowExponent -= 1 }
        for e in Swift.stride(from: lowExponent, through: highExponent, by: stride) {
            values.append(PlotNumberFormat.power10(e)); labels.append(logLabel(1, e))
            if decades <= 2 && e < highExponent {
                for m in [2, 5] as [Int64] {
                    values.append(tickValue(multiple: m, exponent: e)); labels.append(logLabel(m, e))
                }
            }
        }
        return AxisTicks(lower: values.first!, upper: values.last!, step: PlotNumberFormat.power10(stride),
                         values: values, labels: labels)
    }

    /// `m × 10^e` as a label: plain decimals between 10⁻³ and 10³ (9000), powers of ten beyond.
    static func logLabel(_ m: Int64, _ e: Int) -> String {
        if e >= -3 && e <= 3 { return PlotNumberFormat.decimal(m, exponent: e) }
        return (m == 1 ? "" : "\(m)×") + "10" + PlotNumberFormat.superscript(e)
    }
}
