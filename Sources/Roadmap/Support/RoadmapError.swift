import Foundation

/// Errors of the roadmap module: unknown ids, bad user input, damaged or foreign files.
/// Each message says what went wrong and what to do.
public enum RoadmapError: Error, CustomStringConvertible, Equatable, Sendable {
    /// An id that names no topic; `suggestions` are the closest known ids.
    case unknownTopic(String, suggestions: [String])
    /// An id that names no track.
    case unknownTrack(String, suggestions: [String])
    /// An id that names no phase.
    case unknownPhase(String, suggestions: [String])
    /// A topic without a demo (or an unknown demo id).
    case unknownDemo(String, suggestions: [String])
    /// An id that names no checkpoint.
    case unknownCheckpoint(String, suggestions: [String])
    /// A value outside its allowed range (name, value, what is allowed).
    case invalidValue(name: String, value: String, allowed: String)
    /// The progress file is not a SQLite database (a text file, a truncated or damaged file).
    case notAProgressDatabase(path: String, reason: String)
    /// The progress file is a SQLite database of another application.
    case foreignDatabase(path: String, reason: String)
    /// The progress database was written by a newer SwiftLearn (unknown migrations).
    case newerDatabase(path: String, migrations: [String])
    /// An import file that cannot be read as a SwiftLearn progress export.
    case malformedImport(String)
    /// A record (of an import, or passed to a store write) with a field outside ``ProgressLimits``.
    case invalidRecord(record: String, field: String, value: String, allowed: String)
    /// The progress folder cannot be written (read-only folder or file, or a store opened for reading).
    case readOnly(folder: String)
    /// A storage failure from SQLite, with its message.
    case storage(String)

    /// The message shown to the user.
    public var description: String {
        func close(_ s: [String]) -> String { s.isEmpty ? "" : " Did you mean: \(s.joined(separator: ", "))?" }
        switch self {
        case .unknownTopic(let id, let s): return "unknown topic '\(id)'.\(close(s)) (`swiftlearn roadmap` lists every topic id)"
        case .unknownTrack(let id, let s): return "unknown track '\(id)'.\(close(s)) Tracks: \(RoadmapTrack.all.map(\.id).joined(separator: ", "))"
        case .unknownPhase(let id, let s): return "unknown phase '\(id)'.\(close(s)) Phases: \(Curriculum.standard.phases.map(\.id).joined(separator: ", "))"
        case .unknownDemo(let id, let s): return "no demo for '\(id)'.\(close(s)) (`swiftlearn demo --list` lists the demos)"
        case .unknownCheckpoint(let id, let s): return "unknown checkpoint '\(id)'.\(close(s)) (`swiftlearn checkpoint --list` lists them)"
        case .invalidValue(let name, let value, let allowed): return "invalid \(name) '\(value)': \(allowed)"
        case .notAProgressDatabase(let path, let reason):
            return "\(path) is not a SwiftLearn progress database (\(reason)); it was left untouched. Move it away or use --home to pick another folder."
        case .foreignDatabase(let path, let reason):
            return "\(path) is a SQLite database of another application (\(reason)); it was left untouched. Use --home to pick another folder."
        case .newerDatabase(let path, let migrations):
            return "\(path) was written by a newer SwiftLearn (unknown migrations: \(migrations.joined(separator: ", "))); upgrade swiftlearn to use it."
        case .malformedImport(let why): return "cannot import: \(why); nothing was changed"
        case .invalidRecord(let record, let field, let value, let allowed):
            return "invalid \(field) '\(value)' in \(record): must be \(allowed); nothing was changed"
        case .readOnly(let folder):
            return "cannot save progress: \(folder) is read-only; nothing was changed. Make it writable or use --home to pick another folder."
        case .storage(let message): return "progress store: \(message)"
        }
    }
}

