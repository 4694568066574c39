import CSwiftLearnKernels
import Foundation

/// Which GEMM implementation matrix products use.
public enum MatmulBackend: String, Sendable, CaseIterable {
    /// The faster of the run-time BLAS and the native kernel, measured once per dtype on this
    /// machine (native when no BLAS is found).
    case auto
    /// The package's own cache-blocked SIMD kernel.
    case native
    /// The BLAS found at run time (OpenBLAS, Accelerate, any CBLAS); native when there is none.
    case blas
}

/// The run-time BLAS bridge: which library was found and which backend matmul uses.
///
/// The package links no BLAS. On first use it looks for one (`$SWIFTLEARN_BLAS_PATH`, then the
/// usual OpenBLAS / BLIS / MKL / reference-CBLAS names, Accelerate on macOS). For OpenBLAS it sets
/// `OPENBLAS_CORETYPE` for the CPU before loading when the user has not, because distribution
/// builds can misdetect new CPUs and fall back to a slow generic core.
/// A library is not trusted blindly: distribution builds can be far slower than the CPU allows
/// (Debian's OpenBLAS 0.3.21 with Haswell kernels reaches half of our kernel here), so `.auto`
/// times a 256² and a 768² product with each implementation the first time it needs to choose,
/// per dtype, and uses the faster for small and for large products (about 60 ms, once).
/// `SWIFTLEARN_BLAS=native|blas|auto` sets the starting ``backend``
/// (`native` also skips loading any library).
public enum BLAS {
    private static let requested: MatmulBackend =
        MatmulBackend(rawValue: ProcessInfo.processInfo.environment["SWIFTLEARN_BLAS"]?.lowercased() ?? "auto") ?? .auto

    private static let loaded: Bool = requested == .native ? false : loadLibrary()

    /// Loads the run-time BLAS/LAPACK once (shared with ``Linalg``).
    ///
    /// OpenBLAS's worker threads busy-wait for about 2²⁸ cycles after each call before they
    /// sleep; on a 2-core machine that steals the cores from our own kernels for ~0.1 s after
    /// every BLAS or LAPACK call (measured: a native 512² GEMM right after went from 0.7 ms to
    /// 4.4 ms). Unless the user set it, `OPENBLAS_THREAD_TIMEOUT` is lowered to its minimum
    /// before loading, so idle OpenBLAS threads sleep at once.
    ///
    /// After loading, the library is held to one thread ("parked") until a GEMM is actually sent
    /// to it (``raiseThreadsForGEMM()``): OpenBLAS starts its workers at load time, and awake
    /// workers halve the speed of our own kernels on a 2-core machine. LAPACK calls made while
    /// parked run on the calling thread.
    static func loadLibrary() -> Bool {
        setenv("OPENBLAS_THREAD_TIMEOUT", "4", 0)
        let ok = sl_blas_load(nil) != 0
        if ok { sl_blas_set_threads(1) }
        return ok
    }

    nonisolated(unsafe) private static var threadsRaised = false

    /// Lets the BLAS use every core (once); called before the first GEMM sent to it.
    @inline(__always)
    static func raiseThreadsForGEMM() {
        if threadsRaised { return }
        lock.lock()
        if !threadsRaised { sl_blas_set_threads(Int32(Parallel.cpuCount)); threadsRaised = true }
        lock.unlock()
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var selected: MatmulBackend = requested

    /// The backend matrix products use (settable, e.g. by benchmarks). Inside
    /// ``withBackend(_:_:)`` it is that call's backend, for that task only.
    public static var backend: MatmulBackend {
        get {
            if let scoped = scopedBackend { return scoped }
            lock.lock(); defer { lock.unlock() }; return selected
        }
        set { lock.lock(); selected = newValue; lock.unlock() }
    }

    @TaskLocal private static var scopedBackend: MatmulBackend?

    /// Runs `body` with matrix products on `backend`, for the current task (and its child tasks)
    /// only: concurrent work elsewhere keeps the process-wide ``backend``. Tests use it to compare
    /// backends without racing each other on the global setting.
    public static func withBackend<R>(_ backend: MatmulBackend, _ body: () throws -> R) rethrows -> R {
        try $scopedBackend.withValue(backend, operation: body)
    }

    /// Whether a BLAS library was loaded.
    public static var isAvailable: Bool { loaded }

    /// The loaded library's path ("" when none).
    public static var library: String { loaded ? String(cString: sl_blas_library()) : "" }

    /// OpenBLAS's core type (e.g. "SkylakeX"), "" when not OpenBLAS or none loaded.
    public static var coreName: String { loaded ? String(cString: sl_blas_corename()) : "" }

    /// The name of the GEMM path large float32 products take: "blas" or "native".
    public static var activeBackendName: String { backendName(for: .float32) }

    /// The name of the GEMM path large products of `dtype` take: "blas" or "native".
    public static func backendName(for dtype: DType) -> String {
        useBLAS(flops: .max, double: dtype == .float64) ? "blas" : "native"
    }

    /// Whether the BLAS beat the native kernel on large float32 products in this process's
    /// one-time measurement.
    public static var blasFasterForFloat: Bool { choices.float.large }
    /// Whether the BLAS beat the native kernel on large float64 products.
    public static var blasFasterForDouble: Bool { choices.double.large }

    /// Products of at least this many multiply-adds count as "large" for the choice.
    static let largeFlops = 512 * 512 * 512

    /// Whether the BLAS wins, per dtype and size class; all four are measured together on first
    /// use, before any GEMM is sent to the BLAS (each measurement parks the BLAS afterwards, which
    /// must not undo ``raiseThreadsForGEMM()``).
    private static let choices: (float: (small: Bool, large: Bool), double: (small: Bool, large: Bool)) = {
        guard loaded else { return ((false, false), (false, false)) }
        return ((calibrate(Float.self, n: 256), calibrate(Float.self, n: 768)),
                (calibrate(Double.self, n: 256), calibrate(Double.self, n: 768)))
    }()

    /// Times one n×n product with each implementation (best of 3 after a warm-up) and reports
    /// whether the BLAS was faster. Libraries differ by size (OpenBLAS 0.3.21 is weak at 256),
    /// so the choice is made for a small and a large size.
    private static func calibrate<T: FloatScalar>(_: T.Type, n: Int) -> Bool {
        let a = (0..<(n * n)).map { T(Double(($0 * 7) % 13) - 6) / 7 }
        var c = [T](repeating: 0, count: n * n)
        func best(_ run: () -> Void) -> UInt64 {
            run()
            return (0..<3).map { _ -> UInt64 in
                let t = DispatchTime.now().uptimeNanoseconds
                run()
                return DispatchTime.now().uptimeNanoseconds - t
            }.min()!
        }
        return a.withUnsafeBufferPointer { pa in
            c.withUnsafeMutableBufferPointer { pc in
                let A = pa.baseAddress!, C = pc.baseAddress!
                // Native first, with the BLAS held to one thread: OpenBLAS's idle workers spin and
                // would steal the cores from a native run measured while they are awake.
                sl_blas_set_threads(1)
                let viaNative = best { Gemm.raw(blas: false, false, false, n, n, n, A, n, A, n, C, n, 0) }
                sl_blas_set_threads(Int32(Parallel.cpuCount))
                let viaBLAS = best { Gemm.raw(blas: true, false, false, n, n, n, A, n, A, n, C, n, 0, raiseThreads: false) }
                // Park the BLAS again (LAPACK still uses it) so its workers never compete with
                // ours; the first GEMM actually sent to it raises it for good.
                sl_blas_set_threads(1)
                if ProcessInfo.processInfo.environment["SWIFTLEARN_DEBUG_CALIBRATION"] != nil {
                    FileHandle.standardError.write("calibrate \(T.self) n=\(n): blas \(viaBLAS) ns, native \(viaNative) ns\n".data(using: .utf8)!)
                }
                return viaBLAS < viaNative
            }
        }
    }

    /// Whether a product of this many multiply-adds goes to the BLAS.
    @inline(__always)
    static func useBLAS(flops: Int, double: Bool) -> Bool {
        guard loaded else { return false }
        switch backend {
        case .native: return false
        case .blas: return true
        case .auto:
            // Tiny products are faster in the native kernel (no library threading overhead).
            guard flops >= 32 * 32 * 32 else { return false }
            let choice = double ? choices.double : choices.float
            return flops >= largeFlops ? choice.large : choice.small
        }
    }
}

/// Row-major GEMM front door: C = op(A)·op(B), dispatching to BLAS or the native kernel.
enum Gemm {
    static func run<T: FloatScalar>(_ tA: Bool, _ tB: Bool, m: Int, n: Int, k: Int,
                                    _ a: UnsafePointer<T>, lda: Int, _ b: UnsafePointer<T>, ldb: Int,
                                    _ c: UnsafeMutablePointer<T>, ldc: Int, threads: Int = 0) {
        if m == 0 || n == 0 { return }
        if k == 0 { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) }; return }
        let blas = threads != 1 && BLAS.useBLAS(flops: m * n * k, double: T.self == Double.self)
        raw(blas: blas, tA, tB, m, n, k, a, lda, b, ldb, c, ldc, threads)
    }

    /// One call into the chosen implementation (T must be Float or Double).
    @inline(__always)
    static func raw<T: FloatScalar>(blas: Bool, _ tA: Bool, _ tB: Bool, _ m: Int, _ n: Int, _ k: Int,
                                    _ a: UnsafePointer<T>, _ lda: Int, _ b: UnsafePointer<T>, _ ldb: Int,
                                    _ c: UnsafeMutablePointer<T>, _ ldc: Int, _ threads: Int, raiseThreads: Bool = true) {
        let ta: Int32 = tA ? 1 : 0, tb: Int32 = tB ? 1 : 0
        if blas && raiseThreads { BLAS.raiseThreadsForGEMM() }
        if T.self == Float.self {
            let a = UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), b = UnsafeRawPointer(b).assumingMemoryBound(to: Float.self)
            let c = UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self)
            if blas { sl_blas_sgemm(ta, tb, m, n, k, 1, a, lda, b, ldb, 0, c, ldc) }
            else { sl_sgemm_native(ta, tb, m, n, k, 1, a, lda, b, ldb, 0, c, ldc, Int32(threads)) }
        } else {
            let a = UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), b = UnsafeRawPointer(b).assumingMemoryBound(to: Double.self)
            let c = UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self)
            if blas { sl_blas_dgemm(ta, tb, m, n, k, 1, a, lda, b, ldb, 0, c, ldc) }
            else { sl_dgemm_native(ta, tb, m, n, k, 1, a, lda, b, ldb, 0, c, ldc, Int32(threads)) }
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

extension BLAS {
    /// C = op(A) · op(B) on raw row-major buffers (no alpha/beta: C is overwritten).
    ///
    /// `op(A)` is m×k, `op(B)` is k×n; `lda`, `ldb`, `ldc` are row strides in elements. The same
    /// backend choice as ``Tensor/matmul(_:)`` applies (OpenBLAS when loaded and faster, native
    /// packed kernels otherwise). For callers that keep their data in plain arrays (the `Learn`
    /// module's `Matrix`), so they get GEMM speed without building tensors.
    public static func gemm<T: FloatScalar>(transposeA: Bool = false, transposeB: Bool = false,
                                            m: Int, n: Int, k: Int,
                                            a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                                            c: UnsafeMutablePointer<T>, ldc: Int) {
        Gemm.run(transposeA, transposeB, m: m, n: n, k: k, a, lda: lda, b, ldb: ldb, c, ldc: ldc)
    }
}
