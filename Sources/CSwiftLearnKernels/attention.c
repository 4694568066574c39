// attention.c — one decoding step of grouped-query attention over a float16 key/value cache, the
// way ggml's CPU backend computes it without flash attention (llama.cpp's default in
// llama-cpp-python): the query rounded to float16, K·q as float16 dot products accumulated in
// float32, a float32 softmax whose sum is kept in double, the probabilities rounded to float16 for
// the product with V.
//
// Kernels: portable C and AVX2 + F16C (hardware float16 conversion), chosen at run time.
#include <math.h>
#include <string.h>
#include "CSwiftLearnKernels.h"
#include "sl_internal.h"
#if SL_X86_SIMD
#include <immintrin.h>
#endif


// Summation order. llama.cpp's x86-64 builds hand these float16 products to llamafile's tinyBLAS
// (16-lane FMA accumulators on AVX-512: lane l sums the terms i ≡ l mod 16 in order, then the 16
// lanes are added as a tree, 8+8, 4+4, 2+2, 1+1). Rounding differences there were enough to flip
// near-tied top-1 tokens, so the kernels below keep that order exactly, on every CPU: `fmaf` is
// one instruction in the AVX2 variants and a correctly rounded library call in the portable one.

static inline __attribute__((always_inline)) float tree16(const float p[16]) {
    float s8[8], s4[4];
    for (int l = 0; l < 8; l++) s8[l] = p[l] + p[l + 8];
    for (int l = 0; l < 4; l++) s4[l] = s8[l] + s8[l + 4];
    return (s4[0] + s4[2]) + (s4[1] + s4[3]);
}

/// Σ x[i]·y[i] over float16 vectors in the 16-lane order above (a tail past a multiple of 16
/// continues the lanes, as zero padding would).
static inline __attribute__((always_inline)) float dot16_body(const uint16_t *x, const uint16_t *y, long n) {
    float p[16] = {0};
    for (long i = 0; i < n; i += 16) {
        const long m = n - i < 16 ? n - i : 16;
        for (long l = 0; l < m; l++) p[l] = fmaf(sl_h2f(x[i + l]), sl_h2f(y[i + l]), p[l]);
    }
    return tree16(p);
}

/// ggml's vectorized exp (a degree-5 polynomial after reduction by ln 2, scaled by 2ⁿ; the
/// AVX-512 variant), written for one lane: llama.cpp's softmax and SiLU use it, not libm's expf.
static inline __attribute__((always_inline)) float expf_ggml(float x) {
    const float shift = 0x1.8p23f;
    const float z = fmaf(x, 0x1.715476p+0f, shift);     // x / ln 2 rounded to an integer, in the low bits
    const float n = z - shift;
    const float b = fmaf(-n, 0x1.7f7d1cp-20f, fmaf(-n, 0x1.62e4p-1f, x));   // x − n·ln 2 in two parts
    if (fabsf(n) > 192) return n <= 0 ? 0.f : INFINITY;
    const float u = b * b;
    const float j = fmaf(fmaf(fmaf(0x1.0e4020p-7f, b, 0x1.573e2ep-5f), u, fmaf(0x1.555e66p-3f, b, 0x1.fffdb6p-2f)), u,
                         fmaf(0x1.ffffecp-1f, b, 1.0f));
    return ldexpf(j, (int)n);
}

/// lane[j] += v[j]·w for j < n (v float16), one fused multiply-add per element.
static inline __attribute__((always_inline)) void lane_fma(float *lane, const uint16_t *v, float w, long n) {
    for (long j = 0; j < n; j++) lane[j] = fmaf(sl_h2f(v[j]), w, lane[j]);
}

typedef float (*sl_dot16_fn)(const uint16_t *, const uint16_t *, long);
typedef float (*sl_sum16_fn)(const float *);
typedef void (*sl_lane_fma_fn)(float *, const uint16_t *, float, long);

/// The attention step, with the instruction set's three inner pieces passed in (constants that
/// inline into each variant): the float16 dot, the 16-lane tree sum and the lane update.
static inline __attribute__((always_inline)) void attention_body(const float *q, long heads, long kv_heads, long head_dim,
        const uint16_t *k, const uint16_t *v, long kv_stride, long n, float scale, float *scores, uint16_t *scratch, float *out,
        sl_dot16_fn dot, sl_sum16_fn sum16, sl_lane_fma_fn update) {
    const long group = heads / kv_heads;
    uint16_t *q16 = scratch;
    float *partial = (float *)(scratch + heads * head_dim + 8);   // 16 × head_dim lane sums (after q16, aligned)
    partial = (float *)(((uintptr_t)partial + 31) & ~(uintptr_t)31);
    for (long i = 0; i < heads * head_dim; i++) q16[i] = sl_f2h(q[i]);
    for (long h = 0; h < heads; h++) {
        const long kv_offset = (h / group) * head_dim;
        const uint16_t *qh = q16 + h * head_dim;
        float m = -INFINITY;
        for (long t = 0; t < n; t++) {
            const float s = dot(k + t * kv_stride + kv_offset, qh, head_dim) * scale;
            scores[t] = s;
            if (s > m) m = s;
        }
        // Softmax: exp in blocks of 16 (zero past n), each block summed as a tree into a double.
        double sum = 0;
        for (long t = 0; t < n; t += 16) {
            float e[16] = {0};
            const long c = n - t < 16 ? n - t : 16;
            for (long l = 0; l < c; l++) { e[l] = expf_ggml(scores[t + l] - m); scores[t + l] = e[l]; }
            sum += (double)sum16(e);
        }
        const float inv = (float)(1.0 / sum);
        // out[j] = Σ_t p_t · v_t[j], p rounded to float16, in the 16-lane order over t.
        for (long i = 0; i < 16 * head_dim; i++) partial[i] = 0;
        for (long t = 0; t < n; t++) {
            const float w = sl_h2f(sl_f2h(scores[t] * inv));
            float *lane = partial + (t % 16) * head_dim;
            update(lane, v + t * kv_stride + kv_offset, w, head_dim);
        }
        float *oh = out + h * head_dim;
        for (long j = 0; j < head_dim; j++) {
            float p[16];
            for (int l = 0; l < 16; l++) p[l] = partial[l * head_dim + j];
            oh[j] = tree16(p);
        }
    }
}

static void attention_portable(const float *q, long heads, long kv_heads, long head_dim, const uint16_t *k, const uint16_t *v,
                               long kv_stride, long n, float scale, float *scores, uint16_t *scratch, float *out) {
    attention_body(q, heads, kv_heads, head_dim, k, v, kv_stride, n, scale, scores, scratch, out, dot16_body, tree16, lane_fma);
}

#if SL_X86_SIMD
// The same lanes with 8-wide registers: lanes 0–7 and 8–15 are two accumulators, and the tree
// (l + l+8, then l + l+4, then 0+2 | 1+3, then the two) is the one tree16 spells out.
SL_TARGET_AVX2_F16C static inline float tree16_avx2(__m256 lo, __m256 hi) {
    const __m256 s8 = _mm256_add_ps(lo, hi);
    const __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
    const __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
    return _mm_cvtss_f32(_mm_add_ss(s2, _mm_movehdup_ps(s2)));
}

SL_TARGET_AVX2_F16C static inline float dot16_avx2(const uint16_t *x, const uint16_t *y, long n) {
    if (n % 16 != 0) return dot16_body(x, y, n);
    __m256 lo = _mm256_setzero_ps(), hi = _mm256_setzero_ps();
    for (long i = 0; i < n; i += 16) {
        lo = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + i))),
                             _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(y + i))), lo);
        hi = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + i + 8))),
                             _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(y + i + 8))), hi);
    }
    return tree16_avx2(lo, hi);
}

SL_TARGET_AVX2_F16C static inline float sum16_avx2(const float *e) { return tree16_avx2(_mm256_loadu_ps(e), _mm256_loadu_ps(e + 8)); }

SL_TARGET_AVX2_F16C static inline void lane_fma_avx2(float *lane, const uint16_t *v, float w, long n) {
    const __m256 wv = _mm256_set1_ps(w);
    long j = 0;
    for (; j + 8 <= n; j += 8)
        _mm256_storeu_ps(lane + j, _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(v + j))), wv, _mm256_loadu_ps(lane + j)));
    for (; j < n; j++) lane[j] = fmaf(sl_h2f(v[j]), w, lane[j]);
}

SL_TARGET_AVX2_F16C static void attention_avx2(const float *q, long heads, long kv_heads, long head_dim, const uint16_t *k,
        const uint16_t *v, long kv_stride, long n, float scale, float *scores, uint16_t *scratch, float *out) {
    attention_body(q, heads, kv_heads, head_dim, k, v, kv_stride, n, scale, scores, scratch, out, dot16_avx2, sum16_avx2, lane_fma_avx2);
}
#endif

static inline __attribute__((always_inline)) void swiglu_body(const float *gate, const float *up, float *y, long n) {
    for (long i = 0; i < n; i++) y[i] = gate[i] / (1.0f + expf_ggml(-gate[i])) * up[i];
}

static void swiglu_portable(const float *gate, const float *up, float *y, long n) { swiglu_body(gate, up, y, n); }
#if SL_X86_SIMD
SL_TARGET_AVX2_F16C static void swiglu_avx2(const float *gate, const float *up, float *y, long n) { swiglu_body(gate, up, y, n); }
#endif

static int use_avx2_f16c(void) {
#if SL_X86_SIMD
    static int cached = -1;
    if (cached < 0) cached = (sl_cpu_features() & (SL_CPU_AVX2_FMA | SL_CPU_F16C)) == (SL_CPU_AVX2_FMA | SL_CPU_F16C);
    return cached;
#else
    return 0;
#endif
}

void sl_f32_to_f16(const float *x, uint16_t *h, long n) {
    for (long i = 0; i < n; i++) h[i] = sl_f2h(x[i]);
}

void sl_f16_to_f32(const uint16_t *h, float *x, long n) {
    for (long i = 0; i < n; i++) x[i] = sl_h2f(h[i]);
}

void sl_swiglu_ggml(const float *gate, const float *up, float *y, long n) {
#if SL_X86_SIMD
    if (use_avx2_f16c()) { swiglu_avx2(gate, up, y, n); return; }
#endif
    swiglu_portable(gate, up, y, n);
}

long sl_attention_scratch_f16(long heads, long head_dim) { return heads * head_dim + 8 + 2 * (16 * head_dim + 16); }

void sl_attention_f16(const float *q, long heads, long kv_heads, long head_dim, const uint16_t *k, const uint16_t *v,
                      long kv_stride, long n, float scale, float *scores, uint16_t *scratch, float *out) {
#if SL_X86_SIMD
    if (use_avx2_f16c()) { attention_avx2(q, heads, kv_heads, head_dim, k, v, kv_stride, n, scale, scores, scratch, out); return; }
#endif
    attention_portable(q, heads, kv_heads, head_dim, k, v, kv_stride, n, scale, scores, scratch, out);
}
