import ArgumentParser
import Dispatch
import Foundation
import SwiftLearn
import SwiftLearnCore

/// Options shared by the commands that load a GGUF language model.
struct LanguageModelOptions: ParsableArguments {
    @Option(help: "A GGUF model file (e.g. models/SmolLM2-135M-Instruct.Q4_1.gguf from scripts/fetch_models.sh).") var model: String
    @Option(help: "Arithmetic: ggml (quantized, as llama.cpp) or float32 (dequantized, as transformers).") var precision: LlamaModel.Precision = .ggml
    @Option(help: "Threads for the matrix products (0: all CPUs).") var threads = 0

    func open() throws -> (file: GGUFFile, model: LlamaModel, tokenizer: GGUFTokenizer) {
        try checkRange(threads, option: "--threads", 0...1024)
        let file = try openGGUF(model)
        let m = try LlamaModel(file: file, precision: precision)
        m.threads = threads
        return (file, m, try GGUFTokenizer(file: file))
    }
}

extension LlamaModel.Precision: ExpressibleByArgument {}

/// Opens a GGUF file named by `--model` (`--model` is also `learn fit`'s model name, so an empty
/// value is refused here rather than with the other path options).
func openGGUF(_ path: String) throws -> GGUFFile {
    guard !path.isEmpty else { throw ValidationError("--model needs a path, not an empty string") }
    return try GGUFFile(contentsOf: URL(fileURLWithPath: path))
}

/// Sampling options, with llama.cpp's defaults (`--temperature 0` is greedy).
struct SamplingOptions: ParsableArguments {
    @Option(help: "Temperature (0: greedy).") var temperature: Float = 0.8
    @Option(help: "Keep the K most likely tokens (0: all).") var topK = 40
    @Option(help: "Nucleus sampling: the smallest set of tokens with this total probability.") var topP: Float = 0.95
    @Option(help: "Drop tokens less likely than this fraction of the best one.") var minP: Float = 0.05
    @Option(help: "Locally typical sampling (1: off).") var typicalP: Float = 1
    @Option(help: "Divide the logits of recent tokens by this (1: off).") var repeatPenalty: Float = 1
    @Option(help: "Subtract this times a recent token's count.") var frequencyPenalty: Float = 0
    @Option(help: "Subtract this from every recent token.") var presencePenalty: Float = 0
    @Option(help: "How many recent tokens the penalties look at.") var penaltyLastN = 64
    @Option(help: "Random seed (same seed, same text).") var seed: UInt64 = 0

    var parameters: SamplingParameters {
        var p = SamplingParameters()
        p.temperature = temperature; p.topK = topK; p.topP = topP; p.minP = minP; p.typicalP = typicalP
        p.repeatPenalty = repeatPenalty; p.frequencyPenalty = frequencyPenalty; p.presencePenalty = presencePenalty
        p.penaltyLastN = penaltyLastN; p.seed = seed
        return p
    }
}

/// Writes text to standard output at once (streaming).
func writeOut(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

/// `swiftlearn generate`: a continuation of a prompt, streamed as it is produced.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate text with a GGUF language model (streams the text; --json prints one object per token)."
    )

    @OptionGroup var modelOptions: LanguageModelOptions
    @Option(help: "The prompt text.") var prompt: String?
    @Option(help: "A file holding the prompt (UTF-8).") var promptFile: String?
    @Flag(help: "Treat the prompt as a user message and render the model's chat template around it.") var chat = false
    @Option(help: "A system message (with --chat).") var system: String?
    @Option(help: "Most tokens to generate.") var maxTokens = 128
    @Option(help: "Stop when this text appears (repeatable; not printed).") var stop: [String] = []
    @Option(help: "Report the log-probability and this many alternatives per token (with --json).") var logprobs: Int?
    @Option(help: "Context length (default: the model's).") var context: Int?
    @Option(help: "When the context is full, keep the first N tokens, drop the older half of the rest and go on (default: stop).") var keep: Int?
    @Option(help: "Beam search with N beams instead of sampling (prints the best hypothesis; --json lists them all).") var beams: Int?
    @OptionGroup var sampling: SamplingOptions
    @Flag(help: "One JSON object per token, then a summary object.") var json = false
    @Option(help: "Constrain the output to a GBNF grammar (llama.cpp's format) in this file.") var grammar: String?
    @Option(help: "Constrain the output to JSON valid under the JSON schema in this file.") var jsonSchema: String?

    func run() throws {
        guard (prompt == nil) != (promptFile == nil) else { throw ValidationError("give exactly one of --prompt and --prompt-file") }
        if grammar != nil && jsonSchema != nil { throw ValidationError("give at most one of --grammar and --json-schema") }
        if beams != nil && (grammar != nil || jsonSchema != nil) { throw ValidationError("--beams does not take --grammar or --json-schema") }
        let constraint = try grammar.map { try loadGrammar(path: $0, schema: false) } ?? jsonSchema.map { try loadGrammar(path: $0, schema: true) }
        try checkRange(maxTokens, option: "--max-tokens", 1...1_000_000)
        if let k = logprobs { try checkRange(k, option: "--logprobs", 0...20) }
        if system != nil && !chat { throw ValidationError("--system needs --chat") }
        var text = try prompt ?? readTextFile(promptFile!)
        let (_, model, tokenizer) = try modelOptions.open()
        if let c = context { try checkRange(c, option: "--context", 2...model.configuration.contextLength) }
        if let k = keep { try checkRange(k, option: "--keep", 0...((context ?? model.configuration.contextLength) - 2)) }
        if chat {
            let template = try ChatTemplate(tokenizer: tokenizer, path: modelOptions.model)
            text = try template.render((system.map { [ChatMessage.system($0)] } ?? []) + [.user(text)])
        }
        let generator = Generator(model: model, tokenizer: tokenizer)
        let ids = tokenizer.encode(text)
        if let file = promptFile {
            // Name the file when its text cannot be a prompt (empty, or longer than the context).
            let limit = context ?? model.configuration.contextLength
            if text.isEmpty { throw ValidationError("\(file) is empty: no prompt") }
            if ids.count >= limit { throw ValidationError("\(file) holds \(ids.count) tokens; the context holds \(limit) (prompt and reply)") }
        }
        if let beams {
            try checkRange(beams, option: "--beams", 1...64)
            let hypotheses = try generator.beamSearch(promptTokens: ids, beams: beams, maxTokens: maxTokens, contextLength: context)
            for h in (json ? hypotheses : Array(hypotheses.prefix(1))) {
                let text = tokenizer.decode(h.tokens, skipSpecial: true)
                if json {
                    print(JSONLine([("text", .string(text)), ("tokens", .int(h.tokens.count)), ("logprob", .double(h.logprob)),
                                    ("score", .double(h.score)), ("finish_reason", .string(h.ended ? "stop" : "length"))]).text)
                } else {
                    writeOut(text + "\n")
                }
            }
            return
        }
        let result = try generator.generate(promptTokens: ids, maxTokens: maxTokens, sampling: sampling.parameters, stop: stop,
                                            logprobs: json ? logprobs : nil, contextLength: context, contextShift: keep,
                                            grammar: constraint) { token in
            if json {
                var f: [(String, JSONValue)] = [("id", .int(token.id)), ("text", .string(token.text))]
                if let lp = token.logprob {
                    f.append(("logprob", .double(Double(lp.logprob))))
                    f.append(("top", .array(lp.top.map { .object([("id", .int($0.id)), ("logprob", .double(Double($0.logprob)))]) })))
                }
                print(JSONLine(f).text)
            } else {
                writeOut(token.text)
            }
            return true
        }
        if json {
            print(JSONLine([("text", .string(result.text)), ("tokens", .int(result.tokens.count)), ("prompt_tokens", .int(result.promptTokens)),
                            ("finish_reason", .string(result.finishReason.rawValue)),
                            ("prompt_tokens_per_second", .double(result.promptTokensPerSecond)),
                            ("generation_tokens_per_second", .double(result.generationTokensPerSecond))]).text)
        } else {
            writeOut("\n")
            FileHandle.standardError.write(Data(String(format: "[%d prompt tokens, %.1f tok/s; %d generated, %.1f tok/s; %@]\n",
                                                       result.promptTokens, result.promptTokensPerSecond, result.tokens.count,
                                                       result.generationTokensPerSecond, result.finishReason.rawValue).utf8))
        }
    }
}

/// A grammar file that cannot be used: the file and the grammar's own message (`line:column: …`
/// for GBNF, the JSON pointer or position for a schema).
struct GrammarFileError: Error, CustomStringConvertible {
    let path: String, error: GrammarError
    var description: String {
        switch error {
        case .syntax, .undefinedRule, .missingRoot: return "\(path):\(error.description)"
        default: return "\(path): \(error.description)"
        }
    }
}

/// Reads a GBNF grammar or a JSON schema file (`--grammar`, `--json-schema`).
func loadGrammar(path: String, schema: Bool) throws -> Grammar {
    let text = try readTextFile(path)
    do {
        return schema ? try JSONSchemaGrammar.grammar(schema: text) : try Grammar(gbnf: text)
    } catch let e as GrammarError {
        throw GrammarFileError(path: path, error: e)
    }
}

/// Ctrl-C during a reply stops the reply; at the prompt it ends the session.
final class InterruptFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var generating = false, interrupted = false
    private var source: DispatchSourceSignal?

    func install() {
        signal(SIGINT, SIG_IGN)
        let s = DispatchSource.makeSignalSource(signal: SIGINT, queue: DispatchQueue.global())
        s.setEventHandler { [self] in
            lock.lock(); defer { lock.unlock() }
            if generating { interrupted = true } else { FileHandle.standardError.write(Data("\n".utf8)); Foundation.exit(130) }
        }
        s.resume()
        source = s
    }

    func begin() { lock.lock(); generating = true; interrupted = false; lock.unlock() }
    func end() { lock.lock(); generating = false; lock.unlock() }
    var isInterrupted: Bool { lock.lock(); defer { lock.unlock() }; return interrupted }
}

/// `swiftlearn chat`: an interactive conversation with the model's chat template.
struct ChatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Chat with a GGUF instruct model (one message per line; /reset forgets the history; Ctrl-C stops a reply)."
    )

    @OptionGroup var modelOptions: LanguageModelOptions
    @Option(help: "A system message.") var system: String?
    @Option(help: "Most tokens per reply.") var maxTokens = 512
    @Option(help: "Context length (default: the model's).") var context: Int?
    @OptionGroup var sampling: SamplingOptions

    func run() throws {
        try checkRange(maxTokens, option: "--max-tokens", 1...1_000_000)
        let (_, model, tokenizer) = try modelOptions.open()
        if let c = context { try checkRange(c, option: "--context", 2...model.configuration.contextLength) }
        let template = try ChatTemplate(tokenizer: tokenizer, path: modelOptions.model)
        let generator = Generator(model: model, tokenizer: tokenizer)
        let interactive = isatty(0) != 0
        let flag = InterruptFlag()
        flag.install()
        var history: [ChatMessage] = system.map { [.system($0)] } ?? []
        var turn = 0
        var params = sampling.parameters
        if interactive { FileHandle.standardError.write(Data("Type a message (/reset to start over, Ctrl-D to quit).\n".utf8)) }
        while true {
            if interactive { FileHandle.standardError.write(Data("> ".utf8)) }
            guard let line = readLine() else { break }
            let message = line.trimmingCharacters(in: .whitespaces)
            if message.isEmpty { continue }
            if message == "/reset" {
                history = system.map { [.system($0)] } ?? []
                print("(history cleared)")
                continue
            }
            history.append(.user(message))
            params.seed = sampling.seed &+ UInt64(turn)
            turn += 1
            flag.begin()
            let result: GenerationResult
            do {
                // A template error (e.g. roles that must alternate) drops this message, not the session.
                let prompt = try template.render(history)
                result = try generator.generate(prompt: prompt, maxTokens: maxTokens, sampling: params, contextLength: context) { token in
                    writeOut(token.text)
                    return !flag.isInterrupted
                }
            } catch let error as LLMError {
                flag.end()
                history.removeLast()
                FileHandle.standardError.write(Data("error: \(error) (try /reset)\n".utf8))
                continue
            }
            flag.end()
            writeOut(result.finishReason == .cancelled ? " [stopped]\n" : "\n")
            history.append(.assistant(result.text))
        }
    }
}

/// `swiftlearn lm`: inspect a language model, tokenize with it, score text.
struct LMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lm",
        abstract: "Inspect a GGUF language model, tokenize text with it, or score a text (perplexity).",
        subcommands: [LMInfo.self, LMTokenize.self, LMScore.self]
    )
}

struct LMInfo: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Architecture, sizes, tensor types, tokenizer and chat template of a GGUF file.")
    @Option(help: "A GGUF model file.") var model: String
    @Flag(help: "One JSON object.") var json = false

    func run() throws {
        let s = try ModelSummary(file: openGGUF(model))
        var f: [(String, JSONValue)] = [("file", .string(model)), ("architecture", .string(s.architecture)), ("name", s.name.map { .string($0) } ?? .null),
                                        ("gguf_version", .int(s.version)), ("file_bytes", .int(s.fileBytes)), ("parameters", .int(s.parameterCount)),
                                        ("tensor_types", .object(s.tensorTypes.map { ($0.type, .int($0.count)) }))]
        if let c = s.configuration {
            f += [("layers", .int(c.layerCount)), ("dimension", .int(c.dimension)), ("heads", .int(c.headCount)), ("kv_heads", .int(c.kvHeadCount)),
                  ("feed_forward", .int(c.feedForwardDimension)), ("context_length", .int(c.contextLength)), ("rope_base", .double(Double(c.ropeBase))),
                  ("norm_epsilon", .double(Double(c.normEpsilon))),
                  ("head_dimension", .int(c.headDimension)), ("rope", .string(c.ropeStyle.rawValue)), ("normalization", .string(c.normalization.rawValue)),
                  ("feed_forward_kind", .string(c.feedForward.rawValue))]
        } else {
            f.append(("runnable", .string("no: architecture '\(s.architecture)' is not implemented (supported: \(LlamaConfiguration.supportedArchitectures.sorted().joined(separator: ", ")))")))
        }
        f += [("tokenizer", s.tokenizerModel.map { .string($0) } ?? .null), ("pre_tokenizer", s.preTokenizer.map { .string($0) } ?? .null),
              ("vocabulary", s.vocabularySize.map { .int($0) } ?? .null), ("chat_template", .bool(s.chatTemplate != nil))]
        printFields(f, json: json)
    }
}

struct LMTokenize: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tokenize", abstract: "Tokenize each line of standard input with the model's tokenizer (ids as llama.cpp).")
    @Option(help: "A GGUF model file.") var model: String
    @Flag(help: "Do not add BOS/EOS.") var noSpecialTokens = false
    @Flag(help: "Treat <|special|> text as ordinary text.") var noParseSpecial = false
    @Flag(help: "One JSON object per line with ids and pieces.") var json = false

    func run() throws {
        let tok = try GGUFTokenizer(file: openGGUF(model))
        for (number, line) in try standardInputLines().enumerated() {
            guard let line else { throw LLMError.invalidParameter(name: "standard input line \(number + 1)", value: "bytes", expected: "valid UTF-8 text") }
            let ids = tok.encode(line, addSpecial: !noSpecialTokens, parseSpecial: !noParseSpecial)
            if json {
                print(JSONLine([("ids", .array(ids.map { .int($0) })), ("pieces", .array(ids.map { .string(tok.tokens[$0]) }))]).text)
            } else {
                print(ids.map(String.init).joined(separator: " "))
            }
        }
    }
}

struct LMScore: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "score", abstract: "Per-token log-probabilities, argmax ids and the perplexity of a text file (sliding windows).")
    @OptionGroup var modelOptions: LanguageModelOptions
    @Option(help: "The text file to score (UTF-8).") var input: String
    @Option(help: "Tokens per window (default: 512, or the model's context if shorter).") var context: Int?
    @Option(help: "Window step (default: half the window).") var stride: Int?
    @Flag(help: "One JSON object per token, then a summary object.") var json = false

    func run() throws {
        let text = try readTextFile(input)
        let (_, model, tokenizer) = try modelOptions.open()
        let context = self.context ?? min(512, model.configuration.contextLength)
        try checkRange(context, option: "--context", 2...model.configuration.contextLength)
        if let s = stride { try checkRange(s, option: "--stride", 1...(context - 1)) }
        let ids = tokenizer.encode(text, parseSpecial: false)
        guard ids.count >= 2 else { throw ValidationError("\(input) has \(ids.count) token(s); scoring needs at least 2") }
        let (score, seconds) = try timed { try model.score(ids, context: context, stride: stride) }
        if json {
            for t in score.tokens {
                print(JSONLine([("id", .int(t.id)), ("piece", .string(tokenizer.tokens[t.id])), ("logprob", .double(t.logprob)),
                                ("argmax", .int(t.argmax))]).text)
            }
        }
        printFields([("file", .string(input)), ("tokens", .int(ids.count)), ("scored", .int(score.tokens.count)), ("windows", .int(score.windows)),
                     ("perplexity", .double(score.perplexity)), ("mean_nll", .double(score.meanNegativeLogLikelihood)),
                     ("top1", .double(score.topOneAccuracy)), ("seconds", .double(seconds))], json: json)
    }
}

/// `swiftlearn bench llm`: prompt-processing and generation speed of a GGUF model.
struct LLMBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "llm", abstract: "Prompt-processing and generation tokens/s of a GGUF model (greedy; medians).")
    @OptionGroup var modelOptions: LanguageModelOptions
    @Option(help: "Prompt tokens evaluated per run.") var promptTokens = 128
    @Option(help: "Tokens generated per run.") var generate = 64
    @Option(help: "Timed runs (the median is reported).") var runs = 3
    @Option(help: ArgumentHelp("Also measure batched decoding: aggregate generation tokens/s of this many concurrent sequences (comma separated, e.g. 1,2,4,8).",
                               discussion: "Each sequence evaluates its own prompt (not timed), then every step evaluates one token of each with one LlamaModel.decode call (greedy).")) var sequences: String?
    @Flag(help: "One JSON object per line.") var json = false

    func run() throws {
        try checkRange(runs, option: "--runs", 1...maximumRuns)
        let concurrent = try sequences.map { list in
            try list.split(separator: ",", omittingEmptySubsequences: false).map { s -> Int in
                guard let n = Int(s.trimmingCharacters(in: .whitespaces)), (1...LlamaSession.batchSize).contains(n) else {
                    throw ValidationError("--sequences takes numbers from 1 to \(LlamaSession.batchSize), got '\(s)'")
                }
                return n
            }
        } ?? []
        let (_, model, tokenizer) = try modelOptions.open()
        let n = model.configuration.contextLength
        try checkRange(promptTokens, option: "--prompt-tokens", 1...(n - 1))
        try checkRange(generate, option: "--generate", 1...(n - promptTokens))
        // A fixed, ordinary prompt: the tokens of a public-domain text repeated to the length asked.
        let base = tokenizer.encode("It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of foolishness, ", addSpecial: false)
        let prompt = [tokenizer.bosID ?? base[0]] + (0..<(promptTokens - 1)).map { base[$0 % base.count] }
        let session = try model.makeSession(contextLength: promptTokens + generate)
        var promptTimes: [Double] = [], generationTimes: [Double] = []
        for round in 0...runs {
            session.reset()
            let (logits, pSeconds) = try timed { try session.evaluate(prompt) }
            var next = Sampler.argmax(logits)
            let (_, gSeconds) = try timed {
                for _ in 0..<generate { next = Sampler.argmax(try session.evaluate(next)) }
            }
            if round > 0 { promptTimes.append(pSeconds); generationTimes.append(gSeconds) }   // round 0 warms up
        }
        func median(_ v: [Double]) -> Double { let s = v.sorted(); return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2 }
        let threads = modelOptions.threads > 0 ? modelOptions.threads : CPU.count
        for (name, tokens, seconds) in [("prompt", promptTokens, median(promptTimes)), ("generation", generate, median(generationTimes))] {
            printFields([("name", .string(name)), ("model", .string(URL(fileURLWithPath: modelOptions.model).lastPathComponent)),
                         ("precision", .string(modelOptions.precision.rawValue)), ("threads", .int(threads)), ("tokens", .int(tokens)),
                         ("seconds", .double(seconds)), ("tokens_per_second", .double(Double(tokens) / seconds))], json: json)
        }
        // Batched decoding: `count` sequences (prompts rotated so they differ), one decode per step.
        // Rounds go over every count in turn, so a machine that drifts slows them all alike; the
        // speed-up against one sequence is taken within each round, then the median.
        guard let widest = concurrent.max() else { return }
        let sessions = try (0..<widest).map { _ in try model.makeSession(contextLength: promptTokens + generate) }
        let rest = Array(prompt.dropFirst())
        let prompts = (0..<widest).map { k in [prompt[0]] + rest.indices.map { rest[($0 + k) % rest.count] } }
        // Each prompt is evaluated once; a round then drops what the last one generated (a context
        // "shift" with nothing after the cut only shortens the session), so rounds are decode only
        // and short, and the counts alternate quickly. Learned positions re-evaluate instead.
        let first = try zip(sessions, prompts).map { Sampler.argmax(try $0.evaluate($1)) }
        func rewind(_ k: Int) throws {
            let s = sessions[k]
            guard s.tokens.count > promptTokens else { return }
            do { try s.discard(from: promptTokens, count: s.tokens.count - promptTokens) } catch { s.reset(); _ = try s.evaluate(prompts[k]) }
        }
        var rates = [[Double]](repeating: [], count: concurrent.count)
        for round in 0...runs {
            for (c, count) in concurrent.enumerated() {
                for k in 0..<count { try rewind(k) }
                var next = Array(first[0..<count])
                let (_, seconds) = try timed {
                    for _ in 0..<generate {
                        next = try model.decode(zip(sessions, next).map { DecodeStep(session: $0, token: $1) }).map(Sampler.argmax)
                    }
                }
                if round > 0 { rates[c].append(Double(count * generate) / seconds) }   // round 0 warms up
            }
        }
        let single = concurrent.firstIndex(of: 1)
        for (c, count) in concurrent.enumerated() {
            var fields: [(String, JSONValue)] = [
                ("name", .string("batched generation")), ("model", .string(URL(fileURLWithPath: modelOptions.model).lastPathComponent)),
                ("precision", .string(modelOptions.precision.rawValue)), ("threads", .int(threads)), ("sequences", .int(count)),
                ("tokens", .int(count * generate)), ("tokens_per_second", .double(median(rates[c])))]
            if let single { fields.append(("speedup_vs_1", .double(median(zip(rates[c], rates[single]).map { $0 / $1 })))) }
            printFields(fields, json: json)
        }
    }
}
