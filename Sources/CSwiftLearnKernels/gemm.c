// gemm.c — native single- and double-precision GEMM: microkernels, block sizes, entry points.
//
// The blocked, packed driver (loop nest, packing, threading) is in gemm_driver.h and is
// instantiated here for float and double. This file holds what differs per CPU:
//
//   * microkernels — C[MR × NR] = alpha · Σₖ a[k][0:MR] ⊗ b[k][0:NR] + beta · C, reading an
//     MR-tall packed panel of A and an NR-wide packed panel of B. Each k step broadcasts MR values
//     of A and multiplies them into NR/W vectors of B, keeping the whole MR × NR tile of C in
//     registers (W = lanes per vector):
//       AVX-512 float  14 × 32  (28 zmm accumulators)   AVX-512 double 14 × 16
//       AVX2/FMA float  6 × 16  (12 ymm accumulators)   AVX2/FMA double 6 × 8
//       portable C      4 × 8 / 4 × 4 on x86 (SSE2), 8 × 8 / 8 × 4 elsewhere (NEON);
//                       plain loops that the compiler vectorizes.
//   * block sizes (MC, KC, NC) — KC·NR·sizeof(T) fits the L1 cache (the B micro-panel is reused
//     by every A panel), MC·KC·sizeof(T) fits about half of L2, NC·KC·sizeof(T) a share of L3.
//
// The variant is chosen once from `sl_cpu_features()`.

#include "CSwiftLearnKernels.h"
#include "sl_internal.h"

#include <stddef.h>

#if SL_X86_SIMD
#include <immintrin.h>
#endif

/// Largest MR·NR of any microkernel (sizes the edge-tile buffer).
#define SL_GEMM_MAX_TILE 512
/// Below this many multiply-adds (M·N·K) a product runs on the calling thread only.
#define SL_GEMM_MIN_PARALLEL_WORK (96.0 * 96.0 * 96.0)
/// Each extra thread needs at least this much work to pay for waking it.
#define SL_GEMM_WORK_PER_THREAD (64.0 * 64.0 * 64.0)

typedef void (*sl_sgemm_kernel)(long k, const float *a, const float *b, float *c, long ldc,
                                float alpha, float beta);
typedef void (*sl_dgemm_kernel)(long k, const double *a, const double *b, double *c, long ldc,
                                double alpha, double beta);

/// One microkernel and the block sizes that suit it.
typedef struct {
    int mr, nr;
    long mc, kc, nc;
    sl_sgemm_kernel kernel;
} gemm_config_s;

typedef struct {
    int mr, nr;
    long mc, kc, nc;
    sl_dgemm_kernel kernel;
} gemm_config_d;

// MARK: - Portable microkernels

/// Defines a plain-C microkernel NAME for type T and tile MR × NR.
#define SL_DEFINE_C_KERNEL(NAME, T, MR, NR)                                                        \
    static void NAME(long k, const T *restrict a, const T *restrict b, T *restrict c, long ldc,    \
                     T alpha, T beta) {                                                            \
        T acc[MR][NR];                                                                             \
        for (int i = 0; i < MR; i++)                                                               \
            for (int j = 0; j < NR; j++) acc[i][j] = 0;                                            \
        for (long p = 0; p < k; p++) {                                                             \
            for (int i = 0; i < MR; i++) {                                                         \
                const T ai = a[i];                                                                 \
                for (int j = 0; j < NR; j++) acc[i][j] += ai * b[j];                               \
            }                                                                                      \
            a += MR;                                                                               \
            b += NR;                                                                               \
        }                                                                                          \
        for (int i = 0; i < MR; i++) {                                                             \
            T *ci = c + i * ldc;                                                                   \
            if (beta == 0) {                                                                       \
                for (int j = 0; j < NR; j++) ci[j] = alpha * acc[i][j];                            \
            } else {                                                                               \
                for (int j = 0; j < NR; j++) ci[j] = alpha * acc[i][j] + beta * ci[j];             \
            }                                                                                      \
        }                                                                                          \
    }

#if defined(__aarch64__)
SL_DEFINE_C_KERNEL(sgemm_kernel_c, float, 8, 8)
SL_DEFINE_C_KERNEL(dgemm_kernel_c, double, 8, 4)
static const gemm_config_s sgemm_c = {8, 8, 128, 256, 2048, sgemm_kernel_c};
static const gemm_config_d dgemm_c = {8, 4, 128, 256, 2048, dgemm_kernel_c};
#else
SL_DEFINE_C_KERNEL(sgemm_kernel_c, float, 4, 8)
SL_DEFINE_C_KERNEL(dgemm_kernel_c, double, 4, 4)
static const gemm_config_s sgemm_c = {4, 8, 128, 256, 2048, sgemm_kernel_c};
static const gemm_config_d dgemm_c = {4, 4, 128, 256, 2048, dgemm_kernel_c};
#endif

#if SL_X86_SIMD

// MARK: - AVX-512 microkernels

/// float, 14 × 32: per k, two 16-lane loads of B, 14 broadcasts of A, 28 FMAs.
SL_TARGET_AVX512 static void sgemm_kernel_avx512(long k, const float *restrict a,
                                                 const float *restrict b, float *restrict c,
                                                 long ldc, float alpha, float beta) {
    enum { MR = 14 };
    __m512 c0[MR], c1[MR];
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++) {
        c0[i] = c1[i] = _mm512_setzero_ps();
        // The C tile is touched only after the loop; start bringing it in now.
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + 31), _MM_HINT_T0);
    }
    for (long p = 0; p < k; p++) {
        _mm_prefetch((const char *)(a + 8 * MR), _MM_HINT_T0);
        const __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);
#pragma clang loop unroll(full)
        for (int i = 0; i < MR; i++) {
            const __m512 ai = _mm512_set1_ps(a[i]);
            c0[i] = _mm512_fmadd_ps(ai, b0, c0[i]);
            c1[i] = _mm512_fmadd_ps(ai, b1, c1[i]);
        }
        a += MR;
        b += 32;
    }
    const __m512 va = _mm512_set1_ps(alpha);
    if (beta == 0) {
#pragma clang loop unroll(full)
        for (int i = 0; i < MR; i++) {
            _mm512_storeu_ps(c + i * ldc, _mm512_mul_ps(va, c0[i]));
            _mm512_storeu_ps(c + i * ldc + 16, _mm512_mul_ps(va, c1[i]));
        }
    } else {
        const __m512 vb = _mm512_set1_ps(beta);
#pragma clang loop unroll(full)
        for (int i = 0; i < MR; i++) {
            float *ci = c + i * ldc;
            _mm512_storeu_ps(ci, _mm512_fmadd_ps(vb, _mm512_loadu_ps(ci), _mm512_mul_ps(va, c0[i])));
            _mm512_storeu_ps(ci + 16, _mm512_fmadd_ps(vb, _mm512_loadu_ps(ci + 16),
                                                      _mm512_mul_ps(va, c1[i])));
        }
    }
}

/// double, 14 × 16: per k, two 8-lane loads of B, 14 broadcasts of A, 28 FMAs.
SL_TARGET_AVX512 static void dgemm_kernel_avx512(long k, const double *restrict a,
                                                 const double *restrict b, double *restrict c,
                                                 long ldc, double alpha, double beta) {
    enum { MR = 14 };
    __m512d c0[MR], c1[MR];
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++) c0[i] = c1[i] = _mm512_setzero_pd();
    for (long p = 0; p < k; p++) {
        const __m512d b0 = _mm512_load_pd(b), b1 = _mm512_load_pd(b + 8);
#pragma clang loop unroll(full)
        for (int i = 0; i < MR; i++) {
            const __m512d ai = _mm512_set1_pd(a[i]);
            c0[i] = _mm512_fmadd_pd(ai, b0, c0[i]);
            c1[i] = _mm512_fmadd_pd(ai, b1, c1[i]);
        }
        a += MR;
        b += 16;
    }
    const __m512d va = _mm512_set1_pd(alpha);
    if (beta == 0) {
#pragma clang loop unroll(full)
        for (int i = 0; i < MR; i++) {
            _mm512_storeu_pd(c + i * ldc, _mm512_mul_pd(va, c0[i]));
            _mm512_storeu_pd(c + i * ldc + 8, _mm512_mul_pd(va, c1[i]));
        }
    } else {
        const __m512d vb = _mm512_set1_pd(beta);
#pragma clang loop unroll(full)
        for (int i = 0; i < MR; i++) {
            double *ci = c + i * ldc;
            _mm512_storeu_pd(ci, _mm512_fmadd_pd(vb, _mm512_loadu_pd(ci), _mm512_mul_pd(va, c0[i])));
            _mm512_storeu_pd(ci + 8, _mm512_fmadd_pd(vb, _mm512_loadu_pd(ci + 8),
                                                     _mm512_mul_pd(va, c1[i])));
        }
    }
}

// MARK: - AVX2 microkernels

/// float, 6 × 16: per k, two 8-lane loads of B, 6 broadcasts of A, 12 FMAs.
SL_TARGET_AVX2 static void sgemm_kernel_avx2(long k, const float *restrict a,
                                             const float *restrict b, float *restrict c, long ldc,
                                             float alpha, float beta) {
    enum { MR = 6 };
    __m256 c0[MR], c1[MR];
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++) c0[i] = c1[i] = _mm256_setzero_ps();
    for (long p = 0; p < k; p++) {
        const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
#pragma clang loop unroll(full)
        for (int i = 0; i < MR; i++) {
            const __m256 ai = _mm256_broadcast_ss(a + i);
            c0[i] = _mm256_fmadd_ps(ai, b0, c0[i]);
            c1[i] = _mm256_fmadd_ps(ai, b1, c1[i]);
        }
        a += MR;
        b += 16;
    }
    const __m256 va = _mm256_set1_ps(alpha);
    if (beta == 0) {
#pragma clang loop unroll(full)
        for (int i = 0; i < MR; i++) {
            _mm256_storeu_ps(c + i * ldc, _mm256_mul_ps(va, c0[i]));
            _mm256_storeu_ps(c + i * ldc + 8, _mm256_mul_ps(va, c1[i]));
        }
    } else {
        const __m256 vb = _mm256_set1_ps(beta);
#pragma clang loop unroll(full)
        for (int i = 0; i < MR; i++) {
            float *ci = c + i * ldc;
            _mm256_storeu_ps(ci, _mm256_fmadd_ps(vb, _mm256_loadu_ps(ci), _mm256_mul_ps(va, c0[i])));
            _mm256_storeu_ps(ci + 8, _mm256_fmadd_ps(vb, _mm256_loadu_ps(ci + 8),
                                                     _mm256_mul_ps(va, c1[i])));
        }
    }
}

/// double, 6 × 8: per k, two 4-lane loads of B, 6 broadcasts of A, 12 FMAs.
SL_TARGET_AVX2 static void dgemm_kernel_avx2(long k, const double *restrict a,
                                             const double *restrict b, double *restrict c,
                                             long ldc, double alpha, double beta) {
    enum { MR = 6 };
    __m256d c0[MR], c1[MR];
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++) c0[i] = c1[i] = _mm256_setzero_pd();
    for (long p = 0; p < k; p++) {
        const __m256d b0 = _mm256_load_pd(b), b1 = _mm256_load_pd(b + 4);
#pragma clang loop unroll(full)
        for (int i = 0; i < MR; i++) {
            const __m256d ai = _mm256_broadcast_sd(a + i);
            c0[i] = _mm256_fmadd_pd(ai, b0, c0[i]);
            c1[i] = _mm256_fmadd_pd(ai, b1, c1[i]);
        }
        a += MR;
        b += 8;
    }
    const __m256d va = _mm256_set1_pd(alpha);
    if (beta == 0) {
#pragma clang loop unroll(full)
        for (int i = 0; i < MR; i++) {
            _mm256_storeu_pd(c + i * ldc, _mm256_mul_pd(va, c0[i]));
            _mm256_storeu_pd(c + i * ldc + 4, _mm256_mul_pd(va, c1[i]));
        }
    } else {
        const __m256d vb = _mm256_set1_pd(beta);
#pragma clang loop unroll(full)
        for (int i = 0; i < MR; i++) {
            double *ci = c + i * ldc;
            _mm256_storeu_pd(ci, _mm256_fmadd_pd(vb, _mm256_loadu_pd(ci), _mm256_mul_pd(va, c0[i])));
            _mm256_storeu_pd(ci + 4, _mm256_fmadd_pd(vb, _mm256_loadu_pd(ci + 4),
                                                     _mm256_mul_pd(va, c1[i])));
        }
    }
}

// Block sizes (MC, KC, NC); overridable at compile time for tuning experiments.
#ifndef SL_S512_BLOCKS
#define SL_S512_BLOCKS 14 * 24, 256, 4096
#endif
#ifndef SL_D512_BLOCKS
#define SL_D512_BLOCKS 14 * 12, 256, 2048
#endif
#ifndef SL_S256_BLOCKS
#define SL_S256_BLOCKS 6 * 40, 256, 4096
#endif
#ifndef SL_D256_BLOCKS
#define SL_D256_BLOCKS 6 * 20, 256, 2048
#endif
static const gemm_config_s sgemm_avx512 = {14, 32, SL_S512_BLOCKS, sgemm_kernel_avx512};
static const gemm_config_d dgemm_avx512 = {14, 16, SL_D512_BLOCKS, dgemm_kernel_avx512};
static const gemm_config_s sgemm_avx2 = {6, 16, SL_S256_BLOCKS, sgemm_kernel_avx2};
static const gemm_config_d dgemm_avx2 = {6, 8, SL_D256_BLOCKS, dgemm_kernel_avx2};

#endif  // SL_X86_SIMD

// MARK: - Variant selection

/// The float configuration for this CPU.
static const gemm_config_s *config_s(void) {
#if SL_X86_SIMD
    const int f = sl_cpu_features();
    if (f & SL_CPU_AVX512) return &sgemm_avx512;
    if (f & SL_CPU_AVX2_FMA) return &sgemm_avx2;
#endif
    return &sgemm_c;
}

/// The double configuration for this CPU.
static const gemm_config_d *config_d(void) {
#if SL_X86_SIMD
    const int f = sl_cpu_features();
    if (f & SL_CPU_AVX512) return &dgemm_avx512;
    if (f & SL_CPU_AVX2_FMA) return &dgemm_avx2;
#endif
    return &dgemm_c;
}

// MARK: - Driver instances

#define SL_T float
#define SL_FN(x) x##_s
#include "gemm_driver.h"
#undef SL_T
#undef SL_FN

#define SL_T double
#define SL_FN(x) x##_d
#include "gemm_driver.h"
#undef SL_T
#undef SL_FN

void sl_sgemm_native(int transA, int transB, long M, long N, long K, float alpha, const float *A,
                     long lda, const float *B, long ldb, float beta, float *C, long ldc,
                     int threads) {
    gemm_run_s(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, threads);
}

void sl_dgemm_native(int transA, int transB, long M, long N, long K, double alpha,
                     const double *A, long lda, const double *B, long ldb, double beta, double *C,
                     long ldc, int threads) {
    gemm_run_d(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, threads);
}
