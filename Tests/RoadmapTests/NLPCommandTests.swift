import Foundation
import SwiftLearn
import Testing

@Suite(.enabled(if: swiftlearnBinary != nil, "the swiftlearn executable is not built (swift build --build-tests builds it)"))
struct NLPCommandTests {
    func files(_ home: URL, _ contents: [String: String]) throws -> [String: String] {
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        var paths: [String: String] = [:]
        for (name, text) in contents {
            let url = home.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            paths[name] = url.path
        }
        return paths
    }

    @Test func scoresEqualTheLibrarysAndBadInputExits64() throws {
        let home = temporaryHome("nlp-score")
        defer { try? FileManager.default.removeItem(at: home) }
        let hyps = ["The cat sat on the mat.", "It costs 3.14 dollars, or 1,000 cents.", "ΣΊΣΥΦΟΣ ran home"]
        let refs = ["The cat is on the mat.", "It costs 3.14 dollars or 1,000 cents.", "σίσυφος ran home\r"]
        let f = try files(home, ["h.txt": hyps.joined(separator: "\n") + "\n", "r.txt": refs.joined(separator: "\n") + "\n",
                                 "short.txt": "one line\n", "bin.txt": "a\u{0}b\n"])
        let refsClean = refs.map { $0.hasSuffix("\r") ? String($0.dropLast()) : $0 }
        for (metric, expected) in [("bleu", try BLEU().corpusScore(hypotheses: hyps, references: [refsClean]).score),
                                   ("chrf++", try CHRF(wordOrder: 2).corpusScore(hypotheses: hyps, references: [refsClean]).score)] {
            let r = try swiftlearn(["nlp", "score", "--metric", metric, "--hypotheses", f["h.txt"]!, "--references", f["r.txt"]!, "--json"], home: home)
            #expect(r.status == 0, "\(r.err)")
            let obj = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
            #expect(obj?["score"] as? Double == expected, "\(metric): \(r.out)")
        }
        // The same references with Windows line endings score the same, line for line.
        let crlf = try files(home, ["crlf.txt": refsClean.joined(separator: "\r\n") + "\r\n"])
        let a = try swiftlearn(["nlp", "score", "--metric", "chrf", "--hypotheses", f["h.txt"]!, "--references", f["r.txt"]!, "--json"], home: home)
        let b = try swiftlearn(["nlp", "score", "--metric", "chrf", "--hypotheses", f["h.txt"]!, "--references", crlf["crlf.txt"]!, "--json"], home: home)
        #expect(a.status == 0 && b.status == 0 && a.out == b.out, "\(a.out) \(b.out) \(b.err)")
        let rouge = try swiftlearn(["nlp", "score", "--metric", "rouge2", "--hypotheses", f["h.txt"]!, "--references", f["r.txt"]!], home: home)
        #expect(rouge.status == 0 && rouge.out.hasPrefix("rouge2: F1"), "\(rouge.err)")
        for (args, hint) in [(["--metric", "meteor"], "unknown --metric"), (["--metric", "bleu"], "--references"),
                             (["--metric", "bleu", "--references", f["r.txt"]!, "--tokenize", "intl"], "--tokenize"),
                             (["--metric", "bleu", "--references", f["r.txt"]!, "--smooth-value", "nan"], "--smooth-value"),
                             (["--metric", "bleu", "--references", f["short.txt"]!], "has 1 lines")] {
            let r = try swiftlearn(["nlp", "score", "--hypotheses", f["h.txt"]!] + args, home: home)
            #expect(r.status == 64 && r.err.contains(hint), "\(args): \(r.status) \(r.err)")
        }
        let binary = try swiftlearn(["nlp", "score", "--metric", "chrf", "--hypotheses", f["bin.txt"]!, "--references", f["r.txt"]!], home: home)
        #expect(binary.status != 0 && binary.err.contains("NUL"), "\(binary.err)")
        let missing = try swiftlearn(["nlp", "score", "--metric", "chrf", "--hypotheses", home.appendingPathComponent("nope").path, "--references", f["r.txt"]!], home: home)
        #expect(missing.status == 1, "\(missing.err)")
    }
}
