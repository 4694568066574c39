// gemm_driver.h — the blocked GEMM driver, written once and instantiated for float and double.
//
// Included by gemm.c twice, with these macros defined:
//   SL_T        the element type (float or double)
//   SL_FN(x)    names a function of this instance (e.g. x ## _s)
// and with `SL_FN(config)` (the block sizes and microkernel for this CPU) already defined.
//
// The algorithm is the one of Goto & van de Geijn ("Anatomy of high-performance matrix
// multiplication", 2008) in the loop order BLIS uses:
//
//   for jc in columns, step NC:                 B block  [KC × NC] → packed, lives in L3
//     for pc in depth, step KC:
//       pack op(B)[pc:pc+KC, jc:jc+NC] into NR-wide column panels   (k-major inside a panel)
//       for ic in rows, step MC:                A block  [MC × KC] → packed, lives in L2
//         pack op(A)[ic:ic+MC, pc:pc+KC] into MR-tall row panels     (k-major inside a panel)
//         for jr in NC, step NR:                B micro-panel [KC × NR], reused by every A panel
//           for ir in MC, step MR:
//             microkernel: C[MR × NR] (+)= A panel · B panel, an MR·NR register tile of FMAs
//
// Packing makes the microkernel's loads contiguous and aligned whatever the transposition and
// strides of the inputs, and zero-pads partial panels so the kernel always computes a full tile;
// partial tiles of C are computed into a small buffer and merged. The first KC slice applies the
// caller's beta (beta == 0 never reads C); later slices accumulate with beta = 1.
//
// Threads. C is divided into a grid of rectangles (row ranges aligned to MR, column ranges to
// NR) chosen to make the largest rectangle smallest. For every (jc, pc) step all threads pack an
// equal share of the B block into one shared buffer, meet at a barrier, and then each multiplies
// its own rows of A (packed privately) by its columns of the shared block. Two B buffers are
// used alternately, so one barrier per step suffices: a thread can only start overwriting a
// buffer after every thread has passed the barrier that follows the last use of that buffer.
#ifndef SL_T
#error "gemm_driver.h is a template: include it from gemm.c with SL_T and SL_FN defined"
#endif

/// Copies the first W values of each of `count` panel rows: panel j gets s[j·W .. j·W+W) at
/// d + j·W·kc. Always inlined with a constant W, so the copy becomes straight vector moves.
static inline __attribute__((always_inline)) void SL_FN(copy_panels)(int W, long count,
                                                                     const SL_T *restrict s,
                                                                     SL_T *restrict d, long kc) {
    for (long j = 0; j < count; j++)
        for (int c = 0; c < W; c++) d[j * W * kc + c] = s[j * W + c];
}

/// "Direct" packing: source row p (at src + p·ld) holds `len` contiguous values that go to the
/// panels side by side: dst[j][p][c] = src[p·ld + j·w + c]. Used for op(A) = Aᵀ and op(B) = B.
/// Panel columns past `len` are zero.
static void SL_FN(pack_direct)(int w, long len, long kc, const SL_T *src, long ld,
                               SL_T *restrict dst) {
    const long full = len / w, rest = len % w;
    for (long p = 0; p < kc; p++) {
        const SL_T *s = src + p * ld;
        SL_T *d = dst + p * w;
        switch (w) {
        case 4: SL_FN(copy_panels)(4, full, s, d, kc); break;
        case 6: SL_FN(copy_panels)(6, full, s, d, kc); break;
        case 8: SL_FN(copy_panels)(8, full, s, d, kc); break;
        case 14: SL_FN(copy_panels)(14, full, s, d, kc); break;
        case 16: SL_FN(copy_panels)(16, full, s, d, kc); break;
        case 32: SL_FN(copy_panels)(32, full, s, d, kc); break;
        default: SL_FN(copy_panels)(w, full, s, d, kc); break;
        }
        if (rest) {
            SL_T *dr = d + full * w * kc;
            const SL_T *sr = s + full * w;
            for (long c = 0; c < rest; c++) dr[c] = sr[c];
            for (long c = rest; c < w; c++) dr[c] = 0;
        }
    }
}

/// "Transposed" packing: source row r (at src + r·ld) holds kc contiguous values of one panel
/// row: dst[j][p][c] = src[(j·w + c)·ld + p]. Used for op(A) = A and op(B) = Bᵀ. Each panel is
/// handed to the configuration's transposer (SIMD block transposes where available).
static void SL_FN(pack_transposed)(const SL_FN(gemm_config) *cfg, int w, long len, long kc,
                                   const SL_T *src, long ld, SL_T *restrict dst) {
    for (long j = 0; j < len; j += w) {
        const long rows = len - j < w ? len - j : w;
        cfg->pack_panel_t(src + j * ld, ld, rows, kc, dst + j * kc, w);
    }
}

/// Packs op(A)[i0 : i0+mc, p0 : p0+kc] into ceil(mc/mr) panels of mr rows; panel layout is
/// [kc][mr] (the mr values of one k are adjacent). Rows past mc are zero.
static void SL_FN(pack_a)(const SL_FN(gemm_config) *cfg, long mc, long kc, const SL_T *A,
                          long lda, int trans, long i0, long p0, SL_T *restrict dst) {
    if (!trans) SL_FN(pack_transposed)(cfg, cfg->mr, mc, kc, A + i0 * lda + p0, lda, dst);
    else SL_FN(pack_direct)(cfg->mr, mc, kc, A + p0 * lda + i0, lda, dst);
}

/// Packs op(B)[p0 : p0+kc, j0 : j0+nc] into ceil(nc/nr) panels of nr columns; panel layout is
/// [kc][nr]. Columns past nc are zero.
static void SL_FN(pack_b)(const SL_FN(gemm_config) *cfg, long kc, long nc, const SL_T *B,
                          long ldb, int trans, long p0, long j0, SL_T *restrict dst) {
    if (!trans) SL_FN(pack_direct)(cfg->nr, nc, kc, B + p0 * ldb + j0, ldb, dst);
    else SL_FN(pack_transposed)(cfg, cfg->nr, nc, kc, B + j0 * ldb + p0, ldb, dst);
}

/// The problem, shared by all threads of one call.
typedef struct {
    const SL_FN(gemm_config) *cfg;
    int transA, transB;
    long M, N, K;
    SL_T alpha, beta;
    const SL_T *A, *B;
    long lda, ldb;
    SL_T *C;
    long ldc;
    int threads;              ///< threads taking part (grid_m · grid_n)
    int grid_m, grid_n;       ///< thread grid over C: grid_m row ranges × grid_n column ranges
    long blocks_m;            ///< M measured in MR-row blocks
    long kc_max;              ///< depth of the KC slices (all equal but the last)
    SL_T *pb[2];              ///< shared packed-B blocks, used alternately by successive slices
    sl_barrier barrier;  ///< synchronizes the threads after each B block is packed
    atomic_int oom;           ///< set when some thread could not get its packing buffer
} SL_FN(gemm_problem);

/// C[i0 : i0+rows, j0 : j0+cols] (+)= alpha · (packed A panel) · (packed B panel), one tile.
static inline void SL_FN(tile)(const SL_FN(gemm_config) *cfg, long kc, const SL_T *ap,
                               const SL_T *bp, SL_T *c, long ldc, long rows, long cols,
                               SL_T alpha, SL_T beta) {
    if (rows == cfg->mr && cols == cfg->nr) {
        cfg->kernel(kc, ap, bp, c, ldc, alpha, beta);
        return;
    }
    // Edge tile: the full tile into a buffer, then merge the valid part.
    SL_T tile[SL_GEMM_MAX_TILE] __attribute__((aligned(64)));
    cfg->kernel(kc, ap, bp, tile, cfg->nr, (SL_T)1, (SL_T)0);
    for (long i = 0; i < rows; i++) {
        SL_T *ci = c + i * ldc;
        const SL_T *ti = tile + i * cfg->nr;
        if (beta == 0) {
            for (long j = 0; j < cols; j++) ci[j] = alpha * ti[j];
        } else {
            for (long j = 0; j < cols; j++) ci[j] = alpha * ti[j] + beta * ci[j];
        }
    }
}

/// Thread `index` of the call: packs its share of every B block, waits for the others, then
/// multiplies its rectangle of C (rows from the grid row, columns from the grid column) by it.
static void SL_FN(gemm_task)(void *ctx, int index) {
    SL_FN(gemm_problem) *pr = (SL_FN(gemm_problem) *)ctx;
    const SL_FN(gemm_config) *cfg = pr->cfg;
    const long mr = cfg->mr, nr = cfg->nr, K = pr->K, ldc = pr->ldc;
    const int T = pr->threads;
    const int gi = index / pr->grid_n, gj = index % pr->grid_n;

    long m0 = pr->blocks_m * gi / pr->grid_m * mr, m1 = pr->blocks_m * (gi + 1) / pr->grid_m * mr;
    if (m1 > pr->M) m1 = pr->M;
    const long rows_here = m1 > m0 ? m1 - m0 : 0;
    const long mc_max = rows_here < cfg->mc ? (rows_here + mr - 1) / mr * mr : cfg->mc;
    SL_T *pa = (SL_T *)sl_thread_scratch(0, sizeof(SL_T) * (size_t)((mc_max ? mc_max : mr) * pr->kc_max));
    if (!pa) atomic_store(&pr->oom, 1);
    sl_barrier_wait(&pr->barrier);
    if (atomic_load(&pr->oom)) return;

    int slice = 0;
    for (long jc = 0; jc < pr->N; jc += cfg->nc) {
        const long nc = pr->N - jc < cfg->nc ? pr->N - jc : cfg->nc;
        const long panels = (nc + nr - 1) / nr;
        // This thread's columns of the block, and its share of the B panels to pack.
        const long n0 = panels * gj / pr->grid_n * nr;
        long n1 = panels * (gj + 1) / pr->grid_n * nr;
        if (n1 > nc) n1 = nc;
        const long q0 = panels * index / T, q1 = panels * (index + 1) / T;
        const long qcols = (q1 * nr < nc ? q1 * nr : nc) - q0 * nr;

        for (long pc = 0; pc < K; pc += pr->kc_max) {
            const long kc = K - pc < pr->kc_max ? K - pc : pr->kc_max;
            const SL_T beta = pc == 0 ? pr->beta : (SL_T)1;
            SL_T *pb = pr->pb[slice++ & 1];
            if (qcols > 0)
                SL_FN(pack_b)(cfg, kc, qcols, pr->B, pr->ldb, pr->transB, pc, jc + q0 * nr,
                              pb + q0 * nr * kc);
            sl_barrier_wait(&pr->barrier);
            if (m0 >= m1 || n0 >= n1) continue;
            for (long ic = m0; ic < m1; ic += cfg->mc) {
                const long mc = m1 - ic < cfg->mc ? m1 - ic : cfg->mc;
                SL_FN(pack_a)(cfg, mc, kc, pr->A, pr->lda, pr->transA, ic, pc, pa);
                for (long jr = n0; jr < n1; jr += nr) {
                    const long cols = n1 - jr < nr ? n1 - jr : nr;
                    const SL_T *bp = pb + jr * kc;
                    for (long ir = 0; ir < mc; ir += mr) {
                        const long rows = mc - ir < mr ? mc - ir : mr;
                        SL_FN(tile)(cfg, kc, pa + ir * kc, bp, pr->C + (ic + ir) * ldc + jc + jr,
                                    ldc, rows, cols, pr->alpha, beta);
                    }
                }
            }
        }
    }
}

/// Unblocked product, used only when packing buffers cannot be allocated.
static void SL_FN(gemm_naive)(const SL_FN(gemm_problem) *pr) {
    for (long i = 0; i < pr->M; i++) {
        for (long j = 0; j < pr->N; j++) {
            SL_T acc = 0;
            for (long p = 0; p < pr->K; p++) {
                const SL_T a = pr->transA ? pr->A[p * pr->lda + i] : pr->A[i * pr->lda + p];
                const SL_T b = pr->transB ? pr->B[j * pr->ldb + p] : pr->B[p * pr->ldb + j];
                acc += a * b;
            }
            SL_T *c = pr->C + i * pr->ldc + j;
            *c = pr->beta == 0 ? pr->alpha * acc : pr->alpha * acc + pr->beta * *c;
        }
    }
}

/// C = beta·C for the cases that need no product (K == 0 or alpha == 0).
static void SL_FN(scale_c)(long M, long N, SL_T beta, SL_T *C, long ldc) {
    for (long i = 0; i < M; i++) {
        SL_T *c = C + i * ldc;
        if (beta == 0) {
            for (long j = 0; j < N; j++) c[j] = 0;
        } else if (beta != 1) {
            for (long j = 0; j < N; j++) c[j] *= beta;
        }
    }
}

/// Matrix–vector products (N == 1 or M == 1), which a packed GEMM would pad to a full tile width.
/// Returns 1 when it handled the call.
static int SL_FN(gemv_paths)(int transA, int transB, long M, long N, long K, SL_T alpha,
                             const SL_T *A, long lda, const SL_T *B, long ldb, SL_T beta, SL_T *C,
                             long ldc) {
    if (N == 1 && !transA) {
        // C[i] = alpha · dot(A row i, b) + beta·C[i]; b is B's column (stride ldb) or row.
        const long bs = transB ? 1 : ldb;
        for (long i = 0; i < M; i++) {
            const SL_T *a = A + i * lda;
            SL_T s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            long p = 0;
            if (bs == 1) {
                for (; p + 4 <= K; p += 4) {
                    s0 += a[p] * B[p];
                    s1 += a[p + 1] * B[p + 1];
                    s2 += a[p + 2] * B[p + 2];
                    s3 += a[p + 3] * B[p + 3];
                }
            }
            for (; p < K; p++) s0 += a[p] * B[p * bs];
            const SL_T s = (s0 + s1) + (s2 + s3);
            SL_T *c = C + i * ldc;
            *c = beta == 0 ? alpha * s : alpha * s + beta * *c;
        }
        return 1;
    }
    if (M == 1 && !transB) {
        // C[0, :] = alpha · Σ_p a[p] · B[p, :] + beta·C: a row of axpys over contiguous rows of B.
        const long as = transA ? lda : 1;
        SL_FN(scale_c)(1, N, beta, C, ldc);
        for (long p = 0; p < K; p++) {
            const SL_T ap = alpha * A[p * as];
            const SL_T *b = B + p * ldb;
            for (long j = 0; j < N; j++) C[j] += ap * b[j];
        }
        return 1;
    }
    return 0;
}

/// Chooses the thread grid and runs the blocked product. Arguments are validated by the caller.
static void SL_FN(gemm_run)(int transA, int transB, long M, long N, long K, SL_T alpha,
                            const SL_T *A, long lda, const SL_T *B, long ldb, SL_T beta, SL_T *C,
                            long ldc, int threads) {
    if (M <= 0 || N <= 0) return;
    if (K <= 0 || alpha == 0) {
        SL_FN(scale_c)(M, N, beta, C, ldc);
        return;
    }
    if (SL_FN(gemv_paths)(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)) return;

    SL_FN(gemm_problem) pr = {
        .cfg = SL_FN(config)(), .transA = transA, .transB = transB, .M = M, .N = N, .K = K,
        .alpha = alpha, .beta = beta, .A = A, .B = B, .lda = lda, .ldb = ldb, .C = C, .ldc = ldc,
    };
    const SL_FN(gemm_config) *cfg = pr.cfg;
    const long mr = cfg->mr, nr = cfg->nr;
    pr.blocks_m = (M + mr - 1) / mr;
    const long ncb = N < cfg->nc ? (N + nr - 1) / nr * nr : cfg->nc;  // widest B block
    const long blocks_n = ncb / nr;
    // Depth slices of nearly equal size, none longer than KC.
    const long kslices = (K + cfg->kc - 1) / cfg->kc;
    pr.kc_max = (K + kslices - 1) / kslices;

    // Threads: none for small products; then at most one per SL_GEMM_WORK_PER_THREAD of work.
    long t = threads > 0 ? threads : sl_cpu_count();
    const double work = (double)M * (double)N * (double)K;
    if (work < SL_GEMM_MIN_PARALLEL_WORK) t = 1;
    const double by_work = work / SL_GEMM_WORK_PER_THREAD;
    if ((double)t > by_work) t = by_work < 1 ? 1 : (long)by_work;
    if (t > pr.blocks_m * blocks_n) t = pr.blocks_m * blocks_n;
    if (t > 64) t = 64;

    // Grid: the factorization tm × tn ≤ t whose largest rectangle (in elements of C, within
    // one B block) is smallest; ties go to more row ranges (threads then share B panels and
    // each packs only its own rows of A).
    long best_m = 1, best_n = 1;
    double best_area = -1;
    for (long tm = 1; tm <= t; tm++) {
        const long tn = t / tm;
        if (tm > pr.blocks_m || tn > blocks_n) continue;
        const double rows = (double)((pr.blocks_m + tm - 1) / tm) * mr;
        const double cols = (double)((blocks_n + tn - 1) / tn) * nr;
        const double area = rows * cols;
        if (best_area < 0 || area < best_area * 0.999 ||
            (area <= best_area * 1.001 && tm * tn > best_m * best_n)) {
            best_area = area;
            best_m = tm;
            best_n = tn;
        }
    }

    // Two shared B blocks (the calling thread's second scratch slot).
    SL_T *pb = (SL_T *)sl_thread_scratch(1, 2 * sizeof(SL_T) * (size_t)(pr.kc_max * ncb));
    if (!pb) {
        SL_FN(gemm_naive)(&pr);
        return;
    }
    pr.pb[0] = pb;
    pr.pb[1] = pb + pr.kc_max * ncb;
    atomic_init(&pr.oom, 0);

    pr.grid_m = (int)best_m;
    pr.grid_n = (int)best_n;
    pr.threads = pr.grid_m * pr.grid_n;
    sl_barrier_init(&pr.barrier, pr.threads);
    if (pr.threads == 1 || !sl_parallel_run(pr.threads, SL_FN(gemm_task), &pr)) {
        // One thread (or no helpers free right now): the same code on this thread alone.
        pr.grid_m = pr.grid_n = pr.threads = 1;
        sl_barrier_init(&pr.barrier, 1);
        SL_FN(gemm_task)(&pr, 0);
    }
    if (atomic_load(&pr.oom)) SL_FN(gemm_naive)(&pr);
}

// MARK: - Products with a packed B reused across calls
//
// A recurrent layer multiplies a new small A (the hidden state) by the same weight matrix at
// every time step. Packing that B once and reusing it removes what would otherwise be most of
// each step's cost. The packed form holds every KC slice of op(B) (K × N) as NR-wide panels over
// all N columns (no NC blocking: these weights are at most a few MB); single-threaded, since
// the callers split their work across threads themselves.

/// Depth of the KC slices for depth K (all equal but the last), as the blocked driver uses.
static long SL_FN(prepacked_kc)(const SL_FN(gemm_config) *cfg, long K) {
    const long kslices = (K + cfg->kc - 1) / cfg->kc;
    return (K + kslices - 1) / kslices;
}

/// Elements of the packed form of a K × N op(B).
static long SL_FN(packed_b_size)(long K, long N) {
    const SL_FN(gemm_config) *cfg = SL_FN(config)();
    return (N + cfg->nr - 1) / cfg->nr * cfg->nr * K;
}

/// Packs op(B) (K × N; B is N × K when transB) into `dst` (packed_b_size elements).
static void SL_FN(pack_b_all)(int transB, long K, long N, const SL_T *B, long ldb, SL_T *dst) {
    const SL_FN(gemm_config) *cfg = SL_FN(config)();
    const long kc_max = SL_FN(prepacked_kc)(cfg, K), width = (N + cfg->nr - 1) / cfg->nr * cfg->nr;
    for (long pc = 0; pc < K; pc += kc_max) {
        const long kc = K - pc < kc_max ? K - pc : kc_max;
        SL_FN(pack_b)(cfg, kc, N, B, ldb, transB, pc, 0, dst + width * pc);
    }
}

/// C[M×N] = op(A) · op(B) + beta·C with op(B) packed by pack_b_all, on the calling thread.
/// Returns 0, or −1 when the A packing buffer could not be had (C is then untouched).
static int SL_FN(gemm_prepacked)(int transA, long M, long N, long K, const SL_T *A, long lda,
                                 const SL_T *packed, SL_T beta, SL_T *C, long ldc) {
    if (M <= 0 || N <= 0) return 0;
    if (K <= 0) {
        SL_FN(scale_c)(M, N, beta, C, ldc);
        return 0;
    }
    const SL_FN(gemm_config) *cfg = SL_FN(config)();
    const long mr = cfg->mr, nr = cfg->nr, kc_max = SL_FN(prepacked_kc)(cfg, K);
    const long width = (N + nr - 1) / nr * nr;
    const long mc_max = M < cfg->mc ? (M + mr - 1) / mr * mr : cfg->mc;
    SL_T *pa = (SL_T *)sl_thread_scratch(0, sizeof(SL_T) * (size_t)(mc_max * kc_max));
    if (!pa) return -1;
    for (long pc = 0; pc < K; pc += kc_max) {
        const long kc = K - pc < kc_max ? K - pc : kc_max;
        const SL_T b = pc == 0 ? beta : (SL_T)1;
        const SL_T *block = packed + width * pc;
        for (long ic = 0; ic < M; ic += cfg->mc) {
            const long mc = M - ic < cfg->mc ? M - ic : cfg->mc;
            SL_FN(pack_a)(cfg, mc, kc, A, lda, transA, ic, pc, pa);
            for (long jr = 0; jr < N; jr += nr) {
                const long cols = N - jr < nr ? N - jr : nr;
                for (long ir = 0; ir < mc; ir += mr) {
                    const long rows = mc - ir < mr ? mc - ir : mr;
                    SL_FN(tile)(cfg, kc, pa + ir * kc, block + jr * kc, C + (ic + ir) * ldc + jr, ldc, rows,
                                cols, (SL_T)1, b);
                }
            }
        }
    }
    return 0;
}
