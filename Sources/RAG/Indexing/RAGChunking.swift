import Foundation
import Retrieval

/// How documents are cut into the chunks that are embedded and searched.
///
/// - `text`: one of Retrieval's ``TextChunker`` strategies over the whole text (`recursive:500:50`
///   is LangChain's `RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50)`).
/// - `sections(size:)`: structure-aware — chunks never cross a section (heading); inside a
///   section, blocks (paragraphs; Markdown fenced code, which is kept whole up to 4 × `size`)
///   are packed in order while the chunk stays within `size` characters; a longer prose block is
///   cut by the recursive splitter.
/// - `semantic(size:percentile:)`: LangChain's `SemanticChunker` — every sentence is embedded
///   together with its neighbours (buffer 1), and the text is cut where the cosine distance between
///   consecutive sentences is above the given percentile of all those distances; groups longer
///   than `size` are cut by the recursive splitter.
///
/// Parent/child ("small-to-big") retrieval is a query-time choice (``RetrievalOptions/parentSize``):
/// small chunks are searched, and each hit is widened to its enclosing parent window.
public enum RAGChunking: Sendable, Equatable {
    case text(TextChunker.Strategy)
    case sections(size: Int)
    case semantic(size: Int, percentile: Double)

    /// The default: structure-aware sections of up to 1,000 characters (LangChain's usual
    /// `chunk_size=1000`; on the scikit-learn guide it beat 500 and 800, benchmarks/rag/README.md).
    public static let standard = RAGChunking.sections(size: 1000)

    /// Parses `recursive:500:50`, `characters:…`, `tokens:…`, `sentences:…`, `sections:800`,
    /// `semantic:800:95` (also the CLI's `--chunking` value).
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":").map(String.init)
        switch parts.first {
        case "sections":
            guard parts.count == 2, let size = Int(parts[1]), (50...100_000).contains(size) else {
                throw RAGError.invalidParameter(name: "chunking", value: text, reason: "expected sections:SIZE with SIZE in 50...100000")
            }
            self = .sections(size: size)
        case "semantic":
            guard parts.count == 3, let size = Int(parts[1]), (50...100_000).contains(size), let p = Double(parts[2]), p > 0, p < 100 else {
                throw RAGError.invalidParameter(name: "chunking", value: text, reason: "expected semantic:SIZE:PERCENTILE, SIZE in 50...100000 and 0 < PERCENTILE < 100")
            }
            self = .semantic(size: size, percentile: p)
        default:
            do { self = .text(try TextChunker.Strategy(parsing: text)) } catch {
                throw RAGError.invalidParameter(name: "chunking", value: text,
                                                reason: "expected recursive:SIZE:OVERLAP, characters:…, tokens:…, sentences:…, sections:SIZE or semantic:SIZE:PERCENTILE")
            }
        }
    }

    /// The text form (parsed by ``init(parsing:)``).
    public var storageText: String {
        switch self {
        case .text(let s):
            switch s {
            case .characters(let a, let b): return "characters:\(a):\(b)"
            case .tokens(let a, let b): return "tokens:\(a):\(b)"
            case .recursive(let a, let b, _): return "recursive:\(a):\(b)"
            case .sentences(let a, let b): return "sentences:\(a):\(b)"
            }
        case .sections(let size): return "sections:\(size)"
        case .semantic(let size, let p): return "semantic:\(size):\(p == p.rounded() ? String(Int(p)) : String(p))"
        }
    }

    /// Cuts `document` (offsets into its text). `embedding` is used by `semantic` only.
    public func chunks(of document: SourceDocument, embedding: any EmbeddingFunction) throws -> [Chunk] {
        let chars = Array(document.text)
        var spans: [(Int, Int)]
        switch self {
        case .text(let strategy):
            return try TextChunker(strategy).chunks(document.text)
        case .sections(let size):
            spans = []
            let codeBlocks: [MarkdownStructure.Block] = document.kind == "markdown" ? MarkdownStructure(document.text).blocks : []
            for section in document.sections {
                spans += try Self.pack(blocks(chars, section.start, section.end, markdown: codeBlocks), chars: chars, size: size)
            }
        case .semantic(let size, let percentile):
            spans = try Self.semantic(chars, text: document.text, size: size, percentile: percentile, embedding: embedding)
        }
        return spans.compactMap { trim(chars, $0) }.enumerated().map { i, s in
            Chunk(text: String(chars[s.0..<s.1]), start: s.0, end: s.1, index: i)
        }
    }

    /// The span without surrounding whitespace (nil when nothing is left).
    private func trim(_ c: [Character], _ s: (Int, Int)) -> (Int, Int)? {
        var (a, b) = s
        while a < b && c[a].isWhitespace { a += 1 }
        while b > a && c[b - 1].isWhitespace { b -= 1 }
        return a < b ? (a, b) : nil
    }

    /// Blocks of `lo..<hi`: Markdown's blocks where given, else runs separated by blank lines.
    private func blocks(_ c: [Character], _ lo: Int, _ hi: Int, markdown: [MarkdownStructure.Block]) -> [(Int, Int, Bool)] {
        if !markdown.isEmpty {
            return markdown.filter { $0.start >= lo && $0.start < hi }.map { ($0.start, min($0.end, hi), $0.isCode) }
        }
        var out: [(Int, Int, Bool)] = []
        var start = lo, i = lo
        while i < hi {
            if c[i] == "\n" {
                var j = i + 1
                while j < hi && c[j] != "\n" && c[j].isWhitespace { j += 1 }
                if j < hi && c[j] == "\n" {
                    if i > start { out.append((start, i, false)) }
                    while j < hi && c[j].isWhitespace { j += 1 }
                    start = j; i = j
                    continue
                }
            }
            i += 1
        }
        if hi > start { out.append((start, hi, false)) }
        return out
    }

    /// Packs blocks in order into spans of at most `size` characters.
    private static func pack(_ blocks: [(Int, Int, Bool)], chars: [Character], size: Int) throws -> [(Int, Int)] {
        var out: [(Int, Int)] = []
        var current: (Int, Int)?
        for (a, b, code) in blocks {
            if b - a > size && !(code && b - a <= 4 * size) {
                if let c = current { out.append(c); current = nil }
                let piece = String(chars[a..<b])
                out += try TextChunker(.recursive(size: size, overlap: 0)).chunks(piece).map { (a + $0.start, a + $0.end) }
                continue
            }
            if let c = current, b - c.0 <= size { current = (c.0, b) } else {
                if let c = current { out.append(c) }
                current = (a, b)
            }
        }
        if let c = current { out.append(c) }
        return out
    }

    private static func semantic(_ chars: [Character], text: String, size: Int, percentile: Double,
                                 embedding: any EmbeddingFunction) throws -> [(Int, Int)] {
        let sentences = TextChunker.sentenceRanges(text)
        guard sentences.count > 2 else { return sentences.isEmpty ? [] : [(sentences[0].lowerBound, sentences.last!.upperBound)] }
        // Each sentence with its neighbours, as LangChain's buffer_size = 1.
        let windows = sentences.indices.map { i in
            String(chars[sentences[max(0, i - 1)].lowerBound..<sentences[min(sentences.count - 1, i + 1)].upperBound])
        }
        let vectors = try embedding.embed(windows)
        var distances: [Double] = []
        for i in 0..<(vectors.count - 1) { distances.append(1 - cosine(vectors[i], vectors[i + 1])) }
        let threshold = percentileValue(distances, percentile)
        var out: [(Int, Int)] = []
        var start = sentences[0].lowerBound
        for i in 0..<distances.count where distances[i] > threshold {
            out.append((start, sentences[i].upperBound))
            start = sentences[i + 1].lowerBound
        }
        out.append((start, sentences.last!.upperBound))
        return try out.flatMap { a, b -> [(Int, Int)] in
            guard b - a > size else { return [(a, b)] }
            return try TextChunker(.recursive(size: size, overlap: 0)).chunks(String(chars[a..<b])).map { (a + $0.start, a + $0.end) }
        }
    }
}

/// Cosine similarity (0 for a zero vector).
func cosine(_ a: [Float], _ b: [Float]) -> Double {
    var dot = 0.0, na = 0.0, nb = 0.0
    for i in 0..<min(a.count, b.count) {
        dot += Double(a[i]) * Double(b[i]); na += Double(a[i]) * Double(a[i]); nb += Double(b[i]) * Double(b[i])
    }
    return na > 0 && nb > 0 ? dot / (na.squareRoot() * nb.squareRoot()) : 0
}

/// NumPy's default (linear) percentile of `values`.
func percentileValue(_ values: [Double], _ p: Double) -> Double {
    let s = values.sorted()
    guard !s.isEmpty else { return 0 }
    let x = p / 100 * Double(s.count - 1)
    let lo = Int(x.rounded(.down)), hi = min(lo + 1, s.count - 1)
    return s[lo] + (s[hi] - s[lo]) * (x - Double(lo))
}
