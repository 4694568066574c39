// threadpool.c — a small persistent thread pool and per-thread scratch buffers for the kernels.
//
// Pool. `sl_parallel_run(count, task, ctx)` runs task(ctx, i) for i in [0, count) on `count`
// threads at once: index 0 on the calling thread, index i ≥ 1 on worker i-1. Callers may rely on
// the tasks running concurrently (the GEMM synchronizes them with barriers), so when that many
// threads cannot be had right now the function runs nothing and returns 0, and the caller does
// the work alone. Workers are created lazily the first time they are needed and live for the
// rest of the process. Each worker owns a slot (mutex + condition variable + job fields); the
// caller fills the slots, runs its own index, then waits for each slot's `has_job` to clear.
// After finishing a job, a worker spins briefly (polling an atomic) before it blocks again, so
// back-to-back calls — a training loop issuing many medium-sized GEMMs — do not pay a futex
// wake-up per call.
//
// Only one caller may drive the pool at a time: `sl_parallel_run` takes the pool with a trylock
// and returns 0 if another thread holds it (two GEMMs called concurrently from Swift, or a task
// that itself calls `sl_parallel_run`). That keeps nesting deadlock-free and never
// oversubscribes the cores.
//
// fork(): a child process has only the forking thread, so a pthread_atfork handler forgets the
// workers in the child (they are re-created on demand) and re-initializes the lock.
//
// Scratch. The GEMM packs its operands into aligned buffers. Allocating megabytes per call costs
// page faults every time, so each thread keeps two growable buffers (slots 0 and 1) reachable
// through a pthread key whose destructor frees them when the thread exits.

#include "sl_internal.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

// MARK: - Thread pool

/// Upper bound on workers (indices beyond it run on the caller).
#define SL_MAX_WORKERS 255
/// How many polls a worker makes for a new job before it goes to sleep on its condition variable.
#define SL_SPIN_POLLS 20000

typedef struct {
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    atomic_int has_job;    ///< 1 while a job is posted and not yet finished by the worker.
    atomic_int sleeping;   ///< 1 while the worker waits (or is about to wait) on `cond`.
    sl_task_fn task;
    void *ctx;
    int index;
    pthread_t thread;
} sl_worker;

static sl_worker workers[SL_MAX_WORKERS];
static int worker_count = 0;  ///< Workers started so far (only changed by the pool owner).
static pthread_mutex_t pool_owner = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

/// Worker main loop: spin a little, then sleep, until a job is posted; run it; mark it done.
static void *worker_main(void *arg) {
    sl_worker *w = (sl_worker *)arg;
    for (;;) {
        int polls = 0;
        while (!atomic_load_explicit(&w->has_job, memory_order_acquire)) {
            if (++polls < SL_SPIN_POLLS) {
                SL_CPU_RELAX();
                continue;
            }
            pthread_mutex_lock(&w->mutex);
            atomic_store_explicit(&w->sleeping, 1, memory_order_seq_cst);
            while (!atomic_load_explicit(&w->has_job, memory_order_seq_cst)) {
                pthread_cond_wait(&w->cond, &w->mutex);
            }
            atomic_store_explicit(&w->sleeping, 0, memory_order_relaxed);
            pthread_mutex_unlock(&w->mutex);
        }
        w->task(w->ctx, w->index);
        atomic_store_explicit(&w->has_job, 0, memory_order_release);
    }
    return NULL;
}

/// In a forked child no worker exists any more: forget them and reset the locks.
static void atfork_child(void) {
    worker_count = 0;
    pthread_mutex_init(&pool_owner, NULL);
}

static void register_atfork(void) { pthread_atfork(NULL, NULL, atfork_child); }

/// Starts workers until `n` exist (called by the pool owner). Returns how many exist.
static int ensure_workers(int n) {
    if (n > SL_MAX_WORKERS) n = SL_MAX_WORKERS;
    while (worker_count < n) {
        sl_worker *w = &workers[worker_count];
        pthread_mutex_init(&w->mutex, NULL);
        pthread_cond_init(&w->cond, NULL);
        atomic_store(&w->has_job, 0);
        atomic_store(&w->sleeping, 0);
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        int rc = pthread_create(&w->thread, &attr, worker_main, w);
        pthread_attr_destroy(&attr);
        if (rc != 0) {
            pthread_cond_destroy(&w->cond);
            pthread_mutex_destroy(&w->mutex);
            break;
        }
        worker_count++;
    }
    return worker_count;
}

int sl_parallel_run(int count, sl_task_fn task, void *ctx) {
    if (count <= 0) return 1;
    if (count == 1) {
        task(ctx, 0);
        return 1;
    }
    if (count - 1 > SL_MAX_WORKERS) return 0;
    if (pthread_mutex_trylock(&pool_owner) != 0) return 0;
    pthread_once(&atfork_once, register_atfork);
    const int helpers = count - 1;
    if (ensure_workers(helpers) < helpers) {
        pthread_mutex_unlock(&pool_owner);
        return 0;
    }
    // Post indices 1..helpers to the workers.
    for (int i = 0; i < helpers; i++) {
        sl_worker *w = &workers[i];
        w->task = task;
        w->ctx = ctx;
        w->index = i + 1;
        atomic_store_explicit(&w->has_job, 1, memory_order_seq_cst);
        if (atomic_load_explicit(&w->sleeping, memory_order_seq_cst)) {
            pthread_mutex_lock(&w->mutex);
            pthread_cond_signal(&w->cond);
            pthread_mutex_unlock(&w->mutex);
        }
    }
    task(ctx, 0);
    for (int i = 0; i < helpers; i++) {
        int polls = 0;
        while (atomic_load_explicit(&workers[i].has_job, memory_order_acquire)) {
            // A worker that was descheduled may take a while: stop burning the core then.
            if (++polls < SL_SPIN_POLLS) SL_CPU_RELAX();
            else sched_yield();
        }
    }
    pthread_mutex_unlock(&pool_owner);
    return 1;
}

// MARK: - Per-thread scratch

typedef struct {
    void *ptr[2];
    size_t cap[2];
} sl_scratch;

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static int scratch_key_ok = 0;

static void scratch_free(void *p) {
    sl_scratch *s = (sl_scratch *)p;
    if (!s) return;
    free(s->ptr[0]);
    free(s->ptr[1]);
    free(s);
}

static void scratch_init(void) { scratch_key_ok = pthread_key_create(&scratch_key, scratch_free) == 0; }

void *sl_thread_scratch(int slot, size_t bytes) {
    if (slot < 0 || slot > 1) return NULL;
    pthread_once(&scratch_once, scratch_init);
    if (!scratch_key_ok) return NULL;
    sl_scratch *s = (sl_scratch *)pthread_getspecific(scratch_key);
    if (!s) {
        s = (sl_scratch *)calloc(1, sizeof(sl_scratch));
        if (!s) return NULL;
        if (pthread_setspecific(scratch_key, s) != 0) {
            free(s);
            return NULL;
        }
    }
    if (s->cap[slot] < bytes) {
        free(s->ptr[slot]);
        s->ptr[slot] = NULL;
        s->cap[slot] = 0;
        // Grow geometrically so a sequence of slightly larger requests does not reallocate each time.
        size_t want = bytes + bytes / 4;
        want = (want + 4095) & ~(size_t)4095;
        void *p = NULL;
        if (posix_memalign(&p, 4096, want) != 0) return NULL;
        s->ptr[slot] = p;
        s->cap[slot] = want;
    }
    return s->ptr[slot];
}
