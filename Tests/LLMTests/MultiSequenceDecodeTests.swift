import Foundation
import Testing
import LLM

/// Multi-session decoding (`LlamaModel.decode`) against each session evaluated alone, and the
/// batched generation driver (`BatchedGenerator`) against `Generator.generate`.
enum MultiSequence {
    /// Deterministic pseudo-random token ids.
    static func ids(_ count: Int, seed: UInt64, vocabulary: Int) -> [Int] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % vocabulary
        }
    }

    /// Sessions with prompts of `lengths` tokens, each with a twin holding the same tokens; then
    /// `steps` decode steps, step t evaluating a rotating subset of 1…all sessions (so N varies and
    /// sessions sit at different positions), each row's logits compared with its twin evaluating
    /// the same token alone. Returns the rows compared, how many differ in any bit, and the largest
    /// |Δlogit|.
    static func compare(_ model: LlamaModel, lengths: [Int], steps: Int, recordLayer: Int? = nil) throws -> (rows: Int, differing: Int, worst: Float) {
        let vocabulary = model.configuration.vocabularySize
        var sessions: [LlamaSession] = [], twins: [LlamaSession] = []
        for (k, length) in lengths.enumerated() {
            let prompt = ids(length, seed: UInt64(k + 1), vocabulary: vocabulary)
            let s = try model.makeSession(), t = try model.makeSession()
            if k == 0, let layer = recordLayer { s.recordedAttentionLayer = layer; t.recordedAttentionLayer = layer }
            let a = try s.evaluate(prompt), b = try t.evaluate(prompt)
            #expect(a == b)
            sessions.append(s); twins.append(t)
        }
        var rows = 0, differing = 0, worst: Float = 0
        for step in 0..<steps {
            let n = step % lengths.count + 1
            let chosen = (0..<n).map { (step * 3 + $0) % lengths.count }
            let tokens = ids(n, seed: UInt64(1000 + step), vocabulary: vocabulary)
            let batched = try model.decode(zip(chosen, tokens).map { DecodeStep(session: sessions[$0], token: $1) })
            #expect(batched.count == n)
            for (j, k) in chosen.enumerated() {
                let alone = try twins[k].evaluate(tokens[j])
                rows += 1
                if batched[j] != alone { differing += 1 }
                for (x, y) in zip(batched[j], alone) { worst = max(worst, x.isNaN || y.isNaN ? .infinity : abs(x - y)) }
            }
        }
        for (s, t) in zip(sessions, twins) { #expect(s.tokens == t.tokens) }
        if recordLayer != nil {
            let a = sessions[0].recordedAttention, b = twins[0].recordedAttention
            #expect(a.count == b.count && a.count == sessions[0].tokens.count)
            #expect(zip(a, b).allSatisfy { $0.position == $1.position && $0.weights == $1.weights })
        }
        return (rows, differing, worst)
    }
}

@Suite struct MultiSequenceDecodeTests {
    static let tiny = ["llama", "mistral", "qwen2", "gemma", "phi3", "gpt2"]

    /// Every tiny architecture in both precisions: sessions at positions 1…40 (one prompt across a
    /// 64-token batch boundary when the context allows), N = 1…6 per step; every decoded row has the
    /// bits of its session evaluated alone (bar: bitwise — the per-row steps are the same code, the
    /// dense product runs row by row, the quantized kernels quantize each row on its own and add in
    /// the same order for 1, 4 and 8 rows), recorded attention included.
    @Test(arguments: tiny)
    func decodeEqualsEachSessionAlone(name: String) throws {
        let file = try GGUFFile(contentsOf: FixtureFiles.url("tiny_\(name).gguf"))
        for precision in LlamaModel.Precision.allCases {
            let model = try LlamaModel(file: file, precision: precision)
            let steps = 14, n = model.configuration.contextLength
            let lengths = [1, 2, 5, 13, 40, 70].filter { $0 + steps <= n }
            let r = try MultiSequence.compare(model, lengths: lengths, steps: steps, recordLayer: model.configuration.layerCount - 1)
            print("tiny \(name) \(precision): \(r.rows) decoded rows, \(r.differing) differ from the session alone, max |Δlogit| \(r.worst)")
            #expect(r.rows > 0 && r.differing == 0, "\(name) \(precision): \(r.differing) of \(r.rows) rows differ (max |Δ| \(r.worst))")
        }
    }

    /// The tiny Llama with its q8_0 matrices re-quantized to q4_1 (GGUFWriter), so the q4_1 kernels
    /// — 1, 4 and 8 rows, with VNNI where the CPU has it — are checked without the real model:
    /// nine sessions, N = 1…9 per step, every row bit-identical to its session alone.
    @Test func q4_1RowsDoNotDependOnTheBatch() throws {
        let source = try GGUFFile(contentsOf: FixtureFiles.url("tiny_llama.gguf"))
        var w = try GGUFWriter()
        for key in source.metadata.keys { w.set(key, try #require(source.metadata[key])) }
        var converted = 0
        for t in source.tensors {
            var typeID = t.type.id, bytes = Array(source.bytes(of: t))
            if t.type.name == "q8_0" && t.dimensions.count == 2 {
                let values = try GGMLQuantizer.dequantize(bytes, as: "q8_0", count: t.elementCount)
                (typeID, bytes) = (3, try GGMLQuantizer.quantize(values, as: "q4_1"))   // ggml type 3: q4_1
                converted += 1
            }
            try w.addTensor(name: t.name, dimensions: t.dimensions, typeID: typeID, bytes: bytes)
        }
        #expect(converted > 0)
        let model = try LlamaModel(file: GGUFFile(data: Data(w.encode())), precision: .ggml)
        let steps = 18, n = model.configuration.contextLength
        let r = try MultiSequence.compare(model, lengths: [1, 2, 3, 5, 8, 13, 21, 30, 40].filter { $0 + steps <= n }, steps: steps)
        print("tiny llama as q4_1: \(r.rows) decoded rows, \(r.differing) differ from the session alone")
        #expect(r.rows > 0 && r.differing == 0)
    }

    /// More sessions than one chunk (`LlamaSession.batchSize`): 70 sessions in one call.
    @Test func decodeOfManySessionsIsChunked() throws {
        let model = try LlamaModel(file: GGUFFile(contentsOf: FixtureFiles.url("tiny_llama.gguf")))
        let count = LlamaSession.batchSize + 6, vocabulary = model.configuration.vocabularySize
        var sessions: [LlamaSession] = [], twins: [LlamaSession] = []
        for k in 0..<count {
            let prompt = MultiSequence.ids(k % 7 + 1, seed: UInt64(k), vocabulary: vocabulary)
            let s = try model.makeSession(), t = try model.makeSession()
            _ = try s.evaluate(prompt); _ = try t.evaluate(prompt)
            sessions.append(s); twins.append(t)
        }
        let tokens = MultiSequence.ids(count, seed: 99, vocabulary: vocabulary)
        let batched = try model.decode(zip(sessions, tokens).map { DecodeStep(session: $0, token: $1) })
        #expect(batched.count == count)
        for k in 0..<count { #expect(batched[k] == (try twins[k].evaluate(tokens[k])), "session \(k)") }
        #expect(try model.decode([]).isEmpty)
    }

    /// Bad steps are refused with `LLMError.invalidParameter` before any session changes.
    @Test func decodeRefusesBadSteps() throws {
        let file = try GGUFFile(contentsOf: FixtureFiles.url("tiny_llama.gguf"))
        let model = try LlamaModel(file: file), other = try LlamaModel(file: file)
        let a = try model.makeSession(), b = try model.makeSession(), full = try model.makeSession(contextLength: 2)
        let foreign = try other.makeSession()
        _ = try a.evaluate([1, 2, 3]); _ = try b.evaluate([4]); _ = try full.evaluate([5, 6]); _ = try foreign.evaluate([1])
        let vocabulary = model.configuration.vocabularySize
        func refused(_ steps: [DecodeStep]) -> Bool {
            do { _ = try model.decode(steps); return false } catch let e as LLMError {
                if case .invalidParameter = e { return true }
                return false
            } catch { return false }
        }
        #expect(refused([DecodeStep(session: a, token: 7), DecodeStep(session: a, token: 8)]))
        #expect(refused([DecodeStep(session: a, token: 7), DecodeStep(session: foreign, token: 8)]))
        #expect(refused([DecodeStep(session: a, token: 7), DecodeStep(session: b, token: -1)]))
        #expect(refused([DecodeStep(session: a, token: 7), DecodeStep(session: b, token: vocabulary)]))
        #expect(refused([DecodeStep(session: a, token: 7), DecodeStep(session: full, token: 1)]))
        #expect(a.tokens == [1, 2, 3] && b.tokens == [4] && full.tokens == [5, 6] && foreign.tokens == [1])
        let twin = try model.makeSession()
        _ = try twin.evaluate([1, 2, 3])
        let logits = try model.decode([DecodeStep(session: a, token: 7), DecodeStep(session: b, token: 8)])
        #expect(logits[0] == (try twin.evaluate(7)))
        #expect(a.tokens == [1, 2, 3, 7] && b.tokens == [4, 8])
    }
}

/// The real model, in ggml precision (q4_1 weights, q8_1 activations: the 4- and 8-row kernels
/// serve N ≥ 4) and float32 (dense rows).
@Suite(.enabled(if: FixtureFiles.smolLM2 != nil, "needs models/SmolLM2-135M-Instruct.Q4_1.gguf (scripts/fetch_models.sh)"))
struct SmolLM2MultiSequenceDecodeTests {
    /// Eight sessions at positions 1…130, N = 1…8 per step: every row bit-identical to the session
    /// alone.
    @Test(arguments: LlamaModel.Precision.allCases)
    func decodeEqualsEachSessionAlone(precision: LlamaModel.Precision) throws {
        let model = precision == .float32 ? LlamaModelTests.model : try LlamaModel(file: GGUFFile(contentsOf: FixtureFiles.smolLM2!))
        let steps = precision == .float32 ? 8 : 16
        let r = try MultiSequence.compare(model, lengths: [1, 7, 20, 33, 64, 70, 100, 130], steps: steps, recordLayer: precision == .ggml ? 3 : nil)
        print("SmolLM2 \(precision): \(r.rows) decoded rows, \(r.differing) differ from the session alone, max |Δlogit| \(r.worst)")
        #expect(r.differing == 0, "\(r.differing) of \(r.rows) rows differ (max |Δ| \(r.worst))")
    }
}
