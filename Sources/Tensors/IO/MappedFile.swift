import Foundation
import SwiftLearnCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file mapped read-only into memory: opening it reads nothing, pages come in as they are
/// touched, and many processes share one copy in the page cache (how model files are read).
///
/// The mapping lives as long as this object; pointers from ``bytes`` must not outlive it (keep a
/// reference to the `MappedFile` wherever they are stored). `slice(offset:count:)` checks every
/// range against the file size with overflow-safe arithmetic.
public final class MappedFile: @unchecked Sendable {
    /// The path, for messages.
    public let path: String
    /// The whole file (read-only; empty for an empty file).
    public let bytes: UnsafeRawBufferPointer
    private let base: UnsafeMutableRawPointer?

    /// Maps the file at `url`.
    /// - Throws: `TensorIOError.fileNotFound` or `.unreadableFile` (a directory, no permission,
    ///   an I/O error).
    public init(contentsOf url: URL) throws {
        path = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw TensorIOError.fileNotFound(path: path) }
        guard !isDirectory.boolValue else { throw TensorIOError.unreadableFile(path: path, reason: "it is a directory") }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TensorIOError.unreadableFile(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw TensorIOError.unreadableFile(path: path, reason: String(cString: strerror(errno))) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw TensorIOError.unreadableFile(path: path, reason: "it is not a regular file") }
        let size = Int(st.st_size)
        if size == 0 {
            base = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw TensorIOError.unreadableFile(path: path, reason: "cannot map it into memory (\(String(cString: strerror(errno))))")
        }
        base = p
        bytes = UnsafeRawBufferPointer(start: p, count: size)
    }

    deinit {
        if let base { munmap(base, bytes.count) }
    }

    /// Bytes `offset ..< offset + count` of the file.
    /// - Throws: `TensorIOError.truncated` when the range is not inside the file.
    public func slice(offset: Int, count: Int) throws -> UnsafeRawBufferPointer {
        let (end, overflow) = offset.addingReportingOverflow(count)
        guard offset >= 0, count >= 0, !overflow, end <= bytes.count else {
            throw TensorIOError.truncated(what: "'\(path)' bytes \(offset)..<\(overflow ? Int.max : end)", expected: overflow ? Int.max : end, got: bytes.count)
        }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<end])
    }

    /// Asks the kernel to read the whole file ahead (before a model's first token).
    public func willNeed() {
        if let base { _ = madvise(base, bytes.count, MADV_WILLNEED) }
    }
}
