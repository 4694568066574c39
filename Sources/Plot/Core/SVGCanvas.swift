/// Escapes text for XML character data and attribute values (`& < > " '`); control characters
/// that XML 1.0 forbids are dropped.
public func xmlEscaped(_ text: String) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": result += "&amp;"
        case "<": result += "&lt;"
        case ">": result += "&gt;"
        case "\"": result += "&quot;"
        case "'": result += "&apos;"
        case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
        default:
            if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
            result.unicodeScalars.append(scalar)
        }
    }
    return result
}

/// The sans-serif font stack every chart uses.
let chartFontFamily = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif"

/// Builds one SVG document element by element; attributes keep their order, numbers go through
/// ``PlotNumberFormat/coordinate(_:)``, text is escaped. Internal drawing surface of every chart.
struct SVGCanvas {
    let width: Double
    let height: Double
    private var out = ""

    init(width: Double, height: Double, title: String, cssClass: String) {
        self.width = width
        self.height = height
        let w = PlotNumberFormat.coordinate(width), h = PlotNumberFormat.coordinate(height)
        out.reserveCapacity(16_384)
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"swiftlearn-chart \(cssClass)\" "
        out += "width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\" role=\"img\" "
        out += "font-family=\"\(xmlEscaped(chartFontFamily))\">\n"
        out += "<title>\(xmlEscaped(title))</title>\n"
        rect(x: 0, y: 0, width: width, height: height, fill: "#ffffff", cssClass: "background")
    }

    /// Writes `<name attr="value" …>` (self-closing when `text` is nil).
    mutating func element(_ name: String, _ attributes: [(String, String)], text: String? = nil) {
        out += "<" + name
        for (key, value) in attributes { out += " \(key)=\"\(xmlEscaped(value))\"" }
        if let text = text {
            out += ">" + xmlEscaped(text) + "</" + name + ">\n"
        } else {
            out += "/>\n"
        }
    }

    mutating func openGroup(_ cssClass: String, _ attributes: [(String, String)] = []) {
        out += "<g class=\"\(xmlEscaped(cssClass))\""
        for (key, value) in attributes { out += " \(key)=\"\(xmlEscaped(value))\"" }
        out += ">\n"
    }

    mutating func closeGroup() { out += "</g>\n" }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String,
                       cssClass: String? = nil, extra: [(String, String)] = []) {
        var attributes: [(String, String)] = []
        if let cssClass = cssClass { attributes.append(("class", cssClass)) }
        attributes += [("x", c(x)), ("y", c(y)), ("width", c(max(width, 0))), ("height", c(max(height, 0))),
                       ("fill", fill)]
        element("rect", attributes + extra)
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1,
                       cssClass: String? = nil, dash: String? = nil) {
        var attributes: [(String, String)] = []
        if let cssClass = cssClass { attributes.append(("class", cssClass)) }
        attributes += [("x1", c(x1)), ("y1", c(y1)), ("x2", c(x2)), ("y2", c(y2)),
                       ("stroke", stroke), ("stroke-width", c(width))]
        if let dash = dash { attributes.append(("stroke-dasharray", dash)) }
        element("line", attributes)
    }

    /// An open polyline through `points` (pixel coordinates).
    mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double, cssClass: String,
                           dash: String? = nil, extra: [(String, String)] = []) {
        var data = ""
        data.reserveCapacity(points.count * 14)
        for (i, p) in points.enumerated() {
            if i > 0 { data += " " }
            data += c(p.0) + "," + c(p.1)
        }
        var attributes: [(String, String)] = [("class", cssClass), ("points", data), ("fill", "none"),
                                              ("stroke", stroke), ("stroke-width", c(width)),
                                              ("stroke-linejoin", "round"), ("stroke-linecap", "round")]
        if let dash = dash { attributes.append(("stroke-dasharray", dash)) }
        element("polyline", attributes + extra)
    }

    mutating func circle(cx: Double, cy: Double, r: Double, fill: String, cssClass: String,
                         extra: [(String, String)] = []) {
        element("circle", [("class", cssClass), ("cx", c(cx)), ("cy", c(cy)), ("r", c(r)), ("fill", fill)] + extra)
    }

    mutating func path(_ d: String, fill: String, cssClass: String, extra: [(String, String)] = []) {
        element("path", [("class", cssClass), ("d", d), ("fill", fill)] + extra)
    }

    /// Text anchored at (x, y) — y is the baseline; `rotate` turns it around its anchor (degrees).
    mutating func text(_ string: String, x: Double, y: Double, size: Double, anchor: String = "start",
                       fill: String = "#333333", weight: String? = nil, rotate: Double? = nil,
                       cssClass: String? = nil) {
        var attributes: [(String, String)] = []
        if let cssClass = cssClass { attributes.append(("class", cssClass)) }
        attributes += [("x", c(x)), ("y", c(y)), ("font-size", c(size)), ("fill", fill)]
        if anchor != "start" { attributes.append(("text-anchor", anchor)) }
        if let weight = weight { attributes.append(("font-weight", weight)) }
        if let rotate = rotate { attributes.append(("transform", "rotate(\(c(rotate)) \(c(x)) \(c(y)))")) }
        element("text", attributes, text: string)
    }

    /// The finished document.
    func finished() -> String { out + "</svg>\n" }

    func c(_ value: Double) -> String { PlotNumberFormat.coordinate(value) }
}

/// Advance widths (em) of common characters in DejaVu Sans, the widest of the usual sans-serif
/// fonts (Linux's default); Helvetica, Arial, Segoe UI and San Francisco are narrower, so layouts
/// sized with these widths leave room on every system.
private let characterWidths: [Character: Double] = {
    var table: [Character: Double] = [:]
    let lower = "abcdefghijklmnopqrstuvwxyz"
    let lowerWidths = [0.613, 0.635, 0.550, 0.635, 0.615, 0.352, 0.635, 0.634, 0.278, 0.278, 0.579, 0.278, 0.974,
                       0.634, 0.612, 0.635, 0.635, 0.411, 0.521, 0.392, 0.634, 0.592, 0.818, 0.592, 0.592, 0.525]
    let upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    let upperWidths = [0.684, 0.686, 0.698, 0.770, 0.632, 0.575, 0.775, 0.752, 0.295, 0.295, 0.656, 0.557, 0.863,
                       0.748, 0.787, 0.603, 0.787, 0.695, 0.635, 0.611, 0.732, 0.684, 0.989, 0.685, 0.611, 0.685]
    for (ch, w) in zip(lower, lowerWidths) { table[ch] = w }
    for (ch, w) in zip(upper, upperWidths) { table[ch] = w }
    for ch in "0123456789" { table[ch] = 0.636 }
    let others: [Character: Double] = [" ": 0.318, ".": 0.318, ",": 0.318, ":": 0.337, ";": 0.337, "(": 0.390, ")": 0.390,
                                       "[": 0.390, "]": 0.390, "-": 0.361, "=": 0.838, "+": 0.838, "×": 0.838, "<": 0.838,
                                       ">": 0.838, "%": 0.950, "&": 0.780, "'": 0.275, "\"": 0.460, "/": 0.337, "_": 0.5,
                                       "…": 1.0, "—": 1.0, "–": 0.5, "!": 0.400, "?": 0.531, "#": 0.838, "@": 1.0, "|": 0.337]
    for (ch, w) in others { table[ch] = w }
    for ch in "⁰¹²³⁴⁵⁶⁷⁸⁹⁻" { table[ch] = 0.401 }
    return table
}()

/// Rendered width of `text` in pixels at font size `size`, from DejaVu Sans advance widths
/// (0.62 em for characters not in the table).
func estimatedTextWidth(_ text: String, size: Double) -> Double {
    var em = 0.0
    for ch in text { em += characterWidths[ch] ?? 0.62 }
    return em * size
}
