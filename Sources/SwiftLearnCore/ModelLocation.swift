import Foundation

/// Where a command or demo finds a downloaded model: the path in environment variable `variable`
/// when it is set and not empty (even if nothing is there, so that a wrong path is reported rather
/// than silently replaced), else `defaultPath` under `folder` when `marker` (a file inside it, or
/// the path itself when nil) exists, else nil.
package func locateModel(variable: String, defaultPath: String, marker: String? = nil,
                         environment: [String: String], folder: URL) -> URL? {
    if let path = environment[variable], !path.isEmpty { return URL(fileURLWithPath: path) }
    let url = folder.appendingPathComponent(defaultPath)
    let probe = marker.map { url.appendingPathComponent($0) } ?? url
    return FileManager.default.fileExists(atPath: probe.path) ? url : nil
}
