/// Stops the program with `message` when `condition` is false — in release builds too.
///
/// Swift's `precondition` drops its message under `-O`, so a user of a release build would see
/// only "illegal instruction". Misuse of the tensor API (incompatible shapes, an axis out of
/// range) is a programming error, as in NumPy, and the message must name the operation and the
/// shapes; this is `precondition` with the message kept.
@inline(__always)
func ensure(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
            file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}
