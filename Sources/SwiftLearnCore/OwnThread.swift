import Foundation

/// Runs `work` on a new thread with an 8 MB stack (the main thread's size), leaving Swift's
/// cooperative pool free while a long synchronous computation (a language model) runs.
package func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do { continuation.resume(returning: try work()) } catch { continuation.resume(throwing: error) }
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
