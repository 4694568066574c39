import Foundation
import Tensors
import Neural

/// LoRA settings (PEFT's `LoraConfig` names in `adapter_config.json`).
public struct LoRAConfiguration: Sendable, Equatable {
    /// Rank r (`r`).
    public var rank: Int
    /// α (`lora_alpha`); updates are scaled by α / r.
    public var alpha: Double
    /// Dropout on each adapter's input in training (`lora_dropout`).
    public var dropout: Double
    /// Which linear layers get adapters: a layer matches when its key ends with one of these
    /// names (`q_proj`, `v_proj`; PEFT's `target_modules` list form).
    public var targetModules: [String]

    /// PEFT's defaults for Llama: r 8, α 8 (PEFT's default α), no dropout, `q_proj` and `v_proj`.
    public init(rank: Int = 8, alpha: Double = 8, dropout: Double = 0, targetModules: [String] = ["q_proj", "v_proj"]) {
        self.rank = rank; self.alpha = alpha; self.dropout = dropout; self.targetModules = targetModules
    }

    /// - Throws: ``LMTrainingError/invalidOption(_:)`` naming the first bad value.
    public func validate() throws {
        guard (1...65_536).contains(rank) else { throw LMTrainingError.invalidOption("LoRA rank must be 1 to 65536, got \(rank)") }
        guard alpha > 0 && alpha.isFinite else { throw LMTrainingError.invalidOption("LoRA alpha must be positive, got \(alpha)") }
        guard dropout >= 0 && dropout < 1 else { throw LMTrainingError.invalidOption("LoRA dropout must be in [0, 1), got \(dropout)") }
        guard !targetModules.isEmpty, targetModules.allSatisfy({ !$0.isEmpty }) else {
            throw LMTrainingError.invalidOption("LoRA needs at least one target module name")
        }
    }
}

/// Attaching, saving and loading LoRA adapters in Hugging Face PEFT's layout.
public enum LoRA {
    /// Attaches an adapter to every `Linear` whose key ends with a target name and freezes every
    /// other parameter of `model`; returns the adapted layers by key.
    /// - Throws: ``LMTrainingError/invalidOption(_:)`` for bad settings or when no layer matches.
    @discardableResult
    public static func attach(to model: Module, _ config: LoRAConfiguration, generator: RandomGenerator? = nil) throws -> [(String, Linear)] {
        try config.validate()
        var adapted: [(String, Linear)] = []
        for (key, m) in model.namedModules() {
            guard let linear = m as? Linear, let last = key.split(separator: ".").last, config.targetModules.contains(String(last)) else { continue }
            adapted.append((key, linear))
        }
        guard !adapted.isEmpty else {
            throw LMTrainingError.invalidOption("no linear layer's name ends with one of \(config.targetModules.joined(separator: ", "))")
        }
        for p in model.parameters() { p.requiresGrad = false }
        for (_, linear) in adapted { linear.attachAdapter(rank: config.rank, alpha: config.alpha, dropout: config.dropout, generator: generator) }
        return adapted
    }

    /// The adapters of `model` in PEFT's file layout: `base_model.model.<key>.lora_A.weight` and
    /// `.lora_B.weight` (float32). For a ``LlamaCausalLM`` the rows of `q_proj`/`k_proj` B matrices
    /// are put in Hugging Face's order (the model keeps llama.cpp's).
    public static func peftTensors(_ model: Module) -> [(name: String, tensor: Tensor)] {
        let llama = model as? LlamaCausalLM
        var out: [(name: String, tensor: Tensor)] = []
        for (key, m) in model.namedModules() {
            guard let linear = m as? Linear, let a = linear.adapter else { continue }
            var b = a.loraB.weight.value.to(.float32).contiguous()
            if let c = llama?.configuration {
                if key.hasSuffix("self_attn.q_proj") { b = LlamaCausalLM.huggingFaceRowOrder(b, heads: c.heads) }
                if key.hasSuffix("self_attn.k_proj") { b = LlamaCausalLM.huggingFaceRowOrder(b, heads: c.kvHeads) }
            }
            out.append(("base_model.model.\(key).lora_A.weight", a.loraA.weight.value.to(.float32).contiguous()))
            out.append(("base_model.model.\(key).lora_B.weight", b))
        }
        return out
    }

    /// Writes `adapter_model.safetensors` and `adapter_config.json` (PEFT's layout, loadable with
    /// `PeftModel.from_pretrained(base, directory)`).
    /// - Throws: ``LMTrainingError/checkpoint(path:reason:)`` when nothing is adapted or a file cannot be written.
    public static func save(_ model: Module, _ config: LoRAConfiguration, baseModel: String, to directory: URL) throws {
        let tensors = peftTensors(model)
        guard !tensors.isEmpty else { throw LMTrainingError.checkpoint(path: directory.path, reason: "the model has no LoRA adapters") }
        let json: [String: Any] = [
            "peft_type": "LORA", "task_type": "CAUSAL_LM", "r": config.rank, "lora_alpha": config.alpha, "lora_dropout": config.dropout,
            "target_modules": config.targetModules, "bias": "none", "fan_in_fan_out": false, "inference_mode": true,
            "base_model_name_or_path": baseModel, "modules_to_save": NSNull(), "init_lora_weights": true, "use_rslora": false, "use_dora": false,
        ]
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Tensor.save(safetensors: tensors, metadata: ["format": "pt"], to: directory.appendingPathComponent("adapter_model.safetensors"))
            try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
                .write(to: directory.appendingPathComponent("adapter_config.json"), options: .atomic)
        } catch {
            throw LMTrainingError.checkpoint(path: directory.path, reason: "\(error)")
        }
    }

    /// Reads a PEFT adapter directory into `model`: attaches adapters as its `adapter_config.json`
    /// says and loads their weights (B rows of a Llama's q/k back to llama.cpp's order).
    /// - Throws: ``LMTrainingError/checkpoint(path:reason:)`` for a missing or malformed file, an
    ///   adapter for a layer the model lacks, a shape that does not fit, or non-finite values.
    @discardableResult
    public static func load(into model: Module, from directory: URL) throws -> LoRAConfiguration {
        func fail(_ reason: String) -> LMTrainingError { .checkpoint(path: directory.path, reason: reason) }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("adapter_config.json"))) } catch {
            throw fail("adapter_config.json cannot be read: \(error)")
        }
        guard let json = object as? [String: Any], (json["peft_type"] as? String) == "LORA",
              let r = json["r"] as? Int, let alpha = (json["lora_alpha"] as? NSNumber)?.doubleValue,
              let targets = json["target_modules"] as? [String] else {
            throw fail("adapter_config.json is not a PEFT LoRA configuration with r, lora_alpha and a target_modules list")
        }
        let config = LoRAConfiguration(rank: r, alpha: alpha, dropout: (json["lora_dropout"] as? NSNumber)?.doubleValue ?? 0, targetModules: targets)
        do { try config.validate() } catch { throw fail("adapter_config.json: \(error)") }
        var tensors: [String: Tensor] = [:]
        do {
            for (k, t) in try Tensor.load(safetensors: directory.appendingPathComponent("adapter_model.safetensors")).tensors { tensors[k] = t }
        } catch {
            throw fail("adapter_model.safetensors: \(error)")
        }
        // Every adapter's weights are found and checked against its layer before any adapter is
        // attached, so a configuration asking for a huge rank allocates nothing.
        let layers = model.namedModules().compactMap { key, m -> (String, Linear)? in
            guard let linear = m as? Linear, let last = key.split(separator: ".").last, config.targetModules.contains(String(last)) else { return nil }
            return (key, linear)
        }
        guard !layers.isEmpty else { throw fail("no linear layer's name ends with one of \(config.targetModules.joined(separator: ", "))") }
        var weights: [String: (Tensor, Tensor)] = [:]
        var used = Set<String>()
        for (key, linear) in layers {
            let aKey = "base_model.model.\(key).lora_A.weight", bKey = "base_model.model.\(key).lora_B.weight"
            guard let a = tensors[aKey], let b = tensors[bKey] else { throw fail("no adapter weights for \(key)") }
            guard a.shape == [config.rank, linear.inFeatures], b.shape == [linear.outFeatures, config.rank] else {
                throw fail("\(key): lora_A \(a.shape) / lora_B \(b.shape) do not fit [\(config.rank), \(linear.inFeatures)] / [\(linear.outFeatures), \(config.rank)]")
            }
            guard a.dtype.isFloatingPoint, b.dtype.isFloatingPoint,
                  a.to(.float64).scalars.allSatisfy(\.isFinite), b.to(.float64).scalars.allSatisfy(\.isFinite) else {
                throw fail("\(key): values that are not finite floats")
            }
            weights[key] = (a, b)
            used.insert(aKey); used.insert(bKey)
        }
        if let extra = tensors.keys.sorted().first(where: { !used.contains($0) }) { throw fail("adapter_model.safetensors has \(extra), which matches no adapted layer") }
        let adapted: [(String, Linear)]
        do { adapted = try attach(to: model, config) } catch { throw fail("\(error)") }
        let llama = model as? LlamaCausalLM
        for (key, linear) in adapted {
            guard let pair = weights[key], let adapter = linear.adapter else { throw fail("no adapter weights for \(key)") }
            let a = pair.0
            var b = pair.1
            if let c = llama?.configuration {
                // Hugging Face's order back to llama.cpp's: the inverse of the (2, d/2) ↔ (d/2, 2) swap.
                func ggufOrder(_ w: Tensor, heads: Int) -> Tensor {
                    let d = w.shape[0] / heads
                    return w.reshaped([heads, 2, d / 2] + w.shape.dropFirst()).transposed(1, 2).contiguous().reshaped(w.shape)
                }
                if key.hasSuffix("self_attn.q_proj") { b = ggufOrder(b, heads: c.heads) }
                if key.hasSuffix("self_attn.k_proj") { b = ggufOrder(b, heads: c.kvHeads) }
            }
            let dt = adapter.loraA.weight.value.dtype
            adapter.loraA.weight.value = a.to(dt).contiguous()
            adapter.loraB.weight.value = b.to(dt).contiguous()
        }
        return config
    }
}
