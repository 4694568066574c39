import Foundation

/// An error of the tracking store or server, with MLflow's error code: the REST API answers it as
/// `{"error_code": …, "message": …}` with the status MLflow uses for that code, so the `mlflow`
/// client raises the same `MlflowException` it would against MLflow's own server.
public struct TrackingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// MLflow's error codes that this server and client use.
    public enum Code: String, Sendable {
        case invalidParameterValue = "INVALID_PARAMETER_VALUE"
        case resourceDoesNotExist = "RESOURCE_DOES_NOT_EXIST"
        case resourceAlreadyExists = "RESOURCE_ALREADY_EXISTS"
        case invalidState = "INVALID_STATE"
        case endpointNotFound = "ENDPOINT_NOT_FOUND"
        case requestLimitExceeded = "REQUEST_LIMIT_EXCEEDED"
        case internalError = "INTERNAL_ERROR"

        /// The HTTP status MLflow's server sends with this code.
        public var httpStatus: Int {
            switch self {
            case .invalidParameterValue, .resourceAlreadyExists, .invalidState: return 400
            case .resourceDoesNotExist, .endpointNotFound: return 404
            case .requestLimitExceeded: return 429
            case .internalError: return 500
            }
        }
    }

    /// MLflow's code (the REST answer's `error_code`).
    public let code: Code
    /// What went wrong, for a person.
    public let message: String

    public init(_ code: Code, _ message: String) { self.code = code; self.message = message }

    public var description: String { "\(code.rawValue): \(message)" }

    static func invalid(_ message: String) -> TrackingError { TrackingError(.invalidParameterValue, message) }
    static func missing(_ message: String) -> TrackingError { TrackingError(.resourceDoesNotExist, message) }
    static func exists(_ message: String) -> TrackingError { TrackingError(.resourceAlreadyExists, message) }
}
