// quant.c — products of ggml block-quantized weights with float activations, the way ggml's CPU
// backend computes them: the activation row is quantized per block of 32 (q8_0 for q8_0 weights,
// q8_1 — which also stores the block sum — for q4_1 weights), block dot products are exact integer
// sums, and each block adds (d_w · d_x) · Σ q_w q_x (+ m_w · s_x for q4_1) in float32.
//
// Quantization follows ggml's AVX2 code (used on every x86-64 build of llama.cpp): scale
// d = max|x| / 127 stored as float16, values rounded to nearest-even of x · 127 / max|x|.
//
// Kernels: portable C and AVX2 (selected at run time, SWIFTLEARN_CPU_FEATURES masks it); the
// product is split over rows on the thread pool.
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "CSwiftLearnKernels.h"
#include "sl_internal.h"
#if SL_X86_SIMD
#include <immintrin.h>
#endif

typedef struct { uint16_t d; int8_t qs[32]; } block_q8_0;          // 34 bytes
typedef struct { uint16_t d; uint16_t s; int8_t qs[32]; } block_q8_1;  // 36 bytes
typedef struct { uint16_t d; uint16_t m; uint8_t qs[16]; } block_q4_1; // 20 bytes

_Static_assert(sizeof(block_q8_0) == 34, "q8_0 block");
_Static_assert(sizeof(block_q8_1) == 36, "q8_1 block");
_Static_assert(sizeof(block_q4_1) == 20, "q4_1 block");

static inline float h2f(uint16_t h) { return sl_h2f(h); }
static inline uint16_t f2h(float f) { return sl_f2h(f); }

long sl_quant_activation_bytes(int weight_type, long n) {
    if (n % 32 != 0) return -1;
    switch (weight_type) {
    case SL_GGML_Q8_0: return n / 32 * (long)sizeof(block_q8_0);
    case SL_GGML_Q4_1: return n / 32 * (long)sizeof(block_q8_1);
    default: return -1;
    }
}

/// Quantizes one block of 32 floats: returns d (float32, before float16 rounding) and the sum of q.
static inline int quantize_block(const float *x, int8_t *q, float *d_out) {
    float amax = 0;
    for (int j = 0; j < 32; j++) { float a = fabsf(x[j]); if (a > amax) amax = a; }
    const float d = amax / 127.f;
    const float id = amax != 0.f ? 127.f / amax : 0.f;
    int sum = 0;
    for (int j = 0; j < 32; j++) { int v = (int)nearbyintf(x[j] * id); q[j] = (int8_t)v; sum += v; }
    *d_out = d;
    return sum;
}

int sl_quantize_activation(int weight_type, const float *x, long n, void *out) {
    if (n % 32 != 0) return -1;
    const long nb = n / 32;
    if (weight_type == SL_GGML_Q8_0) {
        block_q8_0 *y = out;
        for (long b = 0; b < nb; b++) { float d; quantize_block(x + 32 * b, y[b].qs, &d); y[b].d = f2h(d); }
        return 0;
    }
    if (weight_type == SL_GGML_Q4_1) {
        block_q8_1 *y = out;
        for (long b = 0; b < nb; b++) {
            float d;
            int sum = quantize_block(x + 32 * b, y[b].qs, &d);
            y[b].d = f2h(d);
            y[b].s = f2h(d * (float)sum);
        }
        return 0;
    }
    return -1;
}

// MARK: - Row dot products

// The portable kernels add in the AVX2 kernels' order (8 lanes of 4 products each, fused
// multiply-adds, the same final tree), so every CPU computes the same bits.
static inline float hsum8_portable(const float acc[8]) {
    const float r0 = acc[0] + acc[4], r1 = acc[1] + acc[5], r2 = acc[2] + acc[6], r3 = acc[3] + acc[7];
    return (r0 + r2) + (r1 + r3);
}

static float dot_q8_0_portable(const block_q8_0 *w, const block_q8_0 *x, long nb) {
    float acc[8] = {0};
    for (long b = 0; b < nb; b++) {
        const float d = h2f(w[b].d) * h2f(x[b].d);
        for (int l = 0; l < 8; l++) {
            int s = 0;
            for (int j = 4 * l; j < 4 * l + 4; j++) s += (int)w[b].qs[j] * (int)x[b].qs[j];
            acc[l] = fmaf(d, (float)s, acc[l]);
        }
    }
    return hsum8_portable(acc);
}

static float dot_q4_1_portable(const block_q4_1 *w, const block_q8_1 *x, long nb) {
    float acc[8] = {0}, summs = 0;
    for (long b = 0; b < nb; b++) {
        summs = fmaf(h2f(w[b].m), h2f(x[b].s), summs);
        const float d = h2f(w[b].d) * h2f(x[b].d);
        for (int l = 0; l < 8; l++) {
            int s = 0;
            for (int e = 4 * l; e < 4 * l + 4; e++) {
                const int q = e < 16 ? (w[b].qs[e] & 0x0F) : (w[b].qs[e - 16] >> 4);
                s += q * (int)x[b].qs[e];
            }
            acc[l] = fmaf(d, (float)s, acc[l]);
        }
    }
    return hsum8_portable(acc) + summs;
}

#if SL_X86_SIMD
// The AVX2 kernels also use F16C (every AVX2 CPU has it) to read the float16 scales in one instruction.
SL_TARGET_AVX2_F16C static inline float hsum8(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
    return _mm_cvtss_f32(lo);
}

/// Σ a·b over 32 signed bytes as 8 float lanes (via |a|·sign(b, a) with maddubs, as ggml).
SL_TARGET_AVX2_F16C static inline __m256 mul_sum_i8(__m256i a, __m256i b) {
    const __m256i ax = _mm256_sign_epi8(a, a);
    const __m256i sy = _mm256_sign_epi8(b, a);
    const __m256i dot = _mm256_madd_epi16(_mm256_maddubs_epi16(ax, sy), _mm256_set1_epi16(1));
    return _mm256_cvtepi32_ps(dot);
}

SL_TARGET_AVX2_F16C static float dot_q8_0_avx2(const block_q8_0 *w, const block_q8_0 *x, long nb) {
    __m256 acc = _mm256_setzero_ps();
    for (long b = 0; b < nb; b++) {
        const __m256 d = _mm256_set1_ps(_cvtsh_ss(w[b].d) * _cvtsh_ss(x[b].d));
        const __m256i qw = _mm256_loadu_si256((const __m256i *)w[b].qs);
        const __m256i qx = _mm256_loadu_si256((const __m256i *)x[b].qs);
        acc = _mm256_fmadd_ps(d, mul_sum_i8(qw, qx), acc);
    }
    return hsum8(acc);
}

SL_TARGET_AVX2_F16C static float dot_q4_1_avx2(const block_q4_1 *w, const block_q8_1 *x, long nb) {
    __m256 acc = _mm256_setzero_ps();
    float summs = 0;
    const __m256i low = _mm256_set1_epi8(0x0F);
    for (long b = 0; b < nb; b++) {
        summs += _cvtsh_ss(w[b].m) * _cvtsh_ss(x[b].s);
        const __m256 d = _mm256_set1_ps(_cvtsh_ss(w[b].d) * _cvtsh_ss(x[b].d));
        const __m128i packed = _mm_loadu_si128((const __m128i *)w[b].qs);
        // low nibbles → elements 0..15, high nibbles → 16..31
        const __m256i nib = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(packed, 4), packed), low);
        const __m256i qx = _mm256_loadu_si256((const __m256i *)x[b].qs);
        // nibbles are unsigned: maddubs(u8, s8) directly
        const __m256i dot = _mm256_madd_epi16(_mm256_maddubs_epi16(nib, qx), _mm256_set1_epi16(1));
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(dot), acc);
    }
    return hsum8(acc) + summs;
}

// Four activation rows against one weight row: each weight block is loaded (and its nibbles
// unpacked) once for all four. Every row's sum runs in the same order as the one-row kernels
// above, so results are identical; only the loads are shared.
SL_TARGET_AVX2_F16C static void dot4_q4_1_avx2(const block_q4_1 *w, const block_q8_1 *x, long xstride, long nb, float *out, long ostride) {
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    float summs[4] = {0, 0, 0, 0};
    const __m256i low = _mm256_set1_epi8(0x0F);
    for (long b = 0; b < nb; b++) {
        const float wd = _cvtsh_ss(w[b].d), wm = _cvtsh_ss(w[b].m);
        const __m128i packed = _mm_loadu_si128((const __m128i *)w[b].qs);
        const __m256i nib = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(packed, 4), packed), low);
        for (int v = 0; v < 4; v++) {
            const block_q8_1 *xb = x + v * xstride + b;
            summs[v] += wm * _cvtsh_ss(xb->s);
            const __m256 d = _mm256_set1_ps(wd * _cvtsh_ss(xb->d));
            const __m256i qx = _mm256_loadu_si256((const __m256i *)xb->qs);
            const __m256i dot = _mm256_madd_epi16(_mm256_maddubs_epi16(nib, qx), _mm256_set1_epi16(1));
            acc[v] = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(dot), acc[v]);
        }
    }
    for (int v = 0; v < 4; v++) out[v * ostride] = hsum8(acc[v]) + summs[v];
}

SL_TARGET_AVX2_F16C static void dot4_q8_0_avx2(const block_q8_0 *w, const block_q8_0 *x, long xstride, long nb, float *out, long ostride) {
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    for (long b = 0; b < nb; b++) {
        const float wd = _cvtsh_ss(w[b].d);
        const __m256i qw = _mm256_loadu_si256((const __m256i *)w[b].qs);
        for (int v = 0; v < 4; v++) {
            const block_q8_0 *xb = x + v * xstride + b;
            const __m256 d = _mm256_set1_ps(wd * _cvtsh_ss(xb->d));
            acc[v] = _mm256_fmadd_ps(d, mul_sum_i8(qw, _mm256_loadu_si256((const __m256i *)xb->qs)), acc[v]);
        }
    }
    for (int v = 0; v < 4; v++) out[v * ostride] = hsum8(acc[v]);
}

// Eight activation rows against one weight row, for batches (several sequences decoded together,
// prompts). Besides sharing each weight block's load and unpacking, the activation scales come
// as float32 in `xd`/`xs` (transposed: the 8 rows' values of block b at [8b, 8b+8), converted once
// per product instead of once per weight row), so one vector multiply gives the 8 rows' block
// scales and one fused multiply-add the 8 rows' `m·s` sums. Each row's arithmetic is still the
// one-row kernel's — the same float32 products, the same fused multiply-adds in the same order,
// the same final sum — so every row gets the same bits whatever the number of rows.
#define SL_DOT8_Q4_1_BODY(INTEGER_DOT)                                                                \
    __m256 acc[8];                                                                                  \
    for (int v = 0; v < 8; v++) acc[v] = _mm256_setzero_ps();                                      \
    __m256 summs = _mm256_setzero_ps();                                                             \
    const __m256i low = _mm256_set1_epi8(0x0F);                                                     \
    for (long b = 0; b < nb; b++) {                                                                 \
        const __m256 wd = _mm256_set1_ps(_cvtsh_ss(w[b].d)), wm = _mm256_set1_ps(_cvtsh_ss(w[b].m)); \
        summs = _mm256_fmadd_ps(wm, _mm256_loadu_ps(xs + 8 * b), summs);                            \
        float d[8];                                                                                 \
        _mm256_storeu_ps(d, _mm256_mul_ps(wd, _mm256_loadu_ps(xd + 8 * b)));                        \
        const __m128i packed = _mm_loadu_si128((const __m128i *)w[b].qs);                           \
        const __m256i nib = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(packed, 4), packed), low); \
        for (int v = 0; v < 8; v++) {                                                               \
            const __m256i qx = _mm256_loadu_si256((const __m256i *)x[v * xstride + b].qs);          \
            acc[v] = _mm256_fmadd_ps(_mm256_set1_ps(d[v]), _mm256_cvtepi32_ps(INTEGER_DOT(nib, qx)), acc[v]); \
        }                                                                                           \
    }                                                                                               \
    float sm[8];                                                                                    \
    _mm256_storeu_ps(sm, summs);                                                                    \
    for (int v = 0; v < 8; v++) out[v * ostride] = hsum8(acc[v]) + sm[v];

/// Σ over groups of 4 bytes of u8·s8 as 8 int32 lanes (no saturation: nibbles × int8 stay small).
#define SL_MADDUBS_DOT(u, s) _mm256_madd_epi16(_mm256_maddubs_epi16((u), (s)), _mm256_set1_epi16(1))
/// The same sums in one instruction (AVX-512 VNNI): exactly equal, every product and sum is exact.
#define SL_VNNI_DOT(u, s) _mm256_dpbusd_epi32(_mm256_setzero_si256(), (u), (s))

SL_TARGET_AVX2_F16C static void dot8_q4_1_avx2(const block_q4_1 *w, const block_q8_1 *x, long xstride, long nb, const float *xd,
                                               const float *xs, float *out, long ostride) {
    SL_DOT8_Q4_1_BODY(SL_MADDUBS_DOT)
}

__attribute__((target("avx2,fma,f16c,avx512f,avx512vl,avx512vnni")))
static void dot8_q4_1_vnni(const block_q4_1 *w, const block_q8_1 *x, long xstride, long nb, const float *xd, const float *xs,
                           float *out, long ostride) {
    SL_DOT8_Q4_1_BODY(SL_VNNI_DOT)
}

SL_TARGET_AVX2_F16C static void dot8_q8_0_avx2(const block_q8_0 *w, const block_q8_0 *x, long xstride, long nb, const float *xd,
                                               const float *xs, float *out, long ostride) {
    (void)xs;
    __m256 acc[8];
    for (int v = 0; v < 8; v++) acc[v] = _mm256_setzero_ps();
    for (long b = 0; b < nb; b++) {
        float d[8];
        _mm256_storeu_ps(d, _mm256_mul_ps(_mm256_set1_ps(_cvtsh_ss(w[b].d)), _mm256_loadu_ps(xd + 8 * b)));
        const __m256i qw = _mm256_loadu_si256((const __m256i *)w[b].qs);
        for (int v = 0; v < 8; v++) {
            const __m256i qx = _mm256_loadu_si256((const __m256i *)x[v * xstride + b].qs);
            acc[v] = _mm256_fmadd_ps(_mm256_set1_ps(d[v]), mul_sum_i8(qw, qx), acc[v]);
        }
    }
    for (int v = 0; v < 8; v++) out[v * ostride] = hsum8(acc[v]);
}
#endif

typedef float (*row_dot_fn)(const void *w, const void *x, long nb);
/// Four activation rows (`xstride` blocks apart) against one weight row; out[v·ostride].
typedef void (*row_dot4_fn)(const void *w, const void *x, long xstride, long nb, float *out, long ostride);

/// Eight activation rows against one weight row, their block scales (`xd`) and sums (`xs`) as
/// float32, transposed 8 per block; out[v·ostride].
typedef void (*row_dot8_fn)(const void *w, const void *x, long xstride, long nb, const float *xd, const float *xs, float *out, long ostride);

static row_dot8_fn pick8(int type) {
#if SL_X86_SIMD
    const int f = sl_cpu_features();
    const int avx2 = (f & (SL_CPU_AVX2_FMA | SL_CPU_F16C)) == (SL_CPU_AVX2_FMA | SL_CPU_F16C);
    // VNNI is not among the SL_CPU_* bits: it rides on the AVX-512 one (so SWIFTLEARN_CPU_FEATURES
    // masks it with AVX-512) and asks CPUID for itself.
    if (avx2 && type == SL_GGML_Q4_1)
        return (f & SL_CPU_AVX512) && __builtin_cpu_supports("avx512vnni") ? (row_dot8_fn)dot8_q4_1_vnni : (row_dot8_fn)dot8_q4_1_avx2;
    if (avx2 && type == SL_GGML_Q8_0) return (row_dot8_fn)dot8_q8_0_avx2;
#endif
    (void)type;
    return 0;
}

static row_dot4_fn pick4(int type) {
#if SL_X86_SIMD
    const int avx2 = (sl_cpu_features() & (SL_CPU_AVX2_FMA | SL_CPU_F16C)) == (SL_CPU_AVX2_FMA | SL_CPU_F16C);
    if (avx2 && type == SL_GGML_Q8_0) return (row_dot4_fn)dot4_q8_0_avx2;
    if (avx2 && type == SL_GGML_Q4_1) return (row_dot4_fn)dot4_q4_1_avx2;
#endif
    (void)type;
    return 0;
}

static row_dot_fn pick(int type) {
#if SL_X86_SIMD
    const int avx2 = (sl_cpu_features() & (SL_CPU_AVX2_FMA | SL_CPU_F16C)) == (SL_CPU_AVX2_FMA | SL_CPU_F16C);
    if (type == SL_GGML_Q8_0) return avx2 ? (row_dot_fn)dot_q8_0_avx2 : (row_dot_fn)dot_q8_0_portable;
    if (type == SL_GGML_Q4_1) return avx2 ? (row_dot_fn)dot_q4_1_avx2 : (row_dot_fn)dot_q4_1_portable;
#else
    if (type == SL_GGML_Q8_0) return (row_dot_fn)dot_q8_0_portable;
    if (type == SL_GGML_Q4_1) return (row_dot_fn)dot_q4_1_portable;
#endif
    return 0;
}

// MARK: - Matrix products

enum { SL_GROUP_MAX = 8 };

/// One or more weight matrices of one type and width applied to the same quantized activations
/// (Q, K and V of a layer; gate and up), their rows split over the threads as one range.
typedef struct {
    row_dot_fn dot;
    row_dot4_fn dot4;
    row_dot8_fn dot8;
    /// For dot8: each group of 8 activation rows' block scales and sums, float32, transposed.
    const float *xd8, *xs8;
    int count;
    const char *w[SL_GROUP_MAX]; long rows[SL_GROUP_MAX]; float *y[SL_GROUP_MAX];
    long total, nb, wrow, xrow;
    const char *x; long nvec;
    int parts;
} matmul_ctx;

static void matmul_part(void *vctx, int part) {
    const matmul_ctx *c = vctx;
    const long per = (c->total + c->parts - 1) / c->parts;
    const long g0 = per * part, g1 = g0 + per < c->total ? g0 + per : c->total;
    long base = 0;
    for (int m = 0; m < c->count; m++) {
        const long rows = c->rows[m];
        const long r0 = g0 > base ? g0 - base : 0, r1 = g1 - base < rows ? g1 - base : rows;
        for (long r = r0; r < r1; r++) {
            const void *wr = c->w[m] + r * c->wrow;
            float *y = c->y[m];
            long v = 0;
            if (c->dot8)
                for (; v + 8 <= c->nvec; v += 8)
                    c->dot8(wr, c->x + v * c->xrow, c->nb, c->nb, c->xd8 + v * c->nb, c->xs8 + v * c->nb, y + v * rows + r, rows);
            if (c->dot4)
                for (; v + 4 <= c->nvec; v += 4) c->dot4(wr, c->x + v * c->xrow, c->nb, c->nb, y + v * rows + r, rows);
            for (; v < c->nvec; v++) y[v * rows + r] = c->dot(wr, c->x + v * c->xrow, c->nb);
        }
        base += rows;
        if (base >= g1) break;
    }
}

int sl_quant_matmul_group(int weight_type, int count, const void *const *w, const long *rows, long cols, const void *xq, long nvec,
                          float *const *y, int threads) {
    row_dot_fn dot = pick(weight_type);
    if (!dot || cols % 32 != 0 || nvec < 0 || count < 1 || count > SL_GROUP_MAX) return -1;
    const long nb = cols / 32;
    const long wblock = weight_type == SL_GGML_Q8_0 ? (long)sizeof(block_q8_0) : (long)sizeof(block_q4_1);
    const long xblock = weight_type == SL_GGML_Q8_0 ? (long)sizeof(block_q8_0) : (long)sizeof(block_q8_1);
    matmul_ctx c = { .dot = dot, .dot4 = pick4(weight_type), .count = count, .total = 0, .nb = nb, .wrow = nb * wblock,
                     .xrow = nb * xblock, .x = xq, .nvec = nvec, .parts = 1 };
    for (int m = 0; m < count; m++) {
        if (rows[m] < 0) return -1;
        c.w[m] = w[m]; c.rows[m] = rows[m]; c.y[m] = y[m]; c.total += rows[m];
    }
    // Groups of 8 rows: their scales (and q8_1 sums) converted to float32 once, transposed.
    float *scales = 0;
    const long groups = nvec / 8;
    if (groups > 0 && (c.dot8 = pick8(weight_type)) != 0) {
        scales = malloc(sizeof(float) * 2 * (size_t)(groups * nb * 8));
        if (!scales) {
            c.dot8 = 0;
        } else {
            float *xd = scales, *xs = scales + groups * nb * 8;
            for (long v = 0; v < groups * 8; v++)
                for (long b = 0; b < nb; b++) {
                    const long at = (v / 8) * nb * 8 + b * 8 + v % 8;
                    if (weight_type == SL_GGML_Q8_0) {
                        xd[at] = h2f(((const block_q8_0 *)c.x)[v * nb + b].d); xs[at] = 0;
                    } else {
                        const block_q8_1 *blk = (const block_q8_1 *)c.x + v * nb + b;
                        xd[at] = h2f(blk->d); xs[at] = h2f(blk->s);
                    }
                }
            c.xd8 = xd; c.xs8 = xs;
        }
    }
    if (threads <= 0) threads = sl_cpu_count();
    // Below ~64k multiply-adds the threads cost more than they save.
    if (threads > 1 && c.total >= 2 * threads && c.total * cols * nvec >= 65536) {
        c.parts = threads;
        if (sl_parallel_run(threads, matmul_part, &c)) { free(scales); return 0; }
        c.parts = 1;
    }
    matmul_part(&c, 0);
    free(scales);
    return 0;
}

int sl_quant_matmul(int weight_type, const void *w, long rows, long cols, const void *xq, long nvec, float *y, int threads) {
    return sl_quant_matmul_group(weight_type, 1, &w, &rows, cols, xq, nvec, &y, threads);
}
