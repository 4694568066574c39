import Foundation
import Retrieval

/// How queries are widened before searching.
public enum QueryExpansion: Sendable, Equatable {
    case none
    /// The model writes `count` other phrasings; the hits of all are fused by reciprocal rank.
    case multiQuery(count: Int)
    /// HyDE (Gao et al. 2022): the model writes a passage that would answer the question, and the
    /// vector search uses that passage's embedding (BM25 still uses the question).
    case hypotheticalDocument
}

/// How candidates are re-ordered after the search.
public enum Reranking: Sendable, Equatable {
    case none
    /// Maximal marginal relevance over the chunks' stored embeddings (λ trades relevance for novelty).
    case mmr(lambda: Double)
    /// The model grades each candidate's relevance 0–10 (ties keep search order).
    case languageModel
}

/// What ``RAGRetriever`` does for a question.
public struct RetrievalOptions: Sendable, Equatable {
    /// Passages returned.
    public var k = 5
    /// BM25, vectors, or both fused.
    public var mode: SearchMode = .hybrid
    /// Candidates taken from the search before re-ranking (at least `k`).
    public var candidates = 20
    /// Query expansion through the model.
    public var expansion: QueryExpansion = .none
    /// How the candidates are re-ordered.
    public var rerank: Reranking = .none
    /// Small-to-big: each hit is widened to the window of this many characters (recursive
    /// splitter, no overlap) of its document that holds the hit's middle; nil keeps chunks as stored.
    public var parentSize: Int?
    /// Contextual compression: keep only the sentences of each passage whose cosine similarity to
    /// the question is at least this (the best sentence is always kept); nil keeps whole passages.
    public var compression: Double?
    /// Restricts the search to documents whose metadata match.
    public var filter: MetadataFilter?

    /// The defaults: top 5 of 20 hybrid candidates, no expansion or re-ranking.
    public init() {}

    /// Throws for values outside their ranges.
    public func validate() throws {
        try check((1...1000).contains(k), "k", k, "must be in 1...1000")
        try check((1...10_000).contains(candidates), "candidates", candidates, "must be in 1...10000")
        if case .multiQuery(let n) = expansion { try check((1...10).contains(n), "multi-query count", n, "must be in 1...10") }
        if case .mmr(let l) = rerank { try check(l >= 0 && l <= 1, "mmr lambda", l, "must be in 0...1") }
        if let p = parentSize { try check((50...1_000_000).contains(p), "parent size", p, "must be in 50...1000000") }
        if let c = compression { try check(c >= -1 && c <= 1, "compression", c, "is a cosine similarity in -1...1") }
    }
}

/// One retrieved passage, with where it is in its document.
public struct RetrievedPassage: Sendable, Equatable {
    /// 1-based rank after re-ranking.
    public var rank: Int
    /// The stored document's id.
    public var documentID: String
    /// The file the document came from.
    public var source: String
    /// The document's title.
    public var title: String
    /// The heading of the section the passage starts in ("" before the first heading).
    public var section: String
    /// Character offsets of the passage in the document's text (for a compressed passage, from
    /// its first kept sentence to the end of its last).
    public var start: Int
    public var end: Int
    /// The passage text (a compressed passage joins its kept sentences with " … ").
    public var text: String
    /// The search score (RRF for hybrid and fused queries, BM25, or cosine), or the re-ranker's.
    public var score: Double
    /// Cosine similarity of the question and the stored chunk embedding.
    public var similarity: Double
    /// The stored chunk that was found.
    public var chunkID: Int64
}

/// Retrieval for RAG: search (BM25, vector or hybrid) over a ``RAGIndex``, optional query
/// expansion through a language model, re-ranking, small-to-big widening and compression.
public struct RAGRetriever: Sendable {
    /// The index searched.
    public let index: RAGIndex
    /// Needed for multi-query, HyDE and LLM re-ranking.
    public let model: (any RAGLanguageModel)?

    /// A retriever over `index`; `model` enables expansion and LLM re-ranking.
    public init(index: RAGIndex, model: (any RAGLanguageModel)? = nil) {
        self.index = index
        self.model = model
    }

    /// The passages for `question`, best first.
    public func retrieve(_ question: String, options: RetrievalOptions) async throws -> [RetrievedPassage] {
        try options.validate()
        let collection = index.collection
        let pool = max(options.candidates, options.k)
        var lists: [[CollectionHit]] = []
        switch options.expansion {
        case .none:
            lists = [try collection.query(question, k: pool, mode: options.mode, where: options.filter)]
        case .multiQuery(let count):
            let rewrites = try await alternativeQuestions(question, count: count)
            for q in [question] + rewrites { lists.append(try collection.query(q, k: pool, mode: options.mode, where: options.filter)) }
        case .hypotheticalDocument:
            let passage = try await hypotheticalPassage(question)
            switch options.mode {
            case .bm25: lists = [try collection.query(question, k: pool, mode: .bm25, where: options.filter)]
            case .vector: lists = [try collection.query(passage, k: pool, mode: .vector, where: options.filter)]
            case .hybrid:
                lists = [try collection.query(question, k: pool, mode: .bm25, where: options.filter),
                         try collection.query(passage, k: pool, mode: .vector, where: options.filter)]
            }
        }
        var hits = lists.count == 1 ? lists[0] : Self.fuse(lists, limit: pool)
        // Similarities to the question (used by MMR, compression, the refusal gate and reports).
        let queryVector = try collection.embedding.embed([question])[0]
        let stored = try collection.embeddings(ofChunks: hits.map(\.chunkID))
        func similarity(_ h: CollectionHit) -> Double { stored[h.chunkID].map { cosine(queryVector, $0) } ?? 0 }
        switch options.rerank {
        case .none: break
        case .mmr(let lambda):
            let vectors = hits.map { stored[$0.chunkID] ?? [Float](repeating: 0, count: queryVector.count) }
            if !hits.isEmpty {
                let order = try maximalMarginalRelevance(query: queryVector, candidates: vectors, lambda: lambda, k: min(options.k, hits.count))
                hits = order.map { hits[$0] }
            }
        case .languageModel:
            hits = try await gradeWithModel(question, hits: Array(hits.prefix(max(options.k * 2, 10))))
        }
        var passages: [RetrievedPassage] = []
        var seenParents = Set<String>()
        for h in hits.prefix(options.k) {
            let sections = h.metadata["sections"].map { "\($0)" } ?? ""
            var p = RetrievedPassage(rank: 0, documentID: h.documentID, source: h.metadata["source"].map { "\($0)" } ?? h.documentID,
                                     title: h.metadata["title"].map { "\($0)" } ?? h.documentID, section: Self.section(sections, at: h.start),
                                     start: h.start, end: h.end, text: h.text, score: h.score, similarity: similarity(h), chunkID: h.chunkID)
            if let size = options.parentSize {
                let text = try collection.get(id: h.documentID).text
                let parents = try TextChunker(.recursive(size: size, overlap: 0)).chunks(text)
                let middle = (h.start + h.end) / 2
                if let parent = parents.first(where: { $0.start <= middle && middle < $0.end }) {
                    guard seenParents.insert("\(h.documentID)#\(parent.start)").inserted else { continue }
                    p.start = min(parent.start, h.start); p.end = max(parent.end, h.end)
                    let chars = Array(text)
                    p.text = String(chars[p.start..<p.end])
                }
            }
            passages.append(p)
        }
        if let threshold = options.compression { passages = try compress(passages, question: queryVector, threshold: threshold) }
        for i in passages.indices { passages[i].rank = i + 1 }
        return passages
    }

    /// Reciprocal-rank fusion of hit lists by chunk (k = 60): each chunk scores Σ 1/(60 + rank);
    /// ties keep the order of first appearance.
    public static func fuse(_ lists: [[CollectionHit]], limit: Int) -> [CollectionHit] {
        var score: [Int64: Double] = [:]
        var first: [Int64: CollectionHit] = [:]
        var order: [Int64] = []
        for list in lists {
            for (rank, h) in list.enumerated() {
                score[h.chunkID, default: 0] += 1 / (60 + Double(rank + 1))
                if first[h.chunkID] == nil { first[h.chunkID] = h; order.append(h.chunkID) }
            }
        }
        let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        return order.sorted { (score[$0]!, -position[$0]!) > (score[$1]!, -position[$1]!) }.prefix(limit).map { id in
            var h = first[id]!
            h.score = score[id]!
            return h
        }
    }

    /// The title of the section holding `offset`, from the stored `sections` field.
    static func section(_ stored: String, at offset: Int) -> String {
        var title = ""
        for line in stored.split(separator: "\n") {
            let f = line.split(separator: "\t", maxSplits: 3, omittingEmptySubsequences: false)
            guard f.count >= 3, let start = Int(f[0]) else { continue }
            if start <= offset { title = f.count > 3 ? String(f[3]) : "" } else { break }
        }
        return title
    }

    func requireModel(_ what: String) throws -> any RAGLanguageModel {
        guard let model else { throw RAGError.invalidParameter(name: what, value: "on", reason: "needs a language model (--llm or --endpoint)") }
        return model
    }

    /// Other phrasings of the question, one per line of the model's reply.
    func alternativeQuestions(_ question: String, count: Int) async throws -> [String] {
        let model = try requireModel("multi-query")
        let reply = try await model.complete([
            .system("You rewrite search questions. Reply with exactly \(count) different rephrasings of the user's question, one per line, without numbering or any other text."),
            .user(question),
        ], maxTokens: 40 * count)
        let lines = reply.split(whereSeparator: \.isNewline).map {
            $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "-*•0123456789.) "))
        }.filter { !$0.isEmpty && $0 != question }
        return Array(lines.prefix(count))
    }

    /// A passage that would answer the question (HyDE); the question itself if the model writes nothing.
    func hypotheticalPassage(_ question: String) async throws -> String {
        let model = try requireModel("hyde")
        let reply = try await model.complete([
            .system("Write a short passage from a technical manual that answers the question. Reply with the passage only."),
            .user(question),
        ], maxTokens: 120)
        let passage = reply.trimmingCharacters(in: .whitespacesAndNewlines)
        return passage.isEmpty ? question : passage
    }

    /// Candidates sorted by the model's 0–10 grade (the first integer in its reply; 0 if none).
    func gradeWithModel(_ question: String, hits: [CollectionHit]) async throws -> [CollectionHit] {
        let model = try requireModel("llm re-ranking")
        var graded: [(Double, Int, CollectionHit)] = []
        for (i, h) in hits.enumerated() {
            let reply = try await model.complete([
                .system("You grade how well a passage answers a question. Reply with one integer from 0 (unrelated) to 10 (answers it fully)."),
                .user("Question: \(question)\n\nPassage:\n\(h.text)\n\nGrade (0-10):"),
            ], maxTokens: 4)
            let digits = reply.drop { !$0.isNumber }.prefix { $0.isNumber }
            let grade = min(10, Double(digits) ?? 0)
            var hit = h
            hit.score = grade
            graded.append((grade, i, hit))
        }
        return graded.sorted { ($0.0, -$0.1) > ($1.0, -$1.1) }.map(\.2)
    }

    /// Keeps the sentences of each passage similar enough to the question.
    func compress(_ passages: [RetrievedPassage], question: [Float], threshold: Double) throws -> [RetrievedPassage] {
        try passages.map { p in
            let ranges = TextChunker.sentenceRanges(p.text)
            guard ranges.count > 1 else { return p }
            let chars = Array(p.text)
            let sentences = ranges.map { String(chars[$0]) }
            let vectors = try index.collection.embedding.embed(sentences)
            let scores = vectors.map { cosine(question, $0) }
            let best = scores.indices.max { scores[$0] < scores[$1] }!
            let kept = ranges.indices.filter { $0 == best || scores[$0] >= threshold }
            var q = p
            q.text = kept.map { sentences[$0] }.joined(separator: " … ")
            q.start = p.start + ranges[kept.first!].lowerBound
            q.end = p.start + ranges[kept.last!].upperBound
            return q
        }
    }
}
