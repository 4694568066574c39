/// Stops the program with `message` when `condition` is false — in release builds too.
///
/// Shape misuse of a layer is a programming error (as in PyTorch, where it raises at once); Swift's
/// `precondition` drops its message under `-O`, so this keeps it: the message names the layer and
/// both shapes.
@inline(__always)
func ensure(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
            file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}
