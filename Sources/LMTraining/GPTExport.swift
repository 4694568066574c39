import Foundation
import Tensors
import Neural
import LLM
import NLP

/// Writing a trained ``GPT`` where other runtimes load it, and reading it back.
///
/// - **Checkpoint** (`save(_:vocabulary:to:)`): a directory with `model.safetensors` (our state
///   dict, PyTorch/nanoGPT key names and layouts), `config.json` (nanoGPT's `GPTConfig` names) and
///   `vocabulary.json`; `load(from:)` restores it exactly.
/// - **Hugging Face** (`exportHuggingFace(_:to:)`): `model.safetensors` with GPT-2's keys and its
///   `Conv1D` layout (weights `[in, out]`, so each linear weight is transposed) and a GPT-2
///   `config.json` (`gelu_new`, tied embeddings): `GPT2LMHeadModel.from_pretrained(dir)` loads it.
/// - **GGUF** (`exportGGUF(_:vocabulary:to:)`): architecture `gpt2` as llama.cpp's converter writes
///   it (float32 tensors `token_embd`, `position_embd`, `blk.N.attn_qkv`, …, no `output.weight`
///   since the head is tied) with a byte-level BPE tokenizer whose tokens are the characters:
///   our ``LlamaModel`` and llama.cpp load and sample it.
public enum GPTExport {
    /// Writes a checkpoint directory (created if needed; files replaced atomically).
    /// - Throws: ``LMTrainingError/checkpoint(path:reason:)`` when a file cannot be written.
    public static func save(_ model: GPT, vocabulary: CharacterVocabulary?, to directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try model.save(to: directory.appendingPathComponent("model.safetensors"))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(model.configuration).write(to: directory.appendingPathComponent("config.json"), options: .atomic)
            if let vocabulary {
                try encoder.encode(vocabulary).write(to: directory.appendingPathComponent("vocabulary.json"), options: .atomic)
            }
        } catch let e as LMTrainingError {
            throw e
        } catch {
            throw LMTrainingError.checkpoint(path: directory.path, reason: "\(error)")
        }
    }

    /// The largest configuration a checkpoint may ask for (each size bounded so a hostile
    /// `config.json` cannot ask for an unbounded allocation before the weights are checked).
    static let maximumVocabulary = 1 << 20, maximumContext = 1 << 16, maximumLayers = 256, maximumWidth = 1 << 14

    /// Reads a checkpoint written by ``save(_:vocabulary:to:)``.
    /// - Throws: ``LMTrainingError/checkpoint(path:reason:)`` for a missing or malformed file, a
    ///   configuration out of range, or weights that do not fit it.
    public static func load(from directory: URL) throws -> (model: GPT, vocabulary: CharacterVocabulary?) {
        func fail(_ reason: String) -> LMTrainingError { .checkpoint(path: directory.path, reason: reason) }
        let configURL = directory.appendingPathComponent("config.json")
        let config: GPTConfiguration
        do {
            config = try JSONDecoder().decode(GPTConfiguration.self, from: try Data(contentsOf: configURL))
        } catch {
            throw fail("config.json cannot be read: \(error)")
        }
        let problems = config.problems
        guard problems.isEmpty else { throw fail("config.json: \(problems.joined(separator: "; "))") }
        guard config.vocabularySize <= maximumVocabulary, config.contextLength <= maximumContext, config.layers <= maximumLayers,
              config.embedding <= maximumWidth else {
            throw fail("config.json asks for a model larger than \(maximumVocabulary) tokens, \(maximumContext) positions, \(maximumLayers) layers or width \(maximumWidth)")
        }
        // The weights are read and checked against the configuration's shapes first, so the
        // model built afterwards is never larger than the file (a config.json that promises a
        // huge model allocates nothing).
        var state: [String: Tensor] = [:]
        do {
            for (k, t) in try Tensor.load(safetensors: directory.appendingPathComponent("model.safetensors")).tensors { state[k] = t }
        } catch {
            throw fail("model.safetensors: \(error)")
        }
        let shapes = config.stateShapes
        if let missing = shapes.keys.sorted().first(where: { state[$0] == nil }) { throw fail("model.safetensors lacks \(missing)") }
        if let extra = state.keys.sorted().first(where: { shapes[$0] == nil }) { throw fail("model.safetensors has \(extra), which the configuration has no place for") }
        for (key, shape) in shapes.sorted(by: { $0.key < $1.key }) {
            guard let t = state[key] else { throw fail("model.safetensors lacks \(key)") }
            guard t.shape == shape else { throw fail("model.safetensors: \(key) is \(t.shape), the configuration needs \(shape)") }
            guard t.dtype.isFloatingPoint else { throw fail("model.safetensors: \(key) is \(t.dtype), not a float type") }
            guard t.to(.float64).scalars.allSatisfy(\.isFinite) else { throw fail("model.safetensors: \(key) holds a value that is not finite") }
        }
        let model = GPT(config)
        do { try model.loadStateDict(state) } catch { throw fail("model.safetensors: \(error)") }
        var vocabulary: CharacterVocabulary? = nil
        let vocabURL = directory.appendingPathComponent("vocabulary.json")
        if FileManager.default.fileExists(atPath: vocabURL.path) {
            let read: CharacterVocabulary
            do {
                read = try JSONDecoder().decode(CharacterVocabulary.self, from: try Data(contentsOf: vocabURL))
            } catch {
                throw fail("vocabulary.json cannot be read: \(error)")
            }
            guard read.size == config.vocabularySize else {
                throw fail("vocabulary.json has \(read.size) tokens but the model \(config.vocabularySize)")
            }
            vocabulary = read
        }
        return (model, vocabulary)
    }

    /// The model's float32 weights by our key, transposing nothing.
    private static func weights(_ model: GPT) -> [String: Tensor] {
        var d: [String: Tensor] = [:]
        for (k, t) in model.orderedStateDict() { d[k] = t.to(.float32).contiguous() }
        return d
    }

    private static func requireBiases(_ model: GPT, _ format: String) throws {
        guard model.configuration.bias else {
            throw LMTrainingError.unsupportedExport("\(format) GPT-2 has biases in every linear layer and norm; this model was built with bias = false")
        }
    }

    /// Writes a Hugging Face GPT-2 directory (`model.safetensors`, `config.json`).
    /// - Throws: ``LMTrainingError/unsupportedExport(_:)`` for a model without biases;
    ///   ``LMTrainingError/checkpoint(path:reason:)`` when a file cannot be written.
    public static func exportHuggingFace(_ model: GPT, to directory: URL, endOfText: Int? = nil) throws {
        try requireBiases(model, "Hugging Face")
        let c = model.configuration
        var entries: [(name: String, tensor: Tensor)] = []
        for (key, t) in model.orderedStateDict() where key != "lm_head.weight" {
            // GPT-2's Conv1D stores linear weights [in, out]: ours, [out, in], are transposed.
            let conv1D = key.hasSuffix(".weight") && (key.contains(".c_attn.") || key.contains(".c_proj.") || key.contains(".c_fc."))
            let value = t.to(.float32)
            entries.append((key, (conv1D ? value.transposed(0, 1) : value).contiguous()))
        }
        let eos = endOfText ?? c.vocabularySize - 1
        let config: [String: Any] = [
            "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": c.vocabularySize,
            "n_positions": c.contextLength, "n_ctx": c.contextLength, "n_embd": c.embedding, "n_layer": c.layers, "n_head": c.heads,
            "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5, "resid_pdrop": 0.0, "embd_pdrop": 0.0, "attn_pdrop": 0.0,
            "tie_word_embeddings": true, "bos_token_id": eos, "eos_token_id": eos, "torch_dtype": "float32",
        ]
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Tensor.save(safetensors: entries, metadata: ["format": "pt"], to: directory.appendingPathComponent("model.safetensors"))
            try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys])
                .write(to: directory.appendingPathComponent("config.json"), options: .atomic)
        } catch {
            throw LMTrainingError.checkpoint(path: directory.path, reason: "\(error)")
        }
    }

    /// The GGUF bytes of the model (architecture `gpt2`, float32) with a character tokenizer.
    /// - Throws: ``LMTrainingError/unsupportedExport(_:)`` for a model without biases, a vocabulary
    ///   that does not match the model, or a character outside ASCII (each character must be one
    ///   byte-level token for GPT-2's tokenizer to find it without merges).
    public static func gguf(_ model: GPT, vocabulary: CharacterVocabulary, name: String = "swiftlearn-gpt") throws -> [UInt8] {
        try requireBiases(model, "GGUF")
        let c = model.configuration
        guard vocabulary.size == c.vocabularySize else {
            throw LMTrainingError.unsupportedExport("the vocabulary has \(vocabulary.size) tokens but the model \(c.vocabularySize)")
        }
        if let bad = vocabulary.characters.first(where: { !$0.isASCII }) {
            throw LMTrainingError.unsupportedExport("the character \(String(reflecting: String(bad))) is not ASCII; a character vocabulary exports to GGUF only when every character is one byte")
        }
        var w = try GGUFWriter()
        w.set("general.architecture", .string("gpt2"))
        w.set("general.name", .string(name))
        w.set("general.file_type", .uint32(0))
        w.set("gpt2.context_length", .uint32(UInt32(c.contextLength)))
        w.set("gpt2.embedding_length", .uint32(UInt32(c.embedding)))
        w.set("gpt2.feed_forward_length", .uint32(UInt32(4 * c.embedding)))
        w.set("gpt2.block_count", .uint32(UInt32(c.layers)))
        w.set("gpt2.attention.head_count", .uint32(UInt32(c.heads)))
        w.set("gpt2.attention.layer_norm_epsilon", .float32(1e-5))
        w.set("tokenizer.ggml.model", .string("gpt2"))
        w.set("tokenizer.ggml.pre", .string("gpt-2"))
        let tokens = vocabulary.characters.map { ByteLevel.encode(Array(String($0).utf8)) } + [CharacterVocabulary.endOfTextToken]
        w.set("tokenizer.ggml.tokens", .array(.string(tokens)))
        w.set("tokenizer.ggml.token_type", .array(.int32(Array(repeating: 1, count: vocabulary.characters.count) + [3])))
        w.set("tokenizer.ggml.merges", .array(.string([])))
        for key in ["tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id"] { w.set(key, .uint32(UInt32(vocabulary.endOfText))) }
        w.set("tokenizer.ggml.add_bos_token", .bool(false))

        let weights = weights(model)
        func add(_ name: String, _ key: String) throws {
            let t = weights[key]!
            let bytes = t.toArray(as: Float.self).withUnsafeBytes { Array($0) }
            try w.addTensor(name: name, dimensions: t.shape.reversed(), typeID: 0, bytes: bytes)
        }
        try add("token_embd.weight", "transformer.wte.weight")
        try add("position_embd.weight", "transformer.wpe.weight")
        for i in 0..<c.layers {
            let p = "transformer.h.\(i).", b = "blk.\(i)."
            for (ours, theirs) in [("ln_1", "attn_norm"), ("attn.c_attn", "attn_qkv"), ("attn.c_proj", "attn_output"),
                                   ("ln_2", "ffn_norm"), ("mlp.c_fc", "ffn_up"), ("mlp.c_proj", "ffn_down")] {
                try add(b + theirs + ".weight", p + ours + ".weight")
                try add(b + theirs + ".bias", p + ours + ".bias")
            }
        }
        try add("output_norm.weight", "transformer.ln_f.weight")
        try add("output_norm.bias", "transformer.ln_f.bias")
        return w.encode()
    }

    /// Writes ``gguf(_:vocabulary:name:)`` to `url` (atomically).
    public static func exportGGUF(_ model: GPT, vocabulary: CharacterVocabulary, to url: URL, name: String = "swiftlearn-gpt") throws {
        let bytes = try gguf(model, vocabulary: vocabulary, name: name)
        do { try Data(bytes).write(to: url, options: .atomic) } catch {
            throw LMTrainingError.checkpoint(path: url.path, reason: "\(error)")
        }
    }

    /// Samples `length` characters after `prompt` through the LLM runtime (``LlamaModel`` on the
    /// model's GGUF), sliding the window when the context fills: GPT-2's learned positions cannot
    /// shift, so the last half of the context is evaluated again as a new prompt (nanoGPT crops
    /// to the last `block_size` tokens the same way). The end-of-text token is never drawn.
    public static func sample(gguf bytes: [UInt8], prompt: String, length: Int, temperature: Float = 0.8, topK: Int = 0,
                              seed: UInt64 = 0) throws -> String {
        let file = try GGUFFile(data: Data(bytes), path: "<exported gpt>")
        let generator = Generator(model: try LlamaModel(file: file), tokenizer: try GGUFTokenizer(file: file))
        var sampling = SamplingParameters()
        sampling.temperature = temperature; sampling.topK = topK; sampling.topP = 1; sampling.minP = 0; sampling.seed = seed
        // End-of-text never occurs in the training text; a barely trained model still gives it
        // some probability, so it is banned and the sample runs to its length.
        if let eot = generator.tokenizer.eosID { sampling.logitBias[eot] = -.infinity }
        let context = generator.model.configuration.contextLength
        var ids = generator.tokenizer.encode(prompt.isEmpty ? "\n" : prompt, addSpecial: false, parseSpecial: false)
        var produced = 0, round: UInt64 = 0
        while produced < length {
            let window = Array(ids.suffix(Swift.max(1, context / 2)))
            sampling.seed = seed &+ round
            round += 1
            let r = try generator.generate(promptTokens: window, maxTokens: Swift.min(length - produced, context - window.count), sampling: sampling)
            if r.tokens.isEmpty { break }
            ids += r.tokens
            produced += r.tokens.count
            if r.finishReason == .endOfText { break }
        }
        return generator.tokenizer.decode(ids, skipSpecial: true)
    }
}
