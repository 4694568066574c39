// encoder.c — the row kernels of a BERT-style encoder (LLM/Encoder/BertEncoder.swift): bias +
// GELU, bias + residual + LayerNorm, and softmax attention over unpadded sentences.
//
// The matrix products themselves go through the GEMM; what is here touches every activation once
// or twice per layer and would otherwise be Swift loops over unsafe pointers (scalar: Swift cannot
// promise that the pointers do not alias). Each kernel has one body, `always_inline`, compiled
// twice: for baseline x86-64 and with AVX2+FMA (chosen at run time), where the compiler vectorizes
// the same loops eight lanes wide. The transcendental functions are written as polynomials here
// (no libm call in the loops) so that both variants vectorize:
//
//   exp(x)   = 2^k · p(r), k = round(x / ln 2), r = x − k·ln 2 (Cody–Waite, two-part ln 2),
//              p the degree-7 minimax polynomial of Cephes' expf (relative error ~1 ulp).
//   erf(x)   ≈ sign(x) · (1 − t·(a₁ + t·(a₂ + t·(a₃ + t·(a₄ + t·a₅))))·exp(−x²)), t = 1/(1 + p·|x|)
//              (Abramowitz & Stegun 7.1.26, |error| ≤ 1.5e-7; PyTorch's vectorized erf is the
//              same formula, so GELU agrees with torch's CPU kernel to a few ulp).
//   GELU(x)  = x · ½ · (1 + erf(x / √2))  (the exact, erf form BERT uses, not the tanh one).
//   LN(x)    = (x − μ) / √(σ² + ε) · γ + β, μ and σ² (biased) of the row, summed in double.
//
// Attention per (sentence, head) is two single-threaded GEMMs (S = Q Kᵀ/√d, then softmax(S) V)
// with the row softmax between them. Work is split over threads with the pool of threadpool.c
// (`sl_parallel_run`): rows in equal contiguous parts for the row kernels, (sentence, head) pairs
// taken from an atomic counter for attention (sentences differ in length).

#include "CSwiftLearnKernels.h"
#include "sl_internal.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>

#if SL_X86_SIMD
#include <immintrin.h>
#endif

// MARK: - Scalar math that vectorizes

/// exp(x) for x in float range, as described above; below −87.3 it returns ~1.2e-38 (not 0),
/// above 88.7 ~FLT_MAX: callers only pass arguments ≤ 0 (softmax) or −x² (erf).
static inline __attribute__((always_inline)) float enc_expf(float x) {
    x = x < -87.3f ? -87.3f : (x > 88.7f ? 88.7f : x);
    const float t = x * 1.44269504088896341f;
    const int ki = (int)(t + (t >= 0 ? 0.5f : -0.5f));       // round half away from zero
    const float k = (float)ki;
    const float r = (x - k * 0.693359375f) - k * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    union { uint32_t u; float f; } scale = { .u = (uint32_t)(ki + 127) << 23 };
    return p * scale.f;
}

static inline __attribute__((always_inline)) float enc_gelu(float x) {
    const float z = x * 0.70710678118654752f;
    const float az = fabsf(z);
    const float t = 1.0f / (1.0f + 0.3275911f * az);
    float poly = 1.061405429f;
    poly = poly * t - 1.453152027f;
    poly = poly * t + 1.421413741f;
    poly = poly * t - 0.284496736f;
    poly = poly * t + 0.254829592f;
    const float e = 1.0f - poly * t * enc_expf(-az * az);
    const float erf = z < 0 ? -e : e;
    return 0.5f * x * (1.0f + erf);
}

// MARK: - Bodies (one definition, instantiated per instruction set)

static inline __attribute__((always_inline)) void bias_gelu_body(float *y, const float *bias, long rows, long cols, int gelu) {
    for (long r = 0; r < rows; r++) {
        float *row = y + r * cols;
        if (gelu) for (long c = 0; c < cols; c++) row[c] = enc_gelu(row[c] + bias[c]);
        else for (long c = 0; c < cols; c++) row[c] += bias[c];
    }
}

static inline __attribute__((always_inline)) void layernorm_body(float *y, const float *bias, const float *residual,
        const float *gamma, const float *beta, long rows, long cols, float eps) {
    for (long r = 0; r < rows; r++) {
        float *row = y + r * cols;
        const float *res = residual ? residual + r * cols : NULL;
        double sum = 0;
        for (long c = 0; c < cols; c++) {
            float v = row[c];
            if (bias) v += bias[c];
            if (res) v += res[c];
            row[c] = v;
            sum += v;
        }
        const double mean = sum / (double)cols;
        double sq = 0;
        for (long c = 0; c < cols; c++) { const double d = row[c] - mean; sq += d * d; }
        const float inv = (float)(1.0 / sqrt(sq / (double)cols + (double)eps));
        const float m = (float)mean;
        for (long c = 0; c < cols; c++) row[c] = (row[c] - m) * inv * gamma[c] + beta[c];
    }
}

/// Row-wise softmax of an [n, n] score matrix, in place: p_j = exp(s_j − max s) / Σ exp(s − max s).
/// The maximum and the sum are taken in 8 lanes (a plain running sum or maximum is a loop-carried
/// dependency the compiler may not reorder, so it would stay scalar).
static inline __attribute__((always_inline)) void softmax_rows_body(float *s, long n) {
    for (long i = 0; i < n; i++) {
        float *p = s + i * n;
        float lane[8];
        for (int l = 0; l < 8; l++) lane[l] = p[0];
        long j = 0;
        for (; j + 8 <= n; j += 8)
            for (int l = 0; l < 8; l++) lane[l] = p[j + l] > lane[l] ? p[j + l] : lane[l];
        float m = p[0];
        for (int l = 0; l < 8; l++) m = lane[l] > m ? lane[l] : m;
        for (; j < n; j++) m = p[j] > m ? p[j] : m;
        for (j = 0; j < n; j++) p[j] = enc_expf(p[j] - m);
        for (int l = 0; l < 8; l++) lane[l] = 0;
        for (j = 0; j + 8 <= n; j += 8)
            for (int l = 0; l < 8; l++) lane[l] += p[j + l];
        float sum = ((lane[0] + lane[4]) + (lane[1] + lane[5])) + ((lane[2] + lane[6]) + (lane[3] + lane[7]));
        for (; j < n; j++) sum += p[j];
        const float inv = 1.0f / sum;
        for (j = 0; j < n; j++) p[j] *= inv;
    }
}

static void bias_gelu_portable(float *y, const float *b, long rows, long cols, int gelu) { bias_gelu_body(y, b, rows, cols, gelu); }
static void layernorm_portable(float *y, const float *b, const float *res, const float *g, const float *be, long rows, long cols, float eps) {
    layernorm_body(y, b, res, g, be, rows, cols, eps);
}
static void softmax_rows_portable(float *s, long n) { softmax_rows_body(s, n); }

#if SL_X86_SIMD
SL_TARGET_AVX2 static void bias_gelu_avx2(float *y, const float *b, long rows, long cols, int gelu) { bias_gelu_body(y, b, rows, cols, gelu); }
SL_TARGET_AVX2 static void layernorm_avx2(float *y, const float *b, const float *res, const float *g, const float *be, long rows, long cols, float eps) {
    layernorm_body(y, b, res, g, be, rows, cols, eps);
}
SL_TARGET_AVX2 static void softmax_rows_avx2(float *s, long n) { softmax_rows_body(s, n); }
#endif

static int enc_use_avx2(void) {
#if SL_X86_SIMD
    static int cached = -1;
    if (cached < 0) cached = (sl_cpu_features() & SL_CPU_AVX2_FMA) != 0;
    return cached;
#else
    return 0;
#endif
}

// MARK: - Threaded drivers

/// Below this many elements a row kernel runs on the calling thread.
#define ENC_PARALLEL_ELEMENTS (1L << 15)

typedef struct {
    float *y; const float *bias, *residual, *gamma, *beta;
    long rows, cols; float eps; int kind; int parts;
} enc_rows_job;

static void enc_rows_range(enc_rows_job *j, long r0, long r1) {
    float *y = j->y + r0 * j->cols;
    const float *res = j->residual ? j->residual + r0 * j->cols : NULL;
    const long n = r1 - r0;
    if (n <= 0) return;
    const int avx2 = enc_use_avx2();
    if (j->kind == 2) {
#if SL_X86_SIMD
        if (avx2) { layernorm_avx2(y, j->bias, res, j->gamma, j->beta, n, j->cols, j->eps); return; }
#endif
        layernorm_portable(y, j->bias, res, j->gamma, j->beta, n, j->cols, j->eps);
    } else {
#if SL_X86_SIMD
        if (avx2) { bias_gelu_avx2(y, j->bias, n, j->cols, j->kind); return; }
#endif
        bias_gelu_portable(y, j->bias, n, j->cols, j->kind);
    }
    (void)avx2;
}

static void enc_rows_task(void *ctx, int index) {
    enc_rows_job *j = ctx;
    const long per = (j->rows + j->parts - 1) / j->parts;
    const long r0 = (long)index * per, r1 = r0 + per < j->rows ? r0 + per : j->rows;
    enc_rows_range(j, r0, r1);
}

static void enc_rows_run(enc_rows_job *j, int threads) {
    if (threads <= 0) threads = sl_cpu_count();
    long parts = j->rows * j->cols >= ENC_PARALLEL_ELEMENTS ? threads : 1;
    if (parts > j->rows) parts = j->rows;
    if (parts > 1) {
        j->parts = (int)parts;
        if (sl_parallel_run((int)parts, enc_rows_task, j)) return;
    }
    enc_rows_range(j, 0, j->rows);
}

void sl_encoder_bias_f32(float *y, const float *bias, long rows, long cols, int threads) {
    enc_rows_job j = { y, bias, NULL, NULL, NULL, rows, cols, 0, 0, 1 };
    enc_rows_run(&j, threads);
}

void sl_encoder_bias_gelu_f32(float *y, const float *bias, long rows, long cols, int threads) {
    enc_rows_job j = { y, bias, NULL, NULL, NULL, rows, cols, 0, 1, 1 };
    enc_rows_run(&j, threads);
}

void sl_encoder_add_layernorm_f32(float *y, const float *bias, const float *residual, const float *gamma, const float *beta,
                                  long rows, long cols, float eps, int threads) {
    enc_rows_job j = { y, bias, residual, gamma, beta, rows, cols, eps, 2, 1 };
    enc_rows_run(&j, threads);
}

typedef struct {
    const float *qkv; long hidden, heads, head_dim;
    const long *starts, *lengths; long count;
    float *out; atomic_long next; atomic_int failed;
} enc_attention_job;

/// Takes (sentence, head) items from the shared counter until none are left. Per item, with the
/// head's rows of Q, K, V (row stride 3·hidden): S = Q Kᵀ / √d (one n×n GEMM), softmax of each
/// row of S, out = S V (one n×d GEMM into the head's columns of `out`). The GEMMs run on this
/// thread (threads = 1): the parallelism is over items.
static void enc_attention_task(void *ctx, int index) {
    (void)index;
    enc_attention_job *j = ctx;
    long longest = 0;
    for (long s = 0; s < j->count; s++) if (j->lengths[s] > longest) longest = j->lengths[s];
    float *scores = malloc(sizeof(float) * (size_t)(longest * longest + 16));
    if (!scores) { atomic_store(&j->failed, 1); return; }
    const float scale = 1.0f / sqrtf((float)j->head_dim);
    const long stride = 3 * j->hidden, d = j->head_dim;
    const int avx2 = enc_use_avx2();
    for (;;) {
        const long item = atomic_fetch_add(&j->next, 1);
        if (item >= j->count * j->heads) break;
        const long s = item / j->heads, h = item % j->heads, n = j->lengths[s];
        if (n <= 0) continue;
        const float *q = j->qkv + j->starts[s] * stride + h * d;
        float *o = j->out + j->starts[s] * j->hidden + h * d;
        sl_sgemm_native(0, 1, n, n, d, scale, q, stride, q + j->hidden, stride, 0, scores, n, 1);
#if SL_X86_SIMD
        if (avx2) softmax_rows_avx2(scores, n); else
#endif
        softmax_rows_portable(scores, n);
        sl_sgemm_native(0, 0, n, d, n, 1, scores, n, q + 2 * j->hidden, stride, 0, o, j->hidden, 1);
    }
    (void)avx2;
    free(scores);
}

int sl_encoder_attention_f32(const float *qkv, long hidden, long heads, const long *starts, const long *lengths, long count,
                             float *out, int threads) {
    if (heads <= 0 || hidden % heads != 0) return -1;
    enc_attention_job j;
    j.qkv = qkv; j.hidden = hidden; j.heads = heads; j.head_dim = hidden / heads;
    j.starts = starts; j.lengths = lengths; j.count = count; j.out = out;
    atomic_init(&j.next, 0); atomic_init(&j.failed, 0);
    if (threads <= 0) threads = sl_cpu_count();
    long parts = count * heads < threads ? count * heads : threads;
    if (parts < 1) parts = 1;
    if (!(parts > 1 && sl_parallel_run((int)parts, enc_attention_task, &j))) enc_attention_task(&j, 0);
    // A task that could not allocate left its items to the others; if all failed, finish here.
    if (atomic_load(&j.failed) && atomic_load(&j.next) < count * heads) {
        atomic_store(&j.failed, 0);
        enc_attention_task(&j, 0);
    }
    return atomic_load(&j.failed) ? -1 : 0;
}
