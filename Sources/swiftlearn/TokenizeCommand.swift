import ArgumentParser
import Foundation
import SwiftLearn
import SwiftLearnCore

/// `swiftlearn tokenize`: train a byte-level BPE tokenizer and encode text with any supported
/// `tokenizer.json` (BPE or WordPiece) or a BERT `vocab.txt`.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Train a byte-level BPE tokenizer, or encode text with a tokenizer.json.",
        subcommands: [TokenizeTrain.self, TokenizeEncode.self]
    )
}

/// `swiftlearn tokenize train --input CORPUS --vocab-size N --output tokenizer.json`.
struct TokenizeTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a GPT-2-style byte-level BPE tokenizer on a text file (one document per line)."
    )

    @Option(help: "Training text file (UTF-8; each line is one text).") var input: String
    @Option(help: "Target vocabulary size: special tokens + 256 byte symbols + merges.") var vocabSize: Int
    @Option(help: "Output tokenizer.json path.") var output: String
    @Option(help: "Pairs seen fewer times than this are not merged.") var minFrequency = 0
    @Option(parsing: .upToNextOption, help: "Special tokens (get the first ids).") var specialTokens: [String] = []
    @Flag(help: "Add a space before each text (Hugging Face's add_prefix_space).") var addPrefixSpace = false
    @Flag(help: "Print a JSON summary.") var json = false

    func validate() throws {
        guard vocabSize > 0 else { throw ValidationError("--vocab-size must be positive, got \(vocabSize)") }
        guard minFrequency >= 0 else { throw ValidationError("--min-frequency must be non-negative, got \(minFrequency)") }
    }

    func run() throws {
        let lines = try readTextFile(input).split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard !lines.isEmpty else { throw NLPError.fileError(path: input, reason: "the training text is empty") }
        let (tok, seconds) = try timed {
            try BPETokenizer.train(corpus: lines, vocabularySize: vocabSize, minimumFrequency: minFrequency,
                                   specialTokens: specialTokens, addPrefixSpace: addPrefixSpace)
        }
        try HFTokenizer(tok).write(to: URL(fileURLWithPath: output))
        printFields([("output", .string(output)), ("vocab_size", .int(tok.vocabularySize)), ("merges", .int(tok.model.merges.count)),
                     ("lines", .int(lines.count)), ("seconds", .double(seconds))], json: json)
    }
}

/// `swiftlearn tokenize encode --tokenizer FILE [--json]`: one line of ids per input line.
struct TokenizeEncode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encode each line of standard input; prints space-separated ids (or JSON with --json)."
    )

    @Option(help: "A tokenizer.json (BPE or WordPiece) or a BERT vocab.txt.") var tokenizer: String
    @Flag(help: "One JSON object per line with ids and tokens.") var json = false
    @Flag(help: "Do not add special tokens such as [CLS]/[SEP].") var noSpecialTokens = false

    func run() throws {
        let url = URL(fileURLWithPath: tokenizer)
        let tok: HFTokenizer
        if url.pathExtension == "txt" {
            tok = HFTokenizer(try WordPieceTokenizer(vocabularyFile: url))
        } else {
            tok = try HFTokenizer(contentsOf: url)
        }
        for (number, line) in try standardInputLines().enumerated() {
            guard let line else { throw NLPError.invalidInput("standard input line \(number + 1) is not valid UTF-8 text") }
            let e = tok.encode(line, addSpecialTokens: !noSpecialTokens)
            if json {
                print(JSONLine([("ids", .array(e.ids.map { .int($0) })), ("tokens", .array(e.tokens.map { .string($0) }))]).text)
            } else {
                print(e.ids.map(String.init).joined(separator: " "))
            }
        }
    }
}

/// Standard input split into lines (without their "\n" or "\r\n"), each decoded as UTF-8, or nil
/// for a line that is not valid UTF-8: `readLine` would replace such bytes with U+FFFD silently.
func standardInputLines() throws -> [String?] {
    let data = FileHandle.standardInput.readDataToEndOfFile()
    var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { bytes -> String? in
        let line = bytes.last == UInt8(ascii: "\r") ? bytes.dropLast() : bytes[...]
        return String(bytes: line, encoding: .utf8)
    }
    if let last = lines.last, last == "" { lines.removeLast() }  // the newline that ends the last line
    return lines
}
