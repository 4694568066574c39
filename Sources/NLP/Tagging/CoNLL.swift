import Foundation
import SwiftLearnCore

/// Column-per-token files as the CoNLL shared tasks write them: one token per line, its columns
/// separated by spaces or tabs (`EU NNP B-NP B-ORG`), a blank line between sentences, and
/// `-DOCSTART-` lines between documents (skipped).
public enum CoNLL {
    /// One sentence: a row of columns per token.
    public typealias Sentence = [[String]]

    /// The most bytes and tokens a file may hold.
    public static let maxBytes = 1 << 30, maxTokensPerSentence = 100_000

    /// Parses CoNLL text. Every token of a sentence must have the same number of columns (at
    /// least `minimumColumns`).
    /// - Throws: `NLPError.invalidInput` naming the line of a ragged or over-long sentence.
    public static func parse(_ text: String, minimumColumns: Int = 1, source: String = "text") throws -> [Sentence] {
        var sentences: [Sentence] = [], current: Sentence = []
        var lineNumber = 0
        func close() { if !current.isEmpty { sentences.append(current); current = [] } }
        for line in TextLines.split(text) {
            lineNumber += 1
            let columns = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if columns.isEmpty { close(); continue }
            if columns[0] == "-DOCSTART-" { close(); continue }
            guard columns.count >= minimumColumns else {
                throw NLPError.invalidInput("\(source):\(lineNumber): \(columns.count) columns, expected at least \(minimumColumns)")
            }
            if let first = current.first, first.count != columns.count {
                throw NLPError.invalidInput("\(source):\(lineNumber): \(columns.count) columns where the sentence's first token has \(first.count)")
            }
            guard current.count < maxTokensPerSentence else { throw NLPError.invalidInput("\(source):\(lineNumber): a sentence longer than \(maxTokensPerSentence) tokens") }
            current.append(columns)
        }
        close()
        return sentences
    }

    /// Reads and parses a CoNLL file.
    public static func read(_ path: String, minimumColumns: Int = 1) throws -> [Sentence] {
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > maxBytes {
            throw NLPError.fileError(path: path, reason: "\(size) bytes; the limit is \(maxBytes)")
        }
        let text: String
        do { text = try readTextFile(path) } catch { throw NLPError.fileError(path: path, reason: readableReason(error)) }
        return try parse(text, minimumColumns: minimumColumns, source: path)
    }

    /// One column of every token (negative: from the end, −1 the last).
    public static func column(_ sentences: [Sentence], _ index: Int) throws -> [[String]] {
        try sentences.map { s in
            try s.map { row in
                let i = index < 0 ? row.count + index : index
                guard i >= 0, i < row.count else { throw NLPError.invalidInput("column \(index) of a \(row.count)-column token") }
                return row[i]
            }
        }
    }
}

/// Token features for sequence labelling: those of the sklearn-crfsuite tutorial (the word
/// lower-cased, its last 3 and 2 letters, whether it is upper case, title case or a number, its
/// part of speech and the POS's first two letters, the same for the neighbouring words, and
/// sentence-start/end markers), plus a bias.
public enum TaggingFeatures {
    /// Features of each token of a sentence; `pos` may be nil (no POS column).
    public static func tutorial(words: [String], pos: [String]? = nil) -> [CRFItem] {
        func wordFeatures(_ i: Int, prefix: String) -> CRFItem {
            let w = words[i]
            var f: CRFItem = [(prefix + "word.lower=" + w.lowercased(), 1)]
            if prefix.isEmpty {
                f += [("word[-3:]=" + String(w.suffix(3)), 1), ("word[-2:]=" + String(w.suffix(2)), 1)]
            }
            let letters = w.filter(\.isLetter)
            if !letters.isEmpty && letters.allSatisfy(\.isUppercase) { f.append((prefix + "word.isupper", 1)) }
            if let first = w.first, first.isUppercase, w.dropFirst().allSatisfy({ !$0.isUppercase }) { f.append((prefix + "word.istitle", 1)) }
            if prefix.isEmpty, !w.isEmpty, w.allSatisfy(\.isNumber) { f.append(("word.isdigit", 1)) }
            if let pos {
                f.append((prefix + "postag=" + pos[i], 1))
                f.append((prefix + "postag[:2]=" + String(pos[i].prefix(2)), 1))
            }
            return f
        }
        return words.indices.map { i in
            var f: CRFItem = [("bias", 1)] + wordFeatures(i, prefix: "")
            if i > 0 { f += wordFeatures(i - 1, prefix: "-1:") } else { f.append(("BOS", 1)) }
            if i + 1 < words.count { f += wordFeatures(i + 1, prefix: "+1:") } else { f.append(("EOS", 1)) }
            return f
        }
    }
}
