import Foundation
import Testing
import LLM
import Tensors

/// SmolLM2-135M-Instruct run by the float32 reference path against Hugging Face transformers 5.25.0
/// on the same GGUF file dequantized to float32 (scripts/fixtures/make_llm_logits_fixtures.py).
@Suite(.enabled(if: FixtureFiles.smolLM2 != nil, "needs models/SmolLM2-135M-Instruct.Q4_1.gguf (scripts/fetch_models.sh)"))
struct LlamaModelTests {
    static let model: LlamaModel = try! LlamaModel(file: GGUFFile(contentsOf: FixtureFiles.smolLM2!), precision: .float32)

    static func arrays() throws -> [String: ArrayPayload] {
        Dictionary(uniqueKeysWithValues: try NPZ.read(contentsOf: FixtureFiles.url("smollm2_logits.npz")).map { ($0.name, $0.payload) })
    }

    static func floats(_ p: ArrayPayload) -> [Float] {
        p.bytes.withUnsafeBytes { raw in (0..<(p.bytes.count / 4)).map { Float(bitPattern: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)) } }
    }

    static func ints(_ p: ArrayPayload) -> [Int] {
        p.bytes.withUnsafeBytes { raw in (0..<(p.bytes.count / 4)).map { Int(raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)) } }
    }

    @Test func logitsMatchTransformersFloat32() throws {
        let a = try Self.arrays()
        var worstLast: Float = 0, worstTop: Float = 0, worstLSE: Float = 0
        var argmaxAgree = 0, positions = 0
        for k in 0..<3 {
            let ids = Self.ints(a["ids_\(k)"]!)
            let topIds = Self.ints(a["top_ids_\(k)"]!), topLogits = Self.floats(a["top_logits_\(k)"]!)
            let lse = Self.floats(a["logsumexp_\(k)"]!)
            let session = try Self.model.makeSession(contextLength: 64)
            var logits: [Float] = []
            for (t, id) in ids.enumerated() {
                logits = try session.evaluate(id)
                for j in 0..<20 {
                    worstTop = max(worstTop, abs(logits[topIds[t * 20 + j]] - topLogits[t * 20 + j]))
                }
                let m = logits.max()!
                let mine = m + Float(log(logits.reduce(0.0) { $0 + Double(expf($1 - m)) }))
                worstLSE = max(worstLSE, abs(mine - lse[t]))
                if logits.indices.max(by: { logits[$0] < logits[$1] }) == topIds[t * 20] { argmaxAgree += 1 }
                positions += 1
            }
            for (x, y) in zip(logits, Self.floats(a["last_\(k)"]!)) { worstLast = max(worstLast, x.isNaN ? .infinity : abs(x - y)) }
        }
        print("SmolLM2 float32 vs transformers: max |Δlogit| last positions \(worstLast), top-20 at every position \(worstTop), logsumexp \(worstLSE); argmax agrees at \(argmaxAgree)/\(positions)")
        #expect(worstLast <= 5e-4)   // seen: 5.2e-5
        #expect(worstTop <= 5e-4)    // seen: 5.2e-5
        #expect(worstLSE <= 5e-4)    // seen: 3.2e-5
        #expect(argmaxAgree == positions)
    }

    @Test func sessionsRefuseBadTokensAndOverflow() throws {
        let s = try Self.model.makeSession(contextLength: 2)
        #expect(throws: LLMError.self) { try s.evaluate(-1) }
        #expect(throws: LLMError.self) { try s.evaluate(49152) }
        _ = try s.evaluate([1, 2])
        #expect(throws: LLMError.self) { try s.evaluate(3) }
        #expect(throws: LLMError.self) { try Self.model.makeSession(contextLength: 0) }
        #expect(throws: LLMError.self) { try Self.model.makeSession(contextLength: 1 << 30) }
    }
}

/// The tiny random Llama of the fuzz corpus (2 layers, width 32, 4 heads over 2 KV heads, q8_0
/// weights) against transformers 5.25.0 — runs without any downloaded model.
@Suite struct TinyLlamaTests {
    @Test func logitsMatchTransformers() throws {
        let file = try GGUFFile(contentsOf: FixtureFiles.url("tiny_llama.gguf"))
        let model = try LlamaModel(file: file, precision: .float32)
        #expect(model.configuration.kvHeadCount == 2 && model.configuration.layerCount == 2)
        let a = Dictionary(uniqueKeysWithValues: try NPZ.read(contentsOf: FixtureFiles.url("tiny_llama_logits.npz")).map { ($0.name, $0.payload) })
        let ids = LlamaModelTests.ints(a["ids"]!), want = LlamaModelTests.floats(a["logits"]!)
        let session = try model.makeSession(contextLength: 16)
        var worst: Float = 0
        for (t, id) in ids.enumerated() {
            let logits = try session.evaluate(id)
            for (j, l) in logits.enumerated() { worst = max(worst, l.isNaN ? .infinity : abs(l - want[t * logits.count + j])) }
        }
        print("tiny Llama vs transformers: max |Δlogit| \(worst)")
        #expect(worst <= 1e-5, "max |Δlogit| \(worst)")   // seen: 8.3e-7
        let tok = try GGUFTokenizer(file: file)
        #expect(tok.encode("<|im_start|>the") == [1] + tok.encode("the", parseSpecial: false))
        #expect(tok.encode(" the", parseSpecial: false).count == 1)   // Ġ+t, h+e, then Ġt+he: one token
    }

    /// A prompt evaluated in batches (matrix products over many tokens, 4-row kernels) gives the
    /// same bits as one token at a time, in both precisions, across a batch boundary; and the
    /// scorer's windows give each token the context they promise.
    @Test func batchedPromptEqualsTokenByToken() throws {
        let file = try GGUFFile(contentsOf: FixtureFiles.url("tiny_llama.gguf"))
        for precision in LlamaModel.Precision.allCases {
            let model = try LlamaModel(file: file, precision: precision)
            let n = model.configuration.contextLength
            var state: UInt64 = 7
            let ids = (0..<n).map { _ -> Int in state = state &* 6364136223846793005 &+ 1442695040888963407; return Int(state >> 33) % model.configuration.vocabularySize }
            let one = try model.makeSession()
            var stepwise: [[Float]] = []
            for id in ids { stepwise.append(try one.evaluate(id)) }
            for cut in [1, 5, LlamaSession.batchSize, n] where cut <= n {
                let batched = try model.makeSession()
                let logits = try batched.evaluate(Array(ids[0..<cut]))
                #expect(logits == stepwise[cut - 1], "\(precision): batched prompt of \(cut) tokens differs")
                #expect(batched.tokens == Array(ids[0..<cut]))
            }
            // One window over everything equals the stepwise log-probabilities; shorter windows
            // score every token once with at least context − stride tokens before it.
            let whole = try model.score(ids, context: n)
            #expect(whole.windows == 1 && whole.tokens.count == n - 1)
            for (t, s) in whole.tokens.enumerated() {
                let (lp, best) = LlamaModel.logprob(stepwise[t], of: ids[t + 1])
                #expect(s.logprob == lp && s.argmax == best && s.context == t + 1)
            }
            let windows = try model.score(ids, context: 16, stride: 8)
            #expect(windows.tokens.map(\.id) == Array(ids.dropFirst()))
            #expect(windows.tokens.dropFirst(15).allSatisfy { $0.context >= 8 && $0.context <= 15 })
            #expect(windows.windows == (n - 16) / 8 + 1 + ((n - 16) % 8 == 0 ? 0 : 1))
            #expect(throws: LLMError.self) { try model.score(ids, context: 1) }
            #expect(throws: LLMError.self) { try model.score(ids, context: 16, stride: 16) }
            #expect(throws: LLMError.self) { try model.score([ids[0]], context: 16) }
            #expect(throws: LLMError.self) { try model.makeSession().evaluate(ids + [0]) }
        }
    }
}
