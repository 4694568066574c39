// Kernels for the Neural module, row-major, float32/float64. Included by CSwiftLearnKernels.h.
#ifndef SL_NEURAL_H
#define SL_NEURAL_H

/// Most threads one recurrent layer's time loop is split over.
#define SL_LSTM_MAX_PARTS 64

/// Recurrent cell kinds of `sl_gru_rnn_*` (SL_CELL_LSTM is used internally by `sl_lstm_*`).
#define SL_CELL_LSTM 0
#define SL_CELL_GRU 1
#define SL_CELL_TANH 2
#define SL_CELL_RELU 3

/// The time loop of one LSTM layer-direction (gate order i, f, g, o), time-major.
///
/// On entry `gates` [T, B, 4H] holds x_t·W_ihᵀ + b_ih + b_hh for every step; on return the
/// activated gates. Writes `cells` c_t, `tanh_cells` tanh(c_t), `out` h_t (each [T, B, H]) and
/// `h_prev` (the h each step started from). `h0`, `c0`: [B, H]; `whh`: [4H, H]. `reverse` runs
/// from the last step to the first. `threads` ≤ 0 chooses by size (the hidden units are split
/// across threads, one barrier per step); > 0 forces that many parts (for tests). Returns 0, or
/// −1 when scratch memory could not be allocated.
int sl_lstm_forward_f32(long T, long B, long H, float *gates, float *cells, float *tanh_cells, float *out,
                        float *h_prev, const float *h0, const float *c0, const float *whh, int reverse, int threads);
int sl_lstm_forward_f64(long T, long B, long H, double *gates, double *cells, double *tanh_cells, double *out,
                        double *h_prev, const double *h0, const double *c0, const double *whh, int reverse,
                        int threads);

/// Backward through time of the loop above: from the saved `gates`, `cells`, `tanh_cells`, `c0`,
/// `whh` and the output gradient `dout` [T, B, H], writes `dgates` [T, B, 4H] (gradient of the
/// pre-activation gates) and turns `dh`, `dc` [B, H] from the gradients of the final h and c into
/// those of h0 and c0. Same `threads` and return value as the forward.
int sl_lstm_backward_f32(long T, long B, long H, const float *gates, const float *cells, const float *tanh_cells,
                         const float *c0, const float *whh, const float *dout, float *dh, float *dc, float *dgates,
                         int reverse, int threads);
int sl_lstm_backward_f64(long T, long B, long H, const double *gates, const double *cells, const double *tanh_cells,
                         const double *c0, const double *whh, const double *dout, double *dh, double *dc,
                         double *dgates, int reverse, int threads);

/// The time loop of one GRU (SL_CELL_GRU, gates r, z, n) or Elman RNN (SL_CELL_TANH / SL_CELL_RELU)
/// layer-direction, time-major. On entry `gates` [T, B, G·H] (G = 3 or 1) holds x_t·W_ihᵀ + b_ih
/// (the RNN: + b_hh too); on return the activated gates (GRU: r, z, n; RNN: h_t). Writes `out` h_t
/// and `h_prev` (the h each step started from), each [T, B, H], and for the GRU `hn` [T, B, H]
/// (h_{t−1}·W_hnᵀ + b_hn). `bhh` [3H] is the GRU's hidden bias or NULL (ignored for the RNN).
/// `threads` as for the LSTM. Returns 0, or −1 when scratch memory could not be allocated.
int sl_gru_rnn_forward_f32(int cell, long T, long B, long H, float *gates, float *out, float *h_prev, float *hn, const float *h0,
                           const float *whh, const float *bhh, int reverse, int threads);
int sl_gru_rnn_forward_f64(int cell, long T, long B, long H, double *gates, double *out, double *h_prev, double *hn,
                           const double *h0, const double *whh, const double *bhh, int reverse, int threads);

/// Backward through time of the loop above: from the saved `gates`, `hn`, `h_prev`, `whh` and the
/// output gradient `dout` [T, B, H], writes the gradients of the input-side pre-activations
/// `dx_gates` and of the hidden-side ones `dh_gates` (each [T, B, G·H]; the RNN may pass one buffer
/// for both) and turns `dh` [B, H] from the gradient of the final h into that of h0.
int sl_gru_rnn_backward_f32(int cell, long T, long B, long H, const float *gates, const float *hn, const float *h_prev,
                            const float *whh, const float *dout, float *dh, float *dx_gates, float *dh_gates, int reverse,
                            int threads);
int sl_gru_rnn_backward_f64(int cell, long T, long B, long H, const double *gates, const double *hn, const double *h_prev,
                            const double *whh, const double *dout, double *dh, double *dx_gates, double *dh_gates,
                            int reverse, int threads);

/// y = x > 0 ? x : slope·x over n elements (slope 0: ReLU, which keeps NaN and maps −inf to 0).
void sl_leaky_relu_f32(const float *x, float *y, long n, float slope);
void sl_leaky_relu_f64(const double *x, double *y, long n, double slope);
/// dx = x > 0 ? g : slope·g over n elements.
void sl_leaky_relu_backward_f32(const float *x, const float *g, float *dx, long n, float slope);
void sl_leaky_relu_backward_f64(const double *x, const double *g, double *dx, long n, double slope);

/// y ← relu(y + b) row by row over an m×n block (b may be NULL): a Linear layer's bias and ReLU fused.
void sl_bias_relu_f32(float *y, const float *b, long m, long n);
void sl_bias_relu_f64(double *y, const double *b, long m, long n);

/// One Adam step over n elements (no weight decay, no AMSGrad): m, v and θ updated in place.
void sl_adam_step_f32(float *theta, const float *g, float *m, float *v, long n, float sign, float one_minus_beta1,
                      float beta2, float one_minus_beta2, float step_size, float correction2, float eps);
void sl_adam_step_f64(double *theta, const double *g, double *m, double *v, long n, double sign, double one_minus_beta1,
                      double beta2, double one_minus_beta2, double step_size, double correction2, double eps);

/// 2-D max pooling of `planes` planes [H, W] into [oh, ow] with kernel (kh, kw), stride, padding
/// and dilation; `idx` receives each maximum's in-plane offset (the first window element when all
/// are −inf, −1 for a window entirely in the padding). A NaN wins, as in PyTorch.
void sl_maxpool2d_f32(const float *x, long planes, long H, long W, long oh, long ow, long kh, long kw, long sh,
                      long sw, long ph, long pw, long dh, long dw, float *y, int *idx);
void sl_maxpool2d_f64(const double *x, long planes, long H, long W, long oh, long ow, long kh, long kw, long sh,
                      long sw, long ph, long pw, long dh, long dw, double *y, int *idx);

#endif
