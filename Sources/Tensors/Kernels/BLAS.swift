import CSwiftLearnKernels
import Foundation

/// Which GEMM implementation matrix products use.
public enum MatmulBackend: String, Sendable, CaseIterable {
    /// A BLAS found at run time when present (OpenBLAS, Accelerate, any CBLAS), else native.
    case auto
    /// The package's own cache-blocked SIMD kernel.
    case native
}

/// The run-time BLAS bridge: which library was found and which backend matmul uses.
///
/// The package links no BLAS. On first use it looks for one (`$SWIFTLEARN_BLAS_PATH`, then the
/// usual OpenBLAS / BLIS / MKL / reference-CBLAS names, Accelerate on macOS). For OpenBLAS it sets
/// `OPENBLAS_CORETYPE` for the CPU before loading when the user has not, because distribution
/// builds can misdetect new CPUs and fall back to a slow generic core.
/// `SWIFTLEARN_BLAS=native` in the environment makes ``backend`` start as `.native`.
public enum BLAS {
    private static let loaded: Bool = {
        if ProcessInfo.processInfo.environment["SWIFTLEARN_BLAS"]?.lowercased() == "native" { return false }
        return sl_blas_load(nil) != 0
    }()

    private static let lock = NSLock()
    nonisolated(unsafe) private static var selected: MatmulBackend =
        ProcessInfo.processInfo.environment["SWIFTLEARN_BLAS"]?.lowercased() == "native" ? .native : .auto

    /// The backend matrix products use (settable, e.g. by benchmarks).
    public static var backend: MatmulBackend {
        get { lock.lock(); defer { lock.unlock() }; return selected }
        set { lock.lock(); selected = newValue; lock.unlock() }
    }

    /// Whether a BLAS library was loaded.
    public static var isAvailable: Bool { loaded }

    /// The loaded library's path ("" when none).
    public static var library: String { loaded ? String(cString: sl_blas_library()) : "" }

    /// OpenBLAS's core type (e.g. "SkylakeX"), "" when not OpenBLAS or none loaded.
    public static var coreName: String { loaded ? String(cString: sl_blas_corename()) : "" }

    /// The name of the GEMM path in use: "blas" or "native".
    public static var activeBackendName: String { useBLAS(flops: .max) ? "blas" : "native" }

    /// Whether a product of this many multiply-adds goes to the BLAS.
    @inline(__always)
    static func useBLAS(flops: Int) -> Bool {
        // Tiny products are faster in the native kernel (no library threading overhead).
        loaded && backend == .auto && flops >= 32 * 32 * 32
    }
}

/// Row-major GEMM front door: C = A·B (op = transpose flags), dispatching to BLAS or native.
enum Gemm {
    static func run(_ tA: Bool, _ tB: Bool, m: Int, n: Int, k: Int,
                    _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                    _ c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int = 0) {
        if m == 0 || n == 0 { return }
        if k == 0 { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) }; return }
        if BLAS.useBLAS(flops: m * n * k) && threads != 1 {
            sl_blas_sgemm(tA ? 1 : 0, tB ? 1 : 0, m, n, k, 1, a, lda, b, ldb, 0, c, ldc)
        } else {
            sl_sgemm_native(tA ? 1 : 0, tB ? 1 : 0, m, n, k, 1, a, lda, b, ldb, 0, c, ldc, Int32(threads))
        }
    }

    static func run(_ tA: Bool, _ tB: Bool, m: Int, n: Int, k: Int,
                    _ a: UnsafePointer<Double>, lda: Int, _ b: UnsafePointer<Double>, ldb: Int,
                    _ c: UnsafeMutablePointer<Double>, ldc: Int, threads: Int = 0) {
        if m == 0 || n == 0 { return }
        if k == 0 { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) }; return }
        if BLAS.useBLAS(flops: m * n * k) && threads != 1 {
            sl_blas_dgemm(tA ? 1 : 0, tB ? 1 : 0, m, n, k, 1, a, lda, b, ldb, 0, c, ldc)
        } else {
            sl_dgemm_native(tA ? 1 : 0, tB ? 1 : 0, m, n, k, 1, a, lda, b, ldb, 0, c, ldc, Int32(threads))
        }
    }
}

/// What the CPU offers the native kernels (detected once with CPUID at run time).
public enum CPU {
    /// Names of the SIMD extensions the kernels use on this machine (e.g. `["avx2+fma", "avx512"]`).
    public static var featureNames: [String] {
        let f = sl_cpu_features()
        var names: [String] = []
        if f & Int32(SL_CPU_AVX2_FMA) != 0 { names.append("avx2+fma") }
        if f & Int32(SL_CPU_AVX512) != 0 { names.append("avx512") }
        if f & Int32(SL_CPU_F16C) != 0 { names.append("f16c") }
        return names.isEmpty ? ["baseline"] : names
    }

    /// Logical CPUs this process may use.
    public static var count: Int { Parallel.cpuCount }
}
