// sl_internal.h — helpers shared by the C files of CSwiftLearnKernels (not part of the public API).
//
// Defines the feature macro that says whether x86 SIMD variants are compiled at all, the target
// attribute spellings used on those variants, and the small thread pool used by the native GEMM.
#ifndef SL_INTERNAL_H
#define SL_INTERNAL_H

#include <stddef.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
/// 1 when AVX2 / AVX-512 function variants are compiled (x86-64 with a GCC-compatible compiler).
#define SL_X86_SIMD 1
#define SL_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define SL_TARGET_AVX512 __attribute__((target("avx2,fma,avx512f,avx512bw,avx512dq,avx512vl")))
#else
#define SL_X86_SIMD 0
#endif

/// Signature of one unit of parallel work: `task(ctx, index)` for index in [0, count).
typedef void (*sl_task_fn)(void *ctx, int index);

/// Runs task(ctx, 0..count-1), spreading the indices over up to `count` threads of a persistent
/// pool (index 0 runs on the calling thread). Returns when all are done. When the pool is busy
/// with another caller, or count == 1, everything runs on the calling thread, in order.
void sl_parallel_for(int count, sl_task_fn task, void *ctx);

/// Returns a 64-byte aligned scratch buffer of at least `bytes` bytes owned by the calling thread
/// (slot 0 or 1, so one caller can hold two buffers at once). It stays valid until the same thread
/// asks for the same slot again, and is freed when the thread exits. Returns NULL on failure.
void *sl_thread_scratch(int slot, size_t bytes);

#endif
