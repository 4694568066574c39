import Foundation
import Tensors
import Neural
import LLM

/// Writes a fine-tuned ``LlamaCausalLM`` back into the GGUF file it came from: the source's
/// metadata and untouched tensors are copied byte for byte, and every weight the fine-tune changed
/// (a layer with a LoRA adapter, merged; or, after full fine-tuning, every weight) is written as
/// float32 — requantizing to 4 bits would round most of a small update away.
public enum FineTunedGGUF {
    /// Our state-dict key → the GGUF tensor name (llama.cpp's `llama` names).
    static func ggufName(_ key: String) -> String? {
        switch key {
        case "model.embed_tokens.weight": return "token_embd.weight"
        case "model.norm.weight": return "output_norm.weight"
        case "lm_head.weight": return "output.weight"
        default: break
        }
        let parts = key.split(separator: ".").map(String.init)
        guard parts.count >= 5, parts[0] == "model", parts[1] == "layers", let i = Int(parts[2]) else { return nil }
        let rest = parts[3...].joined(separator: ".")
        let names = ["input_layernorm.weight": "attn_norm.weight", "post_attention_layernorm.weight": "ffn_norm.weight",
                     "self_attn.q_proj.weight": "attn_q.weight", "self_attn.k_proj.weight": "attn_k.weight",
                     "self_attn.v_proj.weight": "attn_v.weight", "self_attn.o_proj.weight": "attn_output.weight",
                     "mlp.gate_proj.weight": "ffn_gate.weight", "mlp.up_proj.weight": "ffn_up.weight", "mlp.down_proj.weight": "ffn_down.weight"]
        return names[rest].map { "blk.\(i).\($0)" }
    }

    /// The GGUF bytes of the fine-tuned model.
    /// - Throws: `LLMError` when the source cannot be copied; ``LMTrainingError/unsupportedExport(_:)``
    ///   when a changed weight has no GGUF name.
    public static func encode(_ model: LlamaCausalLM, source: GGUFFile) throws -> [UInt8] {
        let adapted = model.namedModules().compactMap { key, m -> (String, Linear)? in
            guard let l = m as? Linear, l.adapter != nil else { return nil }
            return (key + ".weight", l)
        }
        var changed: [String: Tensor] = [:]
        if adapted.isEmpty {
            for (key, t) in model.orderedStateDict() where !(model.configuration.tiedEmbeddings && key == "lm_head.weight") { changed[key] = t }
        } else {
            for (key, l) in adapted {
                let a = l.adapter!
                changed[key] = a.isMerged ? l.weight.value : GradMode.withoutGrad { l.weight.value + a.delta.to(l.weight.value.dtype) }
            }
        }
        var names: [String: String] = [:]
        for key in changed.keys {
            guard let name = ggufName(key), source.tensor(named: name) != nil else {
                throw LMTrainingError.unsupportedExport("no GGUF tensor for \(key)")
            }
            names[name] = key
        }
        var w = try GGUFWriter(copying: source) { names[$0.name] == nil }
        for (name, key) in names.sorted(by: { $0.key < $1.key }) {
            let t = changed[key]!.to(.float32).contiguous()
            try w.addTensor(name: name, dimensions: t.shape.reversed(), typeID: 0, bytes: t.toArray(as: Float.self).withUnsafeBytes { Array($0) })
        }
        return w.encode()
    }

    /// Writes ``encode(_:source:)`` to `url` atomically.
    public static func write(_ model: LlamaCausalLM, source: GGUFFile, to url: URL) throws {
        let bytes = try encode(model, source: source)
        do { try Data(bytes).write(to: url, options: .atomic) } catch {
            throw LMTrainingError.checkpoint(path: url.path, reason: "\(error)")
        }
    }
}
