// tests/test_threads.c - the thread pool where programs really use it: after fork(), and
// from several threads at once. (Concurrent first calls in a fresh process are
// tests/first_calls.c, a program of its own, run under ThreadSanitizer by make test-tsan.)
#if defined(__unix__) || defined(__APPLE__)
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#define T__HAVE_FORK 1
#endif

// A product big enough to use the pool with 2 threads (over 2^21 multiply-adds), small
// enough for 20 children at once under an emulator: (192, 256) @ (256, 128).
#define T__FM 192
#define T__FK 256
#define T__FN 128
static void t__fork_product(const float *a, const float *b, float *c) {
    (void)gu_sgemm('N', 'N', T__FM, T__FN, T__FK, 1.0f, a, T__FK, b, T__FN, 0.0f, c, T__FN);
}

// The parent runs a threaded product and lets its workers fall asleep on the pool's
// condition variable; then 20 children each run two products (checked against the
// parent's bits) and exit() through the library's atexit handler. Before the pool was
// fork-safe, every child hung in pthread_cond_broadcast on the second product or at exit.
// The parent polls waitpid for at most 120 s and kills what is left: a hang is a failure,
// not a stuck test run.
static void test_threads_fork_children(void) {
#ifdef T__HAVE_FORK
    enum { NCHILD = 20 };
    float *a = (float *)malloc(sizeof(float) * T__FM * T__FK), *b = (float *)malloc(sizeof(float) * T__FK * T__FN);
    float *c = (float *)malloc(sizeof(float) * T__FM * T__FN), *c2 = (float *)malloc(sizeof(float) * T__FM * T__FN);
    pid_t pid[NCHILD];
    int i, done = 0, ok = 0, hung = 0, waited;
    if (!a || !b || !c || !c2) { free(a); free(b); free(c); free(c2); SKIP("out of memory"); }
    for (i = 0; i < T__FM * T__FK; i++) a[i] = (float)((i * 7) % 13) - 6.0f;
    for (i = 0; i < T__FK * T__FN; i++) b[i] = (float)((i * 5) % 11) * 0.25f;
    gu_set_num_threads(2);
    t__fork_product(a, b, c);
    usleep(50000);   // the workers are asleep now
    fflush(stdout);
    fflush(stderr);
    for (i = 0; i < NCHILD; i++) {
        pid[i] = fork();
        if (pid[i] == 0) {
            alarm(100);   // a hung child dies even if the parent is gone
            memset(c2, 0, sizeof(float) * T__FM * T__FN);
            t__fork_product(a, b, c2);
            usleep(20000);   // the child's own workers (if any) fall asleep too
            t__fork_product(a, b, c2);
            exit(memcmp(c, c2, sizeof(float) * T__FM * T__FN) == 0 ? 0 : 1);   // exit() joins the child's pool
        }
        if (pid[i] < 0) break;
    }
    // the parent's pool still works, while the children run
    memset(c2, 0, sizeof(float) * T__FM * T__FN);
    t__fork_product(a, b, c2);
    CHECK(memcmp(c, c2, sizeof(float) * T__FM * T__FN) == 0);
    for (waited = 0; done < i && waited < 12000; waited++) {   // up to 120 s in 10 ms steps (slow emulators)
        int k;
        for (k = 0; k < i; k++) {
            int st;
            if (pid[k] > 0 && waitpid(pid[k], &st, WNOHANG) == pid[k]) {
                if (WIFEXITED(st) && WEXITSTATUS(st) == 0) ok++;
                else fprintf(stderr, "  child %d: %s %d\n", k, WIFEXITED(st) ? "exit status" : "killed by signal",
                             WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
                pid[k] = 0;
                done++;
            }
        }
        if (done < i) usleep(10000);
    }
    for (i = 0; i < NCHILD; i++)
        if (pid[i] > 0) { kill(pid[i], SIGKILL); waitpid(pid[i], NULL, 0); hung++; }
    CHECKF(ok == NCHILD, "%d of %d forked children finished with the right product, %d hung", ok, NCHILD, hung);
    gu_set_num_threads(0);
    free(a); free(b); free(c); free(c2);
#else
    SKIP("no fork() on this system");
#endif
}

// Several user threads multiplying at once, each against its own result: the pool takes
// one caller, the others run their products on their own thread; all must get the same bits.
#ifndef GU_NO_THREADS
#include <pthread.h>
typedef struct { const float *a, *b, *want; int ok; } t__conc_arg;
static void *t__conc_worker(void *p) {
    t__conc_arg *x = (t__conc_arg *)p;
    float *c = (float *)malloc(sizeof(float) * T__FM * T__FN);
    int r;
    x->ok = 0;
    if (!c) return NULL;
    for (r = 0, x->ok = 1; r < 3; r++) {
        t__fork_product(x->a, x->b, c);
        if (memcmp(c, x->want, sizeof(float) * T__FM * T__FN) != 0) x->ok = 0;
    }
    free(c);
    return NULL;
}
#endif
static void test_threads_concurrent_callers(void) {
#ifndef GU_NO_THREADS
    enum { NT = 4 };
    float *a = (float *)malloc(sizeof(float) * T__FM * T__FK), *b = (float *)malloc(sizeof(float) * T__FK * T__FN);
    float *c = (float *)malloc(sizeof(float) * T__FM * T__FN);
    pthread_t th[NT];
    t__conc_arg arg[NT];
    int i, started[NT];
    if (!a || !b || !c) { free(a); free(b); free(c); SKIP("out of memory"); }
    for (i = 0; i < T__FM * T__FK; i++) a[i] = (float)((i * 3) % 17) - 8.0f;
    for (i = 0; i < T__FK * T__FN; i++) b[i] = (float)((i * 5) % 9) * 0.5f;
    gu_set_num_threads(2);
    t__fork_product(a, b, c);
    for (i = 0; i < NT; i++) {
        arg[i].a = a; arg[i].b = b; arg[i].want = c; arg[i].ok = 0;
        started[i] = pthread_create(&th[i], NULL, t__conc_worker, &arg[i]) == 0;
    }
    for (i = 0; i < NT; i++)
        if (started[i]) { pthread_join(th[i], NULL); CHECKF(arg[i].ok, "thread %d got different bits", i); }
    gu_set_num_threads(0);
    free(a); free(b); free(c);
#else
    SKIP("built with GU_NO_THREADS");
#endif
}

// Calls from inside the pool: a gu_launch whose blocks (on the pool's threads) each run a
// threaded product and a gu_launch of their own. The pool is busy with the outer launch, so
// the inner calls run on the block's thread: no deadlock, the same bits, every inner block
// visited once. (Named for make test-tsan's filter.)
#ifndef GU_NO_GRID
typedef struct { const float *a, *b, *want; int ok[8]; int64_t visits[8][6]; } t__nest_arg;
static void t__nest_inner(const gu_thread_ctx *ctx, void *p) {
    int64_t *v = (int64_t *)p;
    v[ctx->blockIdx.x]++;   // one block per thread of the outer launch: no race
}
static void t__nest_outer(const gu_thread_ctx *ctx, void *p) {
    t__nest_arg *x = (t__nest_arg *)p;
    int64_t bi = ctx->blockIdx.x;
    float *c = (float *)malloc(sizeof(float) * T__FM * T__FN);
    gu_dim3 g = {6, 1, 1}, b1 = {1, 1, 1};
    x->ok[bi] = 0;
    if (!c) return;
    t__fork_product(x->a, x->b, c);
    x->ok[bi] = memcmp(c, x->want, sizeof(float) * T__FM * T__FN) == 0 && gu_launch(t__nest_inner, g, b1, x->visits[bi]) == 0;
    free(c);
}
#endif
static void test_threads_concurrent_callers_nested(void) {
#ifndef GU_NO_GRID
    static t__nest_arg arg;
    float *a = (float *)malloc(sizeof(float) * T__FM * T__FK), *b = (float *)malloc(sizeof(float) * T__FK * T__FN);
    float *c = (float *)malloc(sizeof(float) * T__FM * T__FN);
    gu_dim3 g = {8, 1, 1}, b1 = {1, 1, 1};
    int i, j;
    if (!a || !b || !c) { free(a); free(b); free(c); SKIP("out of memory"); }
    for (i = 0; i < T__FM * T__FK; i++) a[i] = (float)((i * 7) % 13) - 6.0f;
    for (i = 0; i < T__FK * T__FN; i++) b[i] = (float)((i * 5) % 11) * 0.25f;
    gu_set_num_threads(4);
    t__fork_product(a, b, c);
    memset(&arg, 0, sizeof arg);
    arg.a = a; arg.b = b; arg.want = c;
    CHECK(gu_launch(t__nest_outer, g, b1, &arg) == 0);
    for (i = 0; i < 8; i++) {
        CHECKF(arg.ok[i], "block %d: the product inside the launch got different bits, or its inner launch failed", i);
        for (j = 0; j < 6; j++) CHECKF(arg.visits[i][j] == 1, "block %d: inner block %d ran %d times", i, j, (int)arg.visits[i][j]);
    }
    gu_set_num_threads(0);
    free(a); free(b); free(c);
#else
    SKIP("built with GU_NO_GRID");
#endif
}

// Each thread's own state: its error message and its tidy scopes, whatever the compiler (tcc
// has no thread-local keyword: the header then keeps them under pthread keys). Four threads
// at once, each making errors of its own and owners in scopes of its own; the main thread's
// owner, made outside any scope, survives their scope ends.
#ifndef GU_NO_THREADS
typedef struct { int id, ok; } t__own_arg;
static void *t__own_worker(void *p) {
    t__own_arg *x = (t__own_arg *)p;
    int it, ok = 1;
    char want[64];
    for (it = 0; it < 300 && ok; it++) {
        int64_t sh = 8 + x->id;
        gu_tensor v;
        gu_tidy_begin();
        v = gu_sum(gu_mul(gu_full(GU_FLOAT32, 1, &sh, (double)x->id), gu_full(GU_FLOAT32, 1, &sh, 2.0)));
        ok &= gu_ok(v) && gu_item(v) == 2.0 * x->id * (double)sh;
        gu_set_error("thread %d, turn %d", x->id, it);
        snprintf(want, sizeof want, "thread %d, turn %d", x->id, it);
        gu_tidy_end();
        ok &= strcmp(gu_error(), want) == 0;
    }
    gu_tidy_end();   // unmatched on this thread: its own error, nobody else's scope
    ok &= strstr(gu_error(), "tidy_end") != NULL;
    x->ok = ok;
    return NULL;
}
#endif
static void test_threads_concurrent_callers_own_state(void) {
#ifndef GU_NO_THREADS
    enum { NT = 4 };
    pthread_t th[NT];
    t__own_arg arg[NT];
    int i, started[NT];
    int64_t three = 3;
    gu_tensor mine = gu_full(GU_FLOAT32, 1, &three, 5.0);   // outside any scope: the main thread's
    gu_clear_error();
    for (i = 0; i < NT; i++) {
        arg[i].id = i + 1;
        arg[i].ok = 0;
        started[i] = pthread_create(&th[i], NULL, t__own_worker, &arg[i]) == 0;
    }
    for (i = 0; i < NT; i++)
        if (started[i]) { pthread_join(th[i], NULL); CHECKF(arg[i].ok, "thread %d saw another thread's message or scope", i + 1); }
    CHECKF(gu_error()[0] == 0, "the main thread's message is \"%s\"", gu_error());
    {
        gu_tensor total = gu_sum(mine);
        CHECK(gu_ok(mine) && gu_item(total) == 15);
        gu_free(&total);
    }
    gu_clear_error();
    gu_free(&mine);
#else
    SKIP("built with GU_NO_THREADS");
#endif
}

static void suite_threads(void) {
    RUN(test_threads_fork_children);
    RUN(test_threads_concurrent_callers);
    RUN(test_threads_concurrent_callers_nested);
    RUN(test_threads_concurrent_callers_own_state);
}
