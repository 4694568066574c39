// word2vec.c — word2vec's negative-sampling updates, gensim 4 (word2vec_inner.pyx) restated:
// the same sigmoid table (1000 points over [-6, 6), index (int)((f + 6) * 83) as gensim's C
// integer division gives), the same negative draws (bisect in cum_table at (r >> 16) mod its last
// entry; r = r * 25214903917 + 11 mod 2^48) and the same order of updates, so a run with the same
// vocabulary, draws and learning rate changes the vectors as gensim does. The vector operations
// (dot, axpy) use AVX2/FMA when the CPU has it.

#include "CSwiftLearnKernels.h"
#include "sl_internal.h"
#include "sl_word2vec.h"
#include <math.h>
#include <pthread.h>
#include <string.h>

#if SL_X86_SIMD
#include <immintrin.h>
#endif

#define EXP_TABLE_SIZE 1000
#define MAX_EXP 6

static float exp_table[EXP_TABLE_SIZE];
static pthread_once_t exp_once = PTHREAD_ONCE_INIT;

static void fill_exp_table(void) {
    for (int i = 0; i < EXP_TABLE_SIZE; i++) {
        float e = (float)exp((((double)((float)i / (float)EXP_TABLE_SIZE)) * 2.0 - 1.0) * 6.0);
        exp_table[i] = (float)(e / (e + 1.0));
    }
}

float sl_w2v_sigmoid(float f, int *inside) {
    pthread_once(&exp_once, fill_exp_table);
    if (f <= -MAX_EXP || f >= MAX_EXP) { *inside = 0; return 0; }
    *inside = 1;
    return exp_table[(int)((f + 6.0) * ((EXP_TABLE_SIZE / MAX_EXP) / 2))];
}

static inline uint32_t bisect_left(const uint32_t *a, uint64_t x, long lo, long hi) {
    while (lo < hi) {
        long mid = (lo + hi) / 2;
        if (a[mid] >= x) hi = mid; else lo = mid + 1;
    }
    return (uint32_t)lo;
}

// MARK: - Vector operations

static inline float dot_c(const float *a, const float *b, long d) {
    float s = 0;
    for (long i = 0; i < d; i++) s += a[i] * b[i];
    return s;
}
static inline void axpy_c(long d, float g, const float *x, float *y) {
    for (long i = 0; i < d; i++) y[i] += g * x[i];
}

#if SL_X86_SIMD
SL_TARGET_AVX2 static inline float dot_avx2(const float *a, const float *b, long d) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    long i = 0;
    for (; i + 16 <= d; i += 16) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
    }
    for (; i + 8 <= d; i += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    __m256 s = _mm256_add_ps(s0, s1);
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_shuffle_ps(h, h, 1));
    float r = _mm_cvtss_f32(h);
    for (; i < d; i++) r += a[i] * b[i];
    return r;
}
SL_TARGET_AVX2 static inline void axpy_avx2(long d, float g, const float *x, float *y) {
    const __m256 vg = _mm256_set1_ps(g);
    long i = 0;
    for (; i + 8 <= d; i += 8) _mm256_storeu_ps(y + i, _mm256_fmadd_ps(vg, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    for (; i < d; i++) y[i] += g * x[i];
}
#endif

// The training loops are written once and compiled twice: portable and AVX2 (DOT/AXPY differ).
#define SL_W2V_BODY(SUFFIX, ATTR, DOT, AXPY)                                                                        \
/* One positive and `negative` noise targets against the input vector `in` (a syn0 row for                          \
   skip-gram, the context mean or sum for CBOW): syn1neg rows updated, the input's error in work. */                \
ATTR static uint64_t neg_pass_##SUFFIX(const sl_w2v_model *m, uint32_t word, const float *in, float alpha,          \
                                      float *work, uint64_t next_random) {                                          \
    const long size = m->size;                                                                                      \
    memset(work, 0, (size_t)size * sizeof(float));                                                                  \
    for (int d = 0; d <= m->negative; d++) {                                                                        \
        uint32_t target; float label;                                                                               \
        if (d == 0) { target = word; label = 1.0f; }                                                                \
        else {                                                                                                      \
            target = bisect_left(m->cum_table, (next_random >> 16) % m->cum_table[m->cum_len - 1], 0, m->cum_len);  \
            next_random = (next_random * 25214903917ULL + 11) & 281474976710655ULL;                                 \
            if (target == word) continue;                                                                           \
            label = 0.0f;                                                                                           \
        }                                                                                                           \
        float *l2 = m->syn1neg + (long)target * size;                                                               \
        const float f_dot = DOT(in, l2, size);                                                                      \
        if (f_dot <= -MAX_EXP || f_dot >= MAX_EXP) continue;                                                        \
        const float f = exp_table[(int)((f_dot + 6.0) * ((EXP_TABLE_SIZE / MAX_EXP) / 2))];                         \
        const float g = (label - f) * alpha;                                                                        \
        AXPY(size, g, l2, work);                                                                                    \
        AXPY(size, g, in, l2);                                                                                      \
    }                                                                                                               \
    return next_random;                                                                                             \
}                                                                                                                   \
ATTR static uint64_t sg_pair_##SUFFIX(const sl_w2v_model *m, uint32_t word, uint32_t word2, float alpha, float *work,\
                                 uint64_t next_random) {                                                            \
    float *l1 = m->syn0 + (long)word2 * m->size;                                                                    \
    next_random = neg_pass_##SUFFIX(m, word, l1, alpha, work, next_random);                                         \
    AXPY(m->size, 1.0f, work, l1);                                                                                  \
    return next_random;                                                                                             \
}                                                                                                                   \
ATTR static uint64_t cbow_##SUFFIX(const sl_w2v_model *m, const uint32_t *indexes, long i, long j, long k, float alpha,\
                              float *work, float *neu1, uint64_t next_random) {                                     \
    const long size = m->size;                                                                                      \
    memset(neu1, 0, (size_t)size * sizeof(float));                                                                  \
    float count = 0.0f, inv_count = 1.0f;                                                                           \
    for (long c = j; c < k; c++) {                                                                                  \
        if (c == i) continue;                                                                                       \
        count += 1.0f;                                                                                              \
        AXPY(size, 1.0f, m->syn0 + (long)indexes[c] * size, neu1);                                                  \
    }                                                                                                               \
    if (count > 0.5f) inv_count = 1.0f / count;                                                                     \
    if (m->cbow_mean) for (long a = 0; a < size; a++) neu1[a] *= inv_count;                                         \
    next_random = neg_pass_##SUFFIX(m, indexes[i], neu1, alpha, work, next_random);                                 \
    if (!m->cbow_mean) for (long a = 0; a < size; a++) work[a] *= inv_count;                                        \
    for (long c = j; c < k; c++) {                                                                                  \
        if (c == i) continue;                                                                                       \
        AXPY(size, 1.0f, work, m->syn0 + (long)indexes[c] * size);                                                  \
    }                                                                                                               \
    return next_random;                                                                                             \
}                                                                                                                   \
ATTR static uint64_t train_##SUFFIX(const sl_w2v_model *m, int sg, const uint32_t *indexes, const int32_t *starts,      \
                               long sentences, const int32_t *reduced, float alpha, float *work, float *neu1,       \
                               uint64_t next_random) {                                                              \
    for (long s = 0; s < sentences; s++) {                                                                          \
        const long start = starts[s], end = starts[s + 1];                                                          \
        for (long i = start; i < end; i++) {                                                                        \
            long j = i - m->window + reduced[i];                                                                    \
            if (j < start) j = start;                                                                               \
            long k = i + m->window + 1 - reduced[i];                                                                \
            if (k > end) k = end;                                                                                   \
            if (sg) {                                                                                               \
                for (long c = j; c < k; c++) {                                                                      \
                    if (c == i) continue;                                                                           \
                    next_random = sg_pair_##SUFFIX(m, indexes[i], indexes[c], alpha, work, next_random);            \
                }                                                                                                   \
            } else {                                                                                                \
                next_random = cbow_##SUFFIX(m, indexes, i, j, k, alpha, work, neu1, next_random);                   \
            }                                                                                                       \
        }                                                                                                           \
    }                                                                                                               \
    return next_random;                                                                                             \
}

#define SL_NO_ATTR
SL_W2V_BODY(c, SL_NO_ATTR, dot_c, axpy_c)
#if SL_X86_SIMD
SL_W2V_BODY(avx2, SL_TARGET_AVX2, dot_avx2, axpy_avx2)
#endif

uint64_t sl_w2v_sg_pair(const sl_w2v_model *m, uint32_t word, uint32_t word2, float alpha, float *work, uint64_t next_random) {
    pthread_once(&exp_once, fill_exp_table);
#if SL_X86_SIMD
    if (sl_cpu_features() & SL_CPU_AVX2_FMA) return sg_pair_avx2(m, word, word2, alpha, work, next_random);
#endif
    return sg_pair_c(m, word, word2, alpha, work, next_random);
}

uint64_t sl_w2v_train(const sl_w2v_model *m, int sg, const uint32_t *indexes, const int32_t *starts, long sentences,
                      const int32_t *reduced, float alpha, float *work, float *neu1, uint64_t next_random) {
    pthread_once(&exp_once, fill_exp_table);
#if SL_X86_SIMD
    if (sl_cpu_features() & SL_CPU_AVX2_FMA) return train_avx2(m, sg, indexes, starts, sentences, reduced, alpha, work, neu1, next_random);
#endif
    return train_c(m, sg, indexes, starts, sentences, reduced, alpha, work, neu1, next_random);
}
