// recurrent.c — the time loops of LSTM, GRU and Elman RNN layers, threaded over hidden units
// (see recurrent_driver.h).
//
// Per-type helpers used by the template: single-threaded GEMMs with a packed weight operand (the
// threads are already split by hidden units) and the gate activations — vectorized for float (vecmath.c); for double the
// same formulas as the Swift fallback (libm exp and tanh), so float64 results do not depend on
// which path ran.

#include "CSwiftLearnKernels.h"
#include "sl_internal.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static inline void pack_b_s(int tb, long k, long n, const float *b, long ldb, float *dst) {
    sl_sgemm_pack_b(tb, k, n, b, ldb, dst);
}
static inline void pack_b_d(int tb, long k, long n, const double *b, long ldb, double *dst) {
    sl_dgemm_pack_b(tb, k, n, b, ldb, dst);
}
static inline long packed_size_s(long k, long n) { return sl_sgemm_packed_b_size(k, n); }
static inline long packed_size_d(long k, long n) { return sl_dgemm_packed_b_size(k, n); }
static inline int prepacked_s(int ta, long m, long n, long k, const float *a, long lda, const float *packed, float beta,
                              float *c, long ldc) {
    return sl_sgemm_prepacked(ta, m, n, k, a, lda, packed, beta, c, ldc);
}
static inline int prepacked_d(int ta, long m, long n, long k, const double *a, long lda, const double *packed,
                              double beta, double *c, long ldc) {
    return sl_dgemm_prepacked(ta, m, n, k, a, lda, packed, beta, c, ldc);
}

/// 64-byte aligned memory (for packed panels), released with free().
static void *sl_aligned_alloc(size_t bytes) {
    void *p = NULL;
    return posix_memalign(&p, 64, bytes ? bytes : 64) == 0 ? p : NULL;
}

static inline void sigmoid_inplace_s(float *p, long n) { sl_sigmoid_f32(p, p, n); }
static inline void tanh_array_s(const float *x, float *y, long n) { sl_tanh_f32(x, y, n); }

static inline void sigmoid_inplace_d(double *p, long n) {
    for (long i = 0; i < n; i++) {
        const double v = p[i];
        p[i] = v >= 0 ? 1 / (1 + exp(-v)) : exp(v) / (1 + exp(v));
    }
}

static inline void tanh_array_d(const double *x, double *y, long n) {
    for (long i = 0; i < n; i++) y[i] = tanh(x[i]);
}

#define SL_T float
#define SL_FN(x) x##_s
#include "recurrent_driver.h"
#undef SL_T
#undef SL_FN

#define SL_T double
#define SL_FN(x) x##_d
#include "recurrent_driver.h"
#undef SL_T
#undef SL_FN

int sl_lstm_forward_f32(long T, long B, long H, float *gates, float *cells, float *tanh_cells, float *out,
                        float *h_prev, const float *h0, const float *c0, const float *whh, int reverse, int threads) {
    return lstm_forward_s(T, B, H, gates, cells, tanh_cells, out, h_prev, h0, c0, whh, reverse, threads);
}

int sl_lstm_forward_f64(long T, long B, long H, double *gates, double *cells, double *tanh_cells, double *out,
                        double *h_prev, const double *h0, const double *c0, const double *whh, int reverse,
                        int threads) {
    return lstm_forward_d(T, B, H, gates, cells, tanh_cells, out, h_prev, h0, c0, whh, reverse, threads);
}

int sl_lstm_backward_f32(long T, long B, long H, const float *gates, const float *cells, const float *tanh_cells,
                         const float *c0, const float *whh, const float *dout, float *dh, float *dc, float *dgates,
                         int reverse, int threads) {
    return lstm_backward_s(T, B, H, gates, cells, tanh_cells, c0, whh, dout, dh, dc, dgates, reverse, threads);
}

int sl_lstm_backward_f64(long T, long B, long H, const double *gates, const double *cells, const double *tanh_cells,
                         const double *c0, const double *whh, const double *dout, double *dh, double *dc,
                         double *dgates, int reverse, int threads) {
    return lstm_backward_d(T, B, H, gates, cells, tanh_cells, c0, whh, dout, dh, dc, dgates, reverse, threads);
}

int sl_gru_rnn_forward_f32(int cell, long T, long B, long H, float *gates, float *out, float *h_prev, float *hn, const float *h0,
                           const float *whh, const float *bhh, int reverse, int threads) {
    return gru_rnn_forward_s(cell, T, B, H, gates, out, h_prev, hn, h0, whh, bhh, reverse, threads);
}

int sl_gru_rnn_forward_f64(int cell, long T, long B, long H, double *gates, double *out, double *h_prev, double *hn,
                           const double *h0, const double *whh, const double *bhh, int reverse, int threads) {
    return gru_rnn_forward_d(cell, T, B, H, gates, out, h_prev, hn, h0, whh, bhh, reverse, threads);
}

int sl_gru_rnn_backward_f32(int cell, long T, long B, long H, const float *gates, const float *hn, const float *h_prev,
                            const float *whh, const float *dout, float *dh, float *dx_gates, float *dh_gates, int reverse,
                            int threads) {
    return gru_rnn_backward_s(cell, T, B, H, gates, hn, h_prev, whh, dout, dh, dx_gates, dh_gates, reverse, threads);
}

int sl_gru_rnn_backward_f64(int cell, long T, long B, long H, const double *gates, const double *hn, const double *h_prev,
                            const double *whh, const double *dout, double *dh, double *dx_gates, double *dh_gates,
                            int reverse, int threads) {
    return gru_rnn_backward_d(cell, T, B, H, gates, hn, h_prev, whh, dout, dh, dx_gates, dh_gates, reverse, threads);
}
