// libFuzzer target: Datasets.CSVTable.parse on the input decoded as UTF-8 (inputs that are
// not valid UTF-8 are skipped: the loader takes a String). A parsed table is also used:
// written back as CSV text, sliced and a column dropped.
import Datasets

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    guard let text = String(validatingUTF8Bytes: bytes) else { return 0 }
    for delimiter: Character in [",", ";"] {
        guard let table = try? CSVTable.parse(text, delimiter: delimiter, source: "fuzz") else { continue }
        _ = table.csvText()
        if table.rowCount > 0 { _ = table.rows([0, table.rowCount - 1]) }
        if let first = table.header.first { _ = try? table.dropping([first]) }
        for name in table.header.prefix(4) { _ = try? table.column(name).missingCount }
    }
    return 0
}

extension String {
    init?(validatingUTF8Bytes bytes: UnsafeRawBufferPointer) {
        guard let s = String(validating: bytes, as: UTF8.self) else { return nil }
        self = s
    }
}
