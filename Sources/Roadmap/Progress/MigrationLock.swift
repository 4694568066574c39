import Foundation
import SwiftLearnCore

/// ``FileLock`` on `<database>.lock`, held while a writable progress store is inspected, opened and
/// migrated: concurrent first users (threads with their own ``ProgressStore``, separate
/// `swiftlearn` processes) take turns, the first creates the schema and the others find it in place.
enum MigrationLock {
    /// Runs `body` holding the lock for `database`. Throws ``RoadmapError/readOnly(folder:)`` when
    /// the lock file cannot be created because the folder is not writable.
    static func withLock<T>(for database: URL, _ body: () throws -> T) throws -> T {
        do {
            return try FileLock.withExclusiveLock(at: database.path + ".lock", body)
        } catch let failure as FileLock.Failure {
            if failure.isReadOnly { throw RoadmapError.readOnly(folder: database.deletingLastPathComponent().path) }
            throw RoadmapError.storage(failure.description)
        }
    }
}
