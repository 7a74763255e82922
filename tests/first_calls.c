// tests/first_calls.c - several threads make their very first calls into groundup at the
// same moment, in a fresh process: the lazy set-up (the thread count, the matmul kernel,
// the thread pool) must be race-free. A program of its own, because only a process that has
// not called the library yet can test first calls; make test-tsan runs it under
// ThreadSanitizer (which reported the set-up of the kernel choice and of the thread count
// as data races before they were made atomic), make test-plain runs it plain.
//   cc -O1 -g -fsanitize=thread tests/first_calls.c -lm -lz -lpthread && ./a.out
#define GROUNDUP_IMPLEMENTATION
#include "../groundup.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define NT 6
#define M 192
#define K 256
#define N 160

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static int gate_open;
static float a[M * K], b[K * N], want[M * N];

static void *first_call(void *arg) {
    int id = (int)(intptr_t)arg, ok = 1;
    float *c = (float *)malloc(sizeof(float) * M * N);
    if (!c) return (void *)(intptr_t)0;
    pthread_mutex_lock(&gate_lock);   // everyone starts together
    while (!gate_open) pthread_cond_wait(&gate_cond, &gate_lock);
    pthread_mutex_unlock(&gate_lock);
    // the first calls, in a different order per thread
    if (id % 2) ok &= gu_get_num_threads() >= 1;
    else ok &= gu_gemm_kernel() != NULL;
    ok &= gu_sgemm('N', 'N', M, N, K, 1.0f, a, K, b, N, 0.0f, c, N) == 0;
    ok &= memcmp(c, want, sizeof(float) * M * N) == 0;
    ok &= gu_get_num_threads() >= 1 && gu_gemm_kernel() != NULL;
    free(c);
    return (void *)(intptr_t)ok;
}

int main(void) {
    pthread_t th[NT];
    int i, started = 0, ok = 1;
    for (i = 0; i < M * K; i++) a[i] = (float)((i * 7) % 13) - 6.0f;
    for (i = 0; i < K * N; i++) b[i] = (float)((i * 5) % 11) * 0.25f;
    // the expected product from the reference (it touches none of the lazy state)
    if (gu_sgemm_ref('N', 'N', M, N, K, 1.0f, a, K, b, N, 0.0f, want, N) != 0) return 1;
    for (i = 0; i < NT; i++, started++)
        if (pthread_create(&th[i], NULL, first_call, (void *)(intptr_t)i) != 0) break;
    pthread_mutex_lock(&gate_lock);
    gate_open = 1;
    pthread_cond_broadcast(&gate_cond);
    pthread_mutex_unlock(&gate_lock);
    for (i = 0; i < started; i++) {
        void *r;
        pthread_join(th[i], &r);
        ok &= r != NULL;
    }
    printf("first_calls: %d threads, first calls at once: %s\n", started, ok && started == NT ? "ok" : "FAILED");
    return ok && started == NT ? 0 : 1;
}
