import Foundation
import Serve
import TestSupport
import XCTest

/// Outside data at the HTTP boundary: valid requests of every route, mutated byte by byte
/// (flips, cuts, repeats, inserted JSON fragments), must each get a 2xx or a 4xx with an error
/// body — never a crash, a hang or a 5xx. Seeded, so a failure names a reproducible case.
final class MutatedRequestTests: XCTestCase {
    static let seeds: [(String, String)] = [
        ("/v1/chat/completions", #"{"model":"tiny_llama","messages":[{"role":"system","content":"s"},{"role":"user","content":[{"type":"text","text":"hi"}]}],"max_tokens":4,"temperature":0.5,"seed":3,"stop":["x"],"logprobs":true,"top_logprobs":2,"n":2}"#),
        ("/v1/chat/completions", #"{"model":"tiny_llama","messages":[{"role":"user","content":"w"}],"max_tokens":40,"tool_choice":"required","tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"string","maxLength":3}},"required":["a"]}}}],"stream":true}"#),
        ("/v1/chat/completions", #"{"model":"tiny_llama","messages":[{"role":"user","content":"j"}],"max_tokens":30,"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object","properties":{"k":{"enum":["a","b"]}},"required":["k"]}}}}"#),
        ("/v1/completions", #"{"model":"tiny_llama","prompt":["ab",[1,2,3]],"max_tokens":3,"echo":true,"logprobs":1,"logit_bias":{"5":-100}}"#),
        ("/v1/messages", #"{"model":"tiny_llama","max_tokens":5,"system":[{"type":"text","text":"s"}],"messages":[{"role":"user","content":[{"type":"text","text":"x"},{"type":"tool_result","tool_use_id":"t","content":"r"}]}],"stream":true}"#),
        ("/v1/embeddings", #"{"model":"tiny_bert","input":["a b",[2,3,5]],"encoding_format":"base64"}"#),
    ]
    static let fragments = ["{", "}", "[", "]", ",", ":", "\"", "null", "true", "-1", "1e999", "0.5", "\"\\u0000\"", "\"\\ud800\"", "{}", "[]",
                            "\"messages\"", "\"model\"", "99999999", "\u{FEFF}", "\\", "\u{00}", "\"stream\":true,"]

    func mutate(_ body: [UInt8], _ rng: inout TestRNG) -> [UInt8] {
        var b = body
        for _ in 0..<(rng.below(10) < 7 ? 1 : 1 + rng.below(4)) {
            guard !b.isEmpty else { break }
            let i = rng.below(b.count)
            switch rng.below(5) {
            case 0: b[i] ^= UInt8(1 << rng.below(8))
            case 1: b.removeSubrange(i..<min(b.count, i + 1 + rng.below(8)))
            case 2: if rng.below(4) == 0 { b = Array(b[..<i]) } else { b[i] = UInt8(ascii: " ") }
            case 3: b.insert(contentsOf: Array(Self.fragments[rng.below(Self.fragments.count)].utf8), at: i)
            default: let j = min(b.count, i + rng.below(16)); b.insert(contentsOf: b[i..<j], at: i)
            }
        }
        return b
    }

    func testMutatedRequestsGetA2xxOrA4xxNeverA5xx() async throws {
        let (app, _) = try ServeAppTests.makeApp(maxQueue: 64)
        var rng = TestRNG(seed: 20261206)
        var counts: [Int: Int] = [:]
        for round in 0..<3000 {
            let (path, text) = Self.seeds[round % Self.seeds.count]
            let pristine = round < Self.seeds.count
            let body = pristine ? Array(text.utf8) : mutate(Array(text.utf8), &rng)
            let response = await app.handle(ServeRequest(method: "POST", target: path, headers: ["content-type": "application/json"], body: body))
            var bytes: [UInt8] = []
            switch response.body {
            case .bytes(let b): bytes = b
            case .stream(let s): for try await chunk in s { bytes += chunk }
            }
            counts[response.status / 100, default: 0] += 1
            if pristine { XCTAssertEqual(response.status, 200, "seed \(round) (\(path)) is not a valid request: \(String(decoding: bytes, as: UTF8.self))") }
            XCTAssertTrue((200..<500).contains(response.status), "round \(round) \(path): \(response.status) for \(String(decoding: body, as: UTF8.self)) → \(String(decoding: bytes, as: UTF8.self))")
            if response.status >= 400 {
                XCTAssertNotNil(try? JSON.parse(bytes), "round \(round): error body is not JSON")
            }
            // A stream that ends with an error event must carry an error object, not a 5xx text.
            if case .stream = response.body, let text = String(validating: bytes, as: UTF8.self), text.contains("\"server_error\"") {
                XCTFail("round \(round) \(path): a server error inside the stream for \(String(decoding: body, as: UTF8.self)): \(text.suffix(300))")
            }
        }
        XCTAssertGreaterThan(counts[2, default: 0], 100, "too few mutated requests were still valid: \(counts)")
        XCTAssertGreaterThan(counts[4, default: 0], 500, "\(counts)")
    }
}
