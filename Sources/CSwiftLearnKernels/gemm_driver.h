// gemm_driver.h — the blocked GEMM driver, written once and instantiated for float and double.
//
// Included by gemm.c twice, with these macros defined:
//   SL_T        the element type (float or double)
//   SL_FN(x)    names a function of this instance (e.g. x ## _s)
// and with `SL_FN(config)` (the block sizes and microkernel for this CPU) already defined.
//
// The algorithm is the one of Goto & van de Geijn ("Anatomy of high-performance matrix
// multiplication", 2008) in the loop order BLIS uses. For one thread's rectangle of C:
//
//   for jc in columns, step NC:                 B block  [KC × NC] → packed, lives in L2/L3
//     for pc in depth, step KC:
//       pack op(B)[pc:pc+KC, jc:jc+NC] into NR-wide column panels   (k-major inside a panel)
//       for ic in rows, step MC:                A block  [MC × KC] → packed, lives in L2
//         pack op(A)[ic:ic+MC, pc:pc+KC] into MR-tall row panels     (k-major inside a panel)
//         for jr in NC, step NR:                B micro-panel [KC × NR] stays in L1
//           for ir in MC, step MR:
//             microkernel: C[MR × NR] (+)= A panel · B panel, an MR·NR register tile of FMAs
//
// Packing makes the microkernel's loads contiguous and aligned whatever the transposition and
// strides of the inputs, and zero-pads partial panels so the kernel always computes a full tile;
// partial tiles of C are computed into a small buffer and merged. The first KC slice applies the
// caller's beta (beta == 0 never reads C); later slices accumulate with beta = 1.
//
// Threads split C into a grid of rectangles (aligned to MR rows and NR columns) that minimizes
// the largest rectangle; each thread packs what its rectangle needs, so threads never wait on each
// other. With few cores the duplicated packing costs a few percent at most.

#ifndef SL_T
#error "gemm_driver.h is a template: include it from gemm.c with SL_T and SL_FN defined"
#endif

/// Packs op(A)[i0 : i0+mc, p0 : p0+kc] into ceil(mc/mr) panels of mr rows; panel layout is
/// [kc][mr] (the mr values of one k are adjacent). Rows past mc are zero.
static void SL_FN(pack_a)(int mr, long mc, long kc, const SL_T *A, long lda, int trans, long i0,
                          long p0, SL_T *restrict dst) {
    for (long ir = 0; ir < mc; ir += mr) {
        const long rows = mc - ir < mr ? mc - ir : mr;
        if (!trans) {
            // op(A) = A: each panel row is a contiguous run of A's row; interleave the rows.
            for (long r = 0; r < rows; r++) {
                const SL_T *src = A + (i0 + ir + r) * lda + p0;
                for (long p = 0; p < kc; p++) dst[p * mr + r] = src[p];
            }
        } else {
            // op(A) = Aᵀ: the mr values for one k are contiguous in A's row p.
            for (long p = 0; p < kc; p++) {
                const SL_T *src = A + (p0 + p) * lda + i0 + ir;
                for (long r = 0; r < rows; r++) dst[p * mr + r] = src[r];
            }
        }
        if (rows < mr) {
            for (long p = 0; p < kc; p++)
                for (long r = rows; r < mr; r++) dst[p * mr + r] = 0;
        }
        dst += (long)mr * kc;
    }
}

/// Packs op(B)[p0 : p0+kc, j0 : j0+nc] into ceil(nc/nr) panels of nr columns; panel layout is
/// [kc][nr]. Columns past nc are zero.
static void SL_FN(pack_b)(int nr, long kc, long nc, const SL_T *B, long ldb, int trans, long p0,
                          long j0, SL_T *restrict dst) {
    for (long jr = 0; jr < nc; jr += nr) {
        const long cols = nc - jr < nr ? nc - jr : nr;
        if (!trans) {
            // op(B) = B: the nr values for one k are contiguous in B's row p.
            for (long p = 0; p < kc; p++) {
                const SL_T *src = B + (p0 + p) * ldb + j0 + jr;
                SL_T *d = dst + p * nr;
                for (long c = 0; c < cols; c++) d[c] = src[c];
                for (long c = cols; c < nr; c++) d[c] = 0;
            }
        } else {
            // op(B) = Bᵀ: column c of the panel is a contiguous run of B's row j0+jr+c.
            for (long c = 0; c < cols; c++) {
                const SL_T *src = B + (j0 + jr + c) * ldb + p0;
                for (long p = 0; p < kc; p++) dst[p * nr + c] = src[p];
            }
            if (cols < nr) {
                for (long p = 0; p < kc; p++)
                    for (long c = cols; c < nr; c++) dst[p * nr + c] = 0;
            }
        }
        dst += (long)nr * kc;
    }
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
    int grid_m, grid_n;       ///< thread grid: grid_m × grid_n rectangles of C
    long blocks_m, blocks_n;  ///< C measured in MR-row / NR-column blocks
} SL_FN(gemm_problem);

/// C[m0:m1, n0:n1] of the problem, computed by the calling thread.
static int SL_FN(gemm_rect)(const SL_FN(gemm_problem) *pr, long m0, long m1, long n0, long n1) {
    const SL_FN(gemm_config) *cfg = pr->cfg;
    const int mr = cfg->mr, nr = cfg->nr;
    const long K = pr->K;
    const SL_T alpha = pr->alpha;
    const long ldc = pr->ldc;

    // Depth slices of nearly equal size, none longer than KC.
    const long kslices = (K + cfg->kc - 1) / cfg->kc;
    const long kc_max = (K + kslices - 1) / kslices;
    const long mc_max = m1 - m0 < cfg->mc ? ((m1 - m0 + mr - 1) / mr) * mr : cfg->mc;
    const long nc_max = n1 - n0 < cfg->nc ? ((n1 - n0 + nr - 1) / nr) * nr : cfg->nc;

    SL_T *pa = (SL_T *)sl_thread_scratch(0, sizeof(SL_T) * (size_t)(mc_max * kc_max));
    SL_T *pb = (SL_T *)sl_thread_scratch(1, sizeof(SL_T) * (size_t)(kc_max * nc_max));
    if (!pa || !pb) return 0;

    SL_T tile[SL_GEMM_MAX_TILE] __attribute__((aligned(64)));

    for (long jc = n0; jc < n1; jc += cfg->nc) {
        const long nc = n1 - jc < cfg->nc ? n1 - jc : cfg->nc;
        for (long pc = 0; pc < K; pc += kc_max) {
            const long kc = K - pc < kc_max ? K - pc : kc_max;
            const SL_T beta = pc == 0 ? pr->beta : (SL_T)1;
            SL_FN(pack_b)(nr, kc, nc, pr->B, pr->ldb, pr->transB, pc, jc, pb);
            for (long ic = m0; ic < m1; ic += cfg->mc) {
                const long mc = m1 - ic < cfg->mc ? m1 - ic : cfg->mc;
                SL_FN(pack_a)(mr, mc, kc, pr->A, pr->lda, pr->transA, ic, pc, pa);
                for (long jr = 0; jr < nc; jr += nr) {
                    const long cols = nc - jr < nr ? nc - jr : nr;
                    const SL_T *bp = pb + jr * kc;
                    for (long ir = 0; ir < mc; ir += mr) {
                        const long rows = mc - ir < mr ? mc - ir : mr;
                        const SL_T *ap = pa + ir * kc;
                        SL_T *c = pr->C + (ic + ir) * ldc + jc + jr;
                        if (rows == mr && cols == nr) {
                            cfg->kernel(kc, ap, bp, c, ldc, alpha, beta);
                        } else {
                            // Edge tile: full tile into the buffer, merge the valid part.
                            cfg->kernel(kc, ap, bp, tile, nr, (SL_T)1, (SL_T)0);
                            for (long i = 0; i < rows; i++) {
                                SL_T *ci = c + i * ldc;
                                const SL_T *ti = tile + i * nr;
                                if (beta == 0) {
                                    for (long j = 0; j < cols; j++) ci[j] = alpha * ti[j];
                                } else {
                                    for (long j = 0; j < cols; j++)
                                        ci[j] = alpha * ti[j] + beta * ci[j];
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    return 1;
}

/// Thread task `index`: its rectangle in the grid.
static void SL_FN(gemm_task)(void *ctx, int index) {
    SL_FN(gemm_problem) *pr = (SL_FN(gemm_problem) *)ctx;
    const int gi = index / pr->grid_n, gj = index % pr->grid_n;
    const long mr = pr->cfg->mr, nr = pr->cfg->nr;
    const long bm0 = pr->blocks_m * gi / pr->grid_m, bm1 = pr->blocks_m * (gi + 1) / pr->grid_m;
    const long bn0 = pr->blocks_n * gj / pr->grid_n, bn1 = pr->blocks_n * (gj + 1) / pr->grid_n;
    long m0 = bm0 * mr, m1 = bm1 * mr, n0 = bn0 * nr, n1 = bn1 * nr;
    if (m1 > pr->M) m1 = pr->M;
    if (n1 > pr->N) n1 = pr->N;
    if (m0 >= m1 || n0 >= n1) return;
    if (!SL_FN(gemm_rect)(pr, m0, m1, n0, n1)) {
        // Out of memory for packing buffers: compute this rectangle unblocked, still correct.
        for (long i = m0; i < m1; i++) {
            for (long j = n0; j < n1; j++) {
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
    const long mr = pr.cfg->mr, nr = pr.cfg->nr;
    pr.blocks_m = (M + mr - 1) / mr;
    pr.blocks_n = (N + nr - 1) / nr;

    // Threads: none for small products; then at most one per SL_GEMM_WORK_PER_THREAD of work.
    long t = threads > 0 ? threads : sl_cpu_count();
    const double work = (double)M * (double)N * (double)K;
    if (work < SL_GEMM_MIN_PARALLEL_WORK) t = 1;
    const double by_work = work / SL_GEMM_WORK_PER_THREAD;
    if ((double)t > by_work) t = by_work < 1 ? 1 : (long)by_work;
    if (t > pr.blocks_m * pr.blocks_n) t = pr.blocks_m * pr.blocks_n;
    if (t > 256) t = 256;

    // Grid: the factorization tm × tn ≤ t whose largest rectangle (in elements of C) is smallest;
    // ties go to the squarer rectangle (less packing per thread).
    long best_m = 1, best_n = 1;
    double best_area = -1, best_perim = 0;
    for (long tm = 1; tm <= t; tm++) {
        const long tn = t / tm;
        if (tm > pr.blocks_m || tn > pr.blocks_n) continue;
        const double rows = (double)((pr.blocks_m + tm - 1) / tm) * mr;
        const double cols = (double)((pr.blocks_n + tn - 1) / tn) * nr;
        const double area = rows * cols, perim = rows + cols;
        if (best_area < 0 || area < best_area * 0.999 ||
            (area <= best_area * 1.001 && perim < best_perim)) {
            best_area = area;
            best_perim = perim;
            best_m = tm;
            best_n = tn;
        }
    }
    pr.grid_m = (int)best_m;
    pr.grid_n = (int)best_n;
    sl_parallel_for(pr.grid_m * pr.grid_n, SL_FN(gemm_task), &pr);
}
