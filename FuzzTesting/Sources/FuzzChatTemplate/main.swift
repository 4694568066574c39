// libFuzzer target: LLM.ChatTemplate — a chat template (Jinja) as a model file carries it,
// parsed and rendered with a fixed conversation and tools.
import LLM

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    guard let source = String(validating: bytes, as: UTF8.self), let template = try? ChatTemplate(source, bosToken: "<s>", eosToken: "</s>") else { return 0 }
    let tools = try? JinjaValue(json: #"[{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]"#)
    _ = try? template.render([.system("sys"), .user("hi"), .assistant("yo"), .user("again")], addGenerationPrompt: true,
                             tools: tools.map { [$0] })
    return 0
}
