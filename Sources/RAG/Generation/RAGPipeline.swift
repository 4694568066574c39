import Foundation
import Retrieval

/// A source the answer cites: `[n]` in the answer is passage n, and `text` is the sentence of
/// that passage that supports the answer, at `start..<end` (Characters) of the document's text.
public struct Citation: Sendable, Equatable {
    /// The marker's number: passage n of the answer's sources.
    public var n: Int
    /// The cited document's id and source file.
    public var documentID: String
    public var source: String
    /// Character offsets of `text` in the document's text.
    public var start: Int
    public var end: Int
    /// The supporting sentence of the passage.
    public var text: String
    /// "model" when the model wrote the marker; "overlap" when it was attributed afterwards to the
    /// passage sentence sharing the most words with an answer sentence.
    public var method: String
}

/// A complete answer.
public struct RAGAnswer: Sendable {
    /// The question asked.
    public var question: String
    /// The question searched for: a follow-up rewritten with the conversation, else the question.
    public var searchQuestion: String
    /// The answer text, with `[n]` markers.
    public var answer: String
    /// True when the pipeline or the model declined (the context does not contain the answer).
    public var refused: Bool
    /// Why it declined: "low relevance" (the gate, before any generation), "nothing retrieved",
    /// "no passage fits the context budget", or "model".
    public var refusalReason: String?
    /// The passages given to the model as sources [1], [2], … (all retrieved ones when refused early).
    public var passages: [RetrievedPassage]
    /// The citations, in the answer's order.
    public var citations: [Citation]
    /// Tokens in the prompt, and seconds for retrieval and generation.
    public var promptTokens: Int
    /// Seconds spent retrieving and generating.
    public var retrievalSeconds: Double
    public var generationSeconds: Double

    /// The answer without `[n]` markers.
    public var plainAnswer: String { RAGPipeline.strippingMarkers(answer) }
}

/// Settings of ``RAGPipeline``.
public struct RAGOptions: Sendable {
    /// How passages are retrieved.
    public var retrieval = RetrievalOptions()
    /// Most tokens of sources in the prompt (passages are added in rank order while they fit;
    /// nil: what the model's context leaves after the question and the answer).
    public var contextTokens: Int?
    /// Most tokens in the answer.
    public var maxAnswerTokens = 200
    /// Refuse without generating when no passage's cosine similarity to the question reaches
    /// this (nil: never; only meaningful for a neural embedding).
    public var minRelevance: Double?
    /// Attribute citations to answer sentences that carry none.
    public var attributeCitations = true
    /// The instructions (system message); `{refusal}` is replaced by ``refusal``.
    public var systemPrompt = """
        You answer questions using only the numbered sources. Cite the source of each sentence as [n]. \
        If the sources do not contain the answer, reply exactly: {refusal}
        """
    /// What a refusal says.
    public var refusal = "I don't know."

    /// The defaults.
    public init() {}
}

/// Retrieval-augmented generation: retrieve passages, give them to a model as numbered sources,
/// and return the answer with citations mapped to source files and offsets.
public struct RAGPipeline: Sendable {
    /// The retriever, the model and the settings.
    public let retriever: RAGRetriever
    public let model: any RAGLanguageModel
    public let options: RAGOptions

    /// A pipeline over `index` answering with `model`.
    public init(index: RAGIndex, model: any RAGLanguageModel, options: RAGOptions = RAGOptions()) {
        retriever = RAGRetriever(index: index, model: model)
        self.model = model
        self.options = options
    }

    /// Answers `question`; with `history` (earlier turns) a follow-up is first rewritten into a
    /// standalone question for the search. `onText` receives the answer as it is generated.
    public func answer(_ question: String, history: [RAGMessage] = [],
                       onText: @escaping @Sendable (String) -> Void = { _ in }) async throws -> RAGAnswer {
        guard !question.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw RAGError.invalidParameter(name: "question", value: question, reason: "is blank")
        }
        let t0 = Date()
        let searchQuestion = history.isEmpty ? question : try await standalone(question, history: history)
        let retrieved = try await retriever.retrieve(searchQuestion, options: options.retrieval)
        let t1 = Date()
        var result = RAGAnswer(question: question, searchQuestion: searchQuestion, answer: "", refused: false, refusalReason: nil,
                               passages: retrieved, citations: [], promptTokens: 0,
                               retrievalSeconds: t1.timeIntervalSince(t0), generationSeconds: 0)
        if let gate = options.minRelevance, retrieved.allSatisfy({ $0.similarity < gate }) {
            result.answer = options.refusal
            result.refused = true
            result.refusalReason = "low relevance"
            onText(options.refusal)
            return result
        }
        let system = options.systemPrompt.replacingOccurrences(of: "{refusal}", with: options.refusal)
        let fixed = model.tokenCount(system) + model.tokenCount(question) + 64
        let budget = options.contextTokens ?? max(0, model.contextLength - options.maxAnswerTokens - fixed)
        var used = 0
        var sources: [RetrievedPassage] = []
        var blocks: [String] = []
        for p in retrieved {
            let block = "[\(sources.count + 1)] \(p.title)\(p.section.isEmpty || p.section == p.title ? "" : " — \(p.section)")\n\(p.text)"
            let cost = model.tokenCount(block)
            if used + cost > budget { if sources.isEmpty { continue } else { break } }
            used += cost
            sources.append(p)
            blocks.append(block)
        }
        result.passages = sources
        if sources.isEmpty {
            // Nothing retrieved, or nothing fits the budget: there is no source to answer from.
            result.answer = options.refusal
            result.refused = true
            result.refusalReason = retrieved.isEmpty ? "nothing retrieved" : "no passage fits the context budget"
            onText(options.refusal)
            return result
        }
        var messages = [RAGMessage.system(system)] + history
        messages.append(.user("Sources:\n\n\(blocks.joined(separator: "\n\n"))\n\nQuestion: \(question)"))
        result.promptTokens = messages.reduce(0) { $0 + model.tokenCount($1.content) }
        let text = try await model.complete(messages, maxTokens: options.maxAnswerTokens, temperature: 0, onText: onText)
        result.generationSeconds = Date().timeIntervalSince(t1)
        result.answer = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if Self.isRefusal(result.answer, refusal: options.refusal) {
            result.refused = true
            result.refusalReason = "model"
            return result
        }
        (result.answer, result.citations) = try cite(result.answer, sources: sources)
        return result
    }

    /// A follow-up question rewritten to stand alone, using the conversation.
    func standalone(_ question: String, history: [RAGMessage]) async throws -> String {
        let transcript = history.suffix(6).map { "\($0.role): \($0.content)" }.joined(separator: "\n")
        let reply = try await model.complete([
            .system("Rewrite the user's last question so that it can be understood without the conversation. Reply with the question only."),
            .user("Conversation:\n\(transcript)\n\nLast question: \(question)"),
        ], maxTokens: 60)
        let rewritten = reply.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return rewritten.isEmpty ? question : rewritten
    }

    /// Whether an answer declines: the refusal text, or a stock phrase of declining.
    public static func isRefusal(_ answer: String, refusal: String) -> Bool {
        let a = answer.lowercased()
        let phrases = [refusal.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ". ")), "i don't know", "i do not know",
                       "sources do not contain", "sources don't contain", "not mentioned in the sources", "cannot answer", "can't answer"]
        return a.isEmpty || phrases.contains { !$0.isEmpty && a.contains($0) }
    }

    /// `text` without `[n]` / `[n, m]` markers.
    public static func strippingMarkers(_ text: String) -> String {
        var out = ""
        var i = text.startIndex
        while i < text.endIndex {
            if text[i] == "[", let close = text[i...].firstIndex(of: "]"),
               text[text.index(after: i)..<close].allSatisfy({ $0.isNumber || $0 == "," || $0 == " " }), close > text.index(after: i) {
                while out.last == " " { out.removeLast() }
                i = text.index(after: close)
                continue
            }
            out.append(text[i])
            i = text.index(after: i)
        }
        return out.trimmingCharacters(in: .whitespaces)
    }

    /// The citations of `answer`: its `[n]` markers (invalid numbers dropped from the text), and,
    /// when ``RAGOptions/attributeCitations`` is on, markers added to sentences without one.
    func cite(_ answer: String, sources: [RetrievedPassage]) throws -> (String, [Citation]) {
        let sentences = TextChunker.sentenceRanges(answer)
        let chars = Array(answer)
        var rebuilt = ""
        var citations: [Citation] = []
        var previous = 0
        for range in sentences.isEmpty ? [0..<chars.count] : sentences {
            rebuilt += String(chars[previous..<range.lowerBound])
            previous = range.upperBound
            var sentence = String(chars[range])
            let marked = Self.markers(in: sentence).filter { (1...sources.count).contains($0) }
            let plain = Self.strippingMarkers(sentence)
            var cited = marked.map { ($0, "model") }
            if cited.isEmpty, options.attributeCitations, let best = Self.bestSource(for: plain, in: sources) {
                cited = [(best, "overlap")]
                sentence = Self.withMarkers(plain, [best])
            } else if cited.count != Self.markers(in: sentence).count {
                sentence = Self.withMarkers(plain, cited.map(\.0))
            }
            rebuilt += sentence
            for (n, method) in cited {
                let p = sources[n - 1]
                let support = Self.supportingSentence(for: plain, in: p)
                citations.append(Citation(n: n, documentID: p.documentID, source: p.source, start: support.start, end: support.end,
                                          text: support.text, method: method))
            }
        }
        rebuilt += String(chars[min(previous, chars.count)...])
        // One citation per (n, supporting span).
        var seen = Set<String>()
        citations = citations.filter { seen.insert("\($0.n):\($0.start):\($0.end)").inserted }
        return (rebuilt, citations)
    }

    /// `sentence` with ` [n]` markers before its closing punctuation.
    static func withMarkers(_ sentence: String, _ numbers: [Int]) -> String {
        var body = sentence
        var end = ""
        while let last = body.last, ".!?".contains(last) { end = String(last) + end; body.removeLast() }
        var seen = Set<Int>()
        return body + numbers.filter { seen.insert($0).inserted }.map { " [\($0)]" }.joined() + end
    }

    /// The numbers in `[n]` / `[n, m]` markers of `text`.
    static func markers(in text: String) -> [Int] {
        var out: [Int] = []
        var i = text.startIndex
        while let open = text[i...].firstIndex(of: "[") {
            guard let close = text[open...].firstIndex(of: "]") else { break }
            let inside = text[text.index(after: open)..<close]
            if !inside.isEmpty, inside.allSatisfy({ $0.isNumber || $0 == "," || $0 == " " }) {
                out += inside.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            }
            i = text.index(after: open)
        }
        return out
    }

    /// Word tokens (lowercased letters/digits) of `text`, ignoring very common words.
    static func contentWords(_ text: String) -> Set<String> {
        let stop: Set<String> = ["the", "a", "an", "of", "to", "in", "is", "are", "and", "or", "for", "on", "by", "with", "as", "it",
                                 "this", "that", "be", "can", "which", "from", "at", "its", "their", "was", "were", "not", "no"]
        return Set(wordTokens(text).filter { !stop.contains($0) })
    }

    /// The source sharing the most content words with `sentence` (at least 3 and a third of the
    /// sentence's), or nil.
    static func bestSource(for sentence: String, in sources: [RetrievedPassage]) -> Int? {
        let words = contentWords(sentence)
        guard words.count >= 2 else { return nil }
        var best: (Int, Int)?
        for (i, p) in sources.enumerated() {
            let shared = words.intersection(contentWords(p.text)).count
            if shared > (best?.1 ?? 0) { best = (i + 1, shared) }
        }
        guard let (n, shared) = best, shared >= min(3, words.count), Double(shared) >= Double(words.count) / 3 else { return nil }
        return n
    }

    /// The sentence of passage `p` sharing the most content words with `sentence`, with its
    /// offsets in the document (the whole passage when it is one sentence or nothing is shared).
    static func supportingSentence(for sentence: String, in p: RetrievedPassage) -> (start: Int, end: Int, text: String) {
        let ranges = TextChunker.sentenceRanges(p.text)
        let words = contentWords(sentence)
        let chars = Array(p.text)
        guard ranges.count > 1, !p.text.contains(" … ") else { return (p.start, p.end, p.text) }
        var best: (Range<Int>, Int)?
        for r in ranges {
            let shared = words.intersection(contentWords(String(chars[r]))).count
            if shared > (best?.1 ?? 0) { best = (r, shared) }
        }
        guard let (r, _) = best else { return (p.start, p.end, p.text) }
        return (p.start + r.lowerBound, p.start + r.upperBound, String(chars[r]))
    }
}

/// Lowercased runs of letters and digits.
func wordTokens(_ text: String) -> [String] {
    var out: [String] = []
    var current = ""
    for ch in text.lowercased() {
        if ch.isLetter || ch.isNumber { current.append(ch) } else if !current.isEmpty { out.append(current); current = "" }
    }
    if !current.isEmpty { out.append(current) }
    return out
}
