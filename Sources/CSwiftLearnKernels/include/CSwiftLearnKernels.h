// CSwiftLearnKernels: the small C layer under the Tensors module.
//
// Three concerns live here because Swift alone cannot express them portably:
//   1. CPU feature detection (CPUID), so hot loops can use AVX2/FMA or AVX-512 variants chosen at
//      run time while the package itself is compiled for baseline x86-64 (no unsafe flags).
//   2. Native kernels: a cache-blocked, packed GEMM and vectorized transcendental / row kernels.
//   3. A run-time loader for BLAS/LAPACK (OpenBLAS, Accelerate, any CBLAS): dlopen + dlsym, so the
//      package builds and runs where none is installed.
//
// All matrices are ROW-MAJOR unless a function says otherwise (LAPACK wrappers are column-major,
// as LAPACK itself is). Sizes are `long` (64-bit on every platform we support).
#ifndef CSWIFTLEARN_KERNELS_H
#define CSWIFTLEARN_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// MARK: - CPU features

/// Bit flags returned by `sl_cpu_features`.
enum {
    SL_CPU_AVX2_FMA = 1,   ///< AVX2 and FMA3 usable (CPU + OS save the YMM state).
    SL_CPU_AVX512 = 2,     ///< AVX-512 F, BW, DQ and VL usable (CPU + OS save the ZMM state).
    SL_CPU_F16C = 4,       ///< F16C half-precision conversion instructions.
};

/// The features of this CPU that the kernels may use (computed once, cached).
int sl_cpu_features(void);

/// Number of logical CPUs available to this process.
int sl_cpu_count(void);

// MARK: - Native GEMM (row-major)

/// C[M×N] = alpha · op(A) · op(B) + beta · C, row-major, op(X) = X or Xᵀ (trans != 0).
/// `threads` ≤ 0 means "all logical CPUs". beta == 0 means C is not read (NaNs in C are ignored).
void sl_sgemm_native(int transA, int transB, long M, long N, long K, float alpha,
                     const float *A, long lda, const float *B, long ldb, float beta,
                     float *C, long ldc, int threads);
void sl_dgemm_native(int transA, int transB, long M, long N, long K, double alpha,
                     const double *A, long lda, const double *B, long ldb, double beta,
                     double *C, long ldc, int threads);

// MARK: - Vectorized contiguous kernels (single-threaded; callers split work across threads)

void sl_exp_f32(const float *x, float *y, long n);
void sl_exp_f64(const double *x, double *y, long n);
void sl_log_f32(const float *x, float *y, long n);
void sl_log_f64(const double *x, double *y, long n);
void sl_tanh_f32(const float *x, float *y, long n);
void sl_sigmoid_f32(const float *x, float *y, long n);
void sl_add_f32(const float *a, const float *b, float *y, long n);
void sl_mul_f32(const float *a, const float *b, float *y, long n);
/// Sum of n floats (accumulated in float32 SIMD lanes with a pairwise/blocked scheme, like NumPy).
float sl_sum_f32(const float *x, long n);
double sl_sum_f64(const double *x, long n);
/// Row-wise softmax / log-softmax of a contiguous [rows, cols] matrix into y (may alias x).
void sl_softmax_rows_f32(const float *x, float *y, long rows, long cols);
void sl_softmax_rows_f64(const double *x, double *y, long rows, long cols);
void sl_logsoftmax_rows_f32(const float *x, float *y, long rows, long cols);
void sl_logsoftmax_rows_f64(const double *x, double *y, long rows, long cols);

// MARK: - Block-quantized weights (ggml formats; quant.c)

/// ggml type ids of the weight formats the quantized products take.
enum { SL_GGML_Q4_1 = 3, SL_GGML_Q8_0 = 8 };

/// Bytes of a quantized activation row of `n` floats for weights of `weight_type` (q8_0 blocks
/// for q8_0 weights, q8_1 blocks for q4_1 weights); -1 when `n` is not a multiple of 32 or the
/// type is not one of the above.
long sl_quant_activation_bytes(int weight_type, long n);
/// Quantizes `n` floats (a multiple of 32) into `out` as ggml does for `weight_type`'s products.
/// Returns 0, or -1 for an unsupported type or size.
int sl_quantize_activation(int weight_type, const float *x, long n, void *out);
/// y[v·rows + r] = Σ_c W[r, c] · x_v[c] for `nvec` quantized activation rows `xq` (each
/// `sl_quant_activation_bytes(weight_type, cols)` bytes) and a weight matrix of `rows` rows of
/// `cols` elements in ggml's `weight_type` blocks. `threads` ≤ 0: all CPUs. Returns 0, or -1
/// for an unsupported type or a `cols` that is not a multiple of 32.
int sl_quant_matmul(int weight_type, const void *w, long rows, long cols, const void *xq, long nvec, float *y, int threads);
/// As sl_quant_matmul for `count` (1…8) matrices of the same type and width applied to the same
/// activations (a layer's Q, K, V): one parallel pass over all their rows. y[m] receives matrix m.
int sl_quant_matmul_group(int weight_type, int count, const void *const *w, const long *rows, long cols, const void *xq, long nvec,
                          float *const *y, int threads);

// MARK: - Attention over a float16 cache (attention.c)

/// Rounds `n` floats to float16 (nearest even), as uint16 bit patterns.
void sl_f32_to_f16(const float *x, uint16_t *h, long n);
/// Widens `n` float16 bit patterns to floats (exact).
void sl_f16_to_f32(const uint16_t *h, float *x, long n);
/// One decoding step of grouped-query attention as ggml computes it with a float16 KV cache:
/// for each of `heads` query heads (head h reads key/value head h / (heads / kv_heads)), scores
/// K·q over the `n` cached positions (q rounded to float16) times `scale`, a softmax summed in
/// double, and out = Σ_t p_t · V_t with p rounded to float16. `k` and `v` hold `n` rows of
/// `kv_stride` float16 values (kv_heads · head_dim used); `scores` has room for `n` floats,
/// `scratch` for sl_attention_scratch_f16(heads, head_dim) uint16 values; `out` receives heads · head_dim floats.
void sl_attention_f16(const float *q, long heads, long kv_heads, long head_dim, const uint16_t *k, const uint16_t *v,
                      long kv_stride, long n, float scale, float *scores, uint16_t *scratch, float *out);
/// Elements (uint16) of the `scratch` buffer sl_attention_f16 needs.
long sl_attention_scratch_f16(long heads, long head_dim);
/// y = silu(gate) · up with ggml's vectorized exp (as llama.cpp's SwiGLU).
void sl_swiglu_ggml(const float *gate, const float *up, float *y, long n);

// MARK: - Run-time BLAS / LAPACK

/// Try to load a BLAS. `path` NULL means: $SWIFTLEARN_BLAS_PATH if set, else the usual names
/// (libopenblas.so.0, libopenblas.so, libblis.so.4, libmkl_rt.so, libcblas.so.3, libblas.so.3 on
/// Linux; Accelerate on macOS). Before loading OpenBLAS, if OPENBLAS_CORETYPE is unset and the CPU
/// supports AVX-512 (resp. AVX2), it is set to a core type that uses those units.
/// Returns 1 when cblas_sgemm and cblas_dgemm were found, else 0. Idempotent after the first success.
int sl_blas_load(const char *path);
/// 1 if a BLAS is loaded.
int sl_blas_available(void);
/// Path or name of the loaded BLAS library ("" if none).
const char *sl_blas_library(void);
/// openblas_get_corename() of the loaded library, or "" if not OpenBLAS / unavailable.
const char *sl_blas_corename(void);
/// openblas_set_num_threads when available (no-op otherwise).
void sl_blas_set_threads(int n);

/// Row-major GEMM through the loaded CBLAS (precondition: sl_blas_available()).
void sl_blas_sgemm(int transA, int transB, long M, long N, long K, float alpha,
                   const float *A, long lda, const float *B, long ldb, float beta,
                   float *C, long ldc);
void sl_blas_dgemm(int transA, int transB, long M, long N, long K, double alpha,
                   const double *A, long lda, const double *B, long ldb, double beta,
                   double *C, long ldc);

/// 1 if the LAPACK routines below were all found in the loaded library (or liblapack.so.3).
int sl_lapack_available(void);

// LAPACK wrappers: COLUMN-MAJOR, Fortran semantics, return LAPACK's `info` (0 = success).
// Workspace queries are handled inside the wrappers (they allocate what LAPACK asks for).
// Returns -1000 if the routine is unavailable.
int sl_lapack_getrf_d(int m, int n, double *a, int lda, int *ipiv);
int sl_lapack_getrf_s(int m, int n, float *a, int lda, int *ipiv);
int sl_lapack_getri_d(int n, double *a, int lda, const int *ipiv);
int sl_lapack_getri_s(int n, float *a, int lda, const int *ipiv);
int sl_lapack_gesv_d(int n, int nrhs, double *a, int lda, int *ipiv, double *b, int ldb);
int sl_lapack_gesv_s(int n, int nrhs, float *a, int lda, int *ipiv, float *b, int ldb);
/// uplo: 'L' or 'U'.
int sl_lapack_potrf_d(char uplo, int n, double *a, int lda);
int sl_lapack_potrf_s(char uplo, int n, float *a, int lda);
int sl_lapack_geqrf_d(int m, int n, double *a, int lda, double *tau);
int sl_lapack_geqrf_s(int m, int n, float *a, int lda, float *tau);
int sl_lapack_orgqr_d(int m, int n, int k, double *a, int lda, const double *tau);
int sl_lapack_orgqr_s(int m, int n, int k, float *a, int lda, const float *tau);
/// jobz: 'A', 'S', 'O' or 'N' (as LAPACK's ?gesdd).
int sl_lapack_gesdd_d(char jobz, int m, int n, double *a, int lda, double *s,
                      double *u, int ldu, double *vt, int ldvt);
int sl_lapack_gesdd_s(char jobz, int m, int n, float *a, int lda, float *s,
                      float *u, int ldu, float *vt, int ldvt);
/// jobz: 'V' or 'N'; uplo: 'L' or 'U'. Eigenvalues ascending in w.
int sl_lapack_syevd_d(char jobz, char uplo, int n, double *a, int lda, double *w);
int sl_lapack_syevd_s(char jobz, char uplo, int n, float *a, int lda, float *w);
/// Minimum-norm least squares via SVD (?gelsd). rcond < 0: machine precision. rank may be NULL.
int sl_lapack_gelsd_d(int m, int n, int nrhs, double *a, int lda, double *b, int ldb,
                      double *s, double rcond, int *rank);
int sl_lapack_gelsd_s(int m, int n, int nrhs, float *a, int lda, float *b, int ldb,
                      float *s, float rcond, int *rank);

// MARK: - Kernels of the higher modules (each in its own header, declared there)

#include "sl_neural.h"     // Neural: convolution/pooling/recurrent kernels
#include "sl_vector.h"     // Retrieval: distance kernels for vector search
#include "sl_encoder.h"    // LLM: BERT-style encoder row kernels and attention
#include "sl_word2vec.h"   // NLP: word2vec negative-sampling updates

#ifdef __cplusplus
}
#endif

#endif
