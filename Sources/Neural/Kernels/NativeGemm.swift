import CSwiftLearnKernels
import Tensors

/// The package's native GEMM with alpha/beta and an explicit thread count, for layer kernels
/// that run many small products in parallel themselves (one thread each) or accumulate into C.
/// Row-major: C = alpha·op(A)·op(B) + beta·C; beta 0 means C is not read.
enum NativeGemm {
    @inline(__always)
    static func run<T: FloatScalar>(_ tA: Bool, _ tB: Bool, m: Int, n: Int, k: Int, alpha: T = 1,
                                    _ a: UnsafePointer<T>, lda: Int, _ b: UnsafePointer<T>, ldb: Int,
                                    beta: T = 0, _ c: UnsafeMutablePointer<T>, ldc: Int, threads: Int = 1) {
        if m == 0 || n == 0 { return }
        let ta: Int32 = tA ? 1 : 0, tb: Int32 = tB ? 1 : 0
        if T.self == Float.self {
            sl_sgemm_native(ta, tb, m, n, k, Float(alpha.doubleValue),
                            UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), lda,
                            UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), ldb, Float(beta.doubleValue),
                            UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), ldc, Int32(threads))
        } else {
            sl_dgemm_native(ta, tb, m, n, k, alpha.doubleValue,
                            UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), lda,
                            UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), ldb, beta.doubleValue,
                            UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), ldc, Int32(threads))
        }
    }
}
