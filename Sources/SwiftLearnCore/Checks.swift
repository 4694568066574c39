/// Stops the program with `message` when `condition` is false — in release builds too.
///
/// For programming errors only (shapes that cannot match, an axis out of range, a hyper-parameter
/// set in code outside its domain), as NumPy and PyTorch raise at once: the message names the
/// operation and the values. Swift's `precondition` drops its message under `-O`, so a user of a
/// release build would see only "illegal instruction"; this keeps it. Outside data (files, user
/// input, model files, requests) never reaches an `ensure`: it gets the module's thrown error.
@inline(__always)
package func ensure(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                    file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}
