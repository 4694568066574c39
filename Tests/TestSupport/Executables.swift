import Foundation

/// The repository's root folder (this file is Tests/TestSupport/Executables.swift).
public let testRepositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The `swiftlearn` executable built beside the test bundle (or in .build, release then debug);
/// nil when it is not built.
public let builtSwiftlearnBinary: URL? = {
    var candidates: [URL] = []
    if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
        candidates.append(URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("swiftlearn"))
    }
    candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("swiftlearn"))
    for config in ["release", "debug"] { candidates.append(testRepositoryRoot.appendingPathComponent(".build/\(config)/swiftlearn")) }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
}()
