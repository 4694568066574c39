/// A token added to a tokenizer outside its model (Hugging Face's `AddedToken`), usually a special
/// token such as `[CLS]` or `<|endoftext|>`. Its text is found in the input before the model runs
/// and always maps to its own id.
public struct AddedToken: Sendable, Equatable {
    /// The literal text.
    public var content: String
    /// Its id.
    public var id: Int
    /// Whether it is a special token (skipped by `decode(skipSpecialTokens: true)`).
    public var special: Bool
    /// Match only as a whole word.
    public var singleWord: Bool
    /// Also swallow whitespace on its left.
    public var leftStrip: Bool
    /// Also swallow whitespace on its right.
    public var rightStrip: Bool
    /// Matched against normalized text (`true`) or the raw input (`false`).
    public var normalized: Bool

    /// Creates an added token; special tokens default to matching raw text.
    public init(content: String, id: Int, special: Bool = true, singleWord: Bool = false,
                leftStrip: Bool = false, rightStrip: Bool = false, normalized: Bool? = nil) {
        self.content = content
        self.id = id
        self.special = special
        self.singleWord = singleWord
        self.leftStrip = leftStrip
        self.rightStrip = rightStrip
        self.normalized = normalized ?? !special
    }
}

/// Finds added tokens in text: the longest one starting at the leftmost position wins.
package struct AddedTokenMatcher: Sendable {
    package let tokens: [AddedToken]
    private let byFirstByte: [[Int]]   // first UTF-8 byte → indices into tokens, longest first

    package init(_ tokens: [AddedToken]) {
        let kept = tokens.filter { !$0.content.isEmpty }
        var table = [[Int]](repeating: [], count: 256)
        for (i, t) in kept.enumerated() { table[Int(t.content.utf8.first!)].append(i) }
        for b in 0..<256 { table[b].sort { kept[$0].content.utf8.count > kept[$1].content.utf8.count } }
        self.tokens = kept
        byFirstByte = table
    }

    package var isEmpty: Bool { tokens.isEmpty }

    /// A piece of the input: plain text (a byte range) or an added token.
    package enum Piece: Equatable { case text(Range<Int>), token(Int) }

    /// Splits UTF-8 bytes into text ranges and added tokens (with their strip options applied).
    package func split(_ p: UnsafeBufferPointer<UInt8>) -> [Piece] {
        if tokens.isEmpty { return [.text(0..<p.count)] }
        var out: [Piece] = []
        var textStart = 0, i = 0
        let n = p.count
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }
        func isWordByte(_ b: UInt8) -> Bool { b >= 0x80 || CharacterClass.isWord(Unicode.Scalar(b)) }
        outer: while i < n {
            for t in byFirstByte[Int(p[i])] {
                let c = tokens[t].content.utf8
                guard i + c.count <= n, c.elementsEqual(UnsafeBufferPointer(rebasing: p[i..<(i + c.count)])) else { continue }
                var start = i, end = i + c.count
                if tokens[t].singleWord {
                    if start > 0 && isWordByte(p[start - 1]) || end < n && isWordByte(p[end]) { continue }
                }
                if tokens[t].leftStrip { while start > textStart, isSpace(p[start - 1]) { start -= 1 } }
                if tokens[t].rightStrip { while end < n, isSpace(p[end]) { end += 1 } }
                if start > textStart { out.append(.text(textStart..<start)) }
                out.append(.token(t))
                i = end
                textStart = end
                continue outer
            }
            i += 1
        }
        if textStart < n { out.append(.text(textStart..<n)) }
        return out
    }
}
