import Foundation

/// Why a file operation failed, in plain words: "no such file or directory", "permission denied".
///
/// Foundation's errors on Linux describe themselves as
/// `The operation could not be completed. (NSCocoaErrorDomain error 4.)` or dump their user info;
/// every module's "cannot read/write FILE: …" message uses this instead. The POSIX reason is taken
/// from the underlying error when there is one, then from the Cocoa code.
package func readableReason(_ error: Error) -> String {
    let ns = error as NSError
    if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(underlying.code)))
    }
    if ns.domain == NSCocoaErrorDomain {
        switch ns.code {
        case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return "no such file or directory"
        case NSFileWriteNoPermissionError, NSFileReadNoPermissionError: return "permission denied"
        case NSFileWriteOutOfSpaceError: return "no space left on the device"
        case NSFileWriteFileExistsError: return "a file of that name exists"
        case NSFileReadCorruptFileError: return "the file is damaged"
        case NSFileReadInapplicableStringEncodingError: return "the text is not in the expected encoding (UTF-8)"
        case NSFileWriteVolumeReadOnlyError: return "the volume is read-only"
        default: return "file error \(ns.code)"
        }
    }
    return String(describing: error)
}
