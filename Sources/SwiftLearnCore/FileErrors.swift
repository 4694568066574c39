import Foundation

/// Why a file operation failed, in plain words: "no such file or directory", "permission denied".
///
/// Foundation's errors on Linux describe themselves as
/// `The operation could not be completed. (NSCocoaErrorDomain error 4.)` or dump their user info;
/// every module's "cannot read/write FILE: …" message uses this instead. The POSIX reason is taken
/// from the underlying error when there is one, then from the Cocoa code.
package func readableReason(_ error: Error) -> String {
    let ns = error as NSError
    if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(underlying.code)))
    }
    if ns.domain == NSCocoaErrorDomain {
        switch ns.code {
        case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return "no such file or directory"
        case NSFileWriteNoPermissionError, NSFileReadNoPermissionError: return "permission denied"
        case NSFileWriteOutOfSpaceError: return "no space left on the device"
        case NSFileWriteFileExistsError: return "a file of that name exists"
        case NSFileReadCorruptFileError: return "the file is damaged"
        case NSFileReadInapplicableStringEncodingError: return "the text is not in the expected encoding (UTF-8)"
        case NSFileWriteVolumeReadOnlyError: return "the volume is read-only"
        case NSFileReadUnknownError, NSFileWriteUnknownError:
            // Foundation on Linux reports reading a directory as this bare code ("file error
            // 256"); the path in the error's user info tells which case it is.
            let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
            var isDirectory: ObjCBool = false
            if let path, FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                return "it is a directory"
            }
            return ns.code == NSFileReadUnknownError ? "it cannot be read (a directory or a special file?)" : "it cannot be written"
        default: return "file error \(ns.code)"
        }
    }
    return String(describing: error)
}

/// A file that could not be written: the path and the reason in plain words ("is a directory",
/// "not a directory", "permission denied") — never Foundation's `NSCocoaErrorDomain` dump.
package struct UnwritableFileError: Error, CustomStringConvertible, LocalizedError {
    package let path: String
    package let reason: String
    package var description: String { "cannot write \(path): \(reason)" }
    package var errorDescription: String? { description }
}

/// Writes `data` to `url` atomically; any failure is an ``UnwritableFileError`` naming the file.
/// The one write path for outputs the command line produces (CSV tables, exports, JSON files).
package func writeFile(_ data: Data, to url: URL) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
        throw UnwritableFileError(path: url.path, reason: "it is a directory")
    }
    do { try data.write(to: url, options: .atomic) } catch {
        throw UnwritableFileError(path: url.path, reason: readableReason(error))
    }
}

/// A text file that cannot be used: missing, a directory, not UTF-8, or holding NUL bytes.
package struct UnreadableTextError: Error, CustomStringConvertible, LocalizedError {
    package let path: String
    package let reason: String
    package var description: String { "cannot read \(path): \(reason)" }
    package var errorDescription: String? { description }
}

/// The 1-based line of the first NUL byte in `bytes`, or nil. Text never holds NUL; a file
/// that does is binary (or UTF-16), and reading it as text would give silently wrong values.
package func lineOfFirstNUL<C: Collection>(_ bytes: C) -> Int? where C.Element == UInt8 {
    var line = 1
    for b in bytes {
        if b == 0 { return line }
        if b == UInt8(ascii: "\n") { line += 1 }
    }
    return nil
}

/// The most bytes `readTextFile` takes from a pipe or device (a regular file's size is the caller's to check).
package let maxStreamBytes = 1 << 30

/// Reads a UTF-8 text file (or a pipe such as `<(…)` or /dev/stdin); throws ``UnreadableTextError`` naming the file for a missing file,
/// a directory, bytes that are not UTF-8 (UTF-16 included) and NUL bytes (with the line). The one
/// reader for the text inputs of the command line (corpora, documents, JSON-lines files).
package func readTextFile(_ path: String) throws -> String {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
        throw UnreadableTextError(path: path, reason: "it is a directory")
    }
    let data: Data
    var status = stat()
    let mode = stat(path, &status) == 0 ? status.st_mode & S_IFMT : 0   // stat follows /dev/fd/N and /dev/stdin
    if mode == S_IFIFO || mode == S_IFCHR || mode == S_IFSOCK {
        // A pipe or device (`<(…)`, /dev/stdin): Foundation's whole-file read refuses these, so
        // read the stream, at most `maxStreamBytes`.
        guard let handle = FileHandle(forReadingAtPath: path) else { throw UnreadableTextError(path: path, reason: "permission denied") }
        defer { try? handle.close() }
        var buffer = Data()
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 20) ?? Data() } catch { throw UnreadableTextError(path: path, reason: readableReason(error)) }
            if chunk.isEmpty { break }
            buffer.append(chunk)
            if buffer.count > maxStreamBytes { throw UnreadableTextError(path: path, reason: "the stream holds more than \(maxStreamBytes) bytes") }
        }
        data = buffer
    } else {
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw UnreadableTextError(path: path, reason: readableReason(error))
        }
    }
    if let line = lineOfFirstNUL(data) {
        throw UnreadableTextError(path: path, reason: "line \(line) holds a NUL byte (a binary or UTF-16 file, not UTF-8 text)")
    }
    guard let text = String(data: data, encoding: .utf8) else {
        throw UnreadableTextError(path: path, reason: "not UTF-8 text")
    }
    return text
}
