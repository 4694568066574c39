// neural_pointwise.c — ReLU / leaky ReLU and 2-D max pooling kernels for the Neural module.
//
// Written in C so that the pointers can be marked restrict: the compiler then turns the
// selects of ReLU into vector compares and blends, and the running maximum of max pooling into
// conditional moves. Swift's generic loops over unsafe pointers stayed scalar with a branch per
// element, and the branch on the sign of random data mispredicts half the time.

#include "CSwiftLearnKernels.h"

#include <math.h>

#define SL_DEFINE_RELU(SUFFIX, T)                                                                  \
    void sl_leaky_relu_##SUFFIX(const T *restrict x, T *restrict y, long n, T slope) {             \
        if (slope == 0) {                                                                          \
            /* relu: NaN stays NaN (as PyTorch's), −inf gives 0 (−inf·0 would be NaN). */          \
            for (long i = 0; i < n; i++) y[i] = (x[i] > 0 || x[i] != x[i]) ? x[i] : 0;             \
        } else {                                                                                   \
            for (long i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : x[i] * slope;                    \
        }                                                                                          \
    }                                                                                              \
    void sl_leaky_relu_backward_##SUFFIX(const T *restrict x, const T *restrict g, T *restrict dx, \
                                         long n, T slope) {                                        \
        for (long i = 0; i < n; i++) dx[i] = x[i] > 0 ? g[i] : g[i] * slope;                       \
    }

SL_DEFINE_RELU(f32, float)
SL_DEFINE_RELU(f64, double)

/// The common 2×2, stride-2 window with every window inside the input: four loads per output
/// and branch-free selects, which the compiler vectorizes across a row.
#define SL_DEFINE_MAXPOOL2X2(SUFFIX, T)                                                            \
    static void sl_maxpool2x2_##SUFFIX(const T *restrict x, long planes, long H, long W, long oh,  \
                                       long ow, T *restrict y, int *restrict idx) {                \
        for (long p = 0; p < planes; p++) {                                                       \
            for (long i = 0; i < oh; i++) {                                                        \
                const T *r0 = x + p * H * W + 2 * i * W, *r1 = r0 + W;                             \
                T *dst = y + (p * oh + i) * ow;                                                    \
                int *at = idx + (p * oh + i) * ow;                                                 \
                const int base = (int)(2 * i * W), w = (int)W;                                     \
                for (long j = 0; j < ow; j++) {                                                    \
                    const T a = r0[2 * j], b = r0[2 * j + 1], c = r1[2 * j], d = r1[2 * j + 1];    \
                    T best = a;                                                                    \
                    int where = base + 2 * (int)j;                                                 \
                    int t = (b > best) | (b != b);                                                 \
                    best = t ? b : best;                                                           \
                    where = t ? base + 2 * (int)j + 1 : where;                                     \
                    t = (c > best) | (c != c);                                                     \
                    best = t ? c : best;                                                           \
                    where = t ? base + w + 2 * (int)j : where;                                     \
                    t = (d > best) | (d != d);                                                     \
                    best = t ? d : best;                                                           \
                    where = t ? base + w + 2 * (int)j + 1 : where;                                 \
                    dst[j] = best;                                                                 \
                    at[j] = where;                                                                 \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
    }

SL_DEFINE_MAXPOOL2X2(f32, float)
SL_DEFINE_MAXPOOL2X2(f64, double)

#define SL_DEFINE_MAXPOOL(SUFFIX, T)                                                               \
    void sl_maxpool2d_##SUFFIX(const T *restrict x, long planes, long H, long W, long oh, long ow, \
                               long kh, long kw, long sh, long sw, long ph, long pw, long dh,      \
                               long dw, T *restrict y, int *restrict idx) {                        \
        if (kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 && dh == 1 && dw == 1 &&  \
            2 * oh <= H && 2 * ow <= W) {                                                          \
            sl_maxpool2x2_##SUFFIX(x, planes, H, W, oh, ow, y, idx);                               \
            return;                                                                                \
        }                                                                                          \
        for (long p = 0; p < planes; p++) {                                                       \
            const T *src = x + p * H * W;                                                          \
            T *dst = y + p * oh * ow;                                                              \
            int *at = idx + p * oh * ow;                                                           \
            for (long i = 0; i < oh; i++) {                                                        \
                /* Window rows inside the input: r = i·sh − ph + ki·dh for ki in [k0, k1). */      \
                const long rbase = i * sh - ph;                                                    \
                long k0 = 0, k1 = kh;                                                              \
                while (k0 < k1 && rbase + k0 * dh < 0) k0++;                                       \
                while (k1 > k0 && rbase + (k1 - 1) * dh >= H) k1--;                                \
                for (long j = 0; j < ow; j++) {                                                    \
                    const long cbase = j * sw - pw;                                                \
                    long m0 = 0, m1 = kw;                                                          \
                    while (m0 < m1 && cbase + m0 * dw < 0) m0++;                                   \
                    while (m1 > m0 && cbase + (m1 - 1) * dw >= W) m1--;                            \
                    T best = -INFINITY;                                                            \
                    long first = (rbase + k0 * dh) * W + cbase + m0 * dw;                          \
                    long where = (k0 < k1 && m0 < m1) ? first : -1;                                \
                    for (long ki = k0; ki < k1; ki++) {                                            \
                        const long row = (rbase + ki * dh) * W + cbase;                            \
                        for (long kj = m0; kj < m1; kj++) {                                        \
                            const long q = row + kj * dw;                                          \
                            const T v = src[q];                                                    \
                            /* PyTorch's rule: a larger value or a NaN takes the place. */         \
                            const int take = (v > best) | (v != v);                                \
                            best = take ? v : best;                                                \
                            where = take ? q : where;                                              \
                        }                                                                          \
                    }                                                                              \
                    dst[i * ow + j] = best;                                                        \
                    at[i * ow + j] = (int)where;                                                   \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
    }

SL_DEFINE_MAXPOOL(f32, float)
SL_DEFINE_MAXPOOL(f64, double)

// Adam's element update (PyTorch's single-tensor path without weight decay or AMSGrad):
// m ← m + (1−β₁)(g − m), v ← β₂v + (1−β₂)g², θ ← θ − step·m / (√v / c₂ + ε). In C, with
// restrict pointers and a square root without errno, so it vectorizes; the same loop in Swift
// stayed scalar (a square root and a division per element dominated small-network training).
#if __has_builtin(__builtin_elementwise_sqrt)
#define SL_SQRT(x) __builtin_elementwise_sqrt(x)
#else
#define SL_SQRT(x) sqrt(x)
#endif
#define SL_DEFINE_ADAM(SUFFIX, T)                                                                  \
    void sl_adam_step_##SUFFIX(T *restrict theta, const T *restrict g, T *restrict m,              \
                               T *restrict v, long n, T sign, T one_minus_beta1, T beta2,          \
                               T one_minus_beta2, T step_size, T correction2, T eps) {             \
        for (long i = 0; i < n; i++) {                                                             \
            T gi = sign * g[i];                                                                    \
            T mi = m[i] + one_minus_beta1 * (gi - m[i]);                                           \
            T vi = beta2 * v[i] + one_minus_beta2 * (gi * gi);                                     \
            m[i] = mi;                                                                             \
            v[i] = vi;                                                                             \
            theta[i] -= step_size * (mi / (SL_SQRT(vi) / correction2 + eps));                      \
        }                                                                                          \
    }

SL_DEFINE_ADAM(f32, float)
SL_DEFINE_ADAM(f64, double)

// y[i, j] ← relu(y[i, j] + b[j]) over an m×n row-major block (b may be NULL): a Linear layer's
// bias and the ReLU after it in one pass over the GEMM's output. NaN stays NaN, as in relu.
#define SL_DEFINE_BIAS_RELU(SUFFIX, T)                                                             \
    void sl_bias_relu_##SUFFIX(T *restrict y, const T *restrict b, long m, long n) {              \
        for (long i = 0; i < m; i++) {                                                             \
            T *restrict row = y + i * n;                                                           \
            if (b) {                                                                               \
                for (long j = 0; j < n; j++) {                                                     \
                    T v = row[j] + b[j];                                                           \
                    row[j] = (v > 0 || v != v) ? v : 0;                                            \
                }                                                                                  \
            } else {                                                                               \
                for (long j = 0; j < n; j++) row[j] = (row[j] > 0 || row[j] != row[j]) ? row[j] : 0; \
            }                                                                                      \
        }                                                                                          \
    }

SL_DEFINE_BIAS_RELU(f32, float)
SL_DEFINE_BIAS_RELU(f64, double)
