import Foundation

/// The hyper-parameters SVC and SVR share, with one implementation of their parameter
/// dictionary, setter and validation.
protocol SVMKernelHyperParameters: AnyObject {
    var C: Double { get set }
    var kernel: SVMKernel { get set }
    var degree: Int { get set }
    var gamma: SVMGamma { get set }
    var coef0: Double { get set }
    var shrinking: Bool { get set }
    var tol: Double { get set }
    var cacheSize: Double { get set }
    var verbose: Bool { get set }
    var maxIter: Int { get set }
}

extension SVMKernelHyperParameters {
    var sharedSVMParameters: [String: ParamValue] {
        ["C": .double(C), "kernel": .string(kernel.rawValue), "degree": .int(degree), "gamma": gamma.param,
         "coef0": .double(coef0), "shrinking": .bool(shrinking), "tol": .double(tol),
         "cache_size": .double(cacheSize), "verbose": .bool(verbose), "max_iter": .int(maxIter)]
    }

    /// Sets a shared parameter; false when `name` is not one of them.
    func setSharedSVMParameter(_ name: String, _ value: ParamValue) throws -> Bool {
        switch name {
        case "C": C = try value.double(name)
        case "kernel": kernel = SVMKernel(rawValue: try value.choice(name, SVMKernel.allCases.map(\.rawValue)))!
        case "degree": degree = try value.int(name, atMost: ParameterLimits.kernelDegree)
        case "gamma": gamma = try SVMGamma(param: value)
        case "coef0": coef0 = try value.double(name)
        case "shrinking": shrinking = try value.bool(name)
        case "tol": tol = try value.double(name)
        case "cache_size": cacheSize = try value.double(name)
        case "verbose": verbose = try value.bool(name)
        case "max_iter": maxIter = try value.int(name, atMost: ParameterLimits.iterations)
        default: return false
        }
        return true
    }

    /// scikit-learn's parameter constraints.
    func validateSharedSVMParameters() throws {
        try require(C > 0 && C.isFinite, "C", C, "must be a positive number")
        try require(degree >= 0 && degree <= ParameterLimits.kernelDegree, "degree", degree, "must be an integer in [0, \(ParameterLimits.kernelDegree)]")
        if case .value(let g) = gamma { try require(g >= 0 && g.isFinite, "gamma", g, "must be scale, auto or a non-negative number") }
        try require(coef0.isFinite, "coef0", coef0, "must be finite")
        try require(tol > 0 && tol.isFinite, "tol", tol, "must be positive")
        try require(cacheSize > 0 && cacheSize.isFinite, "cache_size", cacheSize, "must be positive (MB)")
        try require(maxIter >= -1, "max_iter", maxIter, "must be -1 (no limit) or a non-negative integer")
    }

    /// The kernel with γ resolved on the training data.
    func svmKernelFunction(for x: Matrix) -> SVMKernelFunction {
        SVMKernelFunction(kind: kernel, gamma: gamma.resolved(for: x), coef0: coef0, degree: degree)
    }

    var svmCacheBytes: Double { cacheSize * 1_048_576 }
}

/// Fitted support vectors with their kernel, able to evaluate K(x, support vectors) for new rows.
struct SVMSupportSet: Codable, Equatable {
    var kernel: SVMKernelFunction
    var vectors: Matrix
    var norms: [Double]

    init(kernel: SVMKernelFunction, vectors: Matrix) {
        self.kernel = kernel
        self.vectors = vectors
        norms = kernel.rowNorms(vectors)
    }

    /// K(x_i, sv_j): rows × support vectors, by GEMM.
    func kernelMatrix(_ x: Matrix) -> Matrix {
        kernel.matrix(x, vectors, normsB: norms)
    }
}

/// Training rows with positive weight (LIBSVM in scikit-learn drops zero-weight samples).
func svmPositiveWeightRows(_ weights: [Double]?, count: Int) -> [Int] {
    guard let weights else { return Array(0..<count) }
    return (0..<count).filter { weights[$0] > 0 }
}
