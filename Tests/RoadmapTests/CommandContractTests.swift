import Foundation
import Testing
import Roadmap

/// Runs `swiftlearn` with `arguments`, a private home and `input` on standard input; returns exit
/// status, stdout and stderr. A run still going after `timeout` seconds is killed and reported as
/// status -1 with "timed out" on stderr, so a hang fails its test instead of blocking the suite.
func swiftlearn(_ arguments: [String], input: Data, home: URL, timeout: Double = 120, environment: [String: String?] = [:],
                directory: URL? = nil) throws -> (status: Int32, out: String, err: String) {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("sl-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let inURL = scratch.appendingPathComponent("in"), outURL = scratch.appendingPathComponent("out"), errURL = scratch.appendingPathComponent("err")
    try input.write(to: inURL)
    for url in [outURL, errURL] { try Data().write(to: url) }
    let p = Process()
    p.executableURL = swiftlearnBinary!
    p.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["SWIFTLEARN_HOME"] = home.path
    for (k, v) in environment { env[k] = v }
    p.environment = env
    if let directory { p.currentDirectoryURL = directory }
    // Files, not pipes: a command that writes a lot cannot block on a full pipe while we wait.
    let stdin = try FileHandle(forReadingFrom: inURL), out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
    defer { try? stdin.close(); try? out.close(); try? err.close() }
    p.standardInput = stdin
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let deadline = Date().addingTimeInterval(timeout)
    while p.isRunning && Date() < deadline { usleep(5_000) }
    var timedOut = false
    if p.isRunning {
        timedOut = true
        kill(p.processIdentifier, SIGKILL)
    }
    p.waitUntilExit()
    let o = String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self)
    let e = String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self)
    if timedOut { return (-1, o, e + "\n[timed out after \(timeout) s]") }
    // A death by signal (a trap, a segfault) reads as 128+signal, never as 1 or 64.
    if p.terminationReason == .uncaughtSignal { return (128 + p.terminationStatus, o, e) }
    return (p.terminationStatus, o, e)
}

/// Bad input to a command ends with exit 1 or 64 and a message that names the input — never a
/// crash, a silent replacement or a plausible wrong result. (The start of the per-command
/// contract suite the hardening issue asks for; each case here was a crash or a silent answer.)
@Suite(.enabled(if: swiftlearnBinary != nil, "the swiftlearn executable is not built (swift build --build-tests builds it)"))
struct CommandContractTests {
    static let fixtures = repositoryRoot.appendingPathComponent("Tests/RetrievalTests/Fixtures")
    static let vocab = repositoryRoot.appendingPathComponent("Tests/NLPTests/Fixtures/minilm_vocab.txt").path

    @Test func badInputsEndCleanlyAndNameTheInput() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("contract-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let vectors = Self.fixtures.appendingPathComponent("index_v1_vectors.npy").path
        let index = home.appendingPathComponent("v.idx").path
        #expect(try swiftlearn(["index", "build", "--vectors", vectors, "--kind", "ivf", "--set", "nlist=4", "--output", index], home: home).status == 0)
        let cases: [(args: [String], stdin: Data, mentions: String)] = [
            (["tokenize", "encode", "--tokenizer", Self.vocab], Data([0x6f, 0x6b, 0x0a, 0x62, 0xff, 0x0a]), "line 2 is not valid UTF-8"),
            (["index", "build", "--vectors", vectors, "--kind", "hnsw", "--set", "seed=-1", "--output", index + "2"], Data(), "seed"),
            (["index", "build", "--vectors", vectors, "--kind", "hnsw", "--set", "ef_construction=1000000000", "--output", index + "2"], Data(), "ef_construction"),
            (["index", "query", "--index", index, "--queries", vectors, "--k", "3", "--set", "nprobe=0"], Data(), "nprobe"),
            (["collection", "create", "huge", "--dimension", "1000000000", "--home", home.path], Data(), "--dimension"),
        ]
        for c in cases {
            let r = try swiftlearn(c.args, input: c.stdin, home: home)
            #expect(r.status == 1 || r.status == 64, "\(c.args.joined(separator: " ")): exit \(r.status)")
            #expect(r.err.contains(c.mentions), "\(c.args.joined(separator: " ")): \(r.err)")
            #expect(!r.err.contains("NSCocoaErrorDomain") && !r.err.contains("DecodingError"), "\(r.err)")
        }
        // A diverging run stops with the epoch and step, and saves nothing.
        let weights = home.appendingPathComponent("out/w.safetensors")
        let diverged = try swiftlearn(["train", "--recipe", "mlp-digits", "--lr", "1e308", "--epochs", "2", "--save", weights.path, "--plot", "none"],
                                      input: Data(), home: home)
        #expect(diverged.status == 1 && diverged.err.contains("diverged at epoch 1, step"), "\(diverged.err)")
        #expect(!FileManager.default.fileExists(atPath: weights.path))
        // k beyond the index: what exists, and the output says so.
        let wide = try swiftlearn(["index", "query", "--index", index, "--queries", vectors, "--k", "1000000000", "--set", "nprobe=4", "--json"],
                                  input: Data(), home: home)
        #expect(wide.status == 0, "\(wide.err)")
        #expect(wide.out.contains("\"k\": 40") && wide.out.contains("\"requested_k\": 1000000000"), "\(wide.out)")
    }
}

/// The contract over every command: each file input is given a missing file, an empty file, a
/// directory, a truncated file, a file of the wrong format, UTF-16 text, invalid UTF-8 and NUL
/// bytes; each number option 1e12, 1e400, 2^63, Int.max, -1, 0, nan and text; each output path a
/// directory, a path under a regular file and a folder that cannot be made. Every case must end
/// within its time limit with exit 1 or 64 and a message naming the input — or exit 0 where the
/// value is valid — and never print a Foundation error dump, a `DecodingError` or an internal type.
@Suite(.enabled(if: swiftlearnBinary != nil, "the swiftlearn executable is not built (swift build --build-tests builds it)"))
struct CommandContractSweepTests {
    static let data = repositoryRoot.appendingPathComponent("Sources/Datasets/Data")
    static let iris = data.appendingPathComponent("iris.csv").path
    static let vectors = repositoryRoot.appendingPathComponent("Tests/RetrievalTests/Fixtures/index_v1_vectors.npy").path
    static let vocab = repositoryRoot.appendingPathComponent("Tests/NLPTests/Fixtures/minilm_vocab.txt").path
    static let bpe = repositoryRoot.appendingPathComponent("Tests/NLPTests/Fixtures/nlp_bpe_trained.json").path
    static let tinyLlama = repositoryRoot.appendingPathComponent("Tests/LLMTests/Fixtures/tiny_llama.gguf").path
    static let tinyBert = repositoryRoot.appendingPathComponent("Tests/LLMTests/Fixtures/tiny_bert").path

    /// A scratch folder with one file of each bad kind, a model, an index and a collection.
    final class Workspace {
        let root: URL, home: URL
        var model: String { root.appendingPathComponent("model.json").path }
        var index: String { root.appendingPathComponent("v.idx").path }
        var regularFile: String { root.appendingPathComponent("regular.txt").path }

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("contract-sweep-\(UUID().uuidString)")
            home = root.appendingPathComponent("home")
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            for folder in ["a-directory", "a-directory.safetensors"] {
                try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
            }
            let files: [String: Data] = [
                "empty.bin": Data(),
                "utf16.txt": "name,value\nα,1\n".data(using: .utf16)!,
                "invalid-utf8.txt": Data([0x61, 0x2c, 0x62, 0x0a, 0x31, 0x2c, 0xff, 0xfe, 0x0a]),
                "nul.txt": Data("a,b\n1,\u{0}2\n".utf8),
                "wrong-format.bin": Data([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] + Array(repeating: 0x41, count: 64)),
                "truncated.bin": try Data(contentsOf: URL(fileURLWithPath: CommandContractSweepTests.vectors)).prefix(100),
                "truncated.csv": Data(try String(contentsOfFile: CommandContractSweepTests.iris, encoding: .utf8).prefix(300).utf8),
                "truncated.json": Data(#"{"format": "swiftlearn-progress", "version": 1, "marks": [{"#.utf8),
                "regular.txt": Data("hello\n".utf8),
            ]
            for (name, bytes) in files { try bytes.write(to: root.appendingPathComponent(name)) }
        }

        func path(_ name: String) -> String { root.appendingPathComponent(name).path }

        /// The bad inputs: missing, empty, a directory, truncated, wrong format, UTF-16, invalid UTF-8, NUL bytes.
        var badFiles: [String] {
            [path("missing.file"), path("empty.bin"), path("a-directory"), path("truncated.bin"), path("truncated.csv"),
             path("truncated.json"), path("wrong-format.bin"), path("utf16.txt"), path("invalid-utf8.txt"), path("nul.txt")]
        }

        /// Output paths that cannot be written: a directory, a path under a regular file, a folder in /proc.
        var badOutputs: [String] { [path("a-directory"), regularFile + "/out.file", "/proc/swiftlearn-no/out.file"] }

        /// Folder paths that cannot be folders: a regular file, a path under one, a folder in /proc.
        var badFolders: [String] { [regularFile, regularFile + "/sub", "/proc/swiftlearn-no/sub"] }
    }

    static let numbers = ["1e12", "1e400", "9223372036854775808", "9223372036854775807", "-1", "0", "nan", "text"]

    struct Outcome: CustomStringConvertible {
        let args: [String], status: Int32, out: String, err: String
        var description: String { "swiftlearn \(args.joined(separator: " ")) → exit \(status)\n\(err.prefix(600))" }
    }

    static func run(_ args: [String], _ w: Workspace, input: Data = Data(), timeout: Double = 60) throws -> Outcome {
        let r = try swiftlearn(args, input: input, home: w.home, timeout: timeout)
        return Outcome(args: args, status: r.status, out: r.out, err: r.err)
    }

    /// The message text a user must never see.
    static let forbidden = ["NSCocoaErrorDomain", "DecodingError", "NSPOSIXErrorDomain", "Swift.", "Foundation.", "_NSError", "keyNotFound",
                            "typeMismatch", "dataCorrupted", "Fatal error", "UserInfo=", "file error "]

    /// Checks a case that must fail: exit 1 or 64, the message names `mentions`, no dump.
    static func expectRefused(_ o: Outcome, mentions: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(o.status == 1 || o.status == 64, "\(o)", sourceLocation: sourceLocation)
        let text = o.err + o.out
        #expect(mentions.contains { text.contains($0) }, "does not name \(mentions): \(o)", sourceLocation: sourceLocation)
        for f in forbidden { #expect(!text.contains(f), "shows '\(f)': \(o)", sourceLocation: sourceLocation) }
    }

    /// The file-input table: each template with "@" where the bad file goes, and the bad files
    /// that are in fact valid for it (a truncated CSV is still text to a text corpus; an empty
    /// JSON-lines file is zero documents) — for those, exit 0 is a correct answer too.
    static func fileTemplates(_ w: Workspace) -> [(args: [String], valid: Set<String>)] {
        let text: Set<String> = ["truncated.csv", "truncated.json"]
        return [
            (["learn", "fit", "--model", "logistic-regression", "--train", "@", "--target", "target"], []),
            (["learn", "fit", "--model", "logistic-regression", "--train", iris, "--target", "target", "--test", "@"], []),
            (["learn", "predict", "--model-file", "@", "--data", iris], []),
            (["learn", "predict", "--model-file", w.model, "--data", "@"], []),
            (["learn", "cluster", "--model", "kmeans", "--data", "@"], []),
            (["learn", "reduce", "--model", "pca", "--data", "@", "--output", w.path("reduced.csv")], []),
            (["tokenize", "train", "--input", "@", "--vocab-size", "300", "--output", w.path("tok.json")], text),
            (["tokenize", "encode", "--tokenizer", "@"], []),
            (["collection", "add", "docs", "@"], text),
            (["collection", "add", "docs", "--jsonl", "@"], ["empty.bin"]),
            (["index", "build", "--vectors", "@", "--kind", "flat", "--output", w.path("built.idx")], []),
            (["index", "query", "--index", "@", "--queries", vectors], []),
            (["index", "query", "--index", w.index, "--queries", "@"], []),
            (["progress", "import", "@"], []),
            (["bench", "learn", "--manifest", "@", "--runs", "1"], []),
            (["bench", "retrieval", "--corpus", "@", "--queries", w.path("tokens.json"), "--runs", "1"], []),
            (["bench", "retrieval", "--corpus", w.path("tokens.json"), "--queries", "@", "--runs", "1"], []),
            (["bench", "nlp", "--corpus", "@", "--bpe", bpe, "--runs", "1"], text),
            (["bench", "nlp", "--corpus", w.path("lines.txt"), "--bpe", "@", "--runs", "1"], []),
            (["bench", "nlp", "--corpus", w.path("lines.txt"), "--bpe", bpe, "--wordpiece", "@", "--runs", "1"], []),
            (["lm", "info", "--model", "@"], []),
            (["lm", "tokenize", "--model", "@"], []),
            (["lm", "score", "--model", "@", "--input", w.path("lines.txt")], []),
            (["lm", "score", "--model", tinyLlama, "--input", "@"], ["truncated.csv", "truncated.json"]),
            (["generate", "--model", "@", "--prompt", "hi", "--max-tokens", "2"], []),
            (["generate", "--model", tinyLlama, "--prompt-file", "@", "--max-tokens", "2"], ["truncated.json"]),
            (["generate", "--model", tinyLlama, "--prompt", "hi", "--max-tokens", "2", "--grammar", "@"], []),
            (["generate", "--model", tinyLlama, "--prompt", "hi", "--max-tokens", "2", "--json-schema", "@"], []),
            (["chat", "--model", "@"], []),
            (["bench", "llm", "--model", "@", "--runs", "1"], []),
            (["embed", "--model", "@", "--input", w.path("lines.txt")], []),
            (["embed", "--model", tinyBert, "--input", "@"], text),
            (["collection", "create", "neural", "--embedding", "@"], []),
        ]
    }

    /// Builds the good inputs the templates lean on: a saved model, an index, a collection, token files.
    static func prepare(_ w: Workspace) throws {
        #expect(try run(["learn", "fit", "--model", "logistic-regression", "--train", iris, "--target", "target", "--save", w.model], w).status == 0)
        #expect(try run(["index", "build", "--vectors", vectors, "--kind", "flat", "--output", w.index], w).status == 0)
        #expect(try run(["collection", "create", "docs"], w).status == 0)
        try Data(#"[["a", "b"], ["b", "c"]]"#.utf8).write(to: URL(fileURLWithPath: w.path("tokens.json")))
        try Data("one two three\nfour five six\n".utf8).write(to: URL(fileURLWithPath: w.path("lines.txt")))
    }

    @Test func everyFileInputRefusesBadFiles() throws {
        let w = try Workspace()
        defer { try? FileManager.default.removeItem(at: w.root) }
        try Self.prepare(w)
        var cases = 0
        for (template, valid) in Self.fileTemplates(w) {
            for bad in w.badFiles {
                let args = template.map { $0 == "@" ? bad : $0 }
                let o = try Self.run(args, w)
                cases += 1
                if valid.contains(URL(fileURLWithPath: bad).lastPathComponent) && o.status == 0 { continue }
                // UTF-16 and NUL bytes are text to no command; an empty corpus is no corpus.
                Self.expectRefused(o, mentions: [bad, URL(fileURLWithPath: bad).lastPathComponent])
            }
        }
        #expect(cases == Self.fileTemplates(w).count * w.badFiles.count)
    }

    /// Each output path option given a path that cannot be written.
    static func outputTemplates(_ w: Workspace) -> [[String]] {
        [
            ["learn", "fit", "--model", "logistic-regression", "--train", iris, "--target", "target", "--save", "@"],
            ["learn", "predict", "--model-file", w.model, "--data", iris, "--output", "@"],
            ["learn", "cluster", "--model", "kmeans", "--data", iris, "--output", "@"],
            ["learn", "reduce", "--model", "pca", "--data", iris, "--output", "@"],
            ["tokenize", "train", "--input", w.path("lines.txt"), "--vocab-size", "300", "--output", "@"],
            ["index", "build", "--vectors", vectors, "--kind", "flat", "--output", "@"],
            ["index", "query", "--index", w.index, "--queries", vectors, "--output", "@"],
            ["index", "query", "--index", w.index, "--queries", vectors, "--scores", "@"],
            ["progress", "export", "--output", "@"],
            ["train", "--recipe", "mlp-digits", "--epochs", "1", "--save", "@.safetensors"],
            ["train", "--recipe", "mlp-digits", "--epochs", "1", "--plot", "@"],
            ["embed", "--model", tinyBert, "--input", w.path("lines.txt"), "--output", "@"],
        ]
    }

    /// Each folder option (outputs of many files, SwiftLearn's home) given a path that cannot be a folder.
    static let folderTemplates: [[String]] = [
        ["demo", "k-means", "--output", "@"],
        ["tour", "--filter", "k-means", "--output", "@"],
        ["progress", "mark", "pca", "--home", "@"],
        ["progress", "show", "--home", "@"],
        ["collection", "create", "docs", "--home", "@"],
        ["collection", "list", "--home", "@"],
    ]

    @Test func everyOutputRefusesUnwritablePaths() throws {
        let w = try Workspace()
        defer { try? FileManager.default.removeItem(at: w.root) }
        try Self.prepare(w)
        for template in Self.outputTemplates(w) {
            for bad in w.badOutputs {
                let args = template.map { $0.replacingOccurrences(of: "@", with: bad) }
                let named = args.first { $0.hasPrefix(bad) } ?? bad
                let o = try Self.run(args, w, timeout: 120)
                Self.expectRefused(o, mentions: [named, bad])
            }
        }
        for template in Self.folderTemplates {
            for bad in w.badFolders {
                let args = template.map { $0 == "@" ? bad : $0 }
                let o = try Self.run(args, w, timeout: 120)
                // A folder that does not exist yet is fine for a command that only reads it.
                if bad.hasPrefix("/proc/") && ["show", "list"].contains(args[1]) {
                    #expect(o.status == 0, "\(o)")
                } else {
                    Self.expectRefused(o, mentions: [bad, w.regularFile])
                }
            }
        }
    }

    /// An empty path (`--output ""`) used to mean the working directory: a report written into it,
    /// or "cannot write /current/folder: it is a directory". Every path option refuses it by name.
    @Test func everyPathOptionRefusesAnEmptyPath() throws {
        let w = try Workspace()
        defer { try? FileManager.default.removeItem(at: w.root) }
        try Self.prepare(w)
        var templates = Self.outputTemplates(w).filter { $0.contains("@") } + Self.folderTemplates
        templates += Self.fileTemplates(w).map(\.0).filter { t in t.firstIndex(of: "@").map { $0 > 0 && t[$0 - 1].hasPrefix("-") } ?? false }
        for template in templates {
            guard let at = template.firstIndex(of: "@") else { continue }
            let option = template[at - 1]
            for args in [template.map { $0 == "@" ? "" : $0 }, Array(template[..<(at - 1)]) + ["\(option)="] + Array(template[(at + 1)...])] {
                let o = try Self.run(args, w, timeout: 120)
                #expect(o.status == 64, "\(args): \(o)")
                // `--option=` is refused by ArgumentParser itself ("Missing value for '--option <…>'").
                #expect(o.err.contains("\(option) needs a path") || o.err.contains("Missing value for '\(option) "), "\(args): \(o)")
            }
        }
    }

    /// Each number option, with the values that are valid for it (exit 0 expected) and what the
    /// message must name otherwise.
    static func numberTemplates(_ w: Workspace) -> [(args: [String], valid: Set<String>, mentions: [String])] {
        [
            (["train", "--recipe", "mlp-digits", "--epochs", "@", "--plot", "none"], [], ["epochs"]),
            (["train", "--recipe", "mlp-digits", "--epochs", "1", "--batch-size", "@", "--plot", "none"], [], ["batch-size", "batch size"]),
            (["train", "--recipe", "mlp-digits", "--epochs", "1", "--lr", "@", "--plot", "none"], [], ["lr", "learning rate"]),
            (["search", "docs", "query", "--k", "@"], ["9223372036854775807"], ["k", "docs"]),
            (["index", "query", "--index", w.index, "--queries", vectors, "--k", "@"], ["9223372036854775807"], ["k"]),
            (["index", "query", "--index", w.index, "--queries", vectors, "--runs", "@"], [], ["runs"]),
            (["index", "query", "--index", w.index, "--queries", vectors, "--threads", "@"], ["0"], ["threads"]),
            (["collection", "create", "wide", "--dimension", "@"], [], ["dimension"]),
            (["collection", "create", "chunky", "--chunking", "characters:@:0"], [], ["chunking", "size"]),
            (["collection", "add", "docs", w.regularFile, "--batch-size", "@"], ["9223372036854775807"], ["batch-size", "batch size"]),
            (["tokenize", "train", "--input", w.path("lines.txt"), "--vocab-size", "@", "--output", w.path("t.json")], ["9223372036854775807"], ["vocab-size", "vocabulary size"]),
            (["tokenize", "train", "--input", w.path("lines.txt"), "--vocab-size", "300", "--min-frequency", "@", "--output", w.path("t.json")], ["0", "9223372036854775807"], ["min-frequency"]),
            (["bench", "tensor", "--runs", "@", "--filter", "none"], [], ["runs"]),
            (["bench", "tensor", "--sizes", "@", "--filter", "sgemm", "--runs", "1"], [], ["sizes"]),
            (["bench", "neural", "--runs", "@", "--filter", "none"], [], ["runs"]),
            (["bench", "neural", "--steps", "@", "--filter", "none"], [], ["steps"]),
            (["bench", "nlp", "--corpus", w.path("lines.txt"), "--bpe", bpe, "--runs", "@"], [], ["runs"]),
            (["bench", "retrieval", "--corpus", w.path("tokens.json"), "--queries", w.path("tokens.json"), "--runs", "@"], [], ["runs"]),
            (["bench", "retrieval", "--corpus", w.path("tokens.json"), "--queries", w.path("tokens.json"), "--runs", "1", "--k", "@"], ["9223372036854775807"], ["k"]),
            (["bench", "learn", "--manifest", w.path("lines.txt"), "--runs", "@"], [], ["runs"]),
            (["learn", "fit", "--model", "logistic-regression", "--train", iris, "--target", "target", "--seed", "@"], ["0"], ["seed", "random_state"]),
            (["embed", "--model", tinyBert, "--input", w.path("lines.txt"), "--threads", "@"], ["0"], ["threads"]),
            (["generate", "--model", tinyLlama, "--prompt", "hi", "--max-tokens", "@"], [], ["max-tokens"]),
            (["generate", "--model", tinyLlama, "--prompt", "hi", "--max-tokens", "2", "--context", "@"], [], ["context"]),
            (["generate", "--model", tinyLlama, "--prompt", "hi", "--max-tokens", "2", "--top-k", "@"], ["0", "9223372036854775807"], ["top_k", "top-k"]),
            (["generate", "--model", tinyLlama, "--prompt", "hi", "--max-tokens", "2", "--temperature", "@"], ["0"], ["temperature"]),
            (["generate", "--model", tinyLlama, "--prompt", "hi", "--max-tokens", "2", "--logprobs", "@", "--json"], ["0"], ["logprobs"]),
            (["generate", "--model", tinyLlama, "--prompt", "hi", "--max-tokens", "2", "--threads", "@"], ["0"], ["threads"]),
            (["lm", "score", "--model", tinyLlama, "--input", w.path("lines.txt"), "--context", "@"], [], ["context"]),
            (["lm", "score", "--model", tinyLlama, "--input", w.path("lines.txt"), "--context", "8", "--stride", "@"], [], ["stride"]),
            (["bench", "llm", "--model", tinyLlama, "--runs", "@", "--prompt-tokens", "4", "--generate", "2"], [], ["runs"]),
            (["bench", "llm", "--model", tinyLlama, "--runs", "1", "--prompt-tokens", "@", "--generate", "2"], [], ["prompt-tokens"]),
            (["learn", "fit", "--model", "random-forest", "--train", iris, "--target", "target", "--set", "n_estimators=@"], [], ["n_estimators"]),
            (["progress", "log", "@", "note"], [], ["hours", "positive"]),
            (["progress", "review", "pca", "--rate", "@"], ["0"], ["rate", "0…5"]),
            (["progress", "plan", "--hours-per-week", "@"], [], ["hours-per-week", "positive"]),
            (["progress", "stress-write", "--count", "@"], ["0"], ["count"]),
            (["demo", "k-means", "--seed", "@", "--output", w.path("demo")], ["0", "9223372036854775807", "9223372036854775808"], ["seed"]),
        ]
    }

    @Test func everyNumberOptionRefusesOutOfRangeValues() throws {
        let w = try Workspace()
        defer { try? FileManager.default.removeItem(at: w.root) }
        try Self.prepare(w)
        #expect(try Self.run(["collection", "add", "docs", w.path("lines.txt")], w).status == 0)
        #expect(try Self.run(["progress", "mark", "pca"], w).status == 0)
        for (template, valid, mentions) in Self.numberTemplates(w) {
            for value in Self.numbers {
                let args = template.map { $0.replacingOccurrences(of: "@", with: value) }
                let o = try Self.run(args, w, timeout: 60)
                if valid.contains(value) {
                    #expect(o.status == 0, "\(o)")
                } else {
                    Self.expectRefused(o, mentions: mentions)
                }
            }
        }
    }

    /// Single cases the tables do not reach: a file of the wrong tokenizer kind, an empty list
    /// item, a plan whose finish date is past what a date can show.
    @Test func singleCasesEndCleanly() throws {
        let w = try Workspace()
        defer { try? FileManager.default.removeItem(at: w.root) }
        try Data("one two\n".utf8).write(to: URL(fileURLWithPath: w.path("lines.txt")))
        let cases: [(args: [String], mentions: [String])] = [
            (["bench", "nlp", "--corpus", w.path("lines.txt"), "--bpe", Self.bpe, "--wordpiece", Self.bpe, "--runs", "1"], ["--wordpiece"]),
            (["bench", "nlp", "--corpus", w.path("lines.txt"), "--bpe", Self.vocab, "--runs", "1"], ["--bpe", Self.vocab]),
            (["bench", "tensor", "--sizes", "8,,", "--runs", "1"], ["--sizes"]),
            (["bench", "tensor", "--sizes", "", "--runs", "1"], ["--sizes"]),
            (["progress", "plan", "--hours-per-week", "0.0001", "--start", "9999-01-01"], ["9999"]),
            (["progress", "plan", "--hours-per-week", "1e-300"], ["hours-per-week", "9999"]),
            (["collection", "create", "bad/name"], ["bad/name"]),
            (["search", "no-such-collection", "query"], ["no-such-collection"]),
            (["tokenize", "encode", "--tokenizer", w.path("missing.json")], ["missing.json"]),
        ]
        for c in cases { Self.expectRefused(try Self.run(c.args, w), mentions: c.mentions) }
    }
}
