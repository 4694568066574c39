import Foundation
import Testing
import LLM

/// GGMLQuantizer against gguf-py's `gguf.quants` (scripts/fixtures/make_gguf_quant_fixtures.py):
/// the same bytes for every input and type, and the same decoded values.
@Suite struct QuantizerTests {
    struct Case {
        let name: String
        let values: [Float]
        let types: [String: (bytes: [UInt8], dequantized: [Float])]
    }

    static let cases: [Case] = {
        guard let root = try? FixtureFiles.json("gguf_quants.json") as? [String: Any],
              let list = root["cases"] as? [[String: Any]] else { return [] }
        func floats(_ v: Any?) -> [Float] { ((v as? [NSNumber]) ?? []).map { Float(bitPattern: $0.uint32Value) } }
        func bytes(_ hex: String) -> [UInt8] {
            let chars = Array(hex.utf8)
            return stride(from: 0, to: chars.count, by: 2).map { UInt8(String(decoding: chars[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
        }
        return list.map { c in
            var types: [String: (bytes: [UInt8], dequantized: [Float])] = [:]
            for (t, v) in (c["types"] as? [String: [String: Any]]) ?? [:] {
                types[t] = (bytes((v["hex"] as? String) ?? ""), floats(v["dequantized_bits"]))
            }
            return Case(name: c["name"] as? String ?? "?", values: floats(c["values_bits"]), types: types)
        }
    }()

    @Test func fixtureIsComplete() {
        #expect(Self.cases.count == 11)
        #expect(Self.cases.allSatisfy { Set($0.types.keys) == Set(GGMLQuantizer.types) })
    }

    @Test(arguments: GGMLQuantizer.types)
    func sameBytesAsGGUFPy(type: String) throws {
        for c in Self.cases {
            let ref = try #require(c.types[type])
            if ref.dequantized.contains(where: { !$0.isFinite }) {
                // gguf-py stores ±inf when a float16 scale overflows; we refuse the block instead.
                #expect(throws: LLMError.self, "\(c.name) \(type)") { try GGMLQuantizer.quantize(c.values, as: type) }
                continue
            }
            let ours = try GGMLQuantizer.quantize(c.values, as: type)
            let firstDiff = zip(ours, ref.bytes).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            #expect(ours == ref.bytes, "\(c.name) \(type): \(ours.count) vs \(ref.bytes.count) bytes, first difference at byte \(firstDiff.map(String.init) ?? "-")")
            let back = try GGMLQuantizer.dequantize(ref.bytes, as: type, count: c.values.count)
            #expect(back.map(\.bitPattern) == ref.dequantized.map(\.bitPattern), "\(c.name) \(type) decoded")
        }
    }

    /// The error each type adds on normal data shrinks with its bits, and stays within half a step.
    @Test func errorFollowsTheBits() throws {
        let x = try #require(Self.cases.first { $0.name == "normal" }).values
        var rms: [String: Double] = [:]
        for type in GGMLQuantizer.types {
            let back = try GGMLQuantizer.dequantize(try GGMLQuantizer.quantize(x, as: type), as: type, count: x.count)
            rms[type] = (zip(x, back).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +) / Double(x.count)).squareRoot()
        }
        print("quantization rms error on N(0,1):", GGMLQuantizer.types.map { "\($0) \(rms[$0]!)" }.joined(separator: ", "))
        #expect(rms["f32"] == 0)
        #expect(rms["q8_0"]! < rms["q5_1"]! && rms["q5_1"]! < rms["q4_1"]! && rms["q5_0"]! < rms["q4_0"]!)
        #expect(rms["q4_0"]! < 0.15 && rms["q8_0"]! < 0.01)
    }

    /// k-quant blocks (random packed bits, finite scales) decode to gguf-py's values bit for bit.
    @Test func kQuantsDecodeAsGGUFPy() throws {
        let root = try #require(try FixtureFiles.json("gguf_kquants.json") as? [String: Any])
        let types = try #require(root["types"] as? [String: [String: Any]])
        #expect(Set(types.keys) == ["q2_K", "q3_K", "q4_K", "q5_K", "q6_K"])
        for (type, v) in types.sorted(by: { $0.key < $1.key }) {
            let hex = Array(try #require(v["hex"] as? String).utf8)
            let bytes = stride(from: 0, to: hex.count, by: 2).map { UInt8(String(decoding: hex[$0..<$0 + 2], as: UTF8.self), radix: 16) ?? 0 }
            let want = try #require(v["dequantized_bits"] as? [NSNumber]).map(\.uint32Value)
            let got = try GGMLQuantizer.dequantize(bytes, as: type, count: want.count).map(\.bitPattern)
            let diff = zip(got, want).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            #expect(want.count == 6 * 256 && got == want, "\(type): first difference at value \(diff.map(String.init) ?? "-")")
        }
        #expect(throws: LLMError.self) { try GGMLQuantizer.dequantize([UInt8](repeating: 0, count: 143), as: "q4_K", count: 256) }
    }

    @Test func badInputIsRefused() {
        #expect(throws: LLMError.self) { try GGMLQuantizer.quantize([Float](repeating: 1, count: 31), as: "q4_0") }
        #expect(throws: LLMError.self) { try GGMLQuantizer.quantize([Float](repeating: 1, count: 32), as: "q3_K") }
        #expect(throws: LLMError.self) { try GGMLQuantizer.quantize([Float](repeating: .nan, count: 32), as: "q8_0") }
        #expect(throws: LLMError.self) { try GGMLQuantizer.quantize([1e5], as: "f16") }
        #expect(throws: LLMError.self) { try GGMLQuantizer.quantize([.greatestFiniteMagnitude], as: "bf16") }
        #expect(throws: LLMError.self) { try GGMLQuantizer.dequantize([0, 1, 2], as: "q4_0", count: 32) }
        #expect(throws: LLMError.self) { try GGMLQuantizer.dequantize([], as: "q4_0", count: -32) }
        #expect(GGMLQuantizer.bitsPerWeight("q4_0") == 4.5 && GGMLQuantizer.bitsPerWeight("q8_0") == 8.5)
    }
}
