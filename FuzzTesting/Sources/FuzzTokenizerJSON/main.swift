// libFuzzer target: NLP.HFTokenizer(jsonData:) on a tokenizer.json. A tokenizer that loads is
// then used: a fixed text (ASCII, accents, CJK, emoji, special tokens) is encoded, alone and
// as a pair, and the ids are decoded back.
import Foundation
import NLP

private let text = "Hello, world! Unbelievable tokenizers: café, naïve, 東京, 🙂 [CLS] <|endoftext|>  spaces\tand\nlines"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    guard let tokenizer = try? HFTokenizer(jsonData: data) else { return 0 }
    let encoding = tokenizer.encode(text)
    _ = tokenizer.decode(encoding.ids)
    _ = tokenizer.decode(encoding.ids, skipSpecialTokens: false)
    _ = tokenizer.encode("a", pair: "b c", addSpecialTokens: true)
    _ = tokenizer.encode("")
    for id in encoding.ids.prefix(8) { _ = tokenizer.token(of: id) }
    _ = tokenizer.token(of: -1)
    _ = tokenizer.token(of: Int.max)
    _ = try? tokenizer.jsonData()
    return 0
}
