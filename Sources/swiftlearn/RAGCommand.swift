import ArgumentParser
import Foundation
import SwiftLearn

/// `swiftlearn rag …`: retrieval-augmented generation over your files.
struct RAGCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rag",
        abstract: "Index files, ask questions answered with citations, and evaluate retrieval and answers.",
        subcommands: [RAGIndexCommand.self, RAGAskCommand.self, RAGChatCommand.self, RAGEvalCommand.self]
    )
}

/// The options that pick the language model: a local GGUF file or an endpoint.
struct RAGModelOptions: ParsableArguments {
    @Option(help: "A GGUF chat model to answer with (e.g. models/SmolLM2-135M-Instruct.Q4_1.gguf).") var llm: String?
    @Option(help: "An OpenAI- or Anthropic-compatible base URL to answer with instead, e.g. http://127.0.0.1:8080/v1.") var endpoint: String?
    @Option(help: "The endpoint's model name.") var model: String?
    @Option(help: "openai or anthropic: the API the endpoint speaks.") var api = "openai"
    @Option(help: "API key for the endpoint (default: OPENAI_API_KEY or ANTHROPIC_API_KEY).") var apiKey: String?
    @Option(help: "Context length of the local model (default: its own, at most 4096).") var context: Int?

    func validate() throws {
        if llm != nil && endpoint != nil { throw ValidationError("give --llm or --endpoint, not both") }
        try validateModelSource(endpoint: endpoint, model: model, api: api, context: context)
    }

    /// The model, or nil when none was given.
    func load() throws -> (any RAGLanguageModel)? {
        if let llm { return try LocalLanguageModel(contentsOf: URL(fileURLWithPath: llm), contextLength: context) }
        if let endpoint, let model {
            return EndpointLanguageModel(baseURL: URL(string: endpoint)!, model: model, apiKey: endpointKey(apiKey, api: api), anthropic: api == "anthropic")
        }
        return nil
    }
}

/// Checks the endpoint options shared by `rag` and `agent`: an http(s) URL with a model name,
/// a known API, a sane context length.
func validateModelSource(endpoint: String?, model: String?, api: String, context: Int?) throws {
    if let e = endpoint {
        guard let url = URL(string: e), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            throw ValidationError("--endpoint must be an http(s) URL, got '\(e)'")
        }
        guard let m = model, !m.isEmpty else { throw ValidationError("--endpoint needs --model") }
    }
    guard api == "openai" || api == "anthropic" else { throw ValidationError("--api must be openai or anthropic, got '\(api)'") }
    if let c = context { try checkRange(c, option: "--context", 64...1_048_576) }
}

/// The API key: the option, else OPENAI_API_KEY or ANTHROPIC_API_KEY.
func endpointKey(_ given: String?, api: String) -> String? {
    given ?? ProcessInfo.processInfo.environment[api == "openai" ? "OPENAI_API_KEY" : "ANTHROPIC_API_KEY"]
}

/// The retrieval options shared by ask, chat and eval.
struct RAGRetrievalOptions: ParsableArguments {
    @Option(help: "Passages to retrieve.") var k = 5
    @Option(help: "bm25, vector or hybrid.") var mode = "hybrid"
    @Option(help: "Candidates searched before re-ranking.") var candidates = 20
    @Option(help: "Re-ranking: none, mmr or llm.") var rerank = "none"
    @Option(help: "MMR's λ (1 = relevance only).") var mmrLambda = 0.7
    @Option(help: "Query expansion: none, multi-query or hyde (both need a model).") var expand = "none"
    @Option(help: "Small-to-big: widen each hit to its parent window of this many characters.") var parentSize: Int?
    @Option(help: "Contextual compression: keep sentences whose similarity to the question is at least this.") var compress: Double?
    @Option(name: .customLong("where"), help: "Metadata filter as Chroma-style JSON, e.g. '{\"kind\": \"markdown\"}'.") var filter: String?

    func options() throws -> RetrievalOptions {
        var o = RetrievalOptions()
        o.k = k
        o.candidates = candidates
        guard let m = SearchMode(rawValue: mode) else { throw ValidationError("--mode must be bm25, vector or hybrid, got '\(mode)'") }
        o.mode = m
        switch rerank {
        case "none": o.rerank = .none
        case "mmr": o.rerank = .mmr(lambda: mmrLambda)
        case "llm": o.rerank = .languageModel
        default: throw ValidationError("--rerank must be none, mmr or llm, got '\(rerank)'")
        }
        switch expand {
        case "none": o.expansion = .none
        case "multi-query": o.expansion = .multiQuery(count: 3)
        case "hyde": o.expansion = .hypotheticalDocument
        default: throw ValidationError("--expand must be none, multi-query or hyde, got '\(expand)'")
        }
        o.parentSize = parentSize
        o.compression = compress
        o.filter = try filter.map { try MetadataFilter(json: $0) }
        do { try o.validate() } catch let e as RAGError { throw ValidationError(e.description) }
        return o
    }
}

struct RAGIndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Index files and folders into a RAG index (created on first use; later runs update it incrementally).",
        discussion: """
        Reads text, Markdown, HTML, CSV, JSON/JSON Lines and PDF (with pdftotext). A document whose text is unchanged \
        embeds nothing; a changed one embeds only its new chunks; documents whose files are gone from the given folders \
        are removed.
        """)
    @Argument(help: "Index name.") var name: String
    @Argument(help: "Files and folders to index.") var paths: [String]
    @Option(help: "A sentence-transformers model folder (e.g. models/all-MiniLM-L6-v2) or an OpenAI-compatible base URL; default: hashed features.")
    var embedding: String?
    @Option(help: "The model name at an embeddings URL.") var embeddingModel: String?
    @Option(help: "Chunking of a new index: sections:SIZE, semantic:SIZE:PERCENTILE, recursive:SIZE:OVERLAP, sentences:…, tokens:…, characters:… (default sections:1000; an existing index keeps its own).")
    var chunking: String?
    @Option(help: "Glob of files to take from folders (repeatable; default: every supported extension).") var include: [String] = []
    @Option(help: "Glob of files or folders to skip (repeatable).") var exclude: [String] = []
    @Flag(help: "Keep link targets in HTML text.") var keepLinks = false
    @Flag(help: "Print one JSON object.") var json = false
    @OptionGroup var home: HomeOption

    func run() throws {
        guard !paths.isEmpty else { throw ValidationError("give files or folders to index") }
        // Files are read first, so a bad path leaves no empty index behind.
        let documents = try DocumentLoader(include: include, exclude: exclude, keepLinks: keepLinks).load(paths)
        let store = home.collections
        let exists = (try? store.list())?.contains(name) ?? false
        let index: RAGIndex
        let requested: RAGChunking?
        do { requested = try chunking.map(RAGChunking.init(parsing:)) } catch let e as RAGError { throw ValidationError(e.description) }
        if exists {
            index = try RAGIndex.open(name, in: store)
            if let r = requested, r != index.chunking {
                throw ValidationError("index '\(name)' uses chunking \(index.chunking.storageText); make a new index for \(r.storageText)")
            }
            if let e = embedding {
                let stored = try store.storedEmbedding(of: name)
                let given = e.hasPrefix("http://") || e.hasPrefix("https://") ? "\(e)|\(embeddingModel ?? "")"
                    : URL(fileURLWithPath: e).standardizedFileURL.path
                guard stored.source == given else {
                    throw ValidationError("index '\(name)' was built with embedding \(stored.source ?? stored.name); --embedding \(e) differs (make a new index)")
                }
            }
        } else {
            let chunks = requested ?? .standard
            let function: any EmbeddingFunction
            if let e = embedding, e.hasPrefix("http://") || e.hasPrefix("https://") {
                guard let url = URL(string: e), let model = embeddingModel else { throw ValidationError("an embeddings URL needs --embedding-model") }
                function = try EndpointEmbedding(baseURL: url, model: model)
            } else if let e = embedding {
                function = try TransformerEmbedding(modelDirectory: URL(fileURLWithPath: e))
            } else {
                function = HashedFeatureEmbedding()
            }
            index = try RAGIndex.create(name, in: store, embedding: function, chunking: chunks)
        }
        let folders = paths.filter { var d: ObjCBool = false; return FileManager.default.fileExists(atPath: $0, isDirectory: &d) && d.boolValue }
        let report = try index.index(documents, pruneUnder: folders)
        let stats = try index.collection.stats()
        if json {
            var j = RAGJSON()
            j.add("index", name); j.add("documents_read", documents.count); j.add("added", report.upsert.added)
            j.add("updated", report.upsert.updated); j.add("unchanged", report.upsert.unchanged); j.add("removed", report.removed)
            j.add("chunks_embedded", report.upsert.chunksEmbedded); j.add("chunks_reused", report.upsert.chunksReused)
            j.add("documents", stats.documents); j.add("chunks", stats.chunks); j.add("embedding", index.collection.embedding.name)
            j.add("chunking", index.chunking.storageText); j.add("seconds", report.seconds)
            print(j.text)
        } else {
            let u = report.upsert
            print("\(name): read \(documents.count) documents — \(u.added) added, \(u.updated) updated, \(u.unchanged) unchanged, \(report.removed) removed; "
                  + "\(u.chunksEmbedded) chunks embedded, \(u.chunksReused) reused; now \(stats.documents) documents, \(stats.chunks) chunks "
                  + String(format: "(%.2f s)", report.seconds))
        }
    }
}

struct RAGAskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Answer a question from a RAG index, citing the sources ([n] → file and offsets).",
        discussion: "Without --llm or --endpoint, prints the retrieved passages only.")
    @Argument(help: "Index name.") var name: String
    @Argument(help: "The question.") var question: String
    @OptionGroup var model: RAGModelOptions
    @OptionGroup var retrieval: RAGRetrievalOptions
    @Option(help: "Refuse without generating when no passage's cosine similarity to the question reaches this.") var minRelevance: Double?
    @Option(help: "Most tokens of sources in the prompt.") var contextTokens: Int?
    @Option(help: "Most tokens in the answer.") var maxTokens = 200
    @Flag(inversion: .prefixedNo, help: "Print the answer as it is generated.") var stream = true
    @Flag(help: "Print one JSON object: answer, retrieved passages, citations.") var json = false
    @OptionGroup var home: HomeOption

    func validate() throws {
        if question.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw ValidationError("the question must not be empty") }
        try checkRange(maxTokens, option: "--max-tokens", 1...100_000)
        if let c = contextTokens { try checkRange(c, option: "--context-tokens", 1...1_000_000) }
        if let m = minRelevance, !(m >= -1 && m <= 1) { throw ValidationError("--min-relevance is a cosine similarity in -1...1, got \(m)") }
    }

    func run() async throws {
        let options = try retrieval.options()
        let index = try RAGIndex.open(name, in: home.collections)
        guard let lm = try model.load() else {
            let passages = try await RAGRetriever(index: index).retrieve(question, options: options)
            if json {
                var j = RAGJSON()
                j.add("question", question); j.add("answer", nil as String?); j.add("retrieved", objects: passages.map(\.json))
                print(j.text)
            } else {
                for p in passages { printPassage(p) }
                if passages.isEmpty { print("no matches") }
            }
            return
        }
        var o = RAGOptions()
        o.retrieval = options
        o.minRelevance = minRelevance
        o.contextTokens = contextTokens
        o.maxAnswerTokens = maxTokens
        let pipeline = RAGPipeline(index: index, model: lm, options: o)
        let live = stream && !json
        let answer = try await pipeline.answer(question) { piece in if live { FileHandle.standardOutput.write(Data(piece.utf8)) } }
        if json { print(answer.json.text); return }
        if live { print("") }
        print("\nAnswer: \(answer.answer)")
        printSources(answer)
    }
}

func printPassage(_ p: RetrievedPassage) {
    let preview = p.text.replacingOccurrences(of: "\n", with: " ").prefix(160)
    print("[\(p.rank)] \(p.source) [\(p.start)..<\(p.end)] \(p.section.isEmpty ? "" : "§ \(p.section) ")score \(String(format: "%.4f", p.score)) similarity \(String(format: "%.3f", p.similarity))\n    \(preview)")
}

func printSources(_ answer: RAGAnswer) {
    if answer.refused { print("(refused: \(answer.refusalReason ?? "model"))") }
    for c in answer.citations {
        print("  [\(c.n)] \(c.source) [\(c.start)..<\(c.end)] (\(c.method)): \(c.text.replacingOccurrences(of: "\n", with: " ").prefix(160))")
    }
}

struct RAGChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "A conversation over a RAG index: one question per line on standard input; follow-ups are rewritten with the history.")
    @Argument(help: "Index name.") var name: String
    @OptionGroup var model: RAGModelOptions
    @OptionGroup var retrieval: RAGRetrievalOptions
    @Option(help: "Refuse without generating when no passage's cosine similarity to the question reaches this.") var minRelevance: Double?
    @Option(help: "Most tokens in each answer.") var maxTokens = 200
    @OptionGroup var home: HomeOption

    func run() async throws {
        let options = try retrieval.options()
        let index = try RAGIndex.open(name, in: home.collections)
        guard let lm = try model.load() else { throw ValidationError("rag chat needs --llm or --endpoint") }
        var o = RAGOptions()
        o.retrieval = options
        o.minRelevance = minRelevance
        o.maxAnswerTokens = maxTokens
        let pipeline = RAGPipeline(index: index, model: lm, options: o)
        var history: [RAGMessage] = []
        FileHandle.standardError.write(Data("ask a question (end with Ctrl-D)\n> ".utf8))
        while let line = readLine() {
            let q = line.trimmingCharacters(in: .whitespaces)
            if q.isEmpty { FileHandle.standardError.write(Data("> ".utf8)); continue }
            let answer = try await pipeline.answer(q, history: history) { FileHandle.standardOutput.write(Data($0.utf8)) }
            print("")
            if answer.searchQuestion != q { print("(searched for: \(answer.searchQuestion))") }
            printSources(answer)
            history += [.user(q), .assistant(answer.plainAnswer)]
            FileHandle.standardError.write(Data("> ".utf8))
        }
    }
}

struct RAGEvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score retrieval (hit@k, recall@k, MRR, nDCG) per mode and re-ranker, and answers (EM, F1, citations, refusals) with a model.",
        discussion: """
        --qa is JSON Lines: {"id", "question", "answer", "source", "passage"} per line; unanswerable questions have \
        source null. A chunk is relevant when it comes from the source and holds ≥ 60% of the passage as one run of words.
        """)
    @Argument(help: "Index name.") var name: String
    @Option(help: "The question-and-answer file (JSON Lines).") var qa: String
    @Option(help: "Search modes to score, comma-separated.") var modes = "bm25,vector,hybrid"
    @Option(help: "Re-rankers to score on hybrid search, comma-separated (none, mmr, llm).") var rerankers = "none"
    @Option(help: "Candidates searched before re-ranking.") var candidates = 20
    @Option(help: "The search mode used for answers.") var answerMode = "hybrid"
    @Option(help: "Refuse without generating below this cosine similarity (answers only).") var minRelevance: Double?
    @Option(help: "Only the first N questions.") var limit: Int?
    @Option(help: "A GGUF model that judges faithfulness and relevance of the answers.") var judge: String?
    @Option(help: "Write the report page (index.html) into this folder.") var report: String?
    @Option(help: "Most tokens in each answer.") var maxTokens = 120
    @Option(help: "Write one JSON line per question and configuration (first relevant rank; answer) to this file.") var details: String?
    @OptionGroup var model: RAGModelOptions
    @Flag(help: "Print one JSON object.") var json = false
    @OptionGroup var home: HomeOption

    func run() async throws {
        var items = try QASet.load(qa)
        if let limit { try checkRange(limit, option: "--limit", 1...1_000_000); items = Array(items.prefix(limit)) }
        try checkRange(candidates, option: "--candidates", 10...10_000)
        let index = try RAGIndex.open(name, in: home.collections)
        let lm = try model.load()
        let retriever = RAGRetriever(index: index, model: lm)
        var results: [(name: String, metrics: RetrievalMetrics)] = []
        var detailLines: [String] = []
        let modeList = try modes.split(separator: ",").map { m -> SearchMode in
            guard let mode = SearchMode(rawValue: String(m)) else { throw ValidationError("--modes takes bm25, vector, hybrid; got '\(m)'") }
            return mode
        }
        let rerankList = try rerankers.split(separator: ",").map { r -> Reranking in
            switch r {
            case "none": return .none
            case "mmr": return .mmr(lambda: 0.7)
            case "llm": return .languageModel
            default: throw ValidationError("--rerankers takes none, mmr, llm; got '\(r)'")
            }
        }
        for mode in modeList {
            for rerank in (mode == .hybrid ? rerankList : [.none]) {
                var o = RetrievalOptions()
                o.mode = mode
                o.rerank = rerank
                o.candidates = candidates
                let (m, outcomes) = try await RAGEvaluation.retrieval(retriever, items: items, options: o)
                let label = rerank == .none ? mode.rawValue : "\(mode.rawValue)+\(rerank == .languageModel ? "llm" : "mmr")"
                results.append((label, m))
                for q in outcomes {
                    var j = RAGJSON()
                    j.add("id", q.id); j.add("configuration", label); j.add("first_relevant_rank", q.firstRelevantRank.map(Double.init))
                    detailLines.append(j.text)
                }
                if !json {
                    print("\(label.padding(toLength: 12, withPad: " ", startingAt: 0)) " + RetrievalMetrics.cutoffs.map { String(format: "hit@%d %.3f", $0, m.hit[$0] ?? 0) }.joined(separator: "  ")
                          + String(format: "  MRR %.3f  nDCG %.3f  (%d questions, %.2f s)", m.mrr, m.ndcg, m.questions, m.seconds))
                }
            }
        }
        var answers: (String, AnswerMetrics)?
        if let lm {
            var o = RAGOptions()
            guard let mode = SearchMode(rawValue: answerMode) else { throw ValidationError("--answer-mode must be bm25, vector or hybrid") }
            o.retrieval.mode = mode
            o.minRelevance = minRelevance
            o.maxAnswerTokens = maxTokens
            let judgeModel = try judge.map { try LocalLanguageModel(contentsOf: URL(fileURLWithPath: $0)) }
            let quiet = json
            let (m, outcomes) = try await RAGEvaluation.answers(RAGPipeline(index: index, model: lm, options: o), items: items, judge: judgeModel) { n, item, a in
                if !quiet { FileHandle.standardError.write(Data("\(n)/\(items.count) \(item.id) \(a.refused ? "refused" : "answered"): \(a.plainAnswer.prefix(80).replacingOccurrences(of: "\n", with: " "))\n".utf8)) }
            }
            answers = (lm.name, m)
            for q in outcomes {
                var j = RAGJSON()
                j.add("id", q.id); j.add("configuration", "answer"); j.add("answer", q.answer); j.add("refused", q.refused ?? false); j.add("f1", q.f1)
                detailLines.append(j.text)
            }
            if !json {
                print(String(format: "answers (%@): EM %.3f  F1 %.3f  citation precision %.3f (%d)  refusal %.3f on unanswerable, %.3f on answerable",
                             lm.name, m.exactMatch, m.f1, m.citationPrecision, m.citations, m.refusalRate, m.falseRefusalRate))
                if let f = m.faithfulness, let r = m.answerRelevance { print(String(format: "judge: faithfulness %.3f  answer relevance %.3f", f, r)) }
            }
        }
        if let details {
            do { try (detailLines.joined(separator: "\n") + "\n").write(toFile: details, atomically: true, encoding: .utf8) } catch {
                throw ValidationError("cannot write --details \(details): \(error.localizedDescription)")
            }
        }
        if let report {
            let url = try RAGReport.write(to: URL(fileURLWithPath: report), corpus: name, retrieval: results, answers: answers)
            if !json { print("report: \(url.path)") }
        }
        if json {
            var j = RAGJSON()
            j.add("index", name); j.add("questions", items.count)
            var r = RAGJSON()
            for (label, m) in results { r.add(label, raw: m.json.text) }
            j.add("retrieval", raw: r.text)
            if let (name, m) = answers { j.add("model", name); j.add("answers", raw: m.json.text) }
            print(j.text)
        }
    }
}
