// libFuzzer target: LLM.GGUFFile(data:) — the GGUF reader — then what is built on it: the
// tokenizer, the model configuration, the chat template, and (when the file holds a small Llama)
// the model itself with one evaluated token.
import Foundation
import LLM

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    guard let file = try? GGUFFile(data: data) else { return 0 }
    for t in file.tensors { _ = file.withBytes(of: t) { $0.count } }
    _ = file.metadata.keys.map { file.metadata[$0]?.summary }
    if let tok = try? GGUFTokenizer(file: file) {
        let ids = tok.encode("Hello <|im_start|> wörld 123 🙂")
        _ = tok.decode(ids)
        if let template = try? ChatTemplate(tokenizer: tok, path: file.path) {
            _ = try? template.render([.system("s"), .user("u")])
        }
    }
    if let model = try? LlamaModel(file: file), let session = try? model.makeSession(contextLength: 4) {
        _ = try? session.evaluate(0)
    }
    return 0
}
