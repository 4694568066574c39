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

/// Runs `python3 -c script arguments…` and returns its standard output and error together;
/// throws when it exits non-zero (the message carries the output).
public func runPython(_ script: String, arguments: [String] = []) throws -> String {
    try runPython(arguments: ["-c", script] + arguments)
}

/// Runs `python3 arguments…` (a script file and its arguments) and returns its standard output
/// and error together; throws when it exits non-zero (the message carries the output).
public func runPython(arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3"] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw NSError(domain: "python3", code: Int(process.terminationStatus), userInfo: [NSLocalizedDescriptionKey: output])
    }
    return output
}
