// recurrent_driver.h — the time loop of one recurrent layer-direction (LSTM, GRU, Elman RNN),
// forward and backward (template).
//
// Instantiated by recurrent.c for float (SL_T float, SL_FN(x) x##_s) and double. The input
// projection x·W_ihᵀ + b of every step is done by the caller (one large GEMM); what is left is
// inherently sequential: each step needs the previous step's h. The hidden units are split into
// `parts` contiguous ranges, one per thread, and every thread computes only its own units' gates
// (G of them per unit: LSTM i, f, g, o; GRU r, z, n; RNN 1):
//
//   forward step t (thread p, units U_p):
//     tmp = h_{t−1} · W_pᵀ            W_p: the rows of W_hh for the G gates of U_p ([G|U_p|, H])
//     the cell's math on gates[t][·, q·H + U_p] and tmp → h_t[U_p] (and c_t for the LSTM)
//     barrier                          (the next step reads all of h_t)
//
//   backward step t (thread p):
//     the gate gradients of U_p        from dh[U_p], dOut_t[U_p] (dc[U_p]) and the saved gates
//     barrier                          (the product below reads all of them)
//     dh[·, U_p] = dG_t · W_hh[·, U_p]  (GRU: plus the direct term z ⊙ dh)
//
// Each thread touches only its own units of h, c, dh and dc, so one barrier per step suffices.
// Each thread packs its weight operand once (W_pᵀ forward, W_hh[·, U_p] backward) and reuses it
// at every step. With one part W_p is W_hh itself and no barrier is needed; the arithmetic per
// element is the same for any number of parts (only the GEMM's column blocking differs).
#ifndef SL_T
#error "recurrent_driver.h is a template: include it from recurrent.c with SL_T and SL_FN defined"
#endif

typedef struct {
    long T, B, H;
    int G;                              ///< gates per hidden unit: 4 LSTM, 3 GRU, 1 RNN
    int cell;                           ///< SL_CELL_*
    int reverse, parts;
    long units[SL_LSTM_MAX_PARTS + 1];  ///< part p owns hidden units [units[p], units[p+1])
    long max_units;
    const SL_T *whh;                    ///< [G·H, H]
    const SL_T *wperm;                  ///< per part p, at wperm + G·units[p]·H: W_p ([G|U_p|, H])
    SL_T *tmp;                          ///< per part p, at tmp + p·B·G·max_units: [B, G|U_p|]
    SL_T *packed;                       ///< per part p, at packed + p·packed_stride: its packed weights
    long packed_stride;
    atomic_int failed;                  ///< set when a thread could not get its GEMM scratch
    // forward (LSTM: cells, tanh_cells; GRU: bhh, hn)
    SL_T *gates, *cells, *tanh_cells, *out, *h_prev, *hn;
    const SL_T *h0, *c0, *bhh;
    // backward (LSTM: dgates, dc; GRU/RNN: dx_gates, dh_gates — the same buffer for the RNN)
    const SL_T *cgates, *ccells, *ctanh, *dout, *chn, *chprev;
    SL_T *dh, *dc, *dgates, *dx_gates, *dh_gates;
    sl_barrier barrier;
} SL_FN(rec_ctx);

/// One row's backward cell math over n units (separate pointers marked restrict, so the loop
/// vectorizes without overlap checks): gate gradients and dc ← dc·f + (dh + dout)·o·(1 − tanh²c)·f.
static inline __attribute__((always_inline)) void SL_FN(cell_backward)(
    long n, const SL_T *restrict gi, const SL_T *restrict gf, const SL_T *restrict gg, const SL_T *restrict go,
    const SL_T *restrict tc, const SL_T *restrict cprev, const SL_T *restrict dout, const SL_T *restrict dh,
    SL_T *restrict di, SL_T *restrict df, SL_T *restrict dg, SL_T *restrict dO, SL_T *restrict dc) {
    for (long j = 0; j < n; j++) {
        const SL_T i = gi[j], f = gf[j], g = gg[j], o = go[j], t = tc[j];
        const SL_T dhv = dh[j] + dout[j];
        const SL_T dcv = dc[j] + dhv * o * (1 - t * t);
        di[j] = dcv * g * i * (1 - i);
        df[j] = dcv * cprev[j] * f * (1 - f);
        dg[j] = dcv * i * (1 - g * g);
        dO[j] = dhv * t * o * (1 - o);
        dc[j] = dcv * f;
    }
}

/// One row's forward cell math after the activations: c = f·c_prev + i·g, tanh(c), h = o·tanh(c).
static inline __attribute__((always_inline)) void SL_FN(cell_forward)(
    long n, const SL_T *restrict gi, const SL_T *restrict gf, const SL_T *restrict gg, const SL_T *restrict go,
    const SL_T *restrict cprev, SL_T *restrict c, SL_T *restrict tc, SL_T *restrict h) {
    for (long j = 0; j < n; j++) c[j] = gf[j] * cprev[j] + gi[j] * gg[j];
    SL_FN(tanh_array)(c, tc, n);
    for (long j = 0; j < n; j++) h[j] = go[j] * tc[j];
}

static void SL_FN(lstm_forward_task)(void *vctx, int p) {
    SL_FN(rec_ctx) *x = (SL_FN(rec_ctx) *)vctx;
    const long B = x->B, H = x->H, H4 = 4 * H, T = x->T;
    const long u0 = x->units[p], nu = x->units[p + 1] - u0, n4 = 4 * nu;
    SL_T *tmp = x->tmp + (long)p * B * 4 * x->max_units, *wp = x->packed + p * x->packed_stride;
    SL_FN(pack_b)(1, H, n4, x->wperm + 4 * u0 * H, H, wp);
    int ok = 1;
    const SL_T *hp = x->h0, *cp = x->c0;
    for (long s = 0; s < T; s++) {
        const long t = x->reverse ? T - 1 - s : s;
        SL_T *gt = x->gates + t * B * H4, *ct = x->cells + t * B * H, *tct = x->tanh_cells + t * B * H;
        SL_T *ht = x->out + t * B * H, *hpt = x->h_prev + t * B * H;
        for (long r = 0; r < B; r++)
            for (long j = 0; j < nu; j++) hpt[r * H + u0 + j] = hp[r * H + u0 + j];
        ok &= SL_FN(prepacked)(0, B, n4, H, hp, H, wp, 0, tmp, n4) == 0;
        for (long r = 0; r < B; r++) {
            SL_T *row = gt + r * H4;
            const SL_T *tr = tmp + r * n4;
            for (int q = 0; q < 4; q++) {
                SL_T *restrict g = row + q * H + u0;
                const SL_T *restrict a = tr + q * nu;
                for (long j = 0; j < nu; j++) g[j] += a[j];
            }
            SL_T *gi = row + u0, *gf = row + H + u0, *gg = row + 2 * H + u0, *go = row + 3 * H + u0;
            SL_FN(sigmoid_inplace)(gi, nu);
            SL_FN(sigmoid_inplace)(gf, nu);
            SL_FN(tanh_array)(gg, gg, nu);
            SL_FN(sigmoid_inplace)(go, nu);
            SL_FN(cell_forward)(nu, gi, gf, gg, go, cp + r * H + u0, ct + r * H + u0, tct + r * H + u0, ht + r * H + u0);
        }
        sl_barrier_wait(&x->barrier);
        hp = ht;
        cp = ct;
    }
    if (!ok) atomic_store(&x->failed, 1);
}

static void SL_FN(lstm_backward_task)(void *vctx, int p) {
    SL_FN(rec_ctx) *x = (SL_FN(rec_ctx) *)vctx;
    const long B = x->B, H = x->H, H4 = 4 * H, T = x->T;
    const long u0 = x->units[p], nu = x->units[p + 1] - u0;
    SL_T *wp = x->packed + p * x->packed_stride;
    SL_FN(pack_b)(0, H4, nu, x->whh + u0, H, wp);
    int ok = 1;
    for (long s = T - 1; s >= 0; s--) {
        const long t = x->reverse ? T - 1 - s : s;
        const long prev = x->reverse ? t + 1 : t - 1;
        const SL_T *cprev = s == 0 ? x->c0 : x->ccells + prev * B * H;
        const SL_T *gt = x->cgates + t * B * H4, *tct = x->ctanh + t * B * H, *dot = x->dout + t * B * H;
        SL_T *dgt = x->dgates + t * B * H4;
        for (long r = 0; r < B; r++) {
            const SL_T *row = gt + r * H4 + u0;
            SL_T *drow = dgt + r * H4 + u0;
            SL_FN(cell_backward)(nu, row, row + H, row + 2 * H, row + 3 * H, tct + r * H + u0, cprev + r * H + u0,
                                 dot + r * H + u0, x->dh + r * H + u0, drow, drow + H, drow + 2 * H, drow + 3 * H,
                                 x->dc + r * H + u0);
        }
        sl_barrier_wait(&x->barrier);
        // dh_{t−1}[·, U_p] = dG_t · W_hh[·, U_p]
        ok &= SL_FN(prepacked)(0, B, nu, H4, dgt, H4, wp, 0, x->dh + u0, H) == 0;
    }
    if (!ok) atomic_store(&x->failed, 1);
}

/// One row's GRU forward over n units: hidden-side pre-activations `hr`, `hz`, `hnn` (h·W_hhᵀ of
/// this unit range) plus b_hh; r and z (stored activated in `gr`, `gz`), n = tanh(x-side + r ⊙ (hidden
/// n-part)) stored in `gn`, the hidden n-part kept in `hn_out`, h = (1 − z) ⊙ n + z ⊙ h_prev.
static inline __attribute__((always_inline)) void SL_FN(gru_forward_row)(
    long n, SL_T *restrict gr, SL_T *restrict gz, SL_T *restrict gn, const SL_T *restrict hr, const SL_T *restrict hz,
    const SL_T *restrict hnn, const SL_T *br, const SL_T *bz, const SL_T *bn, SL_T *restrict hn_out,
    const SL_T *restrict prev, SL_T *restrict h) {
    for (long j = 0; j < n; j++) {
        gr[j] += hr[j] + (br ? br[j] : 0);
        gz[j] += hz[j] + (bz ? bz[j] : 0);
        hn_out[j] = hnn[j] + (bn ? bn[j] : 0);
    }
    SL_FN(sigmoid_inplace)(gr, n);
    SL_FN(sigmoid_inplace)(gz, n);
    for (long j = 0; j < n; j++) gn[j] += gr[j] * hn_out[j];
    SL_FN(tanh_array)(gn, gn, n);
    for (long j = 0; j < n; j++) h[j] = (1 - gz[j]) * gn[j] + gz[j] * prev[j];
}

/// One row's GRU backward over n units: gradients of the x-side (`dxr`, `dxz`, `dxn`) and
/// hidden-side (`dhr_`, `dhz`, `dhn`) pre-activations; `dh` becomes the direct term z ⊙ g.
static inline __attribute__((always_inline)) void SL_FN(gru_backward_row)(
    long n, const SL_T *restrict gr, const SL_T *restrict gz, const SL_T *restrict gn, const SL_T *restrict hn,
    const SL_T *restrict prev, const SL_T *restrict dout, SL_T *restrict dh, SL_T *restrict dxr, SL_T *restrict dxz,
    SL_T *restrict dxn, SL_T *restrict dhr_, SL_T *restrict dhz, SL_T *restrict dhn) {
    for (long j = 0; j < n; j++) {
        const SL_T r = gr[j], z = gz[j], nn = gn[j], g = dh[j] + dout[j];
        const SL_T dan = g * (1 - z) * (1 - nn * nn);
        const SL_T dar = dan * hn[j] * r * (1 - r), daz = g * (prev[j] - nn) * z * (1 - z);
        dxr[j] = dar; dxz[j] = daz; dxn[j] = dan;
        dhr_[j] = dar; dhz[j] = daz; dhn[j] = dan * r;
        dh[j] = g * z;
    }
}

static void SL_FN(gru_rnn_forward_task)(void *vctx, int p) {
    SL_FN(rec_ctx) *x = (SL_FN(rec_ctx) *)vctx;
    const long B = x->B, H = x->H, G = x->G, GH = G * H, T = x->T;
    const long u0 = x->units[p], nu = x->units[p + 1] - u0, ng = G * nu;
    SL_T *tmp = x->tmp + (long)p * B * G * x->max_units, *wp = x->packed + p * x->packed_stride;
    SL_FN(pack_b)(1, H, ng, x->wperm + G * u0 * H, H, wp);
    const SL_T *bhh = x->bhh;
    int ok = 1;
    const SL_T *hp = x->h0;
    for (long s = 0; s < T; s++) {
        const long t = x->reverse ? T - 1 - s : s;
        SL_T *gt = x->gates + t * B * GH, *ht = x->out + t * B * H, *hpt = x->h_prev + t * B * H;
        for (long r = 0; r < B; r++)
            for (long j = 0; j < nu; j++) hpt[r * H + u0 + j] = hp[r * H + u0 + j];
        ok &= SL_FN(prepacked)(0, B, ng, H, hp, H, wp, 0, tmp, ng) == 0;
        for (long r = 0; r < B; r++) {
            SL_T *row = gt + r * GH, *hr = ht + r * H + u0;
            const SL_T *tr = tmp + r * ng;
            if (x->cell == SL_CELL_GRU) {
                SL_FN(gru_forward_row)(nu, row + u0, row + H + u0, row + 2 * H + u0, tr, tr + nu, tr + 2 * nu,
                                       bhh ? bhh + u0 : NULL, bhh ? bhh + H + u0 : NULL, bhh ? bhh + 2 * H + u0 : NULL,
                                       x->hn + (t * B + r) * H + u0, hp + r * H + u0, hr);
            } else {
                SL_T *restrict g = row + u0;
                for (long j = 0; j < nu; j++) g[j] += tr[j];
                if (x->cell == SL_CELL_TANH) SL_FN(tanh_array)(g, g, nu);
                else for (long j = 0; j < nu; j++) g[j] = g[j] > 0 ? g[j] : 0;
                for (long j = 0; j < nu; j++) hr[j] = g[j];
            }
        }
        sl_barrier_wait(&x->barrier);
        hp = ht;
    }
    if (!ok) atomic_store(&x->failed, 1);
}

static void SL_FN(gru_rnn_backward_task)(void *vctx, int p) {
    SL_FN(rec_ctx) *x = (SL_FN(rec_ctx) *)vctx;
    const long B = x->B, H = x->H, G = x->G, GH = G * H, T = x->T;
    const long u0 = x->units[p], nu = x->units[p + 1] - u0;
    SL_T *wp = x->packed + p * x->packed_stride;
    SL_FN(pack_b)(0, GH, nu, x->whh + u0, H, wp);
    const int gru = x->cell == SL_CELL_GRU;
    int ok = 1;
    for (long s = T - 1; s >= 0; s--) {
        const long t = x->reverse ? T - 1 - s : s;
        for (long r = 0; r < B; r++) {
            const long i = t * B + r;
            const SL_T *row = x->cgates + i * GH + u0, *dor = x->dout + i * H + u0;
            SL_T *dxr = x->dx_gates + i * GH + u0, *dhr = x->dh_gates + i * GH + u0, *dcur = x->dh + r * H + u0;
            if (gru) {
                SL_FN(gru_backward_row)(nu, row, row + H, row + 2 * H, x->chn + i * H + u0, x->chprev + i * H + u0, dor, dcur,
                                        dxr, dxr + H, dxr + 2 * H, dhr, dhr + H, dhr + 2 * H);
            } else if (x->cell == SL_CELL_TANH) {
                for (long j = 0; j < nu; j++) { const SL_T y = row[j]; dxr[j] = (dcur[j] + dor[j]) * (1 - y * y); }
            } else {
                for (long j = 0; j < nu; j++) dxr[j] = row[j] > 0 ? dcur[j] + dor[j] : 0;
            }
        }
        sl_barrier_wait(&x->barrier);
        // dh_{t−1}[·, U_p] = (GRU: z ⊙ g, already in dh) + dH_t · W_hh[·, U_p]
        ok &= SL_FN(prepacked)(0, B, nu, GH, x->dh_gates + t * B * GH, GH, wp, gru ? 1 : 0, x->dh + u0, H) == 0;
    }
    if (!ok) atomic_store(&x->failed, 1);
}

/// Splits the hidden units into parts, fills W_p (when `permute`: the forward pass) and the scratch, and runs `task` on that many
/// threads (on this thread alone with one part when helpers cannot be had). Returns 0, or −1
/// when the scratch could not be allocated.
static int SL_FN(rec_run)(SL_FN(rec_ctx) *x, int threads, int permute, sl_task_fn task) {
    const long B = x->B, H = x->H, G = x->G;
    int parts = threads;
    if (parts <= 0) {
        // Automatic: one part per CPU, each at least 32 units, and only when a step is big
        // enough to repay a barrier (≈ 2¹⁸ multiply-adds).
        parts = (B * G * H * H >= (1L << 18)) ? sl_cpu_count() : 1;
        if (parts > H / 32) parts = (int)(H / 32);
    }
    if (parts > H) parts = (int)H;
    if (parts > SL_LSTM_MAX_PARTS) parts = SL_LSTM_MAX_PARTS;
    if (parts < 1) parts = 1;
    for (int attempt = 0; attempt < 2; attempt++) {
        x->parts = parts;
        x->max_units = 0;
        for (int p = 0; p <= parts; p++) {
            long u = H * p / parts;
            // Boundaries on multiples of 16 where that leaves every part non-empty (whole vectors).
            if (H >= 16L * parts && p < parts) u = (u + 8) / 16 * 16;
            x->units[p] = u;
        }
        for (int p = 0; p < parts; p++) {
            const long nu = x->units[p + 1] - x->units[p];
            if (nu > x->max_units) x->max_units = nu;
        }
        SL_T *wperm = NULL;
        if (parts > 1 && permute) {
            wperm = (SL_T *)malloc(sizeof(SL_T) * (size_t)(G * H * H));
            if (!wperm) return -1;
            for (int p = 0; p < parts; p++) {
                const long u0 = x->units[p], nu = x->units[p + 1] - u0;
                SL_T *dst = wperm + G * u0 * H;
                for (int q = 0; q < G; q++)
                    memcpy(dst + q * nu * H, x->whh + (q * H + u0) * H, sizeof(SL_T) * (size_t)(nu * H));
            }
        }
        x->wperm = wperm ? wperm : x->whh;
        // Packed weights: forward op(B) = W_pᵀ (H × G|U_p|), backward W_hh[·, U_p] (GH × |U_p|).
        x->packed_stride = permute ? SL_FN(packed_size)(H, G * x->max_units) : SL_FN(packed_size)(G * H, x->max_units);
        x->packed_stride = (x->packed_stride + 15) / 16 * 16;  // each part's block 64-byte aligned
        x->tmp = (SL_T *)malloc(sizeof(SL_T) * (size_t)(parts * B * G * x->max_units) + 1);  // + 1: never malloc(0) (B = 0)
        x->packed = (SL_T *)sl_aligned_alloc(sizeof(SL_T) * (size_t)(parts * x->packed_stride));
        if (!x->tmp || !x->packed) {
            free(x->tmp);
            free(x->packed);
            free(wperm);
            return -1;
        }
        atomic_init(&x->failed, 0);
        sl_barrier_init(&x->barrier, parts);
        int ran = 1;
        if (parts == 1) task(x, 0);
        else ran = sl_parallel_run(parts, task, x);
        free(x->tmp);
        free(x->packed);
        free(wperm);
        if (ran) return atomic_load(&x->failed) ? -1 : 0;
        parts = 1;  // the pool is busy (a caller on another thread): do it all here
    }
    return 0;
}
int SL_FN(lstm_forward)(long T, long B, long H, SL_T *gates, SL_T *cells, SL_T *tanh_cells, SL_T *out,
                        SL_T *h_prev, const SL_T *h0, const SL_T *c0, const SL_T *whh, int reverse, int threads) {
    SL_FN(rec_ctx) x;
    memset(&x, 0, sizeof x);
    x.T = T; x.B = B; x.H = H; x.G = 4; x.cell = SL_CELL_LSTM; x.reverse = reverse; x.whh = whh;
    x.gates = gates; x.cells = cells; x.tanh_cells = tanh_cells; x.out = out; x.h_prev = h_prev;
    x.h0 = h0; x.c0 = c0;
    return SL_FN(rec_run)(&x, threads, 1, SL_FN(lstm_forward_task));
}

int SL_FN(lstm_backward)(long T, long B, long H, const SL_T *gates, const SL_T *cells, const SL_T *tanh_cells,
                         const SL_T *c0, const SL_T *whh, const SL_T *dout, SL_T *dh, SL_T *dc, SL_T *dgates,
                         int reverse, int threads) {
    SL_FN(rec_ctx) x;
    memset(&x, 0, sizeof x);
    x.T = T; x.B = B; x.H = H; x.G = 4; x.cell = SL_CELL_LSTM; x.reverse = reverse; x.whh = whh;
    x.cgates = gates; x.ccells = cells; x.ctanh = tanh_cells; x.c0 = c0; x.dout = dout;
    x.dh = dh; x.dc = dc; x.dgates = dgates;
    return SL_FN(rec_run)(&x, threads, 0, SL_FN(lstm_backward_task));
}

int SL_FN(gru_rnn_forward)(int cell, long T, long B, long H, SL_T *gates, SL_T *out, SL_T *h_prev, SL_T *hn, const SL_T *h0,
                           const SL_T *whh, const SL_T *bhh, int reverse, int threads) {
    SL_FN(rec_ctx) x;
    memset(&x, 0, sizeof x);
    x.T = T; x.B = B; x.H = H; x.G = cell == SL_CELL_GRU ? 3 : 1; x.cell = cell; x.reverse = reverse; x.whh = whh;
    x.gates = gates; x.out = out; x.h_prev = h_prev; x.hn = hn; x.h0 = h0; x.bhh = bhh;
    return SL_FN(rec_run)(&x, threads, 1, SL_FN(gru_rnn_forward_task));
}

int SL_FN(gru_rnn_backward)(int cell, long T, long B, long H, const SL_T *gates, const SL_T *hn, const SL_T *h_prev,
                            const SL_T *whh, const SL_T *dout, SL_T *dh, SL_T *dx_gates, SL_T *dh_gates, int reverse,
                            int threads) {
    SL_FN(rec_ctx) x;
    memset(&x, 0, sizeof x);
    x.T = T; x.B = B; x.H = H; x.G = cell == SL_CELL_GRU ? 3 : 1; x.cell = cell; x.reverse = reverse; x.whh = whh;
    x.cgates = gates; x.chn = hn; x.chprev = h_prev; x.dout = dout; x.dh = dh; x.dx_gates = dx_gates; x.dh_gates = dh_gates;
    return SL_FN(rec_run)(&x, threads, 0, SL_FN(gru_rnn_backward_task));
}
