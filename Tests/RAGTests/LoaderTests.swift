import Foundation
import Testing
import RAG
import Retrieval

/// A fresh temporary folder for one test.
func temporaryFolder(_ label: String = "rag") -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-tests-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func write(_ text: String, _ name: String, in folder: URL) -> String {
    let url = folder.appendingPathComponent(name)
    try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try! text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

@Suite struct HTMLTextTests {
    @Test func keepsTheMainContentOnly() {
        let html = """
            <html><head><title>Trees &amp; Forests</title><style>p { color: red }</style><script>var x = "<p>no</p>";</script></head>
            <body><nav><a href="/">Home</a></nav>
            <div class="body" role="main">
              <h1>Decision   Trees<a class="headerlink" href="#t">¶</a></h1>
              <p>Trees split <b>greedily</b>&nbsp;on features &mdash; see <a href="gini.html">Gini</a>.</p>
              <pre>x = 1
              y = 2</pre>
              <h2 id="r">Regression</h2><p hidden>secret</p><p aria-hidden="true">icon</p>
              <table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>
              <p>Caf&#233; &#x2014; 5 &lt; 6 &unknown; done</p>
            </div><footer>Copyright</footer></body></html>
            """
        let page = HTMLText(html: html)
        #expect(page.title == "Trees & Forests")
        #expect(!page.text.contains("Home") && !page.text.contains("Copyright") && !page.text.contains("color") && !page.text.contains("no</p>"))
        #expect(!page.text.contains("secret") && !page.text.contains("icon") && !page.text.contains("¶"))
        #expect(page.text.contains("Trees split greedily on features — see Gini."))
        #expect(page.text.contains("x = 1\n  y = 2"), "pre keeps its whitespace")
        #expect(page.text.contains("\na | b\n1 | 2\n"))
        #expect(page.text.contains("Café — 5 < 6 &unknown; done"))
        #expect(page.headings.map(\.title) == ["Decision Trees", "Regression"])
        #expect(page.headings.map(\.level) == [1, 2])
        let chars = Array(page.text)
        for h in page.headings { #expect(String(chars[h.start..<(h.start + h.title.count)]) == h.title) }
        #expect(page.text.contains("\n\n"), "blocks are separated by blank lines")
    }

    @Test func linksCanBeKept() {
        let page = HTMLText(html: "<p>See <a href=\"https://example.org/x\">this</a> and <a href=\"#local\">that</a>.</p>", keepLinks: true)
        #expect(page.text == "See this <https://example.org/x> and that.")
    }

    @Test func forgivesBrokenMarkup() {
        let cases = ["<p>unclosed <b>bold", "a < b and c > d", "<div><p>x</div>y", "<!-- never closed", "<", "&#0; &#xFFFFFFFF; &", "<p a='1' b=2 c>t</p>",
                     "<script>unterminated", String(repeating: "<div>", count: 10_000) + "deep"]
        for html in cases {
            let page = HTMLText(html: html)
            #expect(page.text.count <= html.count + 4, "\(html.prefix(30))")
        }
        #expect(HTMLText(html: "a < b and c > d").text == "a < b and c > d")
        #expect(HTMLText(html: "<div><p>x</div>y").text == "x\n\ny", "the unclosed p ends with its div")
        #expect(HTMLText(html: String(repeating: "<div>", count: 10_000) + "deep").text == "deep")
    }

    @Test func dropsImagePathsButKeepsAltText() {
        #expect(HTMLText(html: "<p><img alt=\"../_images/plot.png\" src=\"x.png\">A <img alt=\"red square\" src=\"r.png\"></p>").text == "A red square")
    }
}

@Suite struct MarkdownStructureTests {
    @Test func headingsOutsideCodeAndBlocks() {
        let md = """
            ---
            title: "Front matter title"
            ---
            # Guide

            Intro paragraph
            still intro.

            ```python
            # not a heading

            x = 1
            ```

            Setext Heading
            --------------
            Body.
            ## Two ##
            """
        let s = MarkdownStructure(md)
        #expect(s.frontMatterTitle == "Front matter title")
        #expect(s.headings.map(\.title) == ["Guide", "Setext Heading", "Two"])
        #expect(s.headings.map(\.level) == [1, 2, 2])
        let chars = Array(md)
        let code = s.blocks.filter(\.isCode)
        #expect(code.count == 1)
        #expect(String(chars[code[0].start..<code[0].end]).hasPrefix("```python") && String(chars[code[0].start..<code[0].end]).hasSuffix("```"))
        #expect(String(chars[s.headings[0].start...]).hasPrefix("# Guide"))
        #expect(String(chars[s.headings[1].start...]).hasPrefix("Setext Heading"))
    }

    @Test func anUnclosedFenceRunsToTheEnd() {
        let s = MarkdownStructure("text\n\n```\ncode\n# no")
        #expect(s.headings.isEmpty)
        #expect(s.blocks.last?.isCode == true)
    }
}

@Suite struct DocumentLoaderTests {
    @Test func readsEveryKindWithOffsetsIntoTheText() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let md = write("# Title\n\nHello *world*.\n\n## Part\n\nMore.", "docs/a.md", in: dir)
        _ = write("<html><title>Page</title><body><main><h1>H</h1><p>Body text.</p></main></body></html>", "docs/b.html", in: dir)
        _ = write("name,colour\napple,red\n\"pear, green\",green\n,\n", "data/c.csv", in: dir)
        _ = write("[{\"title\": \"One\", \"text\": \"First body\", \"n\": 3}, {\"k\": \"v\"}]", "data/d.json", in: dir)
        _ = write("{\"content\": \"line one\"}\n\n{\"content\": \"line two\", \"ok\": true}\n", "data/e.jsonl", in: dir)
        _ = write("plain text", "notes.txt", in: dir)
        _ = write("ignored", "image.png", in: dir)
        _ = write("hidden", ".secret/x.md", in: dir)

        let docs = try DocumentLoader().load(dir.path)
        let byName = Dictionary(grouping: docs) { URL(fileURLWithPath: $0.source).lastPathComponent }
        #expect(Set(byName.keys) == ["a.md", "b.html", "c.csv", "d.json", "e.jsonl", "notes.txt"])
        let a = try #require(byName["a.md"]?.first)
        let mdText = try String(contentsOfFile: md, encoding: .utf8)
        #expect(a.kind == "markdown" && a.title == "Title" && a.text == mdText)
        #expect(a.sections.map(\.title) == ["Title", "Part"])
        #expect(a.section(at: a.text.count - 1)?.title == "Part")
        let b = try #require(byName["b.html"]?.first)
        #expect(b.title == "Page" && b.text == "H\n\nBody text.")
        let rows = try #require(byName["c.csv"])
        #expect(rows.map(\.text) == ["name: apple\ncolour: red", "name: pear, green\ncolour: green"], "the empty row is skipped")
        #expect(rows[0].metadata["colour"] == .string("red") && rows[0].id.hasSuffix("c.csv#1"))
        let objects = try #require(byName["d.json"])
        #expect(objects.map(\.text) == ["First body", "k: v"] && objects[0].title == "One" && objects[0].metadata["n"] == .double(3))
        #expect(try #require(byName["e.jsonl"]).map(\.text) == ["line one", "line two"])

        let onlyMarkdown = try DocumentLoader(include: ["*.md"]).load(dir.path)
        #expect(onlyMarkdown.count == 1)
        let noDocs = try DocumentLoader(exclude: ["docs"]).load(dir.path)
        #expect(!noDocs.contains { $0.source.contains("/docs/") })
        #expect(try DocumentLoader(include: ["**/*.csv"]).load(dir.path).count == 2)
    }

    @Test func badFilesGiveTypedErrors() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let loader = DocumentLoader(maxFileBytes: 100)
        #expect(throws: RAGError.self) { try loader.load(dir.appendingPathComponent("missing.md").path) }
        #expect(throws: RAGError.unsupportedKind(path: write("x", "f.bin", in: dir), kind: "bin")) { try loader.load(dir.appendingPathComponent("f.bin").path) }
        let big = write(String(repeating: "x", count: 200), "big.txt", in: dir)
        #expect { try loader.load(big) } throws: { "\($0)".contains("100-byte limit") }
        let badJSON = write("{\"text\": \"a\"}\n{oops}\n", "bad.jsonl", in: dir)
        #expect { try loader.load(badJSON) } throws: { "\($0)".contains("line 2") }
        let notObject = write("[1, 2]", "arr.json", in: dir)
        #expect { try loader.load(notObject) } throws: { "\($0)".contains("expected an object") }
        let ragged = write("a,b\n1,2,3\n", "r.csv", in: dir)
        #expect { try loader.load(ragged) } throws: { "\($0)".contains("3 fields") }
        let deep = write(String(repeating: "[", count: 500) + String(repeating: "]", count: 500), "deep.json", in: dir)
        #expect(throws: RAGError.self) { try DocumentLoader().load(deep) }
    }

    @Test func textThatIsNotUTF8IsReadAsWindows1252() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("latin.txt")
        try Data([0x43, 0x61, 0x66, 0xE9, 0x20, 0x93, 0x71, 0x94]).write(to: url)
        #expect(try DocumentLoader().load(url.path)[0].text == "Café “q”")
    }

    @Test func pdfNeedsPdftotext() throws {
        let dir = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = write("%PDF-1.4 not really", "x.pdf", in: dir)
        if DocumentLoader.executable("pdftotext") == nil {
            #expect(throws: RAGError.toolMissing(program: "pdftotext", package: "poppler-utils")) { try DocumentLoader().load(path) }
        } else {
            #expect(throws: RAGError.self) { try DocumentLoader().load(path) }
        }
    }
}
