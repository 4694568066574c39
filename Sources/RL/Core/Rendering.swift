import Foundation

/// An environment that draws its current state as an SVG frame (Gymnasium's `rgb_array`, as
/// vector graphics): a fixed size, no scripts, no external references.
public protocol SVGRenderable: AnyObject {
    /// One frame, `width`×`height` user units, as an SVG `<g>` fragment (no `<svg>` root).
    func svgFrame() -> String
}

/// The frame size every environment draws into.
public let svgFrameWidth = 600, svgFrameHeight = 400

func fmt(_ x: Double) -> String { String(format: "%.2f", x.isFinite ? min(max(x, -1e6), 1e6) : 0) }

func escapeXML(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
}

/// An episode recorded as frames, written as one animated SVG (SMIL, loops) or an HTML page
/// with play/pause and a step slider.
public struct EpisodeRecording: Sendable {
    /// Shown in the SVG's `<title>` and the page heading.
    public var title: String
    /// SVG fragments, one per captured step.
    public var frames: [String] = []
    /// One caption per frame.
    public var captions: [String] = []

    /// An empty recording.
    public init(title: String) { self.title = title }

    /// Adds the environment's current frame (when it draws one) with a caption.
    public mutating func capture(_ env: Environment, caption: String) {
        guard let r = env.unwrapped as? SVGRenderable else { return }
        frames.append(r.svgFrame()); captions.append(caption)
    }

    /// An SVG that shows each frame for 1/fps seconds, looping.
    public func animatedSVG(fps: Double = 10) -> String {
        let n = max(frames.count, 1)
        let dur = Double(n) / max(fps, 0.1)
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(svgFrameWidth)\" height=\"\(svgFrameHeight + 30)\" viewBox=\"0 0 \(svgFrameWidth) \(svgFrameHeight + 30)\">\n"
        out += "<title>\(escapeXML(title))</title>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        for (i, f) in frames.enumerated() {
            let a = Double(i) / Double(n), b = Double(i + 1) / Double(n)
            let keyTimes = i == 0 ? "0;\(b);1" : "0;\(a);\(b);1"
            let values = i == 0 ? "visible;hidden;hidden" : "hidden;visible;hidden;hidden"
            out += "<g visibility=\"hidden\"><animate attributeName=\"visibility\" calcMode=\"discrete\" dur=\"\(fmt(dur))s\" repeatCount=\"indefinite\" keyTimes=\"\(keyTimes)\" values=\"\(values)\"/>\n"
            out += f + "\n<text x=\"10\" y=\"\(svgFrameHeight + 20)\" font-family=\"sans-serif\" font-size=\"14\">\(escapeXML(captions[i]))</text></g>\n"
        }
        return out + "</svg>\n"
    }

    /// A standalone HTML page: the frames, a slider and a play button (no external files).
    public func html(fps: Double = 10) -> String {
        let svgs = frames.map { "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(svgFrameWidth)\" height=\"\(svgFrameHeight)\" viewBox=\"0 0 \(svgFrameWidth) \(svgFrameHeight)\">\($0)</svg>" }
        let items = zip(svgs, captions).enumerated().map { i, p in
            "<div class=\"frame\" style=\"display:\(i == 0 ? "block" : "none")\">\(p.0)<p>\(escapeXML(p.1))</p></div>"
        }.joined(separator: "\n")
        return """
        <!doctype html><html><head><meta charset="utf-8"><title>\(escapeXML(title))</title>
        <style>body{font-family:sans-serif;margin:2em}p{margin:.3em 0}</style></head><body>
        <h1>\(escapeXML(title))</h1>
        <button id="play">play</button> <input id="step" type="range" min="0" max="\(max(frames.count - 1, 0))" value="0"> <span id="n">0</span>/\(max(frames.count - 1, 0))
        \(items)
        <script>
        const frames=[...document.querySelectorAll('.frame')],s=document.getElementById('step'),n=document.getElementById('n');
        function show(i){frames.forEach((f,k)=>f.style.display=k==i?'block':'none');s.value=i;n.textContent=i}
        s.oninput=()=>show(+s.value);let t=null;
        document.getElementById('play').onclick=()=>{if(t){clearInterval(t);t=null;return}
        t=setInterval(()=>show((+s.value+1)%frames.length),\(Int(1000 / max(fps, 0.1))))};
        </script></body></html>
        """
    }
}

extension CartPole: SVGRenderable {
    public func svgFrame() -> String {
        let scale = Double(svgFrameWidth) / 4.8
        let cx = min(max(state[0] * scale + Double(svgFrameWidth) / 2, -100), Double(svgFrameWidth) + 100), cy = 300.0
        let poleLength = scale * 1.0
        let tipX = cx + poleLength * sin(state[2]), tipY = cy - poleLength * cos(state[2])
        return """
        <line x1="0" y1="\(fmt(cy + 15))" x2="\(svgFrameWidth)" y2="\(fmt(cy + 15))" stroke="black"/>
        <rect x="\(fmt(cx - 25))" y="\(fmt(cy - 15))" width="50" height="30" fill="#333"/>
        <line x1="\(fmt(cx))" y1="\(fmt(cy))" x2="\(fmt(tipX))" y2="\(fmt(tipY))" stroke="#ca9865" stroke-width="10" stroke-linecap="round"/>
        <circle cx="\(fmt(cx))" cy="\(fmt(cy))" r="5" fill="#8184cb"/>
        """
    }
}

func hillSVG(position: Double, goal: Double) -> String {
    let sx = Double(svgFrameWidth) / 1.8, sy = 200.0
    func y(_ x: Double) -> Double { 350 - (sin(3 * x) * 0.45 + 0.55) * sy }
    let path = stride(from: -1.2, through: 0.6, by: 0.02).map { "\(fmt(($0 + 1.2) * sx)),\(fmt(y($0)))" }.joined(separator: " ")
    let p = min(max(position, -1.2), 0.6)
    return """
    <polyline points="\(path)" fill="none" stroke="black" stroke-width="2"/>
    <line x1="\(fmt((goal + 1.2) * sx))" y1="\(fmt(y(goal)))" x2="\(fmt((goal + 1.2) * sx))" y2="\(fmt(y(goal) - 40))" stroke="black"/>
    <polygon points="\(fmt((goal + 1.2) * sx)),\(fmt(y(goal) - 40)) \(fmt((goal + 1.2) * sx + 25)),\(fmt(y(goal) - 33)) \(fmt((goal + 1.2) * sx)),\(fmt(y(goal) - 26))" fill="#cccc00"/>
    <circle cx="\(fmt((p + 1.2) * sx))" cy="\(fmt(y(p) - 10))" r="10" fill="#333"/>
    """
}

extension MountainCar: SVGRenderable { public func svgFrame() -> String { hillSVG(position: state[0], goal: 0.5) } }
extension MountainCarContinuous: SVGRenderable { public func svgFrame() -> String { hillSVG(position: state[0], goal: 0.45) } }

extension Pendulum: SVGRenderable {
    public func svgFrame() -> String {
        let cx = 300.0, cy = 200.0, l = 150.0
        let x = cx + l * sin(state[0]), y = cy - l * cos(state[0])
        return "<line x1=\"\(fmt(cx))\" y1=\"\(fmt(cy))\" x2=\"\(fmt(x))\" y2=\"\(fmt(y))\" stroke=\"#cc4c4c\" stroke-width=\"16\" stroke-linecap=\"round\"/><circle cx=\"\(fmt(cx))\" cy=\"\(fmt(cy))\" r=\"6\" fill=\"black\"/>"
    }
}

extension Acrobot: SVGRenderable {
    public func svgFrame() -> String {
        let cx = 300.0, cy = 150.0, l = 100.0
        let x1 = cx + l * sin(state[0]), y1 = cy + l * cos(state[0])
        let x2 = x1 + l * sin(state[0] + state[1]), y2 = y1 + l * cos(state[0] + state[1])
        return """
        <line x1="150" y1="\(fmt(cy - l))" x2="450" y2="\(fmt(cy - l))" stroke="black" stroke-dasharray="4"/>
        <polyline points="\(fmt(cx)),\(fmt(cy)) \(fmt(x1)),\(fmt(y1)) \(fmt(x2)),\(fmt(y2))" fill="none" stroke="#00cccc" stroke-width="10" stroke-linecap="round"/>
        <circle cx="\(fmt(cx))" cy="\(fmt(cy))" r="6" fill="black"/><circle cx="\(fmt(x1))" cy="\(fmt(y1))" r="6" fill="#cccc00"/>
        """
    }
}

func gridSVG(rows: Int, cols: Int, agent: Int, cell: (Int, Int) -> (fill: String, label: String)) -> String {
    let size = min(Double(svgFrameWidth) / Double(cols), Double(svgFrameHeight) / Double(rows))
    var out = ""
    for r in 0..<rows {
        for c in 0..<cols {
            let (fill, label) = cell(r, c)
            out += "<rect x=\"\(fmt(Double(c) * size))\" y=\"\(fmt(Double(r) * size))\" width=\"\(fmt(size))\" height=\"\(fmt(size))\" fill=\"\(fill)\" stroke=\"white\"/>"
            if !label.isEmpty {
                out += "<text x=\"\(fmt((Double(c) + 0.5) * size))\" y=\"\(fmt((Double(r) + 0.62) * size))\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"\(fmt(size * 0.35))\">\(escapeXML(label))</text>"
            }
        }
    }
    let ar = agent / cols, ac = agent % cols
    return out + "<circle cx=\"\(fmt((Double(ac) + 0.5) * size))\" cy=\"\(fmt((Double(ar) + 0.5) * size))\" r=\"\(fmt(size * 0.3))\" fill=\"#d62728\" opacity=\"0.85\"/>"
}

extension FrozenLake: SVGRenderable {
    public func svgFrame() -> String {
        gridSVG(rows: map.count, cols: map[0].count, agent: current) { r, c in
            switch self.map[r][c] {
            case "H": return ("#1f3b73", "H")
            case "G": return ("#2ca02c", "G")
            case "S": return ("#cfe8f7", "S")
            default: return ("#cfe8f7", "")
            }
        }
    }
}

extension CliffWalking: SVGRenderable {
    public func svgFrame() -> String {
        gridSVG(rows: 4, cols: 12, agent: current) { r, c in
            if r == 3 && c >= 1 && c <= 10 { return ("#7f7f7f", "cliff") }
            if r == 3 && c == 11 { return ("#2ca02c", "G") }
            return ("#e8f0d8", r == 3 && c == 0 ? "S" : "")
        }
    }
}

extension Taxi: SVGRenderable {
    public func svgFrame() -> String {
        let (row, col, p, d) = Taxi.decode(current)
        let letters = ["R", "G", "Y", "B"]
        var out = gridSVG(rows: 5, cols: 5, agent: row * 5 + col) { r, c in
            if let i = Taxi.stands.firstIndex(where: { $0 == (r, c) }) {
                return (i == d ? "#ffd27f" : "#eeeeee", letters[i] + (i == p ? " •" : ""))
            }
            return ("#f7f7f7", "")
        }
        // Walls: a '|' between columns in the map.
        let size = Double(svgFrameHeight) / 5
        for r in 0..<5 { for c in 0..<4 where Taxi.mapRows[1 + r][2 * c + 2] == "|" {
            out += "<line x1=\"\(fmt(Double(c + 1) * size))\" y1=\"\(fmt(Double(r) * size))\" x2=\"\(fmt(Double(c + 1) * size))\" y2=\"\(fmt(Double(r + 1) * size))\" stroke=\"black\" stroke-width=\"6\"/>"
        } }
        if p == 4 { out += "<text x=\"\(fmt(Double(svgFrameWidth) - 150))\" y=\"40\" font-family=\"sans-serif\" font-size=\"18\">passenger aboard</text>" }
        return out
    }
}
