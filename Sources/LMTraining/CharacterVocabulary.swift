import Foundation

/// Errors of language-model training, checkpoints and export.
public enum LMTrainingError: Error, CustomStringConvertible, Equatable {
    /// An option is out of range (its name and why).
    case invalidOption(String)
    /// Text holds a character the vocabulary does not.
    case unknownCharacter(Character)
    /// A checkpoint directory or file is missing, unreadable or inconsistent.
    case checkpoint(path: String, reason: String)
    /// The model cannot be written in the asked format (why).
    case unsupportedExport(String)

    public var description: String {
        switch self {
        case .invalidOption(let s): return "invalid option: \(s)"
        case .unknownCharacter(let c): return "the character \(String(reflecting: String(c))) is not in the vocabulary"
        case .checkpoint(let path, let reason): return "checkpoint \(path): \(reason)"
        case .unsupportedExport(let s): return "cannot export: \(s)"
        }
    }
}

/// A character-level vocabulary (nanoGPT's `shakespeare_char`): the sorted distinct characters of
/// a text, one id each, then one end-of-text token (`<|endoftext|>`, never in the text) so the
/// exported GGUF has an end-of-generation id that is not a character.
public struct CharacterVocabulary: Codable, Equatable, Sendable {
    /// The characters, by id.
    public let characters: [Character]
    /// The id of `<|endoftext|>` (= `characters.count`).
    public var endOfText: Int { characters.count }
    /// Characters plus the end-of-text token.
    public var size: Int { characters.count + 1 }
    /// The text of the end-of-text token.
    public static let endOfTextToken = "<|endoftext|>"

    private let index: [Character: Int]

    /// The vocabulary of `text`'s distinct characters, sorted by their Unicode scalars.
    public init(text: String) {
        self.init(characters: Array(Set(text)).sorted { Array($0.unicodeScalars).lexicographicallyPrecedes(Array($1.unicodeScalars), by: { $0.value < $1.value }) })
    }

    /// A vocabulary of the given characters, in that order.
    public init(characters: [Character]) {
        self.characters = characters
        index = Dictionary(characters.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The ids of `text`'s characters.
    /// - Throws: ``LMTrainingError/unknownCharacter(_:)`` for a character not in the vocabulary.
    public func encode(_ text: String) throws -> [Int] {
        try text.map { c in
            guard let id = index[c] else { throw LMTrainingError.unknownCharacter(c) }
            return id
        }
    }

    /// The text of `ids` (the end-of-text id and ids out of range are skipped).
    public func decode<S: Sequence>(_ ids: S) -> String where S.Element == Int {
        String(ids.compactMap { $0 >= 0 && $0 < characters.count ? characters[$0] : nil })
    }

    enum CodingKeys: String, CodingKey { case characters }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let strings = try c.decode([String].self, forKey: .characters)
        guard strings.allSatisfy({ $0.count == 1 }), Set(strings).count == strings.count else {
            throw DecodingError.dataCorruptedError(forKey: .characters, in: c, debugDescription: "characters must be distinct single characters")
        }
        self.init(characters: strings.map { Character($0) })
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(characters.map { String($0) }, forKey: .characters)
    }

    public static func == (a: Self, b: Self) -> Bool { a.characters == b.characters }
}
