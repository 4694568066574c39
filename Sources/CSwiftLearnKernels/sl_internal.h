// sl_internal.h — helpers shared by the C files of CSwiftLearnKernels (not part of the public API).
//
// Defines the feature macro that says whether x86 SIMD variants are compiled at all, the target
// attribute spellings used on those variants, and the thread pool and scratch buffers used by
// the native GEMM (threadpool.c).
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

/// Returns a 64-byte aligned scratch buffer of at least `bytes` bytes owned by the calling thread
/// (slot 0 or 1, so one caller can hold two buffers at once). It stays valid until the same thread
/// asks for the same slot again, and is freed when the thread exits. Returns NULL on failure.
void *sl_thread_scratch(int slot, size_t bytes);

#endif
