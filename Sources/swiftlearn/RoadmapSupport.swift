import ArgumentParser
import Foundation
import SwiftLearn

/// `--home`: where the progress database lives.
struct HomeOption: ParsableArguments {
    @Option(help: "SwiftLearn's data folder: progress database and collections (default $SWIFTLEARN_HOME, else ~/.swiftlearn).") var home: String?

    /// A home that is a file, or lies under one, is refused before any command uses it (it
    /// could never hold the database; a missing folder is fine: writers create it).
    func validate() throws {
        try checkFolderPath(url.path, option: home == nil ? "SWIFTLEARN_HOME" : "--home")
    }

    /// The collections under this home (`<home>/collections/`).
    var collections: CollectionStore { CollectionStore(home: home.map { URL(fileURLWithPath: $0) }) }

    /// The home folder.
    var url: URL { ProgressStore.home(override: home) }

    /// Opens (creating) the store, for commands that write.
    func store() throws -> ProgressStore { try ProgressStore(home: url) }

    /// Opens the store for writing when its database exists; nil when there is none (nothing is created).
    func existingWritableStore() throws -> ProgressStore? { try ProgressStore.openExisting(home: url) }

    /// Opens the store read-only when its database exists (nothing is created or written, so a
    /// read-only folder works); nil when there is none yet.
    func readOnlyStore() throws -> ProgressStore? { try ProgressStore.openExisting(home: url, readOnly: true) }

    /// The progress so far, or nil when no database exists yet (read-only; unusable rows are
    /// skipped with a warning on standard error).
    func existingSnapshot() throws -> ProgressSnapshot? { try readOnlyStore().map(usableSnapshot) }

    /// The progress so far, empty when no database exists yet (read-only, as ``existingSnapshot()``).
    func snapshot() throws -> ProgressSnapshot {
        try existingSnapshot() ?? ProgressSnapshot(exportedAt: Date(), marks: [], studyLog: [], reviews: [], checkpoints: [])
    }
}

/// The usable records of `store`; warns on standard error about rows it skipped.
func usableSnapshot(_ store: ProgressStore) throws -> ProgressSnapshot {
    let reading = try store.reading()
    warnSkipped(reading.issues, in: store)
    return reading.snapshot
}

/// One warning naming the unusable rows (the first five) and the command that repairs them.
func warnSkipped(_ issues: [ProgressIssue], in store: ProgressStore) {
    guard !issues.isEmpty else { return }
    let listed = issues.prefix(5).map(\.description).joined(separator: "; ")
    let message = "warning: skipped \(issues.count) unusable row\(issues.count == 1 ? "" : "s") of \(store.path.path) (\(listed)\(issues.count > 5 ? "; …" : "")); "
        + "`swiftlearn progress doctor` lists them, `swiftlearn progress doctor --repair` deletes them\n"
    FileHandle.standardError.write(Data(message.utf8))
}

/// `--track`: one of the five study tracks.
struct TrackOption: ParsableArguments {
    @Option(help: "Study track: \(RoadmapTrack.all.map(\.id).joined(separator: ", ")) (default \(RoadmapTrack.defaultTrack.id)).") var track: String?

    func validate() throws {
        if let t = track { _ = try asValidation { try RoadmapTrack.named(t) } }
    }

    /// The chosen track.
    func resolved() throws -> RoadmapTrack { try track.map(RoadmapTrack.named) ?? RoadmapTrack.defaultTrack }
}

/// Turns a ``RoadmapError`` about an argument into a `ValidationError` (exit 64) with its message.
func asValidation<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as RoadmapError { throw ValidationError(e.description) }
}

/// Checks a topic id at argument-validation time.
func validateTopic(_ id: String) throws { _ = try asValidation { try Curriculum.standard.topic(id) } }

/// `yyyy-MM-dd` in UTC.
func day(_ d: Date) -> String {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "UTC")
    f.dateFormat = "yyyy-MM-dd"
    return f.string(from: d)
}

/// Parses `yyyy-MM-dd` (UTC); nil when malformed or outside ``ProgressLimits/dates``.
func parseDay(_ s: String) -> Date? {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "UTC")
    f.dateFormat = "yyyy-MM-dd"
    f.isLenient = false
    return f.date(from: s).flatMap { ProgressLimits.isValid(date: $0) ? $0 : nil }
}

/// Checks a `yyyy-MM-dd` option at argument-validation time (exit 64 with the allowed range).
func validateDay(_ s: String, option: String) throws {
    if parseDay(s) == nil { throw ValidationError("\(option) takes yyyy-MM-dd, \(ProgressLimits.datesAllowed), got '\(s)'") }
}

/// Prints one line and flushes, so a pipe or a killed process sees every line written.
func emit(_ line: String) {
    print(line)
    fflush(stdout)
}

/// A demo or checkpoint run as one JSON line.
func jsonLine(_ run: DemoRun, kind: String) -> String {
    var fields: [(String, JSONValue)] = [("type", .string(kind)), ("id", .string(run.id)), ("title", .string(run.title)),
                                         ("passed", .bool(run.passed)), ("seconds", .double(run.seconds))]
    if let why = run.skipped { fields.append(("skipped", .string(why))) }
    if let o = run.outcome {
        fields.append(("result", .string(o.result)))
        for m in o.metrics { fields.append((m.name, .double(m.value))) }
    }
    if let e = run.error { fields.append(("error", .string(e))) }
    fields.append(("files", .array(run.files.map { .string($0.path) })))
    return JSONLine(fields).text
}

/// A demo or checkpoint run as indented text.
func printRun(_ run: DemoRun, shows: String?) {
    print("\(run.passed ? "✓" : run.skipped != nil ? "–" : "✗") \(run.title)  (\(run.skipped != nil ? "skipped" : String(format: "%.2f s", run.seconds)))")
    if let s = shows { print("    \(s)") }
    if let o = run.outcome {
        print(o.result.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n"))
    }
    if let error = run.error {
        print("    error: \(error)")
        FileHandle.standardError.write(Data("Error: \(run.id): \(error)\n".utf8))
    } else if run.outcome == nil {
        print("    error: unknown")
    }
    for file in run.files { print("    chart: \(file.path)") }
}

/// Checks an integer option against its allowed range before any work, with an error that names
/// the option and says the limit (a count of runs or steps has no use past the bound, and an
/// unbounded one is a hang).
func checkRange(_ value: Int, option: String, _ range: ClosedRange<Int>) throws {
    guard range.contains(value) else {
        throw ValidationError("\(option) must be \(range.lowerBound) to \(range.upperBound), got \(value)")
    }
}

/// The most timed runs a benchmark or a timed query accepts.
let maximumRuns = 1000

/// Refuses a folder path that names a regular file or lies under one (the first existing
/// ancestor must be a folder), naming the option and the path.
func checkFolderPath(_ path: String, option: String) throws {
    var url = URL(fileURLWithPath: path).standardizedFileURL
    var isDirectory: ObjCBool = false
    while !FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
        let parent = url.deletingLastPathComponent()
        if parent.path == url.path { return }
        url = parent
    }
    guard isDirectory.boolValue else {
        throw ValidationError(url.path == URL(fileURLWithPath: path).standardizedFileURL.path
            ? "\(option) \(path) is a file, not a folder"
            : "\(option) \(path) cannot be a folder: \(url.path) is a file")
    }
}
