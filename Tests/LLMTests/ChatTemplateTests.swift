import Foundation
import Testing
import LLM

/// Chat templates rendered as jinja2 3.1.6 renders them in transformers' apply_chat_template
/// (scripts/fixtures/make_chat_template_fixtures.py): Llama 3, Gemma, Mistral, Phi-3, Qwen2.5 with
/// tools, SmolLM2's own template and a template of the remaining Jinja features.
@Suite struct ChatTemplateTests {
    /// The fixture read with key order kept (as `tojson` in a template needs).
    static let fixture: JinjaDict = {
        guard case .dict(let d) = try! JinjaValue(json: String(contentsOf: FixtureFiles.url("chat_templates.json"), encoding: .utf8)) else { fatalError("fixture") }
        return d
    }()

    static func messages(_ name: String) -> [ChatMessage] {
        guard case .dict(let convs)? = fixture["conversations"], case .list(let list)? = convs[name] else { return [] }
        return list.map { v in
            guard case .dict(let d) = v, case .string(let role)? = d["role"], case .string(let content)? = d["content"] else { return .user("") }
            var extra = JinjaDict()
            for k in d.keys where k != "role" && k != "content" { extra[k] = d[k] }
            return ChatMessage(role: role, content: content, extra: extra)
        }
    }

    @Test func rendersLikeJinja2() throws {
        guard case .list(let renders)? = Self.fixture["renders"], case .list(let tools)? = Self.fixture["tools"] else {
            Issue.record("fixture layout"); return
        }
        #expect(renders.count >= 60)
        var checked = 0
        for case .dict(let r) in renders {
            guard case .string(let name)? = r["template"], case .string(let conv)? = r["conversation"],
                  case .bool(let gen)? = r["add_generation_prompt"] else { Issue.record("render entry"); continue }
            let source = try String(contentsOf: FixtureFiles.url("chat_templates/\(name).jinja"), encoding: .utf8)
            let template = try ChatTemplate(source, bosToken: "<s>", eosToken: "</s>")
            let label = "\(name) × \(conv) × generation prompt \(gen)"
            do {
                let text = try template.render(Self.messages(conv), addGenerationPrompt: gen, tools: conv == "tools" ? tools : nil)
                if case .string(let want)? = r["text"] { #expect(text == want, "\(label)") } else { Issue.record("\(label): rendered, jinja2 raised") }
            } catch let LLMError.template(_, message) {
                if case .string(let want)? = r["error"] { #expect(message.hasSuffix(want), "\(label): \(message)") } else { Issue.record("\(label): \(message)") }
            }
            checked += 1
        }
        #expect(checked == renders.count)
    }

    @Test func errorsNameTheLine() throws {
        let cases: [(String, Int, String)] = [
            ("{% if x %}\nno end", 1, "without {% endif %}"),
            ("line\n{{ 1 + }}", 2, "unexpected"),
            ("{% macro m() %}{% endmacro %}", 1, "unsupported or unexpected tag 'macro'"),
            ("a\nb\n{{ x | nosuchfilter }}", 3, "unknown filter 'nosuchfilter'"),
            ("{{ 'unterminated }}", 1, "never closed"),
            ("{{ ('unterminated) }}", 1, "never closed"),
            ("{% set x = 'a %}{{ x }}", 1, "never closed"),
            ("{{ x", 1, "never closed"),
            ("{{ 2 ** 3 }}{{ 2 ** 70 }}{{ x.y }}", 1, "undefined"),
            ("{% for i in range(1000000000) %}{% endfor %}", 1, "range()"),
            ("{{ 'x' * 100000000000 }}", 1, "too long"),
            ("{{ undefined_thing.attr }}", 1, "undefined"),
            ("{{ raise_exception('custom stop') }}", 1, "custom stop"),
            (String(repeating: "(", count: 500) + "1" + String(repeating: ")", count: 500), 1, "nested deeper"),
        ]
        for (source, line, fragment) in cases {
            do {
                let t = try JinjaTemplate(source.hasPrefix("((") ? "{{ \(source) }}" : source)
                _ = try t.render([:])
                Issue.record("no error for \(source.prefix(40))")
            } catch let LLMError.template(l, message) {
                #expect(l == line && message.contains(fragment), "\(source.prefix(40)): line \(l): \(message)")
            }
        }
    }

    @Test func jsonKeepsKeyOrderAndRefusesBadInput() throws {
        let v = try JinjaValue(json: #"{"z": 1, "a": [true, null, -2.5e1, "\u00e9\ud83d\ude42\n"], "m": {}}"#)
        #expect(try JinjaTemplate("{{ v | tojson }}").render(["v": v]) == #"{"z": 1, "a": [true, null, -25.0, "é🙂\n"], "m": {}}"#)
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "\"open", "01x", "nul", String(repeating: "[", count: 200)] {
            #expect(throws: LLMError.self, "\(bad.prefix(20))") { try JinjaValue(json: bad) }
        }
    }

    @Test(.enabled(if: FixtureFiles.smolLM2 != nil, "needs models/SmolLM2-135M-Instruct.Q4_1.gguf (scripts/fetch_models.sh)"))
    func smolLM2TemplateFromTheModelFile() throws {
        let file = try GGUFFile(contentsOf: FixtureFiles.smolLM2!)
        let tok = try GGUFTokenizer(file: file)
        let template = try ChatTemplate(tokenizer: tok, path: file.path)
        let prompt = try template.render([.user("Hi")])
        #expect(prompt == "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
        #expect(tok.encode(prompt).filter { $0 == 1 }.count == 3)   // <|im_start|> parsed as one id each time
    }
}
