// Kernels of a BERT-style encoder (LLM module, encoder.c), row-major float32. Included by
// CSwiftLearnKernels.h. `threads` ≤ 0 means all logical CPUs; small inputs run on the caller.
#ifndef SL_ENCODER_H
#define SL_ENCODER_H

/// y[r, c] += bias[c] for a [rows, cols] matrix.
void sl_encoder_bias_f32(float *y, const float *bias, long rows, long cols, int threads);
/// y[r, c] = GELU(y[r, c] + bias[c]) with GELU(x) = x·½·(1 + erf(x/√2)) (erf to 1.5e-7, as
/// PyTorch's vectorized erf).
void sl_encoder_bias_gelu_f32(float *y, const float *bias, long rows, long cols, int threads);
/// Row-wise y = LayerNorm(y + bias + residual)·gamma + beta with the biased variance and `eps`
/// inside the square root (as torch.nn.LayerNorm). `bias` and `residual` may be NULL.
void sl_encoder_add_layernorm_f32(float *y, const float *bias, const float *residual, const float *gamma, const float *beta,
                                  long rows, long cols, float eps, int threads);
/// Multi-head softmax attention within each of `count` sentences, without padding: sentence s
/// owns rows starts[s] ..< starts[s] + lengths[s] of `qkv` ([rows, 3·hidden]: query, key, value,
/// each `heads` heads of hidden/heads values) and writes the same rows of `out` ([rows, hidden]):
/// out_i = Σ_j softmax_j(q_i·k_j / √d) · v_j per head. Returns 0, or −1 when `hidden` is not a
/// multiple of `heads` or scratch memory could not be allocated.
int sl_encoder_attention_f32(const float *qkv, long hidden, long heads, const long *starts, const long *lengths, long count,
                             float *out, int threads);

#endif
