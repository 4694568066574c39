// libFuzzer target: LLM.Grammar and LLM.JSONSchemaGrammar — the input, up to a line "%%", is
// parsed as a GBNF grammar and as a JSON schema (converted to GBNF, parsed, and used to build a
// JSONSchemaValidator); the rest of the input is then fed to each grammar's matcher byte by byte
// and in one piece, and checked by the validator.
import LLM

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    var cut = bytes.count, rest = bytes.count
    let separator: [UInt8] = Array("\n%%\n".utf8)
    if bytes.count >= separator.count {
        for k in 0...(bytes.count - separator.count) where Array(bytes[k..<(k + separator.count)]) == separator {
            cut = k; rest = k + separator.count
            break
        }
    }
    guard let source = String(validating: bytes[..<cut], as: UTF8.self) else { return 0 }
    let input = Array(bytes[rest...])
    var grammars: [Grammar] = []
    if let g = try? Grammar(gbnf: source) { grammars.append(g) }
    if let text = try? JSONSchemaGrammar.gbnf(schema: source) {
        // The converter's output must always parse (or hit a size limit): anything else is a bug.
        do { grammars.append(try Grammar(gbnf: text)) } catch let e as GrammarError {
            switch e {
            case .tooLarge, .leftRecursion: break
            default: fatalError("converter produced a grammar that does not parse: \(e)\n\(text)")
            }
        } catch { fatalError("\(error)") }
        if let v = try? JSONSchemaValidator(schema: source), let json = String(validating: input, as: UTF8.self) {
            _ = v.validate(json: json)
        }
    }
    for g in grammars {
        var m = GrammarMatcher(g)
        for b in input where !m.accept(bytes: [b]) { break }
        _ = (m.canEnd, m.isComplete, m.limitReached)
        var whole = GrammarMatcher(g)
        _ = whole.accept(bytes: input)
    }
    return 0
}
