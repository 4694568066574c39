import Foundation
import SwiftLearnCore

/// Artifacts as files under one root folder, addressed by relative paths from requests
/// (`1/<run>/artifacts/model/MLmodel`). A path is refused unless it stays inside the root: no
/// `..` or `.` components, no NUL, no backslash, not absolute. Uploads land in a temporary file
/// first and are renamed into place, so a reader never sees half a file.
public struct ArtifactFiles: Sendable {
    /// The folder artifacts live under (`<store>/artifacts`).
    public let root: URL

    public init(root: URL) { self.root = root }

    /// One listed entry: its name relative to the listed folder, and its size for files.
    public struct Entry: Sendable, Equatable {
        /// The entry's name, relative to the listed folder.
        public let path: String
        /// Whether the entry is a folder.
        public let isDirectory: Bool
        /// The file's size in bytes (nil for a folder).
        public let size: Int?

        public init(path: String, isDirectory: Bool, size: Int?) {
            self.path = path; self.isDirectory = isDirectory; self.size = size
        }
    }

    /// The checked components of a relative path (percent-decoded already).
    public static func components(_ relative: String) throws -> [String] {
        guard relative.count <= 4096 else { throw TrackingError.invalid("an artifact path is longer than 4096 characters") }
        guard !relative.contains("\0"), !relative.contains("\\") else { throw TrackingError.invalid("invalid artifact path '\(relative.prefix(80))': NUL and backslash are not allowed") }
        let parts = relative.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard !parts.contains(".."), !parts.contains(".") else {
            throw TrackingError.invalid("invalid artifact path '\(relative.prefix(80))': '.' and '..' components are not allowed")
        }
        return parts
    }

    func url(_ relative: String) throws -> URL {
        var url = root
        for part in try Self.components(relative) { url.appendPathComponent(part) }
        return url
    }

    /// Writes `bytes` at `relative`, creating folders.
    public func write(_ bytes: [UInt8], to relative: String) throws {
        let parts = try Self.components(relative)
        guard !parts.isEmpty else { throw TrackingError.invalid("an artifact upload needs a file path") }
        let target = try url(relative)
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: target.path, isDirectory: &isDir), isDir.boolValue {
            throw TrackingError.invalid("cannot upload to '\(relative)': it is a folder")
        }
        do {
            try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            let temporary = target.deletingLastPathComponent().appendingPathComponent(".upload-\(UUID().uuidString)")
            try Data(bytes).write(to: temporary)
            if fm.fileExists(atPath: target.path) { _ = try fm.replaceItemAt(target, withItemAt: temporary) } else { try fm.moveItem(at: temporary, to: target) }
        } catch let e as TrackingError {
            throw e
        } catch {
            throw TrackingError(.internalError, "cannot store the artifact '\(relative)': \(readableReason(error))")
        }
    }

    /// The bytes of the file at `relative` (RESOURCE_DOES_NOT_EXIST when there is none).
    public func read(_ relative: String) throws -> [UInt8] {
        let target = try url(relative)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target.path, isDirectory: &isDir), !isDir.boolValue else {
            throw TrackingError.missing("No artifact file at '\(relative)'")
        }
        do { return [UInt8](try Data(contentsOf: target)) } catch {
            throw TrackingError(.internalError, "cannot read the artifact '\(relative)': \(readableReason(error))")
        }
    }

    /// The entries directly in the folder `relative` (none when it is a file or does not exist),
    /// by name; upload scratch files are not listed.
    public func list(_ relative: String) throws -> [Entry] {
        let folder = try url(relative)
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: folder.path, isDirectory: &isDir), isDir.boolValue else { return [] }
        let names = (try? fm.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".upload-") }.sorted().map { name in
            let item = folder.appendingPathComponent(name)
            var d: ObjCBool = false
            _ = fm.fileExists(atPath: item.path, isDirectory: &d)
            let size = d.boolValue ? nil : ((try? fm.attributesOfItem(atPath: item.path)[.size]) as? NSNumber)?.intValue
            return Entry(path: name, isDirectory: d.boolValue, size: size)
        }
    }

    /// Removes the file or folder at `relative` (the root itself cannot be removed).
    public func delete(_ relative: String) throws {
        guard !(try Self.components(relative)).isEmpty else { throw TrackingError.invalid("cannot delete the artifact root") }
        let target = try url(relative)
        guard FileManager.default.fileExists(atPath: target.path) else { throw TrackingError.missing("No artifact at '\(relative)'") }
        do { try FileManager.default.removeItem(at: target) } catch {
            throw TrackingError(.internalError, "cannot delete the artifact '\(relative)': \(readableReason(error))")
        }
    }
}
