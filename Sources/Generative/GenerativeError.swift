import Foundation

/// Errors of the generative models, their files and recipes.
public enum GenerativeError: Error, CustomStringConvertible, Equatable {
    /// A model's sizes are out of range.
    case invalidConfiguration(String)
    /// A recipe option is out of range.
    case invalidOption(String)
    /// No generative recipe has this name.
    case unknownRecipe(String)
    /// A model file cannot be read, is not a generative model this library wrote, or does not fit
    /// its stated configuration.
    case unreadableModel(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let m), .invalidOption(let m): return m
        case .unknownRecipe(let n):
            return "unknown recipe '\(n)'; valid generative recipes: \(GenerativeRecipe.allCases.map(\.rawValue).joined(separator: ", "))"
        case .unreadableModel(let path, let reason): return "cannot load the generative model \(path): \(reason)"
        }
    }
}
