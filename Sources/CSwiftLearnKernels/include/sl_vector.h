// Distance kernels for the Retrieval module's vector indexes (float32 dot, L2, batched forms, PQ
// asymmetric distance). Included by CSwiftLearnKernels.h. Implementations live in vector_*.c.
//
// The distance functions have AVX-512, AVX2+FMA and portable C variants, the PQ table kernel
// AVX-512 and portable C, chosen per call from sl_cpu_features(); the ADC scan is portable C
// (interleaved scalar lookups beat gathers). All are single-threaded; vectors are contiguous
// float32 rows of `d` values.
#ifndef SL_VECTOR_H
#define SL_VECTOR_H

#include <stdint.h>

/// Σ a[i]·b[i] over d elements.
float sl_vec_dot_f32(const float *a, const float *b, long d);
/// Σ (a[i] − b[i])² over d elements.
float sl_vec_l2sq_f32(const float *a, const float *b, long d);
/// out[j] = dot(q, base + rows[j]·d) for j < n; `rows` NULL means rows[j] = j.
void sl_vec_dot_rows_f32(const float *q, const float *base, const int32_t *rows, long n, long d, float *out);
/// out[j] = l2sq(q, base + rows[j]·d) for j < n; `rows` NULL means rows[j] = j.
void sl_vec_l2sq_rows_f32(const float *q, const float *base, const int32_t *rows, long n, long d, float *out);
/// Product-quantization asymmetric distance: out[j] = Σ_s table[s·ksub + codes[j·m + s]] for
/// j < n, s < m (one lookup table of ksub entries per sub-quantizer, 8-bit codes, ksub ≤ 256).
void sl_pq_adc_u8(const float *table, long ksub, const uint8_t *codes, long n, long m, float *out);

/// Product-quantization lookup tables for one query: for each sub-quantizer s < m and centroid
/// j < 256, out[s·256 + j] = −q_s·c_{s,j} (ip != 0) or ‖q_s − c_{s,j}‖² = ‖q_s‖² − 2 q_s·c_{s,j} +
/// ‖c_{s,j}‖² (ip == 0). `books_t` holds each sub-quantizer's centroids transposed (s-major, then
/// component t < dsub, then j < 256); `c_norms` the m × 256 squared norms (unused when ip != 0).
void sl_pq_tables_f32(const float *q, const float *books_t, const float *c_norms, long m, long dsub, int ip, float *out);

#endif
