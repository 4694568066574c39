import Foundation

/// An advisory, exclusive `flock` on a lock file, held while `body` runs.
///
/// Used around "create or migrate a database on first use": without it two processes opening a
/// new SQLite file at once can both see it empty and both create the schema ("table … already
/// exists"). The kernel drops the lock when the descriptor closes or the process dies, so a crash
/// never leaves it held. The lock file (`<database>.lock`) stays beside the database.
package enum FileLock {
    /// Why the lock could not be taken: the lock file's path and the `errno` value.
    package struct Failure: Error, CustomStringConvertible {
        package let path: String
        package let code: Int32
        /// Whether the folder refuses new files (read-only, no permission).
        package var isReadOnly: Bool { code == EACCES || code == EROFS || code == EPERM }
        package var description: String { "cannot lock \(path): \(String(cString: strerror(code)))" }
    }

    /// Runs `body` holding the exclusive lock on `path` (created if missing).
    package static func withExclusiveLock<T>(at path: String, _ body: () throws -> T) throws -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(path: path, code: errno) }
        defer { close(fd) }  // closing the descriptor releases the lock
        while flock(fd, LOCK_EX) != 0 {
            let code = errno
            if code != EINTR { throw Failure(path: path, code: code) }
        }
        return try body()
    }
}
