import Foundation
import SwiftLearnCore
import Testing

/// `readTextFile`, the one reader of the command line's text inputs, on pipes and devices
/// (`--input <(…)`, /dev/stdin), which Foundation's whole-file read refuses.
@Suite struct TextInputTests {
    @Test func readsDevicesAndPipes() throws {
        #expect(try readTextFile("/dev/null") == "")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fifo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("pipe").path
        #expect(mkfifo(path, 0o600) == 0)
        let writer = Thread {
            if let handle = FileHandle(forWritingAtPath: path) { handle.write(Data("one\ntwo é\n".utf8)); try? handle.close() }
        }
        writer.start()
        #expect(try readTextFile(path) == "one\ntwo é\n")
        #expect(throws: (any Error).self) { try readTextFile(dir.path) }                       // a directory
        #expect(throws: (any Error).self) { try readTextFile(dir.appendingPathComponent("none").path) }
    }
}
