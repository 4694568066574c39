import Foundation

/// An advisory `flock` on `<database>.lock`, held while a writable store is inspected, opened and
/// migrated. Concurrent first users — threads with their own ``ProgressStore`` or separate
/// `swiftlearn` processes — take turns: the first creates the schema, the others find it in place
/// (without it two could both see an empty file and both run `v1`: "table topic_mark already
/// exists"). The kernel releases the lock when the process dies, so a crash never leaves it held.
enum MigrationLock {
    /// Runs `body` holding the lock for `database`. Throws ``RoadmapError/readOnly(folder:)`` when
    /// the lock file cannot be created because the folder is not writable.
    static func withLock<T>(for database: URL, _ body: () throws -> T) throws -> T {
        let path = database.path + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let code = errno
            if code == EACCES || code == EROFS || code == EPERM { throw RoadmapError.readOnly(folder: database.deletingLastPathComponent().path) }
            throw RoadmapError.storage("cannot create \(path): \(String(cString: strerror(code)))")
        }
        defer { close(fd) }  // closing the descriptor releases the lock
        while flock(fd, LOCK_EX) != 0 {
            let code = errno
            if code != EINTR { throw RoadmapError.storage("cannot lock \(path): \(String(cString: strerror(code)))") }
        }
        return try body()
    }
}
