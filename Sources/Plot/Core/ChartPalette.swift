import Foundation

/// Colours for chart series and colour scales.
public enum ChartPalette {
    /// Ten categorical colours for series and classes: the Okabe–Ito colour-blind-safe set (blue,
    /// orange, bluish green, vermillion, reddish purple, sky blue, with yellow darkened to stay
    /// visible on white), followed by grey, black, and wine for classes 8–10. Scatter charts also
    /// change the marker shape per class, so classes stay apart without colour vision.
    public static let categorical: [String] = [
        "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7",
        "#56B4E9", "#C9B300", "#7F7F7F", "#000000", "#882255",
    ]

    /// The colour of series `index` (cycling after ten).
    public static func color(at index: Int) -> String {
        categorical[((index % categorical.count) + categorical.count) % categorical.count]
    }
}

/// A sequential colour scale from low to high values, for heatmaps.
public enum SequentialColorScale: String, CaseIterable, Sendable {
    /// White to dark blue (ColorBrewer "Blues"): the usual confusion-matrix look.
    case blues
    /// Dark purple through teal to yellow (matplotlib's "viridis"): perceptually uniform and
    /// readable in grey scale and by colour-blind readers.
    case viridis

    /// Anchor colours, evenly spaced from 0 to 1.
    var anchors: [(Double, Double, Double)] {
        switch self {
        case .blues:
            return [(247, 251, 255), (222, 235, 247), (198, 219, 239), (158, 202, 225), (107, 174, 214),
                    (66, 146, 198), (33, 113, 181), (8, 81, 156), (8, 48, 107)]
        case .viridis:
            return [(68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
                    (31, 158, 137), (53, 183, 121), (109, 205, 89), (180, 222, 44), (253, 231, 37)]
        }
    }

    /// The colour at `t` in `[0, 1]` (clamped; NaN gives the low end) as `#rrggbb`.
    public func color(at t: Double) -> String {
        let (r, g, b) = rgb(at: t)
        return hexColor(r, g, b)
    }

    /// The colour at `t` as 0…255 components (linear interpolation between anchors).
    func rgb(at t: Double) -> (Double, Double, Double) {
        let stops = anchors
        let clamped = t.isNaN ? 0 : min(max(t, 0), 1)
        let position = clamped * Double(stops.count - 1)
        let i = min(Int(position), stops.count - 2)
        let f = position - Double(i)
        let a = stops[i], b = stops[i + 1]
        return (a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f, a.2 + (b.2 - a.2) * f)
    }

    /// Black or white, whichever contrasts more with the scale colour at `t` (WCAG relative luminance).
    public func textColor(at t: Double) -> String {
        let (r, g, b) = rgb(at: t)
        return relativeLuminance(r, g, b) > 0.36 ? "#1a1a1a" : "#ffffff"
    }
}

/// `#rrggbb` from 0…255 components (rounded, clamped).
func hexColor(_ r: Double, _ g: Double, _ b: Double) -> String {
    let digits = Array("0123456789abcdef")
    var text = "#"
    for component in [r, g, b] {
        let v = Int(min(max(component.rounded(), 0), 255))
        text.append(digits[v / 16]); text.append(digits[v % 16])
    }
    return text
}

/// WCAG 2 relative luminance of an sRGB colour given as 0…255 components.
func relativeLuminance(_ r: Double, _ g: Double, _ b: Double) -> Double {
    func channel(_ v: Double) -> Double {
        let s = v / 255
        return s <= 0.03928 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4)
    }
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}
