/// A piece of a source text with its position: `text == source[start..<end]` where offsets count
/// `Character`s (extended grapheme clusters, what `String.count` counts).
public struct Chunk: Equatable, Hashable, Sendable, Codable {
    /// The chunk's text.
    public var text: String
    /// Offset of the first character in the source.
    public var start: Int
    /// Offset one past the last character in the source.
    public var end: Int
    /// Position of the chunk in the chunker's output.
    public var index: Int

    /// Creates a chunk.
    public init(text: String, start: Int, end: Int, index: Int) {
        self.text = text
        self.start = start
        self.end = end
        self.index = index
    }

    /// The chunk's range as string indices of `source` (the string it was cut from).
    public func range(in source: String) -> Range<String.Index> {
        let lo = source.index(source.startIndex, offsetBy: start)
        return lo..<source.index(lo, offsetBy: end - start)
    }
}

/// Splits texts into chunks for indexing, every chunk keeping its source offsets.
///
/// - `characters(size:overlap:)`: windows of `size` characters, each starting `size − overlap`
///   after the previous one.
/// - `tokens(size:overlap:)`: windows of `size` tokens (runs of letters/digits, or single
///   punctuation marks), the chunk spanning from its first token's start to its last token's end.
/// - `recursive(size:overlap:separators:)`: LangChain's `RecursiveCharacterTextSplitter`
///   (keep_separator = "start", strip_whitespace = true): split on the first separator found in
///   the text, merge neighbouring pieces up to `size` characters with up to `overlap` characters
///   carried over, and split pieces still too long with the next separators; "" splits into
///   characters. Lengths count Characters (LangChain counts code points; they differ only for
///   multi-scalar graphemes such as "\r\n" or emoji sequences).
/// - `sentences(maxCharacters:overlap:)`: sentences (ending in . ! ? followed by whitespace or the
///   end) grouped while the chunk stays within `maxCharacters`; `overlap` sentences repeat at the
///   start of the next chunk (never all of a chunk's sentences: the next chunk always starts at
///   least one sentence later); a sentence longer than the limit is cut into character windows.
public struct TextChunker: Sendable {
    /// How the text is cut.
    public enum Strategy: Sendable, Equatable {
        case characters(size: Int, overlap: Int = 0)
        case tokens(size: Int, overlap: Int = 0)
        case recursive(size: Int, overlap: Int = 0, separators: [String] = ["\n\n", "\n", " ", ""])
        case sentences(maxCharacters: Int, overlap: Int = 0)
    }

    /// The strategy.
    public let strategy: Strategy

    /// Validates the strategy: size ≥ 1 and 0 ≤ overlap < size.
    public init(_ strategy: Strategy) throws {
        switch strategy {
        case .characters(let s, let o), .tokens(let s, let o), .recursive(let s, let o, _):
            try RetrievalLimits.check(s, in: RetrievalLimits.chunkSize, "size")
            try require(o >= 0 && o < s, "overlap", o, "must be in 0..<size (\(s))")
        case .sentences(let m, let o):
            try RetrievalLimits.check(m, in: RetrievalLimits.chunkSize, "maxCharacters")
            try require(o >= 0 && o <= RetrievalLimits.chunkSize.upperBound, "overlap", o, "must be in 0...\(RetrievalLimits.chunkSize.upperBound)")
        }
        self.strategy = strategy
    }

    /// Cuts `text` into chunks (none for an empty or all-whitespace text, except with
    /// `characters`/`tokens` where whitespace-only windows are kept as they are cut).
    public func chunks(_ text: String) -> [Chunk] {
        let chars = Array(text)
        var spans: [(Int, Int)]
        switch strategy {
        case .characters(let size, let overlap):
            spans = Self.windows(0, chars.count, size: size, overlap: overlap)
        case .tokens(let size, let overlap):
            let tokens = Self.tokenSpans(chars)
            spans = []
            var i = 0
            while i < tokens.count {
                let j = min(i + size, tokens.count)
                spans.append((tokens[i].0, tokens[j - 1].1))
                if j == tokens.count { break }
                i = j - overlap
            }
        case .recursive(let size, let overlap, let separators):
            var r = RecursiveSplitter(chars: chars, size: size, overlap: overlap)
            spans = r.split(0, chars.count, separators: separators.map(Array.init))
        case .sentences(let maxCharacters, let overlap):
            spans = Self.sentenceChunks(chars, max: maxCharacters, overlap: overlap)
        }
        return spans.enumerated().map { Chunk(text: String(chars[$1.0..<$1.1]), start: $1.0, end: $1.1, index: $0) }
    }

    static func windows(_ lo: Int, _ hi: Int, size: Int, overlap: Int) -> [(Int, Int)] {
        var out: [(Int, Int)] = []
        var s = lo
        while s < hi {
            let e = min(s + size, hi)
            out.append((s, e))
            if e == hi { break }
            s = e - overlap
        }
        return out
    }

    /// Token spans: maximal runs of letters/digits, or one other non-whitespace character.
    static func tokenSpans(_ c: [Character]) -> [(Int, Int)] {
        var out: [(Int, Int)] = []
        var i = 0
        while i < c.count {
            if c[i].isWhitespace { i += 1; continue }
            if c[i].isLetter || c[i].isNumber {
                var j = i + 1
                while j < c.count && (c[j].isLetter || c[j].isNumber) { j += 1 }
                out.append((i, j)); i = j
            } else {
                out.append((i, i + 1)); i += 1
            }
        }
        return out
    }

    /// The sentences of `text` as character ranges, trimmed of surrounding whitespace: a sentence
    /// ends at `.`, `!` or `?` (with any closing quotes or brackets) followed by whitespace or the end.
    public static func sentenceRanges(_ text: String) -> [Range<Int>] {
        sentenceSpans(Array(text)).map { $0.0..<$0.1 }
    }

    /// Sentence spans (trimmed) of `c`.
    static func sentenceSpans(_ c: [Character]) -> [(Int, Int)] {
        var sentences: [(Int, Int)] = []
        var start = 0
        var i = 0
        func push(_ a: Int, _ b: Int) {
            var a = a, b = b
            while a < b && c[a].isWhitespace { a += 1 }
            while b > a && c[b - 1].isWhitespace { b -= 1 }
            if a < b { sentences.append((a, b)) }
        }
        while i < c.count {
            if c[i] == "." || c[i] == "!" || c[i] == "?" {
                var j = i + 1
                while j < c.count && (c[j] == "." || c[j] == "!" || c[j] == "?" || c[j] == "\"" || c[j] == "'" || c[j] == ")" || c[j] == "”" || c[j] == "’") { j += 1 }
                if j == c.count || c[j].isWhitespace {
                    push(start, j)
                    start = j
                }
                i = j
            } else {
                i += 1
            }
        }
        push(start, c.count)
        return sentences
    }

    /// Sentence spans (trimmed), grouped into chunks of at most `max` characters.
    static func sentenceChunks(_ c: [Character], max: Int, overlap: Int) -> [(Int, Int)] {
        let sentences = sentenceSpans(c)
        var out: [(Int, Int)] = []
        var first = 0
        while first < sentences.count {
            if sentences[first].1 - sentences[first].0 > max {
                out += windows(sentences[first].0, sentences[first].1, size: max, overlap: 0)
                first += 1
                continue
            }
            var last = first
            while last + 1 < sentences.count && sentences[last + 1].1 - sentences[first].0 <= max { last += 1 }
            out.append((sentences[first].0, sentences[last].1))
            if last + 1 >= sentences.count { break }
            first = Swift.max(last + 1 - overlap, first + 1)
        }
        return out
    }
}

/// LangChain's recursive splitting on character offsets (see ``TextChunker``).
private struct RecursiveSplitter {
    let chars: [Character]
    let size: Int
    let overlap: Int

    /// Non-overlapping occurrences of `sep` in lo..<hi, left to right.
    func occurrences(_ sep: [Character], _ lo: Int, _ hi: Int) -> [Int] {
        var out: [Int] = []
        var i = lo
        while i + sep.count <= hi {
            if chars[i] == sep[0] && (1..<sep.count).allSatisfy({ chars[i + $0] == sep[$0] }) {
                out.append(i); i += sep.count
            } else { i += 1 }
        }
        return out
    }

    mutating func split(_ lo: Int, _ hi: Int, separators: [[Character]]) -> [(Int, Int)] {
        var separator: [Character] = separators.last ?? []
        var rest: [[Character]] = []
        for (i, s) in separators.enumerated() {
            if s.isEmpty { separator = s; break }
            if !occurrences(s, lo, hi).isEmpty { separator = s; rest = Array(separators[(i + 1)...]); break }
        }
        // Pieces with the separator kept at their start; empty pieces dropped.
        var pieces: [(Int, Int)] = []
        if separator.isEmpty {
            pieces = (lo..<hi).map { ($0, $0 + 1) }
        } else {
            var s = lo
            for o in occurrences(separator, lo, hi) {
                if o > s { pieces.append((s, o)) }
                s = o
            }
            if hi > s { pieces.append((s, hi)) }
        }
        var out: [(Int, Int)] = []
        var good: [(Int, Int)] = []
        for p in pieces {
            if p.1 - p.0 < size {
                good.append(p)
            } else {
                if !good.isEmpty { out += merge(good); good = [] }
                if rest.isEmpty { out += trimmed(p.0, p.1).map { [$0] } ?? [] } else { out += split(p.0, p.1, separators: rest) }
            }
        }
        if !good.isEmpty { out += merge(good) }
        return out
    }

    /// LangChain's `_merge_splits` with an empty joiner (pieces are adjacent in the source).
    func merge(_ pieces: [(Int, Int)]) -> [(Int, Int)] {
        var out: [(Int, Int)] = []
        var current: [(Int, Int)] = []
        var total = 0
        for p in pieces {
            let len = p.1 - p.0
            if total + len > size {
                if !current.isEmpty {
                    if let t = trimmed(current.first!.0, current.last!.1) { out.append(t) }
                    while total > overlap || (total + len > size && total > 0) {
                        total -= current[0].1 - current[0].0
                        current.removeFirst()
                    }
                }
            }
            current.append(p)
            total += len
        }
        if !current.isEmpty, let t = trimmed(current.first!.0, current.last!.1) { out.append(t) }
        return out
    }

    /// The span without leading/trailing whitespace (nil if nothing is left).
    func trimmed(_ lo: Int, _ hi: Int) -> (Int, Int)? {
        var a = lo, b = hi
        while a < b && chars[a].isWhitespace { a += 1 }
        while b > a && chars[b - 1].isWhitespace { b -= 1 }
        return a < b ? (a, b) : nil
    }
}
