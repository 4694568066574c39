// vecmath.c — vectorized element-wise math, sums and row softmax over contiguous arrays.
//
// Every public function has three variants — AVX-512, AVX2+FMA and portable C — and picks one per
// call from `sl_cpu_features()` (a cached atomic load). All functions are single-threaded; callers
// split large arrays across threads. Unary maps may run in place (y == x).
//
// Algorithms (the SIMD variants; the portable variant calls the C library for exp/log/tanh):
//
//   exp   x is clamped to the range where the result is neither certainly 0 nor certainly ∞
//         (NaN passes through the clamp), then reduced: n = round(x / ln 2), r = x − n·ln 2 with
//         ln 2 split in two parts (Cody–Waite, with FMA), |r| ≤ ln2/2. e^r is a Taylor polynomial
//         (degree 7 for float, 13 for double; truncation error far below half an ULP), and the
//         result is scaled by 2ⁿ: with VSCALEF on AVX-512, which rounds once into the subnormal
//         range and overflows to ∞; with two exact multiplications by 2^⌊n/2⌋ and 2^(n−⌊n/2⌋)
//         on AVX2, which has the same effect. Measured error ≤ 1 ULP (float) / ≤ 1 ULP (double).
//   log   x = m·2ᵉ with m in [√½, √2) (subnormals are first scaled by 2²³ / 2⁵² on AVX2;
//         AVX-512's VGETEXP/VGETMANT handle them directly). With f = m − 1 and s = f/(2+f),
//         log(1+f) = f − (f²/2 − s·(f²/2 + R(s²))) where R is the series Σ 2s²ᵏ/(2k+1) (the
//         formulation of fdlibm's log, which keeps f, the dominant term, exact), and
//         log x = e·ln2_hi + (log(1+f) + e·ln2_lo). Zero gives −∞, negatives NaN, +∞ gives +∞.
//   tanh  |x| < 0.625: x + x³·Q(x²) with a degree-4 minimax Q (relative error 5e-9, fitted for
//         this file); otherwise sign(x)·(1 − 2/(e^{2|x|} + 1)), which saturates to ±1 cleanly.
//   sigmoid  with e = exp(−|x|): 1/(1+e) for x ≥ 0 and e/(1+e) for x < 0, so neither branch
//         overflows and tiny results keep their relative accuracy (one division either way).
//   sum   pairwise over leaves of 1024 (float) / 512 (double) elements; inside a leaf, four SIMD
//         accumulators (64 float / 32 double lanes with AVX-512), so each lane adds at most 16
//         values. For float, the lanes of a leaf and the pairwise tree above the leaves are
//         added in double, so only the short in-lane runs round in float: the result is at
//         least as accurate as NumPy's float32 pairwise sum (error O(log n)·ε at worst).
//   softmax  per row: m = max(x); e = exp(x − m) stored in y while summing (SIMD lanes, chunk
//         sums of 1024 elements added in double); then y *= 1/Σ. log-softmax:
//         y = (x − m) − log Σ e^(x−m). A row containing NaN gives NaN, as in NumPy.

#include "CSwiftLearnKernels.h"
#include "sl_internal.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#if SL_X86_SIMD
#include <immintrin.h>
#endif

// MARK: - Portable scalar pieces (also used for short tails and as the fallback)

/// Logistic function, evaluated without overflow for any x.
static inline float sigmoid1f(float x) {
    const float e = expf(-fabsf(x));
    return (x >= 0 ? 1.0f : e) / (1.0f + e);
}

/// Leaf size of the pairwise sums (elements summed by one SIMD accumulation).
#define SL_SUM_LEAF_F32 1024
#define SL_SUM_LEAF_F64 512
/// Softmax rows are summed in chunks of this many elements, chunk sums accumulated in double.
#define SL_SOFTMAX_CHUNK 1024
/// Element-wise outputs at least this large (bytes) bypass the caches (non-temporal stores):
/// they cannot stay cached anyway, and skipping the read-for-ownership of every output line
/// saves a quarter to a third of the memory traffic.
#define SL_STREAM_BYTES (16L << 20)

/// Portable leaf: runs of 128 floats in eight independent float accumulators (the compiler may
/// keep them in SIMD lanes; each adds 16 values), the runs combined in double.
static double sum_leaf_f32_c(const float *x, long n) {
    double total = 0;
    long i = 0;
    while (i + 8 <= n) {
        float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        const long end = n - i > 128 ? i + 128 : n;
        for (; i + 8 <= end; i += 8)
            for (int j = 0; j < 8; j++) acc[j] += x[i + j];
        total += (((double)acc[0] + acc[1]) + ((double)acc[2] + acc[3])) +
                 (((double)acc[4] + acc[5]) + ((double)acc[6] + acc[7]));
    }
    for (; i < n; i++) total += x[i];
    return total;
}

static double sum_leaf_f64_c(const double *x, long n) {
    double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    long i = 0;
    for (; i + 8 <= n; i += 8)
        for (int j = 0; j < 8; j++) acc[j] += x[i + j];
    double tail = 0;
    for (; i < n; i++) tail += x[i];
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])) + tail;
}

/// Pairwise recursion over whole leaves: splits at a leaf boundary near the middle. The float
/// version combines leaf sums in double (they are few, so this costs nothing measurable).
static double sum_pairwise_f32(const float *x, long n, double (*leaf)(const float *, long)) {
    if (n <= SL_SUM_LEAF_F32) return leaf(x, n);
    const long leaves = (n + SL_SUM_LEAF_F32 - 1) / SL_SUM_LEAF_F32;
    const long half = (leaves / 2) * SL_SUM_LEAF_F32;
    return sum_pairwise_f32(x, half, leaf) + sum_pairwise_f32(x + half, n - half, leaf);
}

static double sum_pairwise_f64(const double *x, long n, double (*leaf)(const double *, long)) {
    if (n <= SL_SUM_LEAF_F64) return leaf(x, n);
    const long leaves = (n + SL_SUM_LEAF_F64 - 1) / SL_SUM_LEAF_F64;
    const long half = (leaves / 2) * SL_SUM_LEAF_F64;
    return sum_pairwise_f64(x, half, leaf) + sum_pairwise_f64(x + half, n - half, leaf);
}

/// Portable row softmax / log-softmax (`want_log` selects which).
#define SL_DEFINE_SOFTMAX_ROW_C(NAME, T, EXP, LOG, SUMLEAF)                                        \
    static void NAME(const T *x, T *y, long n, int want_log) {                                          \
        T m = -INFINITY;                                                                           \
        int nan = 0;                                                                               \
        for (long j = 0; j < n; j++) {                                                             \
            if (x[j] > m) m = x[j];                                                                \
            nan |= x[j] != x[j];                                                                   \
        }                                                                                          \
        if (nan) m = NAN;                                                                          \
        if (want_log) {                                                                                 \
            T acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};                                                   \
            long j = 0;                                                                            \
            for (; j + 8 <= n; j += 8)                                                             \
                for (int q = 0; q < 8; q++) acc[q] += EXP(x[j + q] - m);                           \
            for (; j < n; j++) acc[0] += EXP(x[j] - m);                                            \
            const T ls = LOG(SUMLEAF(acc, 8));                                                     \
            for (long k = 0; k < n; k++) y[k] = (x[k] - m) - ls;                                   \
        } else {                                                                                   \
            for (long k = 0; k < n; k++) y[k] = EXP(x[k] - m);                                     \
            const T inv = (T)1 / (n <= 4096 ? SUMLEAF(y, n) : sum_pairwise_c_##T(y, n));           \
            for (long k = 0; k < n; k++) y[k] *= inv;                                              \
        }                                                                                          \
    }

static float sum_pairwise_c_float(const float *x, long n) {
    return (float)sum_pairwise_f32(x, n, sum_leaf_f32_c);
}
static double sum_pairwise_c_double(const double *x, long n) {
    return sum_pairwise_f64(x, n, sum_leaf_f64_c);
}
SL_DEFINE_SOFTMAX_ROW_C(softmax_row_f32_c, float, expf, logf, sum_leaf_f32_c)
SL_DEFINE_SOFTMAX_ROW_C(softmax_row_f64_c, double, exp, log, sum_leaf_f64_c)

#if SL_X86_SIMD

// MARK: - AVX-512 vector primitives

/// 1/d for 16 floats with finite d ≠ 0: VRCP14 (relative error < 2⁻¹⁴) and one Newton step
/// (error ~2⁻²⁸); several times cheaper than VDIVPS.
SL_TARGET_AVX512 static inline __m512 recip_ps512(__m512 d) {
    const __m512 r = _mm512_rcp14_ps(d);
    return _mm512_mul_ps(r, _mm512_fnmadd_ps(d, r, _mm512_set1_ps(2.0f)));
}

/// 1/d for 8 doubles with finite d ≠ 0: VRCP14 and two Newton steps (error ~2⁻⁵⁶).
SL_TARGET_AVX512 static inline __m512d recip_pd512(__m512d d) {
    __m512d r = _mm512_rcp14_pd(d);
    r = _mm512_mul_pd(r, _mm512_fnmadd_pd(d, r, _mm512_set1_pd(2.0)));
    return _mm512_mul_pd(r, _mm512_fnmadd_pd(d, r, _mm512_set1_pd(2.0)));
}

/// e^x for 16 floats (see the file comment).
SL_TARGET_AVX512 static inline __m512 exp_ps512(__m512 x) {
    // Constant first: VMAXPS/VMINPS return the second operand when one is NaN, so NaN survives.
    x = _mm512_min_ps(_mm512_set1_ps(89.0f), _mm512_max_ps(_mm512_set1_ps(-104.0f), x));
    const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_set1_ps(1.98412698e-4f);                 // 1/7!
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.38888889e-3f));  // 1/6!
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.33333333e-3f));  // 1/5!
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.16666667e-2f));  // 1/4!
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.66666667e-1f));  // 1/3!
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(p, n);
}

/// e^x for 8 doubles.
SL_TARGET_AVX512 static inline __m512d exp_pd512(__m512d x) {
    x = _mm512_min_pd(_mm512_set1_pd(710.0), _mm512_max_pd(_mm512_set1_pd(-746.0), x));
    const __m512d n = _mm512_roundscale_pd(_mm512_mul_pd(x, _mm512_set1_pd(1.4426950408889634)),
                                           _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512d r = _mm512_fnmadd_pd(n, _mm512_set1_pd(6.93147180369123816490e-01), x);
    r = _mm512_fnmadd_pd(n, _mm512_set1_pd(1.90821492927058770002e-10), r);
    __m512d p = _mm512_set1_pd(1.6059043836821613e-10);         // 1/13!
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(2.08767569878681e-09));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(2.505210838544172e-08));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(2.755731922398589e-07));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(2.7557319223985893e-06));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(2.48015873015873e-05));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.984126984126984e-04));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.388888888888889e-03));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(8.333333333333333e-03));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(4.1666666666666664e-02));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.6666666666666666e-01));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(0.5));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0));
    return _mm512_scalef_pd(p, n);
}

/// Replaces lanes of a log result for the special inputs: x < 0 → NaN, ±0 → −∞, +∞ → +∞,
/// NaN → NaN.
#define SL_LOG_SPECIALS_512(S, VT, x, y)                                                           \
    do {                                                                                           \
        const VT zero = _mm512_setzero_##S();                                                      \
        y = _mm512_mask_blend_##S(_mm512_cmp_##S##_mask(x, zero, _CMP_LT_OQ), y,                   \
                                  _mm512_set1_##S(NAN));                                           \
        y = _mm512_mask_blend_##S(_mm512_cmp_##S##_mask(x, zero, _CMP_EQ_OQ), y,                   \
                                  _mm512_set1_##S(-INFINITY));                                     \
        y = _mm512_mask_blend_##S(_mm512_cmp_##S##_mask(x, _mm512_set1_##S(INFINITY), _CMP_EQ_OQ), \
                                  y, x);                                                           \
        y = _mm512_mask_blend_##S(_mm512_cmp_##S##_mask(x, x, _CMP_UNORD_Q), y, x);                \
    } while (0)

/// log x for 16 floats.
SL_TARGET_AVX512 static inline __m512 log_ps512(__m512 x) {
    __m512 m = _mm512_getmant_ps(x, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_zero);  // [1, 2)
    __m512 e = _mm512_getexp_ps(x);                                           // floor(log2 x)
    const __mmask16 big = _mm512_cmp_ps_mask(m, _mm512_set1_ps(1.41421356f), _CMP_GE_OQ);
    m = _mm512_mask_mul_ps(m, big, m, _mm512_set1_ps(0.5f));
    e = _mm512_mask_add_ps(e, big, e, _mm512_set1_ps(1.0f));
    const __m512 f = _mm512_sub_ps(m, _mm512_set1_ps(1.0f));
    const __m512 s = _mm512_mul_ps(f, recip_ps512(_mm512_add_ps(f, _mm512_set1_ps(2.0f))));
    const __m512 z = _mm512_mul_ps(s, s);
    __m512 R = _mm512_set1_ps(2.0f / 11);
    R = _mm512_fmadd_ps(R, z, _mm512_set1_ps(2.0f / 9));
    R = _mm512_fmadd_ps(R, z, _mm512_set1_ps(2.0f / 7));
    R = _mm512_fmadd_ps(R, z, _mm512_set1_ps(2.0f / 5));
    R = _mm512_fmadd_ps(R, z, _mm512_set1_ps(2.0f / 3));
    R = _mm512_mul_ps(R, z);
    const __m512 hfsq = _mm512_mul_ps(_mm512_set1_ps(0.5f), _mm512_mul_ps(f, f));
    // e·ln2_hi − ((hfsq − (s·(hfsq + R) + e·ln2_lo)) − f)
    __m512 t = _mm512_fmadd_ps(s, _mm512_add_ps(hfsq, R),
                               _mm512_mul_ps(e, _mm512_set1_ps(9.05800061e-06f)));
    t = _mm512_sub_ps(_mm512_sub_ps(hfsq, t), f);
    __m512 y = _mm512_fmsub_ps(e, _mm512_set1_ps(0.693138123f), t);
    SL_LOG_SPECIALS_512(ps, __m512, x, y);
    return y;
}

/// log x for 8 doubles.
SL_TARGET_AVX512 static inline __m512d log_pd512(__m512d x) {
    __m512d m = _mm512_getmant_pd(x, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_zero);
    __m512d e = _mm512_getexp_pd(x);
    const __mmask8 big = _mm512_cmp_pd_mask(m, _mm512_set1_pd(1.4142135623730951), _CMP_GE_OQ);
    m = _mm512_mask_mul_pd(m, big, m, _mm512_set1_pd(0.5));
    e = _mm512_mask_add_pd(e, big, e, _mm512_set1_pd(1.0));
    const __m512d f = _mm512_sub_pd(m, _mm512_set1_pd(1.0));
    const __m512d s = _mm512_mul_pd(f, recip_pd512(_mm512_add_pd(f, _mm512_set1_pd(2.0))));
    const __m512d z = _mm512_mul_pd(s, s);
    __m512d R = _mm512_set1_pd(2.0 / 21);
    for (int k = 9; k >= 1; k--) R = _mm512_fmadd_pd(R, z, _mm512_set1_pd(2.0 / (2 * k + 1)));
    R = _mm512_mul_pd(R, z);
    const __m512d hfsq = _mm512_mul_pd(_mm512_set1_pd(0.5), _mm512_mul_pd(f, f));
    __m512d t = _mm512_fmadd_pd(s, _mm512_add_pd(hfsq, R),
                                _mm512_mul_pd(e, _mm512_set1_pd(1.90821492927058770002e-10)));
    t = _mm512_sub_pd(_mm512_sub_pd(hfsq, t), f);
    __m512d y = _mm512_fmsub_pd(e, _mm512_set1_pd(6.93147180369123816490e-01), t);
    SL_LOG_SPECIALS_512(pd, __m512d, x, y);
    return y;
}

/// tanh x for 16 floats.
SL_TARGET_AVX512 static inline __m512 tanh_ps512(__m512 x) {
    const __m512 sign = _mm512_and_ps(x, _mm512_set1_ps(-0.0f));
    const __m512 ax = _mm512_andnot_ps(_mm512_set1_ps(-0.0f), x);
    // Small |x|: odd polynomial.
    const __m512 z = _mm512_mul_ps(x, x);
    __m512 q = _mm512_set1_ps(-0.0056946613f);
    q = _mm512_fmadd_ps(q, z, _mm512_set1_ps(0.020628698f));
    q = _mm512_fmadd_ps(q, z, _mm512_set1_ps(-0.053736046f));
    q = _mm512_fmadd_ps(q, z, _mm512_set1_ps(0.13331389f));
    q = _mm512_fmadd_ps(q, z, _mm512_set1_ps(-0.33333281f));
    const __m512 small = _mm512_fmadd_ps(_mm512_mul_ps(x, z), q, x);
    // Large |x|: 1 − 2/(e^{2|x|} + 1), with the sign of x. |x| is capped at 10 (tanh is 1 in
    // float from 9.01 on) so the reciprocal never sees ∞; the cap keeps NaN.
    const __m512 e = exp_ps512(_mm512_min_ps(_mm512_set1_ps(20.0f), _mm512_add_ps(ax, ax)));
    const __m512 big = _mm512_fnmadd_ps(_mm512_set1_ps(2.0f),
                                        recip_ps512(_mm512_add_ps(e, _mm512_set1_ps(1.0f))),
                                        _mm512_set1_ps(1.0f));
    const __mmask16 is_small = _mm512_cmp_ps_mask(ax, _mm512_set1_ps(0.625f), _CMP_LT_OQ);
    return _mm512_mask_blend_ps(is_small, _mm512_or_ps(big, sign), small);
}

/// Logistic sigmoid for 16 floats.
SL_TARGET_AVX512 static inline __m512 sigmoid_ps512(__m512 x) {
    const __m512 ax = _mm512_andnot_ps(_mm512_set1_ps(-0.0f), x);
    const __m512 e = exp_ps512(_mm512_sub_ps(_mm512_setzero_ps(), ax));
    const __mmask16 neg = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
    const __m512 num = _mm512_mask_blend_ps(neg, _mm512_set1_ps(1.0f), e);
    // A true division: with the reciprocal shortcut the error would grow from 2.4 to 3.4 ULP.
    return _mm512_div_ps(num, _mm512_add_ps(e, _mm512_set1_ps(1.0f)));
}

// MARK: - AVX-512 array loops

/// y[i] = FN(x[i]) over 16-float vectors, two per iteration, with a masked tail. Large outputs
/// are written with non-temporal stores once y is 64-byte aligned (see SL_STREAM_BYTES).
#define SL_DEFINE_MAP_PS512(NAME, FN)                                                              \
    SL_TARGET_AVX512 static void NAME(const float *x, float *y, long n) {                          \
        long i = 0;                                                                                \
        if (n * (long)sizeof(float) >= SL_STREAM_BYTES && ((uintptr_t)y & 3) == 0) {               \
            i = (long)((64 - ((uintptr_t)y & 63)) & 63) / (long)sizeof(float);                     \
            const __mmask16 hm = (__mmask16)((1u << i) - 1);                                       \
            _mm512_mask_storeu_ps(y, hm, FN(_mm512_maskz_loadu_ps(hm, x)));                        \
            for (; i + 32 <= n; i += 32) {                                                         \
                const __m512 a = _mm512_loadu_ps(x + i), b = _mm512_loadu_ps(x + i + 16);         \
                _mm512_stream_ps(y + i, FN(a));                                                    \
                _mm512_stream_ps(y + i + 16, FN(b));                                               \
            }                                                                                      \
            _mm_sfence();                                                                          \
        }                                                                                          \
        for (; i + 32 <= n; i += 32) {                                                             \
            const __m512 a = _mm512_loadu_ps(x + i), b = _mm512_loadu_ps(x + i + 16);             \
            _mm512_storeu_ps(y + i, FN(a));                                                        \
            _mm512_storeu_ps(y + i + 16, FN(b));                                                   \
        }                                                                                          \
        for (; i < n; i += 16) {                                                                   \
            const long left = n - i;                                                               \
            const __mmask16 m = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);    \
            _mm512_mask_storeu_ps(y + i, m, FN(_mm512_maskz_loadu_ps(m, x + i)));                  \
        }                                                                                          \
    }

/// y[i] = FN(x[i]) over 8-double vectors with a masked tail; large outputs as above.
#define SL_DEFINE_MAP_PD512(NAME, FN)                                                              \
    SL_TARGET_AVX512 static void NAME(const double *x, double *y, long n) {                        \
        long i = 0;                                                                                \
        if (n * (long)sizeof(double) >= SL_STREAM_BYTES && ((uintptr_t)y & 7) == 0) {              \
            i = (long)((64 - ((uintptr_t)y & 63)) & 63) / (long)sizeof(double);                    \
            const __mmask8 hm = (__mmask8)((1u << i) - 1);                                         \
            _mm512_mask_storeu_pd(y, hm, FN(_mm512_maskz_loadu_pd(hm, x)));                        \
            for (; i + 16 <= n; i += 16) {                                                         \
                const __m512d a = _mm512_loadu_pd(x + i), b = _mm512_loadu_pd(x + i + 8);         \
                _mm512_stream_pd(y + i, FN(a));                                                    \
                _mm512_stream_pd(y + i + 8, FN(b));                                                \
            }                                                                                      \
            _mm_sfence();                                                                          \
        }                                                                                          \
        for (; i + 16 <= n; i += 16) {                                                             \
            const __m512d a = _mm512_loadu_pd(x + i), b = _mm512_loadu_pd(x + i + 8);             \
            _mm512_storeu_pd(y + i, FN(a));                                                        \
            _mm512_storeu_pd(y + i + 8, FN(b));                                                    \
        }                                                                                          \
        for (; i < n; i += 8) {                                                                    \
            const long left = n - i;                                                               \
            const __mmask8 m = left >= 8 ? (__mmask8)0xFF : (__mmask8)((1u << left) - 1);         \
            _mm512_mask_storeu_pd(y + i, m, FN(_mm512_maskz_loadu_pd(m, x + i)));                  \
        }                                                                                          \
    }

SL_DEFINE_MAP_PS512(exp_f32_avx512, exp_ps512)
SL_DEFINE_MAP_PD512(exp_f64_avx512, exp_pd512)
SL_DEFINE_MAP_PS512(log_f32_avx512, log_ps512)
SL_DEFINE_MAP_PD512(log_f64_avx512, log_pd512)
SL_DEFINE_MAP_PS512(tanh_f32_avx512, tanh_ps512)
SL_DEFINE_MAP_PS512(sigmoid_f32_avx512, sigmoid_ps512)

/// y[i] = OP(a[i], b[i]); large outputs with non-temporal stores as in the maps.
#define SL_DEFINE_BINARY_PS512(NAME, OP)                                                           \
    SL_TARGET_AVX512 static void NAME(const float *a, const float *b, float *y, long n) {          \
        long i = 0;                                                                                \
        if (n * (long)sizeof(float) >= SL_STREAM_BYTES && ((uintptr_t)y & 3) == 0) {               \
            i = (long)((64 - ((uintptr_t)y & 63)) & 63) / (long)sizeof(float);                     \
            const __mmask16 hm = (__mmask16)((1u << i) - 1);                                       \
            _mm512_mask_storeu_ps(y, hm, OP(_mm512_maskz_loadu_ps(hm, a), _mm512_maskz_loadu_ps(hm, b))); \
            for (; i + 32 <= n; i += 32) {                                                         \
                _mm512_stream_ps(y + i, OP(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i)));       \
                _mm512_stream_ps(y + i + 16,                                                       \
                                 OP(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16)));    \
            }                                                                                      \
            _mm_sfence();                                                                          \
        }                                                                                          \
        for (; i + 32 <= n; i += 32) {                                                             \
            _mm512_storeu_ps(y + i, OP(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i)));           \
            _mm512_storeu_ps(y + i + 16,                                                           \
                             OP(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16)));        \
        }                                                                                          \
        for (; i < n; i += 16) {                                                                   \
            const long left = n - i;                                                               \
            const __mmask16 m = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);    \
            _mm512_mask_storeu_ps(y + i, m,                                                        \
                                  OP(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i))); \
        }                                                                                          \
    }

SL_DEFINE_BINARY_PS512(add_f32_avx512, _mm512_add_ps)
SL_DEFINE_BINARY_PS512(mul_f32_avx512, _mm512_mul_ps)

/// Sum of n ≤ SL_SUM_LEAF_F32 floats in 4 × 16 float lanes, the 64 lanes added in double.
SL_TARGET_AVX512 static double sum_leaf_f32_avx512(const float *x, long n) {
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    long i = 0;
    for (; i + 64 <= n; i += 64) {
        a0 = _mm512_add_ps(a0, _mm512_loadu_ps(x + i));
        a1 = _mm512_add_ps(a1, _mm512_loadu_ps(x + i + 16));
        a2 = _mm512_add_ps(a2, _mm512_loadu_ps(x + i + 32));
        a3 = _mm512_add_ps(a3, _mm512_loadu_ps(x + i + 48));
    }
    __m512 *acc[4] = {&a0, &a1, &a2, &a3};
    for (int k = 0; i < n; i += 16, k++) {
        const long left = n - i;
        const __mmask16 m = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
        *acc[k] = _mm512_add_ps(*acc[k], _mm512_maskz_loadu_ps(m, x + i));
    }
    __m512d d = _mm512_setzero_pd();
    const __m512 all[4] = {a0, a1, a2, a3};
    for (int k = 0; k < 4; k++) {
        d = _mm512_add_pd(d, _mm512_cvtps_pd(_mm512_castps512_ps256(all[k])));
        d = _mm512_add_pd(d, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(all[k]), 1))));
    }
    return _mm512_reduce_add_pd(d);
}

/// Sum of n ≤ SL_SUM_LEAF_F64 doubles in 4 × 8 lanes.
SL_TARGET_AVX512 static double sum_leaf_f64_avx512(const double *x, long n) {
    __m512d a0 = _mm512_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
    long i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = _mm512_add_pd(a0, _mm512_loadu_pd(x + i));
        a1 = _mm512_add_pd(a1, _mm512_loadu_pd(x + i + 8));
        a2 = _mm512_add_pd(a2, _mm512_loadu_pd(x + i + 16));
        a3 = _mm512_add_pd(a3, _mm512_loadu_pd(x + i + 24));
    }
    __m512d *acc[4] = {&a0, &a1, &a2, &a3};
    for (int k = 0; i < n; i += 8, k++) {
        const long left = n - i;
        const __mmask8 m = left >= 8 ? (__mmask8)0xFF : (__mmask8)((1u << left) - 1);
        *acc[k] = _mm512_add_pd(*acc[k], _mm512_maskz_loadu_pd(m, x + i));
    }
    return _mm512_reduce_add_pd(_mm512_add_pd(_mm512_add_pd(a0, a1), _mm512_add_pd(a2, a3)));
}

/// Softmax or log-softmax of one float row (see the file comment).
SL_TARGET_AVX512 static void softmax_row_f32_avx512(const float *x, float *y, long n, int want_log) {
    if (n <= 0) return;
    // Row maximum; lanes past the end read as −∞. A NaN anywhere makes the maximum NaN.
    __m512 vm = _mm512_set1_ps(-INFINITY);
    __mmask16 nan = 0;
    for (long i = 0; i < n; i += 16) {
        const long left = n - i;
        const __mmask16 m = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
        const __m512 v = _mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), m, x + i);
        vm = _mm512_max_ps(vm, v);
        nan |= _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
    }
    const float mx = nan ? NAN : _mm512_reduce_max_ps(vm);
    const __m512 vmx = _mm512_set1_ps(mx);
    // e = exp(x − max), summed in four accumulators per chunk of SL_SOFTMAX_CHUNK elements and
    // the chunk sums in double, so long rows keep their accuracy; stored unless log-softmax.
    double total = 0;
    for (long c0 = 0; c0 < n; c0 += SL_SOFTMAX_CHUNK) {
        const long c1 = n - c0 > SL_SOFTMAX_CHUNK ? c0 + SL_SOFTMAX_CHUNK : n;
        __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
        long i = c0;
        for (; i + 64 <= c1; i += 64) {
            const __m512 e0 = exp_ps512(_mm512_sub_ps(_mm512_loadu_ps(x + i), vmx));
            const __m512 e1 = exp_ps512(_mm512_sub_ps(_mm512_loadu_ps(x + i + 16), vmx));
            const __m512 e2 = exp_ps512(_mm512_sub_ps(_mm512_loadu_ps(x + i + 32), vmx));
            const __m512 e3 = exp_ps512(_mm512_sub_ps(_mm512_loadu_ps(x + i + 48), vmx));
            s0 = _mm512_add_ps(s0, e0);
            s1 = _mm512_add_ps(s1, e1);
            s2 = _mm512_add_ps(s2, e2);
            s3 = _mm512_add_ps(s3, e3);
            if (!want_log) {
                _mm512_storeu_ps(y + i, e0);
                _mm512_storeu_ps(y + i + 16, e1);
                _mm512_storeu_ps(y + i + 32, e2);
                _mm512_storeu_ps(y + i + 48, e3);
            }
        }
        for (; i < c1; i += 16) {
            const long left = c1 - i;
            const __mmask16 m = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
            const __m512 e = _mm512_maskz_mov_ps(
                m, exp_ps512(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, x + i), vmx)));
            s0 = _mm512_add_ps(s0, e);
            if (!want_log) _mm512_mask_storeu_ps(y + i, m, e);
        }
        total += _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
    }
    const float sum = (float)total;
    if (want_log) {
        const __m512 shift = _mm512_set1_ps(logf(sum));
        for (long k = 0; k < n; k += 16) {
            const long left = n - k;
            const __mmask16 m = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
            const __m512 v = _mm512_sub_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, x + k), vmx), shift);
            _mm512_mask_storeu_ps(y + k, m, v);
        }
    } else {
        const __m512 inv = _mm512_set1_ps(1.0f / sum);
        for (long k = 0; k < n; k += 16) {
            const long left = n - k;
            const __mmask16 m = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
            _mm512_mask_storeu_ps(y + k, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, y + k), inv));
        }
    }
}

/// Softmax or log-softmax of one double row.
SL_TARGET_AVX512 static void softmax_row_f64_avx512(const double *x, double *y, long n, int want_log) {
    if (n <= 0) return;
    __m512d vm = _mm512_set1_pd(-INFINITY);
    __mmask8 nan = 0;
    for (long i = 0; i < n; i += 8) {
        const long left = n - i;
        const __mmask8 m = left >= 8 ? (__mmask8)0xFF : (__mmask8)((1u << left) - 1);
        const __m512d v = _mm512_mask_loadu_pd(_mm512_set1_pd(-INFINITY), m, x + i);
        vm = _mm512_max_pd(vm, v);
        nan |= _mm512_cmp_pd_mask(v, v, _CMP_UNORD_Q);
    }
    const double mx = nan ? NAN : _mm512_reduce_max_pd(vm);
    const __m512d vmx = _mm512_set1_pd(mx);
    __m512d s0 = _mm512_setzero_pd(), s1 = s0;
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m512d e0 = exp_pd512(_mm512_sub_pd(_mm512_loadu_pd(x + i), vmx));
        const __m512d e1 = exp_pd512(_mm512_sub_pd(_mm512_loadu_pd(x + i + 8), vmx));
        s0 = _mm512_add_pd(s0, e0);
        s1 = _mm512_add_pd(s1, e1);
        if (!want_log) {
            _mm512_storeu_pd(y + i, e0);
            _mm512_storeu_pd(y + i + 8, e1);
        }
    }
    for (; i < n; i += 8) {
        const long left = n - i;
        const __mmask8 m = left >= 8 ? (__mmask8)0xFF : (__mmask8)((1u << left) - 1);
        const __m512d e =
            _mm512_maskz_mov_pd(m, exp_pd512(_mm512_sub_pd(_mm512_maskz_loadu_pd(m, x + i), vmx)));
        s0 = _mm512_add_pd(s0, e);
        if (!want_log) _mm512_mask_storeu_pd(y + i, m, e);
    }
    const double sum = _mm512_reduce_add_pd(_mm512_add_pd(s0, s1));
    if (want_log) {
        const __m512d shift = _mm512_set1_pd(log(sum));
        for (long k = 0; k < n; k += 8) {
            const long left = n - k;
            const __mmask8 m = left >= 8 ? (__mmask8)0xFF : (__mmask8)((1u << left) - 1);
            const __m512d v = _mm512_sub_pd(_mm512_sub_pd(_mm512_maskz_loadu_pd(m, x + k), vmx), shift);
            _mm512_mask_storeu_pd(y + k, m, v);
        }
    } else {
        const __m512d inv = _mm512_set1_pd(1.0 / sum);
        for (long k = 0; k < n; k += 8) {
            const long left = n - k;
            const __mmask8 m = left >= 8 ? (__mmask8)0xFF : (__mmask8)((1u << left) - 1);
            _mm512_mask_storeu_pd(y + k, m, _mm512_mul_pd(_mm512_maskz_loadu_pd(m, y + k), inv));
        }
    }
}

// MARK: - AVX2 vector primitives

/// 2^k for integer-valued floats k in [−126, 127] (exact).
SL_TARGET_AVX2 static inline __m256 pow2i_ps256(__m256 k) {
    const __m256i ki = _mm256_cvtps_epi32(k);
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(ki, _mm256_set1_epi32(127)), 23));
}

/// 2^k for integer-valued doubles k in [−1022, 1023] (exact); uses the 1.5·2⁵² rounding trick
/// to move k into the low bits since AVX2 has no double → int64 conversion.
SL_TARGET_AVX2 static inline __m256d pow2i_pd256(__m256d k) {
    const __m256d magic = _mm256_set1_pd(6755399441055744.0);  // 1.5 · 2^52
    const __m256i ki = _mm256_sub_epi64(_mm256_castpd_si256(_mm256_add_pd(k, magic)),
                                        _mm256_castpd_si256(magic));
    return _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_add_epi64(ki, _mm256_set1_epi64x(1023)), 52));
}

/// e^x for 8 floats.
SL_TARGET_AVX2 static inline __m256 exp_ps256(__m256 x) {
    // Constant first in MAX/MIN: NaN passes through (see exp_ps512).
    x = _mm256_min_ps(_mm256_set1_ps(89.0f), _mm256_max_ps(_mm256_set1_ps(-104.0f), x));
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.98412698e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.38888889e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.33333333e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.16666667e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.66666667e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
    // n in [−150, 129]: scale in two exact halves so 2^n never leaves the normal range.
    const __m256 n1 = _mm256_floor_ps(_mm256_mul_ps(n, _mm256_set1_ps(0.5f)));
    const __m256 n2 = _mm256_sub_ps(n, n1);
    // A NaN lane converts to an arbitrary integer; p is NaN there, so the product stays NaN.
    return _mm256_mul_ps(_mm256_mul_ps(p, pow2i_ps256(n1)), pow2i_ps256(n2));
}

/// e^x for 4 doubles.
SL_TARGET_AVX2 static inline __m256d exp_pd256(__m256d x) {
    x = _mm256_min_pd(_mm256_set1_pd(710.0), _mm256_max_pd(_mm256_set1_pd(-746.0), x));
    const __m256d n = _mm256_round_pd(_mm256_mul_pd(x, _mm256_set1_pd(1.4426950408889634)),
                                      _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256d r = _mm256_fnmadd_pd(n, _mm256_set1_pd(6.93147180369123816490e-01), x);
    r = _mm256_fnmadd_pd(n, _mm256_set1_pd(1.90821492927058770002e-10), r);
    __m256d p = _mm256_set1_pd(1.6059043836821613e-10);
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(2.08767569878681e-09));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(2.505210838544172e-08));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(2.755731922398589e-07));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(2.7557319223985893e-06));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(2.48015873015873e-05));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.984126984126984e-04));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.388888888888889e-03));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(8.333333333333333e-03));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(4.1666666666666664e-02));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.6666666666666666e-01));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(0.5));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0));
    // NaN lanes: n is NaN; replace it by 0 so the integer trick stays in range (p carries NaN).
    const __m256d nn = _mm256_and_pd(n, _mm256_cmp_pd(n, n, _CMP_ORD_Q));
    const __m256d n1 = _mm256_floor_pd(_mm256_mul_pd(nn, _mm256_set1_pd(0.5)));
    const __m256d n2 = _mm256_sub_pd(nn, n1);
    return _mm256_mul_pd(_mm256_mul_pd(p, pow2i_pd256(n1)), pow2i_pd256(n2));
}

/// Replaces lanes of a log result for the special inputs (as SL_LOG_SPECIALS_512).
#define SL_LOG_SPECIALS_256(S, VT, x, y)                                                           \
    do {                                                                                           \
        const VT zero = _mm256_setzero_##S();                                                      \
        y = _mm256_blendv_##S(y, _mm256_set1_##S(NAN), _mm256_cmp_##S(x, zero, _CMP_LT_OQ));       \
        y = _mm256_blendv_##S(y, _mm256_set1_##S(-INFINITY), _mm256_cmp_##S(x, zero, _CMP_EQ_OQ)); \
        y = _mm256_blendv_##S(y, x, _mm256_cmp_##S(x, _mm256_set1_##S(INFINITY), _CMP_EQ_OQ));    \
        y = _mm256_blendv_##S(y, x, _mm256_cmp_##S(x, x, _CMP_UNORD_Q));                           \
    } while (0)

/// log x for 8 floats.
SL_TARGET_AVX2 static inline __m256 log_ps256(__m256 x) {
    // Subnormals: scale by 2^23 first and remember the shift in the exponent.
    const __m256 tiny = _mm256_cmp_ps(x, _mm256_set1_ps(1.17549435e-38f), _CMP_LT_OQ);
    const __m256 xs = _mm256_blendv_ps(x, _mm256_mul_ps(x, _mm256_set1_ps(8388608.0f)), tiny);
    const __m256i bits = _mm256_castps_si256(xs);
    __m256 e = _mm256_cvtepi32_ps(
        _mm256_sub_epi32(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(127)));
    e = _mm256_sub_ps(e, _mm256_and_ps(tiny, _mm256_set1_ps(23.0f)));
    __m256 m = _mm256_castsi256_ps(_mm256_or_si256(
        _mm256_and_si256(bits, _mm256_set1_epi32(0x007FFFFF)), _mm256_set1_epi32(0x3F800000)));
    const __m256 big = _mm256_cmp_ps(m, _mm256_set1_ps(1.41421356f), _CMP_GE_OQ);
    m = _mm256_blendv_ps(m, _mm256_mul_ps(m, _mm256_set1_ps(0.5f)), big);
    e = _mm256_add_ps(e, _mm256_and_ps(big, _mm256_set1_ps(1.0f)));
    const __m256 f = _mm256_sub_ps(m, _mm256_set1_ps(1.0f));
    const __m256 s = _mm256_div_ps(f, _mm256_add_ps(f, _mm256_set1_ps(2.0f)));
    const __m256 z = _mm256_mul_ps(s, s);
    __m256 R = _mm256_set1_ps(2.0f / 11);
    R = _mm256_fmadd_ps(R, z, _mm256_set1_ps(2.0f / 9));
    R = _mm256_fmadd_ps(R, z, _mm256_set1_ps(2.0f / 7));
    R = _mm256_fmadd_ps(R, z, _mm256_set1_ps(2.0f / 5));
    R = _mm256_fmadd_ps(R, z, _mm256_set1_ps(2.0f / 3));
    R = _mm256_mul_ps(R, z);
    const __m256 hfsq = _mm256_mul_ps(_mm256_set1_ps(0.5f), _mm256_mul_ps(f, f));
    __m256 t = _mm256_fmadd_ps(s, _mm256_add_ps(hfsq, R),
                               _mm256_mul_ps(e, _mm256_set1_ps(9.05800061e-06f)));
    t = _mm256_sub_ps(_mm256_sub_ps(hfsq, t), f);
    __m256 y = _mm256_fmsub_ps(e, _mm256_set1_ps(0.693138123f), t);
    SL_LOG_SPECIALS_256(ps, __m256, x, y);
    return y;
}

/// log x for 4 doubles.
SL_TARGET_AVX2 static inline __m256d log_pd256(__m256d x) {
    const __m256d tiny = _mm256_cmp_pd(x, _mm256_set1_pd(2.2250738585072014e-308), _CMP_LT_OQ);
    const __m256d xs = _mm256_blendv_pd(x, _mm256_mul_pd(x, _mm256_set1_pd(4503599627370496.0)), tiny);
    const __m256i bits = _mm256_castpd_si256(xs);
    // Biased exponent (0..2047) → double via the 2^52 trick: as_double(2^52 bits | e) − 2^52.
    const __m256i eb = _mm256_and_si256(_mm256_srli_epi64(bits, 52), _mm256_set1_epi64x(0x7FF));
    __m256d e = _mm256_sub_pd(
        _mm256_castsi256_pd(_mm256_or_si256(eb, _mm256_castpd_si256(_mm256_set1_pd(4503599627370496.0)))),
        _mm256_set1_pd(4503599627370496.0 + 1023.0));
    e = _mm256_sub_pd(e, _mm256_and_pd(tiny, _mm256_set1_pd(52.0)));
    __m256d m = _mm256_castsi256_pd(
        _mm256_or_si256(_mm256_and_si256(bits, _mm256_set1_epi64x(0x000FFFFFFFFFFFFFLL)),
                        _mm256_set1_epi64x(0x3FF0000000000000LL)));
    const __m256d big = _mm256_cmp_pd(m, _mm256_set1_pd(1.4142135623730951), _CMP_GE_OQ);
    m = _mm256_blendv_pd(m, _mm256_mul_pd(m, _mm256_set1_pd(0.5)), big);
    e = _mm256_add_pd(e, _mm256_and_pd(big, _mm256_set1_pd(1.0)));
    const __m256d f = _mm256_sub_pd(m, _mm256_set1_pd(1.0));
    const __m256d s = _mm256_div_pd(f, _mm256_add_pd(f, _mm256_set1_pd(2.0)));
    const __m256d z = _mm256_mul_pd(s, s);
    __m256d R = _mm256_set1_pd(2.0 / 21);
    for (int k = 9; k >= 1; k--) R = _mm256_fmadd_pd(R, z, _mm256_set1_pd(2.0 / (2 * k + 1)));
    R = _mm256_mul_pd(R, z);
    const __m256d hfsq = _mm256_mul_pd(_mm256_set1_pd(0.5), _mm256_mul_pd(f, f));
    __m256d t = _mm256_fmadd_pd(s, _mm256_add_pd(hfsq, R),
                                _mm256_mul_pd(e, _mm256_set1_pd(1.90821492927058770002e-10)));
    t = _mm256_sub_pd(_mm256_sub_pd(hfsq, t), f);
    __m256d y = _mm256_fmsub_pd(e, _mm256_set1_pd(6.93147180369123816490e-01), t);
    SL_LOG_SPECIALS_256(pd, __m256d, x, y);
    return y;
}

/// tanh x for 8 floats.
SL_TARGET_AVX2 static inline __m256 tanh_ps256(__m256 x) {
    const __m256 sign = _mm256_and_ps(x, _mm256_set1_ps(-0.0f));
    const __m256 ax = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x);
    const __m256 z = _mm256_mul_ps(x, x);
    __m256 q = _mm256_set1_ps(-0.0056946613f);
    q = _mm256_fmadd_ps(q, z, _mm256_set1_ps(0.020628698f));
    q = _mm256_fmadd_ps(q, z, _mm256_set1_ps(-0.053736046f));
    q = _mm256_fmadd_ps(q, z, _mm256_set1_ps(0.13331389f));
    q = _mm256_fmadd_ps(q, z, _mm256_set1_ps(-0.33333281f));
    const __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(x, z), q, x);
    const __m256 e = exp_ps256(_mm256_add_ps(ax, ax));
    const __m256 big = _mm256_sub_ps(
        _mm256_set1_ps(1.0f), _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(e, _mm256_set1_ps(1.0f))));
    const __m256 is_small = _mm256_cmp_ps(ax, _mm256_set1_ps(0.625f), _CMP_LT_OQ);
    return _mm256_blendv_ps(_mm256_or_ps(big, sign), small, is_small);
}

/// Logistic sigmoid for 8 floats.
SL_TARGET_AVX2 static inline __m256 sigmoid_ps256(__m256 x) {
    const __m256 ax = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x);
    const __m256 e = exp_ps256(_mm256_sub_ps(_mm256_setzero_ps(), ax));
    const __m256 neg = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ);
    const __m256 num = _mm256_blendv_ps(_mm256_set1_ps(1.0f), e, neg);
    return _mm256_div_ps(num, _mm256_add_ps(e, _mm256_set1_ps(1.0f)));
}

// MARK: - AVX2 array loops

/// y[i] = FN(x[i]) over 8-float vectors; the tail goes through a zero-padded buffer. Large
/// outputs use non-temporal stores once y is 32-byte aligned.
#define SL_DEFINE_MAP_PS256(NAME, FN)                                                              \
    SL_TARGET_AVX2 static void NAME(const float *x, float *y, long n) {                            \
        long i = 0;                                                                                \
        if (n * (long)sizeof(float) >= SL_STREAM_BYTES && ((uintptr_t)y & 3) == 0) {               \
            const long head = (long)((32 - ((uintptr_t)y & 31)) & 31) / (long)sizeof(float);       \
            if (head) {                                                                            \
                float buf[8] = {0, 0, 0, 0, 0, 0, 0, 0};                                           \
                memcpy(buf, x, sizeof(float) * (size_t)head);                                      \
                _mm256_storeu_ps(buf, FN(_mm256_loadu_ps(buf)));                                   \
                memcpy(y, buf, sizeof(float) * (size_t)head);                                      \
            }                                                                                      \
            for (i = head; i + 16 <= n; i += 16) {                                                 \
                const __m256 a = _mm256_loadu_ps(x + i), b = _mm256_loadu_ps(x + i + 8);           \
                _mm256_stream_ps(y + i, FN(a));                                                    \
                _mm256_stream_ps(y + i + 8, FN(b));                                                \
            }                                                                                      \
            _mm_sfence();                                                                          \
        }                                                                                          \
        for (; i + 16 <= n; i += 16) {                                                             \
            const __m256 a = _mm256_loadu_ps(x + i), b = _mm256_loadu_ps(x + i + 8);               \
            _mm256_storeu_ps(y + i, FN(a));                                                        \
            _mm256_storeu_ps(y + i + 8, FN(b));                                                    \
        }                                                                                          \
        for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, FN(_mm256_loadu_ps(x + i)));            \
        if (i < n) {                                                                               \
            float buf[8] = {0, 0, 0, 0, 0, 0, 0, 0};                                               \
            memcpy(buf, x + i, sizeof(float) * (size_t)(n - i));                                   \
            _mm256_storeu_ps(buf, FN(_mm256_loadu_ps(buf)));                                       \
            memcpy(y + i, buf, sizeof(float) * (size_t)(n - i));                                   \
        }                                                                                          \
    }

/// y[i] = FN(x[i]) over 4-double vectors; the tail goes through a zero-padded buffer; large
/// outputs as above.
#define SL_DEFINE_MAP_PD256(NAME, FN)                                                              \
    SL_TARGET_AVX2 static void NAME(const double *x, double *y, long n) {                          \
        long i = 0;                                                                                \
        if (n * (long)sizeof(double) >= SL_STREAM_BYTES && ((uintptr_t)y & 7) == 0) {              \
            const long head = (long)((32 - ((uintptr_t)y & 31)) & 31) / (long)sizeof(double);      \
            if (head) {                                                                            \
                double buf[4] = {0, 0, 0, 0};                                                      \
                memcpy(buf, x, sizeof(double) * (size_t)head);                                     \
                _mm256_storeu_pd(buf, FN(_mm256_loadu_pd(buf)));                                   \
                memcpy(y, buf, sizeof(double) * (size_t)head);                                     \
            }                                                                                      \
            for (i = head; i + 8 <= n; i += 8) {                                                   \
                const __m256d a = _mm256_loadu_pd(x + i), b = _mm256_loadu_pd(x + i + 4);         \
                _mm256_stream_pd(y + i, FN(a));                                                    \
                _mm256_stream_pd(y + i + 4, FN(b));                                                \
            }                                                                                      \
            _mm_sfence();                                                                          \
        }                                                                                          \
        for (; i + 8 <= n; i += 8) {                                                               \
            const __m256d a = _mm256_loadu_pd(x + i), b = _mm256_loadu_pd(x + i + 4);             \
            _mm256_storeu_pd(y + i, FN(a));                                                        \
            _mm256_storeu_pd(y + i + 4, FN(b));                                                    \
        }                                                                                          \
        for (; i + 4 <= n; i += 4) _mm256_storeu_pd(y + i, FN(_mm256_loadu_pd(x + i)));           \
        if (i < n) {                                                                               \
            double buf[4] = {0, 0, 0, 0};                                                          \
            memcpy(buf, x + i, sizeof(double) * (size_t)(n - i));                                  \
            _mm256_storeu_pd(buf, FN(_mm256_loadu_pd(buf)));                                       \
            memcpy(y + i, buf, sizeof(double) * (size_t)(n - i));                                  \
        }                                                                                          \
    }

SL_DEFINE_MAP_PS256(exp_f32_avx2, exp_ps256)
SL_DEFINE_MAP_PD256(exp_f64_avx2, exp_pd256)
SL_DEFINE_MAP_PS256(log_f32_avx2, log_ps256)
SL_DEFINE_MAP_PD256(log_f64_avx2, log_pd256)
SL_DEFINE_MAP_PS256(tanh_f32_avx2, tanh_ps256)
SL_DEFINE_MAP_PS256(sigmoid_f32_avx2, sigmoid_ps256)

/// Sum of n ≤ SL_SUM_LEAF_F32 floats in 4 × 8 float lanes (each adds ≤ 32 values), the lanes
/// added in double.
SL_TARGET_AVX2 static double sum_leaf_f32_avx2(const float *x, long n) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    long i = 0;
    for (; i + 32 <= n; i += 32) {
        a0 = _mm256_add_ps(a0, _mm256_loadu_ps(x + i));
        a1 = _mm256_add_ps(a1, _mm256_loadu_ps(x + i + 8));
        a2 = _mm256_add_ps(a2, _mm256_loadu_ps(x + i + 16));
        a3 = _mm256_add_ps(a3, _mm256_loadu_ps(x + i + 24));
    }
    __m256d d = _mm256_setzero_pd();
    const __m256 all[4] = {a0, a1, a2, a3};
    for (int k = 0; k < 4; k++) {
        d = _mm256_add_pd(d, _mm256_cvtps_pd(_mm256_castps256_ps128(all[k])));
        d = _mm256_add_pd(d, _mm256_cvtps_pd(_mm256_extractf128_ps(all[k], 1)));
    }
    double lanes[4];
    _mm256_storeu_pd(lanes, d);
    return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + sum_leaf_f32_c(x + i, n - i);
}

/// Sum of n ≤ SL_SUM_LEAF_F64 doubles in 4 × 4 lanes.
SL_TARGET_AVX2 static double sum_leaf_f64_avx2(const double *x, long n) {
    __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = _mm256_add_pd(a0, _mm256_loadu_pd(x + i));
        a1 = _mm256_add_pd(a1, _mm256_loadu_pd(x + i + 4));
        a2 = _mm256_add_pd(a2, _mm256_loadu_pd(x + i + 8));
        a3 = _mm256_add_pd(a3, _mm256_loadu_pd(x + i + 12));
    }
    double lanes[4];
    _mm256_storeu_pd(lanes, _mm256_add_pd(_mm256_add_pd(a0, a1), _mm256_add_pd(a2, a3)));
    return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + sum_leaf_f64_c(x + i, n - i);
}

/// Softmax or log-softmax of one row using the AVX2 exp (EXPV) and sum leaf (LEAF).
#define SL_DEFINE_SOFTMAX_ROW_256(NAME, T, VT, S, W, EXPV, LEAF, LOGF)                              \
    SL_TARGET_AVX2 static void NAME(const T *x, T *y, long n, int want_log) {                           \
        if (n <= 0) return;                                                                        \
        T mx = -INFINITY;                                                                          \
        int nan = 0;                                                                               \
        for (long j = 0; j < n; j++) {                                                             \
            mx = x[j] > mx ? x[j] : mx;                                                            \
            nan |= x[j] != x[j];                                                                   \
        }                                                                                          \
        if (nan) mx = NAN;                                                                         \
        const VT vmx = _mm256_set1_##S(mx);                                                        \
        double total = 0;                                                                          \
        for (long c0 = 0; c0 < n; c0 += SL_SOFTMAX_CHUNK) {                                        \
            const long c1 = n - c0 > SL_SOFTMAX_CHUNK ? c0 + SL_SOFTMAX_CHUNK : n;                 \
            VT s0 = _mm256_setzero_##S(), s1 = s0;                                                 \
            long i = c0;                                                                           \
            for (; i + 2 * W <= c1; i += 2 * W) {                                                  \
                const VT e0 = EXPV(_mm256_sub_##S(_mm256_loadu_##S(x + i), vmx));                  \
                const VT e1 = EXPV(_mm256_sub_##S(_mm256_loadu_##S(x + i + W), vmx));              \
                s0 = _mm256_add_##S(s0, e0);                                                       \
                s1 = _mm256_add_##S(s1, e1);                                                       \
                if (!want_log) {                                                                        \
                    _mm256_storeu_##S(y + i, e0);                                                  \
                    _mm256_storeu_##S(y + i + W, e1);                                              \
                }                                                                                  \
            }                                                                                      \
            if (i < c1) {                                                                          \
                /* Tail (< 2W elements) through a buffer padded with −∞ (exp gives 0 there). */    \
                T buf[2 * W];                                                                      \
                for (int q = 0; q < 2 * W; q++) buf[q] = i + q < c1 ? x[i + q] : -INFINITY;       \
                const VT e0 = EXPV(_mm256_sub_##S(_mm256_loadu_##S(buf), vmx));                    \
                const VT e1 = EXPV(_mm256_sub_##S(_mm256_loadu_##S(buf + W), vmx));                \
                s0 = _mm256_add_##S(s0, e0);                                                       \
                s1 = _mm256_add_##S(s1, e1);                                                       \
                _mm256_storeu_##S(buf, e0);                                                        \
                _mm256_storeu_##S(buf + W, e1);                                                    \
                if (!want_log) memcpy(y + i, buf, sizeof(T) * (size_t)(c1 - i));                        \
            }                                                                                      \
            T lanes[W];                                                                            \
            _mm256_storeu_##S(lanes, _mm256_add_##S(s0, s1));                                      \
            total += LEAF(lanes, W);                                                               \
        }                                                                                          \
        const T sum = (T)total;                                                                    \
        if (want_log) {                                                                                 \
            const T shift = LOGF(sum);                                                             \
            for (long k = 0; k < n; k++) y[k] = (x[k] - mx) - shift;                               \
        } else {                                                                                   \
            const T inv = (T)1 / sum;                                                              \
            for (long k = 0; k < n; k++) y[k] *= inv;                                              \
        }                                                                                          \
    }

SL_DEFINE_SOFTMAX_ROW_256(softmax_row_f32_avx2, float, __m256, ps, 8, exp_ps256, sum_leaf_f32_c, logf)
SL_DEFINE_SOFTMAX_ROW_256(softmax_row_f64_avx2, double, __m256d, pd, 4, exp_pd256, sum_leaf_f64_c, log)

#endif  // SL_X86_SIMD

// MARK: - Public entry points (run-time dispatch)

#if SL_X86_SIMD
/// Calls NAME##_avx512 or NAME##_avx2 with ARGS when this CPU has the feature; falls through
/// to the portable code after the macro otherwise.
#define SL_DISPATCH(NAME, ARGS)                                                                    \
    do {                                                                                           \
        const int f_ = sl_cpu_features();                                                          \
        if (f_ & SL_CPU_AVX512) {                                                                  \
            NAME##_avx512 ARGS;                                                                    \
            return;                                                                                \
        }                                                                                          \
        if (f_ & SL_CPU_AVX2_FMA) {                                                                \
            NAME##_avx2 ARGS;                                                                      \
            return;                                                                                \
        }                                                                                          \
    } while (0)
#else
#define SL_DISPATCH(NAME, ARGS) ((void)0)
#endif

void sl_exp_f32(const float *x, float *y, long n) {
    SL_DISPATCH(exp_f32, (x, y, n));
    for (long i = 0; i < n; i++) y[i] = expf(x[i]);
}

void sl_exp_f64(const double *x, double *y, long n) {
    SL_DISPATCH(exp_f64, (x, y, n));
    for (long i = 0; i < n; i++) y[i] = exp(x[i]);
}

void sl_log_f32(const float *x, float *y, long n) {
    SL_DISPATCH(log_f32, (x, y, n));
    for (long i = 0; i < n; i++) y[i] = logf(x[i]);
}

void sl_log_f64(const double *x, double *y, long n) {
    SL_DISPATCH(log_f64, (x, y, n));
    for (long i = 0; i < n; i++) y[i] = log(x[i]);
}

void sl_tanh_f32(const float *x, float *y, long n) {
    SL_DISPATCH(tanh_f32, (x, y, n));
    for (long i = 0; i < n; i++) y[i] = tanhf(x[i]);
}

void sl_sigmoid_f32(const float *x, float *y, long n) {
    SL_DISPATCH(sigmoid_f32, (x, y, n));
    for (long i = 0; i < n; i++) y[i] = sigmoid1f(x[i]);
}

void sl_add_f32(const float *a, const float *b, float *y, long n) {
#if SL_X86_SIMD
    if (sl_cpu_features() & SL_CPU_AVX512) {
        add_f32_avx512(a, b, y, n);
        return;
    }
#endif
    // Plain loop: the compiler vectorizes it (SSE2 on baseline x86-64, NEON on arm64).
    for (long i = 0; i < n; i++) y[i] = a[i] + b[i];
}

void sl_mul_f32(const float *a, const float *b, float *y, long n) {
#if SL_X86_SIMD
    if (sl_cpu_features() & SL_CPU_AVX512) {
        mul_f32_avx512(a, b, y, n);
        return;
    }
#endif
    for (long i = 0; i < n; i++) y[i] = a[i] * b[i];
}

float sl_sum_f32(const float *x, long n) {
    if (n <= 0) return 0;
    double (*leaf)(const float *, long) = sum_leaf_f32_c;
#if SL_X86_SIMD
    const int f = sl_cpu_features();
    if (f & SL_CPU_AVX512) leaf = sum_leaf_f32_avx512;
    else if (f & SL_CPU_AVX2_FMA) leaf = sum_leaf_f32_avx2;
#endif
    return (float)sum_pairwise_f32(x, n, leaf);
}

double sl_sum_f64(const double *x, long n) {
    if (n <= 0) return 0;
    double (*leaf)(const double *, long) = sum_leaf_f64_c;
#if SL_X86_SIMD
    const int f = sl_cpu_features();
    if (f & SL_CPU_AVX512) leaf = sum_leaf_f64_avx512;
    else if (f & SL_CPU_AVX2_FMA) leaf = sum_leaf_f64_avx2;
#endif
    return sum_pairwise_f64(x, n, leaf);
}

/// Applies ROW (a softmax_row_* variant) to every row.
#define SL_ROWS(ROW, T, want_log)                                                                       \
    do {                                                                                           \
        for (long r = 0; r < rows; r++) ROW(x + r * cols, y + r * cols, cols, want_log);                \
    } while (0)

#if SL_X86_SIMD
#define SL_ROWS_DISPATCH(PREFIX, T, want_log)                                                           \
    do {                                                                                           \
        const int f_ = sl_cpu_features();                                                          \
        if (f_ & SL_CPU_AVX512) {                                                                  \
            SL_ROWS(PREFIX##_avx512, T, want_log);                                                      \
            return;                                                                                \
        }                                                                                          \
        if (f_ & SL_CPU_AVX2_FMA) {                                                                \
            SL_ROWS(PREFIX##_avx2, T, want_log);                                                        \
            return;                                                                                \
        }                                                                                          \
        SL_ROWS(PREFIX##_c, T, want_log);                                                               \
    } while (0)
#else
#define SL_ROWS_DISPATCH(PREFIX, T, want_log) SL_ROWS(PREFIX##_c, T, want_log)
#endif

void sl_softmax_rows_f32(const float *x, float *y, long rows, long cols) {
    SL_ROWS_DISPATCH(softmax_row_f32, float, 0);
}

void sl_softmax_rows_f64(const double *x, double *y, long rows, long cols) {
    SL_ROWS_DISPATCH(softmax_row_f64, double, 0);
}

void sl_logsoftmax_rows_f32(const float *x, float *y, long rows, long cols) {
    SL_ROWS_DISPATCH(softmax_row_f32, float, 1);
}

void sl_logsoftmax_rows_f64(const double *x, double *y, long rows, long cols) {
    SL_ROWS_DISPATCH(softmax_row_f64, double, 1);
}
