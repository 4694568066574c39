// sl_internal.h — helpers shared by the C files of CSwiftLearnKernels (not part of the public API).
//
// Defines the feature macro that says whether x86 SIMD variants are compiled at all, the target
// attribute spellings used on those variants, and the thread pool and scratch buffers used by
// the native GEMM (threadpool.c).
#ifndef SL_INTERNAL_H
#define SL_INTERNAL_H

#include <sched.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
/// 1 when AVX2 / AVX-512 function variants are compiled (x86-64 with a GCC-compatible compiler).
#define SL_X86_SIMD 1
#define SL_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define SL_TARGET_AVX2_F16C __attribute__((target("avx2,fma,f16c")))
#define SL_TARGET_AVX512 __attribute__((target("avx2,fma,avx512f,avx512bw,avx512dq,avx512vl")))
#else
#define SL_X86_SIMD 0
#endif

// float16 → float32 by moving the bit fields (exact for every value): a `(float)_Float16` cast is
// a call to the compiler runtime (__extendhfsf2) on x86-64 without F16C, and these kernels read
// two or four float16 scales per block of 32 weights — it took two thirds of the time.
static inline float sl_h2f(uint16_t h) {
    const uint32_t shifted_exponent = 0x7c00u << 13;
    uint32_t bits = ((uint32_t)h & 0x7fffu) << 13;      // exponent and mantissa in float position
    const uint32_t exponent = bits & shifted_exponent;
    bits += (127u - 15u) << 23;                           // rebias the exponent
    float f;
    if (exponent == shifted_exponent) {
        bits += (128u - 16u) << 23;                       // infinity or NaN: exponent all ones
        memcpy(&f, &bits, 4);
    } else if (exponent == 0) {                           // zero or subnormal: renormalize
        bits += 1u << 23;
        memcpy(&f, &bits, 4);
        const uint32_t magic_bits = 113u << 23;           // 2^-14
        float magic; memcpy(&magic, &magic_bits, 4);
        f -= magic;
    } else {
        memcpy(&f, &bits, 4);
    }
    uint32_t out; memcpy(&out, &f, 4);
    out |= ((uint32_t)h & 0x8000u) << 16;
    memcpy(&f, &out, 4);
    return f;
}


// float32 → float16 with round-to-nearest-even, by integer arithmetic on the bits (exact; the
// `(_Float16)` cast is a runtime-library call on x86-64 without F16C).
static inline uint16_t sl_f2h(float f) {
    uint32_t x; memcpy(&x, &f, 4);
    const uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
    uint32_t ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u) return sign | (ax > 0x7f800000u ? 0x7e00u : 0x7c00u);   // NaN, infinity
    if (ax >= 0x477ff000u) return sign | 0x7c00u;                                   // ≥ 65520 rounds to infinity
    if (ax < 0x38800000u) {                                                         // below 2^-14: subnormal or zero
        float a; memcpy(&a, &ax, 4);
        a += 0.5f;                        // aligns the value's 2^-24 units with the low mantissa bits, rounding to even
        uint32_t r; memcpy(&r, &a, 4);
        return sign | (uint16_t)(r - 0x3f000000u);
    }
    const uint32_t odd = (ax >> 13) & 1u;
    ax += ((uint32_t)(15 - 127) << 23) + 0xfffu + odd;                              // rebias and round to even
    return sign | (uint16_t)(ax >> 13);
}

/// Signature of one unit of parallel work: `task(ctx, index)` for index in [0, count).
typedef void (*sl_task_fn)(void *ctx, int index);

/// Runs task(ctx, 0..count-1) on `count` threads at once — index 0 on the calling thread, the
/// others on workers of a persistent pool — and returns 1 when all are done. Returns 0 without
/// running anything when `count` concurrent threads are not available now (the pool is driven
/// by another caller, or workers could not be started); the caller then works alone.
int sl_parallel_run(int count, sl_task_fn task, void *ctx);

/// Spin-wait hint for busy loops.
#if defined(__x86_64__) || defined(__i386__)
#define SL_CPU_RELAX() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define SL_CPU_RELAX() __asm__ volatile("yield")
#else
#define SL_CPU_RELAX() ((void)0)
#endif

/// A reusable barrier for the `count` threads of one parallel call (a GEMM's packing steps, the
/// time steps of a recurrent layer): the last to arrive advances `phase`; the others spin on it,
/// yielding after a while in case a thread was descheduled.
typedef struct {
    atomic_int arrived;
    atomic_int phase;
    int count;
} sl_barrier;

static inline void sl_barrier_init(sl_barrier *b, int count) {
    atomic_init(&b->arrived, 0);
    atomic_init(&b->phase, 0);
    b->count = count;
}

static inline void sl_barrier_wait(sl_barrier *b) {
    if (b->count <= 1) return;
    // Read the phase before arriving: it cannot advance until this thread has arrived.
    const int phase = atomic_load_explicit(&b->phase, memory_order_acquire);
    if (atomic_fetch_add_explicit(&b->arrived, 1, memory_order_acq_rel) == b->count - 1) {
        atomic_store_explicit(&b->arrived, 0, memory_order_relaxed);
        atomic_store_explicit(&b->phase, phase + 1, memory_order_release);
        return;
    }
    int polls = 0;
    while (atomic_load_explicit(&b->phase, memory_order_acquire) == phase) {
        if (++polls < 20000) SL_CPU_RELAX();
        else sched_yield();
    }
}

/// Products with a packed B reused across calls (gemm.c), single-threaded: `*_packed_b_size`
/// elements hold op(B) (K × N; B is N × K when transB) packed by `*_pack_b`; `*_prepacked`
/// computes C[M×N] = op(A) · op(B) + beta·C from it. Returns 0, or −1 without touching C when its
/// packing buffer for A could not be had.
long sl_sgemm_packed_b_size(long K, long N);
long sl_dgemm_packed_b_size(long K, long N);
void sl_sgemm_pack_b(int transB, long K, long N, const float *B, long ldb, float *packed);
void sl_dgemm_pack_b(int transB, long K, long N, const double *B, long ldb, double *packed);
int sl_sgemm_prepacked(int transA, long M, long N, long K, const float *A, long lda, const float *packed,
                       float beta, float *C, long ldc);
int sl_dgemm_prepacked(int transA, long M, long N, long K, const double *A, long lda, const double *packed,
                       double beta, double *C, long ldc);

/// Returns a 64-byte aligned scratch buffer of at least `bytes` bytes owned by the calling thread
/// (slot 0 or 1, so one caller can hold two buffers at once). It stays valid until the same thread
/// asks for the same slot again, and is freed when the thread exits. Returns NULL on failure.
void *sl_thread_scratch(int slot, size_t bytes);

#endif
