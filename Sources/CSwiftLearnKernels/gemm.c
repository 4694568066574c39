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
//   * panel transposers — packing op(A) = A or op(B) = Bᵀ is a transposition; with AVX-512 it
//     runs as 16 × 16 (float) / 8 × 8 (double) in-register block transposes.
//   * block sizes (MC, KC, NC) — measured (see the comment at the definitions): the A block
//     MC·KC stays well inside L2, KC is long so the C tile is loaded and stored rarely, and the
//     B block KC·NC (plus, for double, the C block revisited by every KC slice) fits L3.
//
// The variant is chosen per call from `sl_cpu_features()` (a cached value).

#include "CSwiftLearnKernels.h"
#include "sl_internal.h"

#include <sched.h>
#include <stdatomic.h>
#include <stddef.h>

#if SL_X86_SIMD
#include <immintrin.h>
#endif

/// How many k steps ahead the AVX-512 kernels prefetch their A panel.
#define SL_PREFETCH_A 8
/// Largest MR·NR of any microkernel (sizes the edge-tile buffer).
#define SL_GEMM_MAX_TILE 512
/// Below this many multiply-adds (M·N·K) a product runs on the calling thread only. Measured
/// with a warm pool (workers spinning between back-to-back calls), two threads already win at
/// 48³; 64³ leaves a margin for the wake-up cost of a sleeping worker (tens of µs).
#ifndef SL_GEMM_MIN_PARALLEL_WORK
#define SL_GEMM_MIN_PARALLEL_WORK (64.0 * 64.0 * 64.0)
#endif
/// Each extra thread needs at least this much work to pay for waking it.
#ifndef SL_GEMM_WORK_PER_THREAD
#define SL_GEMM_WORK_PER_THREAD (48.0 * 48.0 * 48.0)
#endif

typedef void (*sl_sgemm_kernel)(long k, const float *a, const float *b, float *c, long ldc,
                                float alpha, float beta);
typedef void (*sl_dgemm_kernel)(long k, const double *a, const double *b, double *c, long ldc,
                                double alpha, double beta);
/// Packs one panel by transposition: dst[p·w + r] = src[r·ld + p] for r < rows, p < kc, and
/// zeros for rows ≤ r < w.
typedef void (*sl_spack_t)(const float *src, long ld, long rows, long kc, float *dst, int w);
typedef void (*sl_dpack_t)(const double *src, long ld, long rows, long kc, double *dst, int w);

/// One microkernel, the block sizes that suit it, and its panel transposer.
typedef struct {
    int mr, nr;
    long mc, kc, nc;
    sl_sgemm_kernel kernel;
    sl_spack_t pack_panel_t;
} gemm_config_s;

typedef struct {
    int mr, nr;
    long mc, kc, nc;
    sl_dgemm_kernel kernel;
    sl_dpack_t pack_panel_t;
} gemm_config_d;

// MARK: - Panel transposers

/// Portable transposer: blocks of 8 k values per row keep the reads sequential.
#define SL_DEFINE_C_PACK_T(NAME, T)                                                                \
    static void NAME(const T *src, long ld, long rows, long kc, T *restrict dst, int w) {          \
        for (long p0 = 0; p0 < kc; p0 += 8) {                                                      \
            const long pn = kc - p0 < 8 ? kc - p0 : 8;                                             \
            for (long r = 0; r < rows; r++) {                                                      \
                const T *s = src + r * ld + p0;                                                    \
                for (long q = 0; q < pn; q++) dst[(p0 + q) * w + r] = s[q];                        \
            }                                                                                      \
            for (long q = 0; q < pn; q++)                                                          \
                for (long r = rows; r < w; r++) dst[(p0 + q) * w + r] = 0;                         \
        }                                                                                          \
    }

SL_DEFINE_C_PACK_T(pack_t_c_s, float)
SL_DEFINE_C_PACK_T(pack_t_c_d, double)

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
static const gemm_config_s sgemm_c = {8, 8, 128, 256, 2048, sgemm_kernel_c, pack_t_c_s};
static const gemm_config_d dgemm_c = {8, 4, 128, 256, 2048, dgemm_kernel_c, pack_t_c_d};
#else
SL_DEFINE_C_KERNEL(sgemm_kernel_c, float, 4, 8)
SL_DEFINE_C_KERNEL(dgemm_kernel_c, double, 4, 4)
static const gemm_config_s sgemm_c = {4, 8, 128, 256, 2048, sgemm_kernel_c, pack_t_c_s};
static const gemm_config_d dgemm_c = {4, 4, 128, 256, 2048, dgemm_kernel_c, pack_t_c_d};
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
        _mm_prefetch((const char *)(a + SL_PREFETCH_A * MR), _MM_HINT_T0);
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
    for (int i = 0; i < MR; i++) {
        c0[i] = c1[i] = _mm512_setzero_pd();
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + 15), _MM_HINT_T0);
    }
    for (long p = 0; p < k; p++) {
        _mm_prefetch((const char *)(a + SL_PREFETCH_A * MR), _MM_HINT_T0);
        _mm_prefetch((const char *)(a + SL_PREFETCH_A * MR + 8), _MM_HINT_T0);
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

// MARK: - AVX-512 panel transposers

/// Transposes the 16 × 16 float block r[0..15] in registers (r[j] becomes column j).
SL_TARGET_AVX512 static inline void transpose16_ps512(__m512 r[16]) {
    __m512 t[16], u[16];
    // Interleave row pairs: t[2k] / t[2k+1] hold columns 4L, 4L+1 / 4L+2, 4L+3 of rows 2k, 2k+1.
    for (int k = 0; k < 8; k++) {
        t[2 * k] = _mm512_unpacklo_ps(r[2 * k], r[2 * k + 1]);
        t[2 * k + 1] = _mm512_unpackhi_ps(r[2 * k], r[2 * k + 1]);
    }
    // u[4m + c], 128-bit lane L: column 4L + c of rows 4m .. 4m+3.
    for (int m = 0; m < 4; m++) {
        u[4 * m + 0] = _mm512_shuffle_ps(t[4 * m], t[4 * m + 2], 0x44);
        u[4 * m + 1] = _mm512_shuffle_ps(t[4 * m], t[4 * m + 2], 0xEE);
        u[4 * m + 2] = _mm512_shuffle_ps(t[4 * m + 1], t[4 * m + 3], 0x44);
        u[4 * m + 3] = _mm512_shuffle_ps(t[4 * m + 1], t[4 * m + 3], 0xEE);
    }
    // Column 4L + c gathers lane L of u[c], u[4+c], u[8+c], u[12+c].
    for (int c = 0; c < 4; c++) {
        const __m512 x01 = _mm512_shuffle_f32x4(u[c], u[4 + c], _MM_SHUFFLE(1, 0, 1, 0));
        const __m512 x23 = _mm512_shuffle_f32x4(u[c], u[4 + c], _MM_SHUFFLE(3, 2, 3, 2));
        const __m512 y01 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], _MM_SHUFFLE(1, 0, 1, 0));
        const __m512 y23 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], _MM_SHUFFLE(3, 2, 3, 2));
        r[c] = _mm512_shuffle_f32x4(x01, y01, _MM_SHUFFLE(2, 0, 2, 0));
        r[4 + c] = _mm512_shuffle_f32x4(x01, y01, _MM_SHUFFLE(3, 1, 3, 1));
        r[8 + c] = _mm512_shuffle_f32x4(x23, y23, _MM_SHUFFLE(2, 0, 2, 0));
        r[12 + c] = _mm512_shuffle_f32x4(x23, y23, _MM_SHUFFLE(3, 1, 3, 1));
    }
}

/// Transposes the 8 × 8 double block r[0..7] in registers.
SL_TARGET_AVX512 static inline void transpose8_pd512(__m512d r[8]) {
    __m512d t[8];
    // t[2k + c], 128-bit lane L: column 2L + c of rows 2k, 2k+1.
    for (int k = 0; k < 4; k++) {
        t[2 * k] = _mm512_unpacklo_pd(r[2 * k], r[2 * k + 1]);
        t[2 * k + 1] = _mm512_unpackhi_pd(r[2 * k], r[2 * k + 1]);
    }
    // Column 2L + c gathers lane L of t[c], t[2+c], t[4+c], t[6+c].
    for (int c = 0; c < 2; c++) {
        const __m512d x01 = _mm512_shuffle_f64x2(t[c], t[2 + c], _MM_SHUFFLE(1, 0, 1, 0));
        const __m512d x23 = _mm512_shuffle_f64x2(t[c], t[2 + c], _MM_SHUFFLE(3, 2, 3, 2));
        const __m512d y01 = _mm512_shuffle_f64x2(t[4 + c], t[6 + c], _MM_SHUFFLE(1, 0, 1, 0));
        const __m512d y23 = _mm512_shuffle_f64x2(t[4 + c], t[6 + c], _MM_SHUFFLE(3, 2, 3, 2));
        r[c] = _mm512_shuffle_f64x2(x01, y01, _MM_SHUFFLE(2, 0, 2, 0));
        r[2 + c] = _mm512_shuffle_f64x2(x01, y01, _MM_SHUFFLE(3, 1, 3, 1));
        r[4 + c] = _mm512_shuffle_f64x2(x23, y23, _MM_SHUFFLE(2, 0, 2, 0));
        r[6 + c] = _mm512_shuffle_f64x2(x23, y23, _MM_SHUFFLE(3, 1, 3, 1));
    }
}

/// Float panel transposer: 16-row groups × 16-wide k blocks, masked loads for the k tail and
/// masked stores of the group's lanes (absent rows load as zero, which pads the panel).
SL_TARGET_AVX512 static void pack_t_avx512_s(const float *src, long ld, long rows, long kc,
                                             float *restrict dst, int w) {
    for (int g0 = 0; g0 < w; g0 += 16) {
        const int lanes = w - g0 < 16 ? w - g0 : 16;
        const long real = rows - g0 < 0 ? 0 : (rows - g0 < 16 ? rows - g0 : 16);
        const __mmask16 smask = (__mmask16)((1u << lanes) - 1);
        for (long p = 0; p < kc; p += 16) {
            const long pk = kc - p < 16 ? kc - p : 16;
            const __mmask16 lmask = (__mmask16)((1u << pk) - 1);
            __m512 r[16];
            for (int i = 0; i < 16; i++)
                r[i] = i < real ? _mm512_maskz_loadu_ps(lmask, src + (g0 + i) * ld + p)
                                : _mm512_setzero_ps();
            transpose16_ps512(r);
            for (long q = 0; q < pk; q++) _mm512_mask_storeu_ps(dst + (p + q) * w + g0, smask, r[q]);
        }
    }
}

/// Double panel transposer: 8-row groups × 8-wide k blocks (as pack_t_avx512_s).
SL_TARGET_AVX512 static void pack_t_avx512_d(const double *src, long ld, long rows, long kc,
                                             double *restrict dst, int w) {
    for (int g0 = 0; g0 < w; g0 += 8) {
        const int lanes = w - g0 < 8 ? w - g0 : 8;
        const long real = rows - g0 < 0 ? 0 : (rows - g0 < 8 ? rows - g0 : 8);
        const __mmask8 smask = (__mmask8)((1u << lanes) - 1);
        for (long p = 0; p < kc; p += 8) {
            const long pk = kc - p < 8 ? kc - p : 8;
            const __mmask8 lmask = (__mmask8)((1u << pk) - 1);
            __m512d r[8];
            for (int i = 0; i < 8; i++)
                r[i] = i < real ? _mm512_maskz_loadu_pd(lmask, src + (g0 + i) * ld + p)
                                : _mm512_setzero_pd();
            transpose8_pd512(r);
            for (long q = 0; q < pk; q++) _mm512_mask_storeu_pd(dst + (p + q) * w + g0, smask, r[q]);
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

// Block sizes (MC, KC, NC), measured on an AMD Zen 5 EPYC (48 KiB L1d, 1 MiB L2, 32 MiB L3) by
// single-thread sweeps at n = 1024 / 2040 (CPU time, to see past a busy machine). A long KC
// amortizes the C-tile updates; for double, NC = 512 keeps the C block that every KC slice
// revisits inside L3 (+15 % at n = 2040), while float did best with the whole width. The
// macros can be overridden on the compiler command line for tuning experiments.
#ifndef SL_S512_BLOCKS
#define SL_S512_BLOCKS 14 * 8, 512, 4096
#endif
#ifndef SL_D512_BLOCKS
#define SL_D512_BLOCKS 14 * 6, 512, 512
#endif
#ifndef SL_S256_BLOCKS
#define SL_S256_BLOCKS 6 * 20, 512, 4096
#endif
#ifndef SL_D256_BLOCKS
#define SL_D256_BLOCKS 6 * 20, 512, 1024
#endif
static const gemm_config_s sgemm_avx512 = {14, 32, SL_S512_BLOCKS, sgemm_kernel_avx512,
                                           pack_t_avx512_s};
static const gemm_config_d dgemm_avx512 = {14, 16, SL_D512_BLOCKS, dgemm_kernel_avx512,
                                           pack_t_avx512_d};
static const gemm_config_s sgemm_avx2 = {6, 16, SL_S256_BLOCKS, sgemm_kernel_avx2, pack_t_c_s};
static const gemm_config_d dgemm_avx2 = {6, 8, SL_D256_BLOCKS, dgemm_kernel_avx2, pack_t_c_d};

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

long sl_sgemm_packed_b_size(long K, long N) { return packed_b_size_s(K, N); }
long sl_dgemm_packed_b_size(long K, long N) { return packed_b_size_d(K, N); }

void sl_sgemm_pack_b(int transB, long K, long N, const float *B, long ldb, float *packed) {
    pack_b_all_s(transB, K, N, B, ldb, packed);
}

void sl_dgemm_pack_b(int transB, long K, long N, const double *B, long ldb, double *packed) {
    pack_b_all_d(transB, K, N, B, ldb, packed);
}

int sl_sgemm_prepacked(int transA, long M, long N, long K, const float *A, long lda, const float *packed,
                       float beta, float *C, long ldc) {
    return gemm_prepacked_s(transA, M, N, K, A, lda, packed, beta, C, ldc);
}

int sl_dgemm_prepacked(int transA, long M, long N, long K, const double *A, long lda, const double *packed,
                       double beta, double *C, long ldc) {
    return gemm_prepacked_d(transA, M, N, K, A, lda, packed, beta, C, ldc);
}
