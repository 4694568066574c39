import Foundation
import Testing

/// `swiftlearn generate`, `lm info|tokenize|score` and `bench llm` on the tiny Llama fixture (a
/// 2-layer model with a 300-token byte-level tokenizer and a ChatML template: it runs in CI).
@Suite(.enabled(if: swiftlearnBinary != nil, "the swiftlearn executable is not built (swift build --build-tests builds it)"))
struct LLMCommandTests {
    static let model = CommandContractSweepTests.tinyLlama

    static func objects(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func run(_ args: [String], input: Data = Data()) throws -> (status: Int32, out: String, err: String) {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("llm-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        return try swiftlearn(args, input: input, home: home)
    }

    @Test func infoDescribesTheFile() throws {
        let r = try run(["lm", "info", "--model", Self.model, "--json"])
        #expect(r.status == 0, "\(r.err)")
        let o = try #require(Self.objects(r.out).first)
        #expect(o["architecture"] as? String == "llama" && o["layers"] as? Int == 2 && o["kv_heads"] as? Int == 2)
        #expect(o["vocabulary"] as? Int == 300 && o["tokenizer"] as? String == "gpt2" && o["chat_template"] as? Bool == true)
        #expect((o["tensor_types"] as? [String: Int])?["q8_0"] != nil)
    }

    @Test func tokenizeRoundTripsEachLine() throws {
        let r = try run(["lm", "tokenize", "--model", Self.model, "--json"], input: Data("the cat\n<|im_start|>the\n".utf8))
        #expect(r.status == 0, "\(r.err)")
        let rows = Self.objects(r.out)
        #expect(rows.count == 2)
        let pieces = rows.map { ($0["pieces"] as? [String]) ?? [] }
        #expect(pieces[0].joined() == "theĠcat" || pieces[0].joined().replacingOccurrences(of: "Ġ", with: " ") == "the cat", "\(pieces[0])")
        #expect((rows[1]["ids"] as? [Int])?.first == 1, "the special token is parsed: \(rows[1])")
        let bad = try run(["lm", "tokenize", "--model", Self.model], input: Data([0x61, 0xff, 0x0a]))
        #expect(bad.status == 1 && bad.err.contains("line 1"), "\(bad)")
    }

    @Test func greedyGenerationIsDeterministicAndStreamsTheSameText() throws {
        let args = ["generate", "--model", Self.model, "--prompt", "the cat", "--max-tokens", "12", "--temperature", "0"]
        let a = try run(args + ["--json", "--logprobs", "3"]), b = try run(args)
        #expect(a.status == 0 && b.status == 0, "\(a.err) \(b.err)")
        let rows = Self.objects(a.out)
        let summary = try #require(rows.last)
        #expect(summary["tokens"] as? Int == 12 || summary["finish_reason"] as? String == "stop", "\(summary)")
        let streamed = rows.dropLast().map { ($0["text"] as? String) ?? "" }.joined()
        #expect(streamed == summary["text"] as? String)
        #expect(b.out == streamed + "\n", "plain output is the streamed text")
        // Each token's log-probability is the best of its alternatives under greedy decoding.
        for row in rows.dropLast() where (row["id"] as? Int ?? -1) >= 0 {
            let top = try #require(row["top"] as? [[String: Any]])
            #expect(top.count == 3 && (top[0]["id"] as? Int) == row["id"] as? Int, "\(row)")
        }
        // Same seed, same text when sampling; the chat template wraps the prompt.
        let s1 = try run(["generate", "--model", Self.model, "--prompt", "the", "--max-tokens", "8", "--seed", "5", "--temperature", "1"])
        let s2 = try run(["generate", "--model", Self.model, "--prompt", "the", "--max-tokens", "8", "--seed", "5", "--temperature", "1"])
        #expect(s1.status == 0 && s1.out == s2.out)
        let chat = try run(["generate", "--model", Self.model, "--prompt", "hi", "--chat", "--system", "be brief", "--max-tokens", "4", "--json"])
        #expect(chat.status == 0, "\(chat.err)")
        #expect((Self.objects(chat.out).last?["prompt_tokens"] as? Int ?? 0) > 10)
    }

    @Test func grammarsConstrainTheOutputAndBadOnesNameFileAndPosition() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("llm-grammar-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func file(_ name: String, _ text: String) throws -> String {
            let url = dir.appendingPathComponent(name)
            try Data(text.utf8).write(to: url)
            return url.path
        }
        let yesNo = try file("yn.gbnf", "root ::= (\"yes\" | \"no\") \"!\"\n")
        let schema = try file("s.json", #"{"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}"#)
        for seed in ["1", "2", "3"] {
            let r = try run(["generate", "--model", Self.model, "--prompt", "the", "--max-tokens", "20", "--seed", seed, "--grammar", yesNo])
            #expect(r.status == 0 && ["yes!\n", "no!\n"].contains(r.out), "\(r)")
            let j = try run(["generate", "--model", Self.model, "--prompt", "the", "--max-tokens", "60", "--seed", seed, "--json-schema", schema, "--json"])
            let text = Self.objects(j.out).last?["text"] as? String ?? ""
            let finish = Self.objects(j.out).last?["finish_reason"] as? String
            // The tiny model rambles: a complete object, or a prefix of one cut by --max-tokens.
            #expect(j.status == 0 && text.hasPrefix("{") && (finish == "length" || (try? JSONSerialization.jsonObject(with: Data(text.utf8))) != nil), "\(j)")
        }
        let bad = try file("bad.gbnf", "root ::= \"a\"\n  | \"\\q\"\n")
        let badSchema = try file("bad.json", "{\n  \"type\": \"string\",\n  \"pattern\": \"a+\"\n}")
        let r1 = try run(["generate", "--model", Self.model, "--prompt", "the", "--grammar", bad])
        #expect(r1.status == 1 && r1.err.contains("bad.gbnf:2:6: unknown escape"), "\(r1)")
        let r2 = try run(["generate", "--model", Self.model, "--prompt", "the", "--json-schema", badSchema])
        #expect(r2.status == 1 && r2.err.contains("bad.json") && r2.err.contains("'pattern' is not supported"), "\(r2)")
        let both = try run(["generate", "--model", Self.model, "--prompt", "the", "--grammar", yesNo, "--json-schema", schema])
        #expect(both.status == 64, "\(both)")
    }

    /// `--beams` prints the best hypothesis (all of them, ranked, with --json); `--keep` lets
    /// generation run past a full context.
    @Test func beamSearchAndContextShift() throws {
        let args = ["generate", "--model", Self.model, "--prompt", "the cat", "--max-tokens", "6", "--beams", "3"]
        let all = try run(args + ["--json"]), best = try run(args)
        #expect(all.status == 0 && best.status == 0, "\(all.err) \(best.err)")
        let rows = Self.objects(all.out)
        let scores = rows.compactMap { $0["score"] as? Double }
        #expect(rows.count == 3 && scores == scores.sorted(by: >), "\(rows)")
        #expect(best.out == ((rows.first?["text"] as? String) ?? "?") + "\n")
        let bad = try run(["generate", "--model", Self.model, "--prompt", "the", "--beams", "0"])
        #expect(bad.status == 64 && bad.err.contains("--beams"), "\(bad)")   // a usage error, like every bad option
        let full = ["generate", "--model", Self.model, "--prompt", "the cat", "--max-tokens", "30", "--context", "12", "--temperature", "0",
                    "--json"]
        let stopped = try run(full), shifted = try run(full + ["--keep", "1"])
        #expect(stopped.status == 0 && shifted.status == 0, "\(stopped.err) \(shifted.err)")
        #expect(Self.objects(stopped.out).last?["finish_reason"] as? String == "context_full")
        #expect(Self.objects(shifted.out).last?["tokens"] as? Int == 30, "\(shifted.out.suffix(300))")
    }

    @Test func scoreReportsPerplexityOverWindows() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("llm-score-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(String(repeating: "the cat sat on the mat. ", count: 8).utf8).write(to: file)
        let r = try run(["lm", "score", "--model", Self.model, "--input", file.path, "--context", "32", "--json"])
        #expect(r.status == 0, "\(r.err)")
        let rows = Self.objects(r.out)
        let summary = try #require(rows.last)
        let tokens = try #require(summary["tokens"] as? Int), windows = try #require(summary["windows"] as? Int)
        #expect(rows.count - 1 == tokens - 1 && windows > 1, "every token but the first is scored once: \(summary)")
        let nll = -rows.dropLast().compactMap { $0["logprob"] as? Double }.reduce(0, +) / Double(tokens - 1)
        let ppl = try #require(summary["perplexity"] as? Double)
        #expect(abs(exp(nll) - ppl) <= 1e-4 * ppl, "\(exp(nll)) vs \(ppl)")
    }

    @Test func benchReportsBothPhases() throws {
        let r = try run(["bench", "llm", "--model", Self.model, "--runs", "1", "--prompt-tokens", "16", "--generate", "8", "--json"])
        #expect(r.status == 0, "\(r.err)")
        let rows = Self.objects(r.out)
        #expect(rows.map { $0["name"] as? String } == ["prompt", "generation"])
        #expect(rows.allSatisfy { ($0["tokens_per_second"] as? Double ?? 0) > 0 })
    }

    @Test func badRequestsAreRefused() throws {
        for args in [["generate", "--model", Self.model, "--max-tokens", "2"],
                     ["generate", "--model", Self.model, "--prompt", "a", "--prompt-file", "x", "--max-tokens", "2"],
                     ["generate", "--model", Self.model, "--prompt", "a", "--system", "s"],
                     ["generate", "--model", Self.model, "--prompt", "a", "--top-p", "0"],
                     ["generate", "--model", "", "--prompt", "a"],
                     ["lm", "score", "--model", Self.model, "--input", CommandContractSweepTests.iris, "--context", "100000"]] {
            let r = try run(args)
            #expect(r.status == 1 || r.status == 64, "\(args): \(r)")
            #expect(!r.err.isEmpty && !r.err.contains("Fatal error"), "\(args): \(r.err)")
        }
    }
}
