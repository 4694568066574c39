// libFuzzer target: the Agents module's readers of outside data. The first byte picks the reader
// (an agent spec as YAML or JSON, an eval suite, a scripted-model script, a trace to replay,
// model-written tool calls: ReAct text and the JSON a tool executor checks, a calculator
// expression); the rest, decoded as UTF-8 (invalid inputs skipped), is parsed. Parsed specs are
// also built into agent systems (scripted model, no tools) to reach their validation.
import APIClient
import Agents
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    guard let text = String(validating: UnsafeRawBufferPointer(rebasing: bytes[1...]), as: UTF8.self) else { return 0 }
    switch bytes[0] % 8 {
    case 0, 1:
        guard let spec = try? AgentSpec.parse(text, yaml: bytes[0] % 8 == 0) else { return 0 }
        _ = try? AgentSystem(spec: spec, model: ScriptedChatModel(turns: []), tools: ToolRegistry())
    case 2, 3:
        _ = try? AgentEvalSuite.parse(text, yaml: bytes[0] % 8 == 2)
    case 4:
        _ = try? ScriptedChatModel(json: Data(text.utf8))
    case 5:
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-trace-\(getpid()).jsonl")
        guard (try? Data(text.utf8).write(to: url)) != nil else { return 0 }
        _ = try? TraceWriter.replayModel(url)
    case 6:
        _ = TextReAct.parse(text, step: 1)
        _ = TextReAct.finalAnswer(text)
        if let args = try? JSONValue.parse(text) {
            let ex = try? ToolExecutor([BuiltinTools.calculator()])
            let semaphore = DispatchSemaphore(value: 0)
            Task { _ = await ex?.run(AgentToolCall(id: "f", name: "calculator", arguments: args)); semaphore.signal() }
            semaphore.wait()
        }
    default:
        _ = try? Calculator.evaluate(text)
    }
    return 0
}
