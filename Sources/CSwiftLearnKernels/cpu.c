// cpu.c — CPU feature detection and logical CPU count.
//
// The package is compiled for baseline x86-64, so the fast kernels are separate function variants
// marked `__attribute__((target(...)))` and chosen at run time. This file answers the question
// "which variants may run here?". A feature is usable only when both the CPU reports it (CPUID)
// and the operating system saves the matching register state on context switches (XGETBV reading
// XCR0): YMM state for AVX2/FMA, and opmask + ZMM state for AVX-512. The answer is computed once
// and cached in an atomic int, so calling `sl_cpu_features` from hot paths is cheap.
//
// (macOS enables the AVX-512 register state lazily, so there the OS half of the check is the
// sysctl hw.optional.avx512f instead of XCR0.)
//
// On non-x86 targets there are no optional features the kernels use (NEON is baseline on arm64),
// so the function returns 0 and the portable C variants run.
//
// The environment variable SWIFTLEARN_CPU_FEATURES (a decimal bit mask, e.g. "0" or "1") can
// restrict the features further; it exists so tests can exercise the AVX2 and scalar variants on
// an AVX-512 machine. It never enables a feature the hardware lacks.

#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE  // sched_getaffinity, CPU_COUNT
#endif

#include "CSwiftLearnKernels.h"
#include "sl_internal.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#if defined(__APPLE__)
#include <sys/sysctl.h>
#endif

#if defined(__linux__)
#include <sched.h>
#endif

#if defined(__x86_64__) || defined(__i386__)
/// Reads extended control register `index` (XCR0 for 0). Only valid when CPUID says OSXSAVE.
static uint64_t read_xcr(unsigned index) {
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(index));
    return ((uint64_t)edx << 32) | eax;
}

/// Queries CPUID and XCR0 and returns the SL_CPU_* bits that are safe to use.
static int detect_features(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    const int has_fma = (ecx >> 12) & 1;
    const int has_osxsave = (ecx >> 27) & 1;
    const int has_avx = (ecx >> 28) & 1;
    const int has_f16c = (ecx >> 29) & 1;
    if (!has_osxsave || !has_avx) return 0;

    const uint64_t xcr0 = read_xcr(0);
    const int ymm_saved = (xcr0 & 0x6) == 0x6;      // SSE (bit 1) + AVX (bit 2) state
    int zmm_saved = (xcr0 & 0xE6) == 0xE6;          // + opmask (5), ZMM_Hi256 (6), Hi16_ZMM (7)
#if defined(__APPLE__)
    // macOS enables the AVX-512 state lazily (on first use), so XCR0 may not show it yet;
    // the kernel advertises its support through sysctl instead.
    int avx512_os = 0;
    size_t len = sizeof(avx512_os);
    if (sysctlbyname("hw.optional.avx512f", &avx512_os, &len, NULL, 0) == 0 && avx512_os) {
        zmm_saved = 1;
    }
#endif
    if (!ymm_saved) return 0;

    int features = 0;
    if (has_f16c) features |= SL_CPU_F16C;

    unsigned max_leaf = __get_cpuid_max(0, NULL);
    if (max_leaf < 7) return features;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    const int has_avx2 = (ebx >> 5) & 1;
    const int has_avx512f = (ebx >> 16) & 1;
    const int has_avx512dq = (ebx >> 17) & 1;
    const int has_avx512bw = (ebx >> 30) & 1;
    const int has_avx512vl = (ebx >> 31) & 1;

    if (has_avx2 && has_fma) features |= SL_CPU_AVX2_FMA;
    if ((features & SL_CPU_AVX2_FMA) && zmm_saved && has_avx512f && has_avx512dq && has_avx512bw &&
        has_avx512vl) {
        features |= SL_CPU_AVX512;
    }
    return features;
}
#else
static int detect_features(void) { return 0; }
#endif

/// Cached result; -1 means "not computed yet". Races are benign: every thread computes the same.
static atomic_int cached_features = -1;

int sl_cpu_features(void) {
    int f = atomic_load_explicit(&cached_features, memory_order_relaxed);
    if (f >= 0) return f;
    f = detect_features();
    const char *mask = getenv("SWIFTLEARN_CPU_FEATURES");
    if (mask && *mask) {
        char *end = NULL;
        long m = strtol(mask, &end, 10);
        if (end != mask && m >= 0) f &= (int)m;
        // AVX-512 variants assume AVX2/FMA too (they share helpers); keep the flags consistent.
        if (!(f & SL_CPU_AVX2_FMA)) f &= ~SL_CPU_AVX512;
    }
    atomic_store_explicit(&cached_features, f, memory_order_relaxed);
    return f;
}

int sl_cpu_count(void) {
#if defined(__linux__)
    // Respect the affinity mask (containers, taskset) rather than the machine's total.
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0) return n;
    }
#endif
#if defined(__APPLE__)
    int n = 0;
    size_t len = sizeof(n);
    if (sysctlbyname("hw.activecpu", &n, &len, NULL, 0) == 0 && n > 0) return n;
#endif
    long n2 = sysconf(_SC_NPROCESSORS_ONLN);
    return n2 > 0 ? (int)n2 : 1;
}
