// blas_loader.c — run-time loading of BLAS and LAPACK (OpenBLAS, Accelerate, MKL, BLIS, any CBLAS).
//
// The package must build and run with nothing but the Swift toolchain, so it never links a BLAS.
// Instead `sl_blas_load` dlopen()s the first library that exports `cblas_sgemm` and `cblas_dgemm`
// and keeps function pointers to them; the Swift side asks `sl_blas_available()` and uses the
// native kernels otherwise.
//
// LAPACK routines are looked up as Fortran symbols (`dgesv_` …) first in the BLAS library itself
// (OpenBLAS and Accelerate carry LAPACK) and otherwise in liblapack.so.3. The wrappers follow the
// Fortran calling convention: every argument by pointer, and — for CHARACTER arguments — a hidden
// string length per character argument appended after the regular ones (gfortran passes it as
// size_t). Libraries built by f2c/CLAPACK (Accelerate's classic interface) take no hidden
// lengths; the extra trailing arguments are then simply ignored, which is harmless on the
// x86-64 and arm64 calling conventions. Routines that need a workspace are called twice: once
// with lwork = -1 (LAPACK's workspace query) and once with the allocated workspace.
//
// OpenBLAS core type. A dynamic-arch OpenBLAS picks its kernels from the CPU model in its load-time
// constructor. Older releases (Debian's 0.3.21) do not know newer CPUs and may fall back to a far
// slower core. When OPENBLAS_CORETYPE is not set by the user, we set it for the duration of the
// dlopen call to the core type measured best for this CPU's features (see `default_coretype`), and
// restore the environment afterwards so child processes are not affected. The figures behind the
// choice are in the comment on `default_coretype`.
//
// Thread safety: loading is serialized by a mutex; the published state is read through an atomic
// flag with acquire/release ordering, so any thread may call the GEMM and LAPACK wrappers after a
// successful load. (setenv/unsetenv around dlopen are not thread-safe with respect to concurrent
// getenv calls elsewhere in the process; load the BLAS early, as the Tensors module does.)

#include "CSwiftLearnKernels.h"
#include "sl_internal.h"

#include <dlfcn.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// MARK: - Symbol types

enum { CBLAS_ROW_MAJOR = 101, CBLAS_NO_TRANS = 111, CBLAS_TRANS = 112 };

typedef void (*cblas_sgemm_fn)(int, int, int, int, int, int, float, const float *, int,
                               const float *, int, float, float *, int);
typedef void (*cblas_dgemm_fn)(int, int, int, int, int, int, double, const double *, int,
                               const double *, int, double, double *, int);
typedef char *(*corename_fn)(void);
typedef void (*set_threads_fn)(int);

// Fortran LAPACK prototypes (all arguments by reference; hidden CHARACTER lengths last).
typedef void (*getrf_d_fn)(const int *, const int *, double *, const int *, int *, int *);
typedef void (*getrf_s_fn)(const int *, const int *, float *, const int *, int *, int *);
typedef void (*getri_d_fn)(const int *, double *, const int *, const int *, double *, const int *,
                           int *);
typedef void (*getri_s_fn)(const int *, float *, const int *, const int *, float *, const int *,
                           int *);
typedef void (*gesv_d_fn)(const int *, const int *, double *, const int *, int *, double *,
                          const int *, int *);
typedef void (*gesv_s_fn)(const int *, const int *, float *, const int *, int *, float *,
                          const int *, int *);
typedef void (*potrf_d_fn)(const char *, const int *, double *, const int *, int *, size_t);
typedef void (*potrf_s_fn)(const char *, const int *, float *, const int *, int *, size_t);
typedef void (*geqrf_d_fn)(const int *, const int *, double *, const int *, double *, double *,
                           const int *, int *);
typedef void (*geqrf_s_fn)(const int *, const int *, float *, const int *, float *, float *,
                           const int *, int *);
typedef void (*orgqr_d_fn)(const int *, const int *, const int *, double *, const int *,
                           const double *, double *, const int *, int *);
typedef void (*orgqr_s_fn)(const int *, const int *, const int *, float *, const int *,
                           const float *, float *, const int *, int *);
typedef void (*gesdd_d_fn)(const char *, const int *, const int *, double *, const int *, double *,
                           double *, const int *, double *, const int *, double *, const int *,
                           int *, int *, size_t);
typedef void (*gesdd_s_fn)(const char *, const int *, const int *, float *, const int *, float *,
                           float *, const int *, float *, const int *, float *, const int *, int *,
                           int *, size_t);
typedef void (*syevd_d_fn)(const char *, const char *, const int *, double *, const int *, double *,
                           double *, const int *, int *, const int *, int *, size_t, size_t);
typedef void (*syevd_s_fn)(const char *, const char *, const int *, float *, const int *, float *,
                           float *, const int *, int *, const int *, int *, size_t, size_t);
typedef void (*gelsd_d_fn)(const int *, const int *, const int *, double *, const int *, double *,
                           const int *, double *, const double *, int *, double *, const int *,
                           int *, int *);
typedef void (*gelsd_s_fn)(const int *, const int *, const int *, float *, const int *, float *,
                           const int *, float *, const float *, int *, float *, const int *, int *,
                           int *);

// MARK: - Loaded state

/// Everything found by the loader. Written only under `load_lock`, before `loaded` is released.
static struct {
    void *blas_handle;
    void *lapack_handle;
    cblas_sgemm_fn sgemm;
    cblas_dgemm_fn dgemm;
    set_threads_fn set_threads;
    char library[1024];
    char corename[64];

    getrf_d_fn dgetrf; getrf_s_fn sgetrf;
    getri_d_fn dgetri; getri_s_fn sgetri;
    gesv_d_fn dgesv;   gesv_s_fn sgesv;
    potrf_d_fn dpotrf; potrf_s_fn spotrf;
    geqrf_d_fn dgeqrf; geqrf_s_fn sgeqrf;
    orgqr_d_fn dorgqr; orgqr_s_fn sorgqr;
    gesdd_d_fn dgesdd; gesdd_s_fn sgesdd;
    syevd_d_fn dsyevd; syevd_s_fn ssyevd;
    gelsd_d_fn dgelsd; gelsd_s_fn sgelsd;
    int lapack_all;
} S;

static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
/// 1 once a BLAS is loaded (release-stored after S is complete).
static atomic_int blas_loaded = 0;
/// 1 once LAPACK symbols were resolved (possibly without a BLAS).
static atomic_int lapack_loaded = 0;

/// Looks up `name` in `handle` (NULL when the handle or the symbol is missing). POSIX guarantees
/// that a dlsym result may be converted to a function pointer.
static void *sym(void *handle, const char *name) { return handle ? dlsym(handle, name) : NULL; }

// MARK: - OpenBLAS core type

/// The OPENBLAS_CORETYPE to use when the user set none, from this CPU's features, or NULL to
/// leave OpenBLAS's own detection alone.
///
/// Measured with Debian's OpenBLAS 0.3.21 (pthread) on a 2-core AMD EPYC (Zen 5: AVX-512 with
/// BF16), GFLOP/s with 2 threads, medians of 3 runs at n = 1024 / 2048:
///
///     core type                          sgemm        dgemm
///     (unset: detected as Cooperlake)    373 / 373    157 / 168
///     SkylakeX                           324 / 382    152 / 171   (388 / 382, 161 / 172 idle)
///     Cooperlake                         358 / 390    164 / 167
///     Haswell                            199 / 204    101 /  98
///     Zen                                191 / 197     98 / 102
///
/// SkylakeX and Cooperlake share their sgemm/dgemm kernels and are best; the AVX2 cores reach
/// half. 0.3.21 cannot select "Cooperlake" through the variable on every build (its lookup table
/// stops one entry short) and does not know "SapphireRapids", so SkylakeX is the choice for any
/// CPU with AVX-512 F/BW/DQ/VL, and Haswell for AVX2 + FMA. On the Xeon this project started on,
/// 0.3.21 fell back to its generic "Prescott" core (36 GFLOP/s sgemm) unless told SkylakeX (218).
static const char *default_coretype(void) {
    const int f = sl_cpu_features();
    if (f & SL_CPU_AVX512) return "SkylakeX";
    if (f & SL_CPU_AVX2_FMA) return "Haswell";
    return NULL;
}

/// dlopen()s `path` with OPENBLAS_CORETYPE set to the default for this CPU when the user has not
/// set it, restoring the environment afterwards.
static void *open_library(const char *path) {
    const char *coretype = NULL;
#if !defined(__APPLE__)
    if (getenv("OPENBLAS_CORETYPE") == NULL) coretype = default_coretype();
#endif
    if (coretype) setenv("OPENBLAS_CORETYPE", coretype, 1);
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (coretype) unsetenv("OPENBLAS_CORETYPE");
    return h;
}

// MARK: - Loading

/// Resolves the LAPACK symbols from `h`; returns how many of the 18 were found.
static int resolve_lapack(void *h) {
#define SL_LAPACK_SYM(field, name) S.field = (__typeof__(S.field))sym(h, name)
    SL_LAPACK_SYM(dgetrf, "dgetrf_"); SL_LAPACK_SYM(sgetrf, "sgetrf_");
    SL_LAPACK_SYM(dgetri, "dgetri_"); SL_LAPACK_SYM(sgetri, "sgetri_");
    SL_LAPACK_SYM(dgesv, "dgesv_");   SL_LAPACK_SYM(sgesv, "sgesv_");
    SL_LAPACK_SYM(dpotrf, "dpotrf_"); SL_LAPACK_SYM(spotrf, "spotrf_");
    SL_LAPACK_SYM(dgeqrf, "dgeqrf_"); SL_LAPACK_SYM(sgeqrf, "sgeqrf_");
    SL_LAPACK_SYM(dorgqr, "dorgqr_"); SL_LAPACK_SYM(sorgqr, "sorgqr_");
    SL_LAPACK_SYM(dgesdd, "dgesdd_"); SL_LAPACK_SYM(sgesdd, "sgesdd_");
    SL_LAPACK_SYM(dsyevd, "dsyevd_"); SL_LAPACK_SYM(ssyevd, "ssyevd_");
    SL_LAPACK_SYM(dgelsd, "dgelsd_"); SL_LAPACK_SYM(sgelsd, "sgelsd_");
#undef SL_LAPACK_SYM
    const void *all[] = {
        (void *)S.dgetrf, (void *)S.sgetrf, (void *)S.dgetri, (void *)S.sgetri, (void *)S.dgesv,
        (void *)S.sgesv,  (void *)S.dpotrf, (void *)S.spotrf, (void *)S.dgeqrf, (void *)S.sgeqrf,
        (void *)S.dorgqr, (void *)S.sorgqr, (void *)S.dgesdd, (void *)S.sgesdd, (void *)S.dsyevd,
        (void *)S.ssyevd, (void *)S.dgelsd, (void *)S.sgelsd,
    };
    int found = 0;
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) found += all[i] != NULL;
    return found;
}

/// Tries one candidate library; on success fills S's BLAS fields and returns 1.
static int try_blas(const char *path) {
    void *h = open_library(path);
    if (!h) return 0;
    cblas_sgemm_fn s = (cblas_sgemm_fn)sym(h, "cblas_sgemm");
    cblas_dgemm_fn d = (cblas_dgemm_fn)sym(h, "cblas_dgemm");
    if (!s || !d) {
        dlclose(h);
        return 0;
    }
    S.blas_handle = h;
    S.sgemm = s;
    S.dgemm = d;
    S.set_threads = (set_threads_fn)sym(h, "openblas_set_num_threads");
    snprintf(S.library, sizeof(S.library), "%s", path);
    corename_fn cn = (corename_fn)sym(h, "openblas_get_corename");
    const char *name = cn ? cn() : NULL;
    snprintf(S.corename, sizeof(S.corename), "%s", name ? name : "");
    return 1;
}

/// Finds LAPACK: in the BLAS library when it has all routines, else in liblapack. The result is
/// published (and then never changed) once it is complete, or once a BLAS is loaded (no later
/// load can change the picture); otherwise a later `sl_blas_load` call tries again.
static void load_lapack_locked(void) {
    if (atomic_load_explicit(&lapack_loaded, memory_order_relaxed)) return;
    const int total = 18;
    if (S.blas_handle && resolve_lapack(S.blas_handle) == total) {
        S.lapack_all = 1;
    } else {
#if defined(__APPLE__)
        static const char *names[] = {
            "/System/Library/Frameworks/Accelerate.framework/Accelerate", "liblapack.dylib"};
#else
        static const char *names[] = {"liblapack.so.3", "liblapack.so"};
#endif
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
            void *h = open_library(names[i]);
            if (!h) continue;
            if (resolve_lapack(h) == total) {
                S.lapack_handle = h;
                S.lapack_all = 1;
                break;
            }
            dlclose(h);
        }
        // Keep whatever the BLAS library offers when no complete LAPACK was found.
        if (!S.lapack_all) resolve_lapack(S.blas_handle);
    }
    if (S.lapack_all || S.blas_handle) {
        atomic_store_explicit(&lapack_loaded, 1, memory_order_release);
    }
}

int sl_blas_load(const char *path) {
    if (atomic_load_explicit(&blas_loaded, memory_order_acquire)) return 1;
    pthread_mutex_lock(&load_lock);
    int ok = atomic_load_explicit(&blas_loaded, memory_order_relaxed);
    if (!ok) {
        const char *explicit_path = path ? path : getenv("SWIFTLEARN_BLAS_PATH");
        if (explicit_path && *explicit_path) {
            ok = try_blas(explicit_path);
        } else {
#if defined(__APPLE__)
            static const char *names[] = {
                "/System/Library/Frameworks/Accelerate.framework/Accelerate"};
#else
            static const char *names[] = {"libopenblas.so.0", "libopenblas.so", "libblis.so.4",
                                          "libmkl_rt.so",     "libcblas.so.3",  "libblas.so.3"};
#endif
            for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && !ok; i++) {
                ok = try_blas(names[i]);
            }
        }
        load_lapack_locked();
        if (ok) atomic_store_explicit(&blas_loaded, 1, memory_order_release);
    }
    pthread_mutex_unlock(&load_lock);
    return ok;
}

int sl_blas_available(void) { return atomic_load_explicit(&blas_loaded, memory_order_acquire); }

const char *sl_blas_library(void) { return sl_blas_available() ? S.library : ""; }

const char *sl_blas_corename(void) { return sl_blas_available() ? S.corename : ""; }

void sl_blas_set_threads(int n) {
    if (sl_blas_available() && S.set_threads && n > 0) S.set_threads(n);
}

// MARK: - GEMM through CBLAS

/// Applies beta to C when K == 0 or alpha == 0 (then A and B are not used): C = beta·C.
#define SL_SCALE_C(T)                                                                             \
    do {                                                                                          \
        for (long i = 0; i < M; i++) {                                                            \
            T *c = C + i * ldc;                                                                   \
            if (beta == 0) {                                                                      \
                for (long j = 0; j < N; j++) c[j] = 0;                                            \
            } else if (beta != 1) {                                                               \
                for (long j = 0; j < N; j++) c[j] *= beta;                                        \
            }                                                                                     \
        }                                                                                         \
    } while (0)

/// 1 when every size and stride fits the 32-bit integers of the CBLAS interface.
static int fits_int(long M, long N, long K, long lda, long ldb, long ldc) {
    return M <= INT_MAX && N <= INT_MAX && K <= INT_MAX && lda <= INT_MAX && ldb <= INT_MAX &&
           ldc <= INT_MAX;
}

/// CBLAS rejects a leading dimension smaller than the row length even when only one row exists
/// (callers of a 1-row view may pass anything); widen it in that case, since it is never used.
static long fix_ld(long ld, long rows, long cols) {
    if (rows <= 1 && ld < cols) return cols > 1 ? cols : 1;
    return ld;
}

void sl_blas_sgemm(int transA, int transB, long M, long N, long K, float alpha, const float *A,
                   long lda, const float *B, long ldb, float beta, float *C, long ldc) {
    if (M <= 0 || N <= 0) return;
    if (K <= 0 || alpha == 0) {
        SL_SCALE_C(float);
        return;
    }
    lda = transA ? fix_ld(lda, K, M) : fix_ld(lda, M, K);
    ldb = transB ? fix_ld(ldb, N, K) : fix_ld(ldb, K, N);
    ldc = fix_ld(ldc, M, N);
    if (!sl_blas_available() || !fits_int(M, N, K, lda, ldb, ldc)) {
        sl_sgemm_native(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, 0);
        return;
    }
    S.sgemm(CBLAS_ROW_MAJOR, transA ? CBLAS_TRANS : CBLAS_NO_TRANS,
            transB ? CBLAS_TRANS : CBLAS_NO_TRANS, (int)M, (int)N, (int)K, alpha, A, (int)lda, B,
            (int)ldb, beta, C, (int)ldc);
}

void sl_blas_dgemm(int transA, int transB, long M, long N, long K, double alpha, const double *A,
                   long lda, const double *B, long ldb, double beta, double *C, long ldc) {
    if (M <= 0 || N <= 0) return;
    if (K <= 0 || alpha == 0) {
        SL_SCALE_C(double);
        return;
    }
    lda = transA ? fix_ld(lda, K, M) : fix_ld(lda, M, K);
    ldb = transB ? fix_ld(ldb, N, K) : fix_ld(ldb, K, N);
    ldc = fix_ld(ldc, M, N);
    if (!sl_blas_available() || !fits_int(M, N, K, lda, ldb, ldc)) {
        sl_dgemm_native(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, 0);
        return;
    }
    S.dgemm(CBLAS_ROW_MAJOR, transA ? CBLAS_TRANS : CBLAS_NO_TRANS,
            transB ? CBLAS_TRANS : CBLAS_NO_TRANS, (int)M, (int)N, (int)K, alpha, A, (int)lda, B,
            (int)ldb, beta, C, (int)ldc);
}

// MARK: - LAPACK wrappers

/// Returned by every wrapper whose routine is not available.
#define SL_LAPACK_MISSING (-1000)
/// Returned when the workspace LAPACK asked for cannot be allocated.
#define SL_LAPACK_NOMEM (-1001)

int sl_lapack_available(void) {
    return atomic_load_explicit(&lapack_loaded, memory_order_acquire) && S.lapack_all;
}

/// The routine pointer if LAPACK loading has completed, else NULL.
#define SL_FN(field) (atomic_load_explicit(&lapack_loaded, memory_order_acquire) ? S.field : NULL)

/// Turns a workspace size reported by a query (a floating-point value in work[0]) into an int
/// count, rounding up generously: single precision cannot represent large sizes exactly.
static int work_count(double reported, int minimum) {
    double v = ceil(reported * (1.0 + 1e-6)) + 1.0;
    if (!(v <= (double)INT_MAX)) v = (double)INT_MAX;
    int n = (int)v;
    return n < minimum ? minimum : n;
}

int sl_lapack_getrf_d(int m, int n, double *a, int lda, int *ipiv) {
    getrf_d_fn f = SL_FN(dgetrf);
    if (!f) return SL_LAPACK_MISSING;
    int info = 0;
    f(&m, &n, a, &lda, ipiv, &info);
    return info;
}

int sl_lapack_getrf_s(int m, int n, float *a, int lda, int *ipiv) {
    getrf_s_fn f = SL_FN(sgetrf);
    if (!f) return SL_LAPACK_MISSING;
    int info = 0;
    f(&m, &n, a, &lda, ipiv, &info);
    return info;
}

/// Shared body of the getri / geqrf / orgqr wrappers: query, allocate, call.
#define SL_QUERY_AND_CALL(T, CALL)                                                                \
    do {                                                                                          \
        T query = 0;                                                                              \
        T *work = &query;                                                                         \
        int lwork = -1, info = 0;                                                                 \
        CALL;                                                                                     \
        if (info != 0) return info;                                                               \
        lwork = work_count((double)query, 1);                                                     \
        work = (T *)malloc((size_t)lwork * sizeof(T));                                            \
        if (!work) return SL_LAPACK_NOMEM;                                                        \
        CALL;                                                                                     \
        free(work);                                                                               \
        return info;                                                                              \
    } while (0)

int sl_lapack_getri_d(int n, double *a, int lda, const int *ipiv) {
    getri_d_fn f = SL_FN(dgetri);
    if (!f) return SL_LAPACK_MISSING;
    SL_QUERY_AND_CALL(double, f(&n, a, &lda, ipiv, work, &lwork, &info));
}

int sl_lapack_getri_s(int n, float *a, int lda, const int *ipiv) {
    getri_s_fn f = SL_FN(sgetri);
    if (!f) return SL_LAPACK_MISSING;
    SL_QUERY_AND_CALL(float, f(&n, a, &lda, ipiv, work, &lwork, &info));
}

int sl_lapack_gesv_d(int n, int nrhs, double *a, int lda, int *ipiv, double *b, int ldb) {
    gesv_d_fn f = SL_FN(dgesv);
    if (!f) return SL_LAPACK_MISSING;
    int info = 0;
    f(&n, &nrhs, a, &lda, ipiv, b, &ldb, &info);
    return info;
}

int sl_lapack_gesv_s(int n, int nrhs, float *a, int lda, int *ipiv, float *b, int ldb) {
    gesv_s_fn f = SL_FN(sgesv);
    if (!f) return SL_LAPACK_MISSING;
    int info = 0;
    f(&n, &nrhs, a, &lda, ipiv, b, &ldb, &info);
    return info;
}

int sl_lapack_potrf_d(char uplo, int n, double *a, int lda) {
    potrf_d_fn f = SL_FN(dpotrf);
    if (!f) return SL_LAPACK_MISSING;
    int info = 0;
    f(&uplo, &n, a, &lda, &info, 1);
    return info;
}

int sl_lapack_potrf_s(char uplo, int n, float *a, int lda) {
    potrf_s_fn f = SL_FN(spotrf);
    if (!f) return SL_LAPACK_MISSING;
    int info = 0;
    f(&uplo, &n, a, &lda, &info, 1);
    return info;
}

int sl_lapack_geqrf_d(int m, int n, double *a, int lda, double *tau) {
    geqrf_d_fn f = SL_FN(dgeqrf);
    if (!f) return SL_LAPACK_MISSING;
    SL_QUERY_AND_CALL(double, f(&m, &n, a, &lda, tau, work, &lwork, &info));
}

int sl_lapack_geqrf_s(int m, int n, float *a, int lda, float *tau) {
    geqrf_s_fn f = SL_FN(sgeqrf);
    if (!f) return SL_LAPACK_MISSING;
    SL_QUERY_AND_CALL(float, f(&m, &n, a, &lda, tau, work, &lwork, &info));
}

int sl_lapack_orgqr_d(int m, int n, int k, double *a, int lda, const double *tau) {
    orgqr_d_fn f = SL_FN(dorgqr);
    if (!f) return SL_LAPACK_MISSING;
    SL_QUERY_AND_CALL(double, f(&m, &n, &k, a, &lda, tau, work, &lwork, &info));
}

int sl_lapack_orgqr_s(int m, int n, int k, float *a, int lda, const float *tau) {
    orgqr_s_fn f = SL_FN(sorgqr);
    if (!f) return SL_LAPACK_MISSING;
    SL_QUERY_AND_CALL(float, f(&m, &n, &k, a, &lda, tau, work, &lwork, &info));
}

/// ?gesdd needs an integer workspace of 8·min(m, n) besides the queried real workspace.
#define SL_GESDD_BODY(T)                                                                          \
    do {                                                                                          \
        int mn = m < n ? m : n;                                                                   \
        int *iwork = (int *)malloc(sizeof(int) * (size_t)(8 * (mn > 0 ? mn : 1)));                \
        if (!iwork) return SL_LAPACK_NOMEM;                                                       \
        T query = 0;                                                                              \
        int lwork = -1, info = 0;                                                                 \
        f(&jobz, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, &query, &lwork, iwork, &info, 1);        \
        if (info == 0) {                                                                          \
            lwork = work_count((double)query, 1);                                                 \
            T *work = (T *)malloc((size_t)lwork * sizeof(T));                                     \
            if (work) {                                                                           \
                f(&jobz, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, work, &lwork, iwork, &info, 1);  \
                free(work);                                                                       \
            } else {                                                                              \
                info = SL_LAPACK_NOMEM;                                                           \
            }                                                                                     \
        }                                                                                         \
        free(iwork);                                                                              \
        return info;                                                                              \
    } while (0)

int sl_lapack_gesdd_d(char jobz, int m, int n, double *a, int lda, double *s, double *u, int ldu,
                      double *vt, int ldvt) {
    gesdd_d_fn f = SL_FN(dgesdd);
    if (!f) return SL_LAPACK_MISSING;
    SL_GESDD_BODY(double);
}

int sl_lapack_gesdd_s(char jobz, int m, int n, float *a, int lda, float *s, float *u, int ldu,
                      float *vt, int ldvt) {
    gesdd_s_fn f = SL_FN(sgesdd);
    if (!f) return SL_LAPACK_MISSING;
    SL_GESDD_BODY(float);
}

/// ?syevd queries both the real (lwork) and the integer (liwork) workspace sizes.
#define SL_SYEVD_BODY(T)                                                                          \
    do {                                                                                          \
        T query = 0;                                                                              \
        int iquery = 0, lwork = -1, liwork = -1, info = 0;                                        \
        f(&jobz, &uplo, &n, a, &lda, w, &query, &lwork, &iquery, &liwork, &info, 1, 1);           \
        if (info != 0) return info;                                                               \
        lwork = work_count((double)query, 1);                                                     \
        liwork = iquery > 1 ? iquery : 1;                                                         \
        T *work = (T *)malloc((size_t)lwork * sizeof(T));                                         \
        int *iwork = (int *)malloc((size_t)liwork * sizeof(int));                                 \
        if (work && iwork) {                                                                      \
            f(&jobz, &uplo, &n, a, &lda, w, work, &lwork, iwork, &liwork, &info, 1, 1);           \
        } else {                                                                                  \
            info = SL_LAPACK_NOMEM;                                                               \
        }                                                                                         \
        free(work);                                                                               \
        free(iwork);                                                                              \
        return info;                                                                              \
    } while (0)

int sl_lapack_syevd_d(char jobz, char uplo, int n, double *a, int lda, double *w) {
    syevd_d_fn f = SL_FN(dsyevd);
    if (!f) return SL_LAPACK_MISSING;
    SL_SYEVD_BODY(double);
}

int sl_lapack_syevd_s(char jobz, char uplo, int n, float *a, int lda, float *w) {
    syevd_s_fn f = SL_FN(ssyevd);
    if (!f) return SL_LAPACK_MISSING;
    SL_SYEVD_BODY(float);
}

/// ?gelsd: the query returns the real workspace size in work[0] and the integer one in iwork[0].
#define SL_GELSD_BODY(T)                                                                          \
    do {                                                                                          \
        T query = 0;                                                                              \
        int iquery = 0, lwork = -1, info = 0, rank_local = 0;                                     \
        int *rk = rank ? rank : &rank_local;                                                      \
        f(&m, &n, &nrhs, a, &lda, b, &ldb, s, &rcond, rk, &query, &lwork, &iquery, &info);        \
        if (info != 0) return info;                                                               \
        lwork = work_count((double)query, 1);                                                     \
        int liwork = iquery > 1 ? iquery : 1;                                                     \
        T *work = (T *)malloc((size_t)lwork * sizeof(T));                                         \
        int *iwork = (int *)malloc((size_t)liwork * sizeof(int));                                 \
        if (work && iwork) {                                                                      \
            f(&m, &n, &nrhs, a, &lda, b, &ldb, s, &rcond, rk, work, &lwork, iwork, &info);        \
        } else {                                                                                  \
            info = SL_LAPACK_NOMEM;                                                               \
        }                                                                                         \
        free(work);                                                                               \
        free(iwork);                                                                              \
        return info;                                                                              \
    } while (0)

int sl_lapack_gelsd_d(int m, int n, int nrhs, double *a, int lda, double *b, int ldb, double *s,
                      double rcond, int *rank) {
    gelsd_d_fn f = SL_FN(dgelsd);
    if (!f) return SL_LAPACK_MISSING;
    SL_GELSD_BODY(double);
}

int sl_lapack_gelsd_s(int m, int n, int nrhs, float *a, int lda, float *b, int ldb, float *s,
                      float rcond, int *rank) {
    gelsd_s_fn f = SL_FN(sgelsd);
    if (!f) return SL_LAPACK_MISSING;
    SL_GELSD_BODY(float);
}
