// bench/load.c - how fast, and in how much memory, does groundup load the lesson's
// mnist.pkl.gz, against Python's gzip.open + pickle.load (Debian's python3-numpy) on the
// same machine? Each load runs in a fresh child process; the time is measured around the
// load alone, the memory is the child's peak RSS (wait4's ru_maxrss) less its RSS before
// the load, and is compared with the bytes of the arrays loaded.
//   make data && make build/bench_load && ./build/bench_load [data/mnist.pkl.gz] [runs]
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#define GROUNDUP_IMPLEMENTATION
#include "../groundup.h"
#include "bench.h"
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct result { double secs, base_kb, peak_kb, array_bytes; int ok; } result;

static double maxrss_kb(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss;
}

// Loads path in a child: kind 0 = gu_mnist_load (pickle or IDX directory).
static result run_groundup(const char *path) {
    result r;
    int fd[2];
    pid_t pid;
    struct rusage ru;
    int st;
    memset(&r, 0, sizeof r);
    if (pipe(fd) != 0) return r;
    pid = fork();
    if (pid == 0) {
        gu_mnist m;
        double t0, t1;
        result c;
        gu_tensor *t = &m.x_train;
        int k;
        memset(&c, 0, sizeof c);
        close(fd[0]);
        c.base_kb = maxrss_kb();
        t0 = now();
        c.ok = gu_mnist_load(path, &m) == 0;
        t1 = now();
        if (!c.ok) fprintf(stderr, "error: %s\n", gu_error());
        c.secs = t1 - t0;
        for (k = 0; c.ok && k < 6; k++) c.array_bytes += (double)gu_numel(t[k]) * (double)gu_dtype_size(t[k].dtype);
        if (write(fd[1], &c, sizeof c) != (ssize_t)sizeof c) _exit(1);
        _exit(0);
    }
    close(fd[1]);
    if (read(fd[0], &r, sizeof r) != (ssize_t)sizeof r) r.ok = 0;
    close(fd[0]);
    wait4(pid, &st, 0, &ru);
    r.peak_kb = (double)ru.ru_maxrss;
    return r;
}

// The same in Python: gzip.open + pickle.load(encoding='latin1'), as the lesson does.
static result run_python(const char *py, const char *path) {
    static const char *script =
        "import gzip, pickle, resource, sys, time\n"
        "import numpy\n"
        "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "t = time.perf_counter()\n"
        "with gzip.open(sys.argv[1], 'rb') as f: d = pickle.load(f, encoding='latin1')\n"
        "t = time.perf_counter() - t\n"
        "print(t, base, sum(a.nbytes for pair in d for a in pair))\n";
    result r;
    int fd[2], st;
    pid_t pid;
    struct rusage ru;
    char buf[256];
    ssize_t n;
    memset(&r, 0, sizeof r);
    if (pipe(fd) != 0) return r;
    pid = fork();
    if (pid == 0) {
        close(fd[0]);
        dup2(fd[1], 1);
        execl(py, py, "-c", script, path, (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    {  // to EOF: Python may write the line in pieces
        ssize_t got = 0, k;
        while (got < (ssize_t)sizeof buf - 1 && (k = read(fd[0], buf + got, sizeof buf - 1 - (size_t)got)) > 0) got += k;
        n = got;
    }
    close(fd[0]);
    wait4(pid, &st, 0, &ru);
    if (n <= 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) { fprintf(stderr, "python run failed: read %d, status %d\n", (int)n, st); return r; }
    buf[n] = 0;
    r.ok = sscanf(buf, "%lf %lf %lf", &r.secs, &r.base_kb, &r.array_bytes) == 3;
    r.peak_kb = (double)ru.ru_maxrss;
    return r;
}


typedef struct row { const char *name; double t[32], peak[32]; int n; double arrays; } row;

static void add(row *w, result r) {
    if (!r.ok) return;
    w->t[w->n] = r.secs;
    w->peak[w->n] = (r.peak_kb - r.base_kb) * 1024.0;
    w->arrays = r.array_bytes;
    w->n++;
}
static void print_row(const row *w) {
    double t[32], p[32];
    if (!w->n) { printf("%-40s  (not run)\n", w->name); return; }
    memcpy(t, w->t, sizeof t);
    memcpy(p, w->peak, sizeof p);
    qsort(t, (size_t)w->n, sizeof(double), cmp_double);
    qsort(p, (size_t)w->n, sizeof(double), cmp_double);
    printf("%-40s  %8.3f  %8.3f  %10.1f  %8.2fx\n", w->name, t[w->n / 2], t[0], p[w->n / 2] / 1048576.0, p[w->n / 2] / w->arrays);
}

int main(int argc, char **argv) {
    char path[1024], dir[1024];
    const char *py = "/usr/bin/python3";
    int runs = argc > 2 ? atoi(argv[2]) : 5, i, have_py, have_dir;
    row g = {"groundup gu_mnist_load_pkl", {0}, {0}, 0, 0}, p = {"python gzip.open + pickle.load", {0}, {0}, 0, 0};
    row gi = {"groundup gu_mnist_load_idx (raw IDX dir)", {0}, {0}, 0, 0};
    if (runs < 1) runs = 1;
    if (runs > 32) runs = 32;
    if (find_mnist(path, sizeof path, argc > 1 ? argv[1] : NULL) != 0) {
        printf("error: %s\n", gu_error());
        return 1;
    }
    if (gu_data_format_of(path) != GU_FORMAT_PICKLE) {
        printf("error: %s is not mnist.pkl.gz; pass its path\n", path);
        return 1;
    }
    snprintf(dir, sizeof dir, "%.*s/mnist", (int)(strrchr(path, '/') ? strrchr(path, '/') - path : 1), strrchr(path, '/') ? path : ".");
    have_dir = gu_data_format_of(dir) == GU_FORMAT_IDX_DIR;
    have_py = access(py, X_OK) == 0 && system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") == 0;
    for (i = 0; i < runs; i++) {  // interleaved, so drift on a shared machine hits both alike
        add(&g, run_groundup(path));
        if (have_py) add(&p, run_python(py, path));
        if (have_dir) add(&gi, run_groundup(dir));
    }
    printf("load %s (%d runs each, fresh process per run; peak = max RSS during the load less RSS before it)\n", path, runs);
    printf("%-40s  %8s  %8s  %10s  %9s\n", "", "median s", "best s", "peak MiB", "/ arrays");
    print_row(&g);
    if (have_py) print_row(&p);
    else printf("%-40s  (skipped: /usr/bin/python3 with numpy not found)\n", p.name);
    if (have_dir) print_row(&gi);
    printf("arrays: %.1f MiB (x float32 (N, 784) and y int64 (N,) for N = 50000, 10000, 10000)\n", g.arrays / 1048576.0);
    if (g.n && p.n) {
        qsort(g.t, (size_t)g.n, sizeof(double), cmp_double);
        qsort(p.t, (size_t)p.n, sizeof(double), cmp_double);
        printf("groundup / python time: %.2f\n", g.t[g.n / 2] / p.t[p.n / 2]);
    }
    return g.n ? 0 : 1;
}
