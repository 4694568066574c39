// vector_distance.c — float32 distance kernels for vector search (dot product, squared L2), one
// pair at a time and one query against many rows, plus the PQ asymmetric-distance scan.
//
// SIMD variants keep four independent accumulators (AVX-512: 4 × 16 lanes; AVX2: 4 × 8 lanes) so
// the FMA latency is hidden, then reduce horizontally; tails are handled with masked loads on
// AVX-512 and a scalar loop on AVX2. The portable variant is a plain loop the compiler vectorizes.
// In the row forms the next row is prefetched while the current one is reduced (the rows of a
// graph or inverted list are scattered in memory).

#include "CSwiftLearnKernels.h"
#include "sl_internal.h"

#if SL_X86_SIMD
#include <immintrin.h>
#endif

// MARK: - Portable

static float dot_c(const float *a, const float *b, long d) {
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    long i = 0;
    for (; i + 8 <= d; i += 8)
        for (int j = 0; j < 8; j++) acc[j] += a[i + j] * b[i + j];
    float s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (; i < d; i++) s += a[i] * b[i];
    return s;
}

static float l2sq_c(const float *a, const float *b, long d) {
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    long i = 0;
    for (; i + 8 <= d; i += 8)
        for (int j = 0; j < 8; j++) {
            const float t = a[i + j] - b[i + j];
            acc[j] += t * t;
        }
    float s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (; i < d; i++) {
        const float t = a[i] - b[i];
        s += t * t;
    }
    return s;
}

#if SL_X86_SIMD

// MARK: - AVX-512

SL_TARGET_AVX512 static inline float dot_avx512(const float *a, const float *b, long d) {
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps(), s2 = _mm512_setzero_ps(), s3 = _mm512_setzero_ps();
    long i = 0;
    for (; i + 64 <= d; i += 64) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
        s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
        s2 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32), s2);
        s3 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48), s3);
    }
    for (; i + 16 <= d; i += 16) s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
    if (i < d) {
        const __mmask16 m = (__mmask16)((1u << (d - i)) - 1u);
        s1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i), s1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

SL_TARGET_AVX512 static inline float l2sq_avx512(const float *a, const float *b, long d) {
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps(), s2 = _mm512_setzero_ps(), s3 = _mm512_setzero_ps();
    long i = 0;
    for (; i + 64 <= d; i += 64) {
        __m512 t0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
        __m512 t1 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16));
        __m512 t2 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32));
        __m512 t3 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48));
        s0 = _mm512_fmadd_ps(t0, t0, s0);
        s1 = _mm512_fmadd_ps(t1, t1, s1);
        s2 = _mm512_fmadd_ps(t2, t2, s2);
        s3 = _mm512_fmadd_ps(t3, t3, s3);
    }
    for (; i + 16 <= d; i += 16) {
        __m512 t = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
        s0 = _mm512_fmadd_ps(t, t, s0);
    }
    if (i < d) {
        const __mmask16 m = (__mmask16)((1u << (d - i)) - 1u);
        __m512 t = _mm512_sub_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i));
        s1 = _mm512_fmadd_ps(t, t, s1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

// MARK: - AVX2 + FMA

SL_TARGET_AVX2 static inline float hsum256(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_shuffle_ps(lo, lo, 1));
    return _mm_cvtss_f32(lo);
}

SL_TARGET_AVX2 static inline float dot_avx2(const float *a, const float *b, long d) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    long i = 0;
    for (; i + 32 <= d; i += 32) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
    }
    for (; i + 8 <= d; i += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    float s = hsum256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    for (; i < d; i++) s += a[i] * b[i];
    return s;
}

SL_TARGET_AVX2 static inline float l2sq_avx2(const float *a, const float *b, long d) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    long i = 0;
    for (; i + 32 <= d; i += 32) {
        __m256 t0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        __m256 t1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
        __m256 t2 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16));
        __m256 t3 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24));
        s0 = _mm256_fmadd_ps(t0, t0, s0);
        s1 = _mm256_fmadd_ps(t1, t1, s1);
        s2 = _mm256_fmadd_ps(t2, t2, s2);
        s3 = _mm256_fmadd_ps(t3, t3, s3);
    }
    for (; i + 8 <= d; i += 8) {
        __m256 t = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        s0 = _mm256_fmadd_ps(t, t, s0);
    }
    float s = hsum256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    for (; i < d; i++) {
        const float t = a[i] - b[i];
        s += t * t;
    }
    return s;
}

#define SL_DEFINE_ROWS(NAME, KERNEL, ATTR)                                                         \
    ATTR static void NAME(const float *q, const float *base, const int32_t *rows, long n, long d,  \
                          float *out) {                                                            \
        for (long j = 0; j < n; j++) {                                                             \
            const long r = rows ? rows[j] : j;                                                     \
            if (j + 1 < n) {                                                                       \
                const char *nx = (const char *)(base + (rows ? rows[j + 1] : j + 1) * d);          \
                for (long o = 0; o < d * 4; o += 64) _mm_prefetch(nx + o, _MM_HINT_T0);            \
            }                                                                                      \
            out[j] = KERNEL(q, base + r * d, d);                                                   \
        }                                                                                          \
    }

SL_DEFINE_ROWS(dot_rows_avx512, dot_avx512, SL_TARGET_AVX512)
SL_DEFINE_ROWS(l2sq_rows_avx512, l2sq_avx512, SL_TARGET_AVX512)
SL_DEFINE_ROWS(dot_rows_avx2, dot_avx2, SL_TARGET_AVX2)
SL_DEFINE_ROWS(l2sq_rows_avx2, l2sq_avx2, SL_TARGET_AVX2)

/// PQ tables, AVX-512: the 256 dot products of a sub-quantizer live in 16 zmm accumulators;
/// each query component is broadcast and multiplied into a row of the transposed codebook.
SL_TARGET_AVX512 static void pq_tables_avx512(const float *q, const float *bt, const float *cn, long m, long dsub, int ip, float *out) {
    for (long s = 0; s < m; s++) {
        __m512 acc[16];
        for (int j = 0; j < 16; j++) acc[j] = _mm512_setzero_ps();
        float qn = 0;
        const float *b = bt + s * dsub * 256;
        for (long t = 0; t < dsub; t++) {
            const float qt = q[s * dsub + t];
            qn += qt * qt;
            const __m512 v = _mm512_set1_ps(qt);
            for (int j = 0; j < 16; j++) acc[j] = _mm512_fmadd_ps(v, _mm512_loadu_ps(b + t * 256 + j * 16), acc[j]);
        }
        float *o = out + s * 256;
        if (ip) {
            for (int j = 0; j < 16; j++) _mm512_storeu_ps(o + j * 16, _mm512_sub_ps(_mm512_setzero_ps(), acc[j]));
        } else {
            const __m512 vq = _mm512_set1_ps(qn), two = _mm512_set1_ps(2.0f);
            for (int j = 0; j < 16; j++)
                _mm512_storeu_ps(o + j * 16, _mm512_add_ps(_mm512_fnmadd_ps(two, acc[j], vq), _mm512_loadu_ps(cn + s * 256 + j * 16)));
        }
    }
}

#endif  // SL_X86_SIMD

/// Portable PQ tables (the compiler vectorizes the inner j loops).
static void pq_tables_c(const float *q, const float *bt, const float *cn, long m, long dsub, int ip, float *out) {
    for (long s = 0; s < m; s++) {
        float acc[256];
        for (int j = 0; j < 256; j++) acc[j] = 0;
        float qn = 0;
        const float *b = bt + s * dsub * 256;
        for (long t = 0; t < dsub; t++) {
            const float qt = q[s * dsub + t];
            qn += qt * qt;
            for (int j = 0; j < 256; j++) acc[j] += qt * b[t * 256 + j];
        }
        float *o = out + s * 256;
        for (int j = 0; j < 256; j++) o[j] = ip ? -acc[j] : qn - 2 * acc[j] + cn[s * 256 + j];
    }
}

// MARK: - Public entry points

float sl_vec_dot_f32(const float *a, const float *b, long d) {
#if SL_X86_SIMD
    const int f = sl_cpu_features();
    if (f & SL_CPU_AVX512) return dot_avx512(a, b, d);
    if (f & SL_CPU_AVX2_FMA) return dot_avx2(a, b, d);
#endif
    return dot_c(a, b, d);
}

float sl_vec_l2sq_f32(const float *a, const float *b, long d) {
#if SL_X86_SIMD
    const int f = sl_cpu_features();
    if (f & SL_CPU_AVX512) return l2sq_avx512(a, b, d);
    if (f & SL_CPU_AVX2_FMA) return l2sq_avx2(a, b, d);
#endif
    return l2sq_c(a, b, d);
}

void sl_vec_dot_rows_f32(const float *q, const float *base, const int32_t *rows, long n, long d, float *out) {
#if SL_X86_SIMD
    const int f = sl_cpu_features();
    if (f & SL_CPU_AVX512) { dot_rows_avx512(q, base, rows, n, d, out); return; }
    if (f & SL_CPU_AVX2_FMA) { dot_rows_avx2(q, base, rows, n, d, out); return; }
#endif
    for (long j = 0; j < n; j++) out[j] = dot_c(q, base + (rows ? rows[j] : j) * d, d);
}

void sl_vec_l2sq_rows_f32(const float *q, const float *base, const int32_t *rows, long n, long d, float *out) {
#if SL_X86_SIMD
    const int f = sl_cpu_features();
    if (f & SL_CPU_AVX512) { l2sq_rows_avx512(q, base, rows, n, d, out); return; }
    if (f & SL_CPU_AVX2_FMA) { l2sq_rows_avx2(q, base, rows, n, d, out); return; }
#endif
    for (long j = 0; j < n; j++) out[j] = l2sq_c(q, base + (rows ? rows[j] : j) * d, d);
}

void sl_pq_tables_f32(const float *q, const float *books_t, const float *c_norms, long m, long dsub, int ip, float *out) {
#if SL_X86_SIMD
    if (sl_cpu_features() & SL_CPU_AVX512) { pq_tables_avx512(q, books_t, c_norms, m, dsub, ip, out); return; }
#endif
    pq_tables_c(q, books_t, c_norms, m, dsub, ip, out);
}

void sl_pq_adc_u8(const float *table, long ksub, const uint8_t *codes, long n, long m, float *out) {
    // Four codes at a time with independent sums: the m lookups of one code form a dependency
    // chain, so interleaving codes keeps the load ports busy (measured faster than AVX-512
    // gathers, which move one element per cycle).
    long j = 0;
    for (; j + 4 <= n; j += 4) {
        const uint8_t *c0 = codes + j * m, *c1 = c0 + m, *c2 = c1 + m, *c3 = c2 + m;
        float a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        for (long s = 0; s < m; s++) {
            const float *t = table + s * ksub;
            a0 += t[c0[s]];
            a1 += t[c1[s]];
            a2 += t[c2[s]];
            a3 += t[c3[s]];
        }
        out[j] = a0; out[j + 1] = a1; out[j + 2] = a2; out[j + 3] = a3;
    }
    for (; j < n; j++) {
        float acc = 0;
        const uint8_t *c = codes + j * m;
        for (long s = 0; s < m; s++) acc += table[s * ksub + c[s]];
        out[j] = acc;
    }
}
