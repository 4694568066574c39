import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Parses an SVG document with Foundation's XMLParser and records every element (name, attributes)
/// and text, so tests can check well-formedness and count parts by CSS class.
final class SVGInspector: NSObject, XMLParserDelegate {
    struct Element {
        let name: String
        let attributes: [String: String]
        var text = ""
        var classes: [String] { (attributes["class"] ?? "").split(separator: " ").map(String.init) }
    }
    private(set) var elements: [Element] = []
    private(set) var texts: [String] = []
    private(set) var parseError: String?
    private var currentText = ""
    private var stack: [Int] = []

    /// Parses `document`; `parseError` is set when it is not well-formed XML.
    init(_ document: String) {
        super.init()
        let parser = XMLParser(data: Data(document.utf8))
        parser.delegate = self
        if !parser.parse() {
            parseError = parser.parserError.map { "\($0)" } ?? "unknown parse error"
        }
    }

    var isWellFormed: Bool { parseError == nil }
    var root: Element? { elements.first }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        elements.append(Element(name: elementName, attributes: attributeDict))
        stack.append(elements.count - 1)
        currentText = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { currentText += string }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        let text = currentText.trimmingCharacters(in: .whitespacesAndNewlines)
        if !text.isEmpty { texts.append(text) }
        if let index = stack.popLast() { elements[index].text = text }
        currentText = ""
    }

    /// Number of elements named `name` (any name when nil) carrying CSS class `cssClass`.
    func count(_ name: String? = nil, cssClass: String) -> Int {
        elements.filter { (name == nil || $0.name == name) && $0.classes.contains(cssClass) }.count
    }

    /// Texts of the elements carrying CSS class `cssClass`.
    func texts(cssClass: String) -> [String] {
        elements.filter { $0.classes.contains(cssClass) }.map(\.text)
    }

    /// Number of elements named `name`.
    func count(_ name: String) -> Int { elements.filter { $0.name == name }.count }
}
