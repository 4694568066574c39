import Foundation

/// Deterministic, locale-free number formatting, as the charts label values (also useful for
/// report tables).
///
/// Everything goes through integers (a value is rounded to an integer mantissa and a power of ten),
/// so the text never shows binary floating-point noise such as `0.30000000000000004`, and the same
/// number always gives the same bytes on every platform.
public enum PlotNumberFormat {
    /// An exact decimal: `mantissa × 10^exponent`, with `-exponent` fraction digits when negative.
    /// `decimal(25, -1)` is `"2.5"`, `decimal(3, 2)` is `"300"`, `decimal(-5, -3)` is `"-0.005"`.
    static func decimal(_ mantissa: Int64, exponent: Int) -> String {
        if mantissa == 0 { return exponent < 0 ? "0." + String(repeating: "0", count: -exponent) : "0" }
        let negative = mantissa < 0
        var digits = String(mantissa.magnitude)
        if exponent >= 0 {
            digits += String(repeating: "0", count: exponent)
        } else {
            let fraction = -exponent
            if digits.count <= fraction {
                digits = String(repeating: "0", count: fraction - digits.count + 1) + digits
            }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -fraction))
        }
        return negative ? "-" + digits : digits
    }

    /// Removes trailing fraction zeros (and a bare point): `"2.500"` → `"2.5"`, `"3.0"` → `"3"`.
    static func trimmed(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var result = text
        while result.hasSuffix("0") { result.removeLast() }
        if result.hasSuffix(".") { result.removeLast() }
        return result == "-0" ? "0" : result
    }

    /// `value` rounded to `decimals` fraction digits (all shown).
    public static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "-∞" : "∞") }
        let scale = power10(decimals)
        let scaled = (value * scale).rounded()
        guard abs(scaled) < 9.0e18 else { return scientific(value, significantDigits: 3) }
        let text = decimal(Int64(scaled), exponent: -decimals)
        return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
    }

    /// An SVG coordinate: at most two decimals, trailing zeros removed, never `-0`.
    static func coordinate(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let scaled = (value * 100).rounded()
        if scaled == 0 { return "0" }
        if abs(scaled) >= 9.0e18 { return value > 0 ? "1e15" : "-1e15" }
        return trimmed(decimal(Int64(scaled), exponent: -2))
    }

    /// A compact label for a data value (bar labels, heatmap cells, legends): integers as integers
    /// (with SI suffix from 10 000), other values with `significantDigits` significant digits, very
    /// small ones in scientific notation (`1.5×10⁻⁵`).
    public static func compact(_ value: Double, significantDigits: Int = 3) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "-∞" : "∞") }
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 10_000 { return si(value, significantDigits: significantDigits) }
        if value == value.rounded() { return decimal(Int64(value), exponent: 0) }
        if magnitude < 0.001 { return scientific(value, significantDigits: significantDigits) }
        let leading = Int((magnitude).log10Floor)
        let decimals = max(0, significantDigits - 1 - leading)
        return trimmed(fixed(value, decimals: decimals))
    }

    /// `value` with an SI suffix (k, M, G, T, P) and `significantDigits` significant digits.
    public static func si(_ value: Double, significantDigits: Int = 3) -> String {
        let suffixes = ["", "k", "M", "G", "T", "P"]
        let exponent = Int(abs(value).log10Floor)
        let group = min(max(exponent / 3, 0), suffixes.count - 1)
        let scaled = value / power10(group * 3)
        let leading = Int(abs(scaled).log10Floor)
        let decimals = max(0, significantDigits - 1 - leading)
        return trimmed(fixed(scaled, decimals: decimals)) + suffixes[group]
    }

    /// `value` as `m×10ⁿ` with `significantDigits` significant digits in `m` (trailing zeros removed).
    public static func scientific(_ value: Double, significantDigits: Int = 3) -> String {
        guard value != 0 else { return "0" }
        var exponent = Int(abs(value).log10Floor)
        var mantissa = value / power10(exponent)
        // Rounding can carry the mantissa to 10 (9.996 → 10.0): renormalize.
        let rounded = (mantissa * power10(significantDigits - 1)).rounded() / power10(significantDigits - 1)
        if abs(rounded) >= 10 { exponent += 1; mantissa = value / power10(exponent) }
        let mantissaText = trimmed(fixed(mantissa, decimals: significantDigits - 1))
        if exponent == 0 { return mantissaText }
        return mantissaText + "×10" + superscript(exponent)
    }

    /// An integer in Unicode superscript digits: `-5` → `⁻⁵`.
    static func superscript(_ n: Int) -> String {
        let map: [Character: Character] = ["0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵",
                                           "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹", "-": "⁻"]
        return String(String(n).map { map[$0] ?? $0 })
    }

    /// 10^n for integer n (exact for |n| ≤ 22).
    static func power10(_ n: Int) -> Double {
        var result = 1.0
        for _ in 0..<abs(n) { result *= 10 }
        return n >= 0 ? result : 1 / result
    }
}

extension Double {
    /// ⌊log₁₀ |self|⌋ for a positive finite value, corrected for floating-point error near powers of ten.
    var log10Floor: Double {
        var e = Foundation.log10(self).rounded(.down)
        // log10(1000) may come out as 2.9999999999999996: nudge by checking the power of ten.
        if PlotNumberFormat.power10(Int(e) + 1) <= self { e += 1 }
        if PlotNumberFormat.power10(Int(e)) > self { e -= 1 }
        return e
    }
}
