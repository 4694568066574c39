// libFuzzer target: the RAG module's readers of outside text. The first byte picks the reader
// (HTML, Markdown, CSV, JSON, JSON Lines, a QA file, an embeddings endpoint's reply); the rest, decoded as UTF-8 (invalid inputs
// skipped), is parsed, and a parsed document is also cut into structure-aware chunks whose
// offsets are checked against its text.
import Foundation
import RAG
import Retrieval

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    guard let text = String(validating: UnsafeRawBufferPointer(rebasing: bytes[1...]), as: UTF8.self) else { return 0 }
    let loader = DocumentLoader()
    let kinds = [("html", "page.html"), ("markdown", "notes.md"), ("csv", "rows.csv"), ("json", "items.json"), ("json", "items.jsonl"), ("qa", "qa.jsonl"), ("embeddings", "reply.json")]
    let (kind, path) = kinds[Int(bytes[0]) % kinds.count]
    if kind == "embeddings" {
        _ = try? EndpointEmbedding.vectors(fromReply: Data(text.utf8), inputs: Int(bytes[0] % 8), endpoint: "fuzz")
        return 0
    }
    if kind == "qa" {
        _ = try? QASet.parse(text, path: path)
        return 0
    }
    guard let documents = try? loader.documents(fromText: text, kind: kind, path: path) else { return 0 }
    for document in documents.prefix(4) {
        guard let chunks = try? RAGChunking.sections(size: 200).chunks(of: document, embedding: HashedFeatureEmbedding(dimension: 16)) else { continue }
        let characters = Array(document.text)
        for c in chunks where c.start < 0 || c.end > characters.count || String(characters[c.start..<c.end]) != c.text {
            fatalError("chunk \(c.index) does not match its span \(c.start)..<\(c.end)")
        }
        for s in document.sections where s.start < 0 || s.end > characters.count || s.start > s.end {
            fatalError("section \(s.title) outside the text")
        }
    }
    return 0
}
