// tests/test_walkthrough.c - runs the demo binary (build/00_walkthrough) on the tiny
// fixtures and checks its key lines and pictures, so the walk-through cannot silently rot.
#include <sys/stat.h>

static char *t__run_capture(const char *cmd) {
    FILE *p = popen(cmd, "r");
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[4096];
    if (!p) return NULL;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            buf = (char *)realloc(buf, cap);
        }
        memcpy(buf + len, chunk, n);
        len += n;
    }
    if (buf) buf[len] = 0;
    if (pclose(p) != 0) { free(buf); return NULL; }
    return buf;
}

static int t__file_nonempty(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && st.st_size > 100;
}

// An environment variable the library cannot use is said once on stderr and ignored; a good
// one is used silently. build/first_calls makes its first calls from 6 threads at once.
static int t__count(const char *hay, const char *needle) {
    int n = 0;
    for (; hay && (hay = strstr(hay, needle)) != NULL; hay++) n++;
    return n;
}
static void test_walkthrough_env_warnings(void) {
    char *out;
    if (access("../build/first_calls", X_OK) != 0) SKIP("build/first_calls not built (make build/first_calls)");
    out = t__run_capture("GROUNDUP_GEMM_KERNEL=bogus GROUNDUP_NUM_THREADS=3abc ../build/first_calls 2>&1");
    CHECKF(out && t__count(out, "groundup: GROUNDUP_GEMM_KERNEL=\"bogus\" is not a kernel") == 1 &&
           t__count(out, "groundup: GROUNDUP_NUM_THREADS=\"3abc\" is not a whole number") == 1 && strstr(out, ": ok"),
           "%s", out ? out : "(failed)");
    free(out);
    out = t__run_capture("GROUNDUP_GEMM_KERNEL=portable GROUNDUP_NUM_THREADS=2 ../build/first_calls 2>&1");
    CHECKF(out && !strstr(out, "groundup:") && strstr(out, ": ok"), "%s", out ? out : "(failed)");
    free(out);
}

static void test_walkthrough_on_fixtures(void) {
    char *out;
    const char *need[] = {
        "loaded fixtures/mnist/mini_mnist.pkl.gz", "x_train.shape = (10, 784)",
        "seed(457428938475); rnd_state = (4976, 20238, 499)",
        "rand(), rand(), rand() = (0.76452510825820807, 0.79208897995539451, 0.069128868112672048)",
        "In child: 0.9559050644103264", "In parent: 0.9559050644103264",
        "weights[0,:] = tensor([-1.5256, -0.7502, -0.6540,",  // torch.manual_seed(1); randn(784,10)[0]
        "(a < b).float().mean() = tensor(0.67)", "(m*m).sum().sqrt() = tensor(16.88)",
        "c.expand_as(m).stride() = (0, 1)", "matmul_3loops ", "matmul_einsum ", "walkthrough: done",
        // piped, the ladder says what it is timing rung by rung, and quotes the lesson's
        // timings from examples/common.h (its last timing cell: 1.79 s, 515 ms)
        "timing x_valid[:5] @ weights [1/", "timing x_train @ weights [1/", "1.79 s", "515.00 ms"};
    size_t i;
    if (access("../build/00_walkthrough", X_OK) != 0) SKIP("build/00_walkthrough not built (make build/00_walkthrough)");
    char dir[64], cmd[256], png[128];
    snprintf(dir, sizeof dir, "/tmp/gu_walk_test_%d", (int)getpid());   // one per run: runs may overlap
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    system(cmd);
    snprintf(cmd, sizeof cmd, "../build/00_walkthrough --data fixtures/mnist/mini_mnist.pkl.gz --out %s --quick 2>&1", dir);
    out = t__run_capture(cmd);
    CHECKF(out != NULL, "the walkthrough failed to run or exited non-zero");
    if (!out) return;
    for (i = 0; i < sizeof need / sizeof need[0]; i++) CHECKF(strstr(out, need[i]) != NULL, "missing line: %s", need[i]);
    // a green run reads green: no alarming word anywhere in it
    CHECKF(!strstr(out, "WARNING") && !strstr(out, "ERROR") && !strstr(out, "failed"), "an alarming line:\n%s", out);
    // every rung of the table agrees with matmul_3loops (test_close): no "NO" in the close columns
    CHECKF(strstr(out, " NO ") == NULL, "a rung disagreed:\n%s", out);
    {
        int rungs = 0, nr = 0;
        const char *p = out;
        gu_matmul_ladder(&nr);
        while ((p = strstr(p, "   yes ")) != NULL) { rungs++; p++; }
        CHECKF(rungs >= nr, "%d rungs said yes, expected %d", rungs, nr);
    }
    {
        static const char *pngs[4] = {"digit.png", "rand_plot.png", "rand_hist.png", "ladder_speedups.png"};
        for (i = 0; i < 4; i++) {
            snprintf(png, sizeof png, "%s/%s", dir, pngs[i]);
            CHECKF(t__file_nonempty(png), "%s is missing or empty", png);
        }
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    system(cmd);
    free(out);
}

static void test_walkthrough_without_data(void) {
    char *out;
    if (access("../build/00_walkthrough", X_OK) != 0) SKIP("build/00_walkthrough not built");
    char cmd[256];
    snprintf(cmd, sizeof cmd, "../build/00_walkthrough --data /nonexistent/mnist.pkl.gz --out /tmp/gu_walk_test2_%d --quick 2>&1",
             (int)getpid());
    out = t__run_capture(cmd);
    snprintf(cmd, sizeof cmd, "rm -rf /tmp/gu_walk_test2_%d", (int)getpid());
    system(cmd);
    CHECKF(out != NULL, "the walkthrough failed without data");
    if (!out) return;
    CHECK(strstr(out, "running on random tensors") != NULL);
    CHECK(strstr(out, "make data") != NULL);
    CHECK(strstr(out, "walkthrough: done") != NULL);
    free(out);
}

// Output folders that cannot be: a regular file given as the walk-through's --out, an empty
// OUTDIR for 03_random (it would write into /): a message and a nonzero exit, nothing written.
static void test_walkthrough_bad_out(void) {
    char *out, file[64], cmd[256];
    FILE *f;
    if (access("../build/00_walkthrough", X_OK) != 0 || access("../build/03_random", X_OK) != 0)
        SKIP("build/00_walkthrough or build/03_random not built");
    snprintf(file, sizeof file, "/tmp/gu_walk_file_%d", (int)getpid());
    f = fopen(file, "w");
    CHECK(f != NULL);
    if (!f) return;
    fclose(f);
    snprintf(cmd, sizeof cmd, "../build/00_walkthrough --quick --out %s 2>&1; echo \"exit $?\"", file);
    out = t__run_capture(cmd);
    CHECKF(out && strstr(out, "is not a folder") && strstr(out, "exit 1") && !strstr(out, "walkthrough: done"), "%s", out ? out : "(no output)");
    free(out);
    remove(file);
    // a picture that cannot be written (a folder is in its place): said, and the exit status 1
    snprintf(cmd, sizeof cmd, "mkdir -p /tmp/gu_walk_blocked_%d/digit.png", (int)getpid());
    system(cmd);
    snprintf(cmd, sizeof cmd, "../build/00_walkthrough --quick --data fixtures/mnist/mini_mnist.pkl.gz --out /tmp/gu_walk_blocked_%d 2>&1; echo \"exit $?\"",
             (int)getpid());
    out = t__run_capture(cmd);
    CHECKF(out && strstr(out, "could not write /tmp/gu_walk_blocked_") && strstr(out, "1 picture(s) could not be written") &&
           strstr(out, "exit 1"), "%s", out ? out : "(no output)");
    free(out);
    snprintf(cmd, sizeof cmd, "rm -rf /tmp/gu_walk_blocked_%d", (int)getpid());
    system(cmd);
    out = t__run_capture("../build/03_random '' 2>&1; echo \"exit $?\"");
    CHECKF(out && strstr(out, "OUTDIR is empty") && strstr(out, "exit 2"), "%s", out ? out : "(no output)");
    free(out);
}

static void suite_walkthrough(void) {
    RUN(test_walkthrough_bad_out);
    RUN(test_walkthrough_env_warnings);
    RUN(test_walkthrough_on_fixtures);
    RUN(test_walkthrough_without_data);
}
