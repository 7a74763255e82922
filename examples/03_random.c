// cc -O2 -march=native -I.. -o 03_random 03_random.c -lm -lz -lpthread
// examples/03_random.c - the lesson's "Random numbers" section: Wichmann-Hill from scratch,
// the fork surprise and its cure, plt.plot and plt.hist of rand(), then torch.randn.
// Usage: ./03_random [OUTDIR]   (writes rand_plot.png and rand_hist.png there; default .)
#ifndef _GNU_SOURCE
#define _GNU_SOURCE  // fork, waitpid
#endif
#define GROUNDUP_IMPLEMENTATION
#include "../groundup.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__unix__) || defined(__APPLE__)
#include <sys/wait.h>
#include <unistd.h>
#define HAVE_FORK 1
#endif

static double now_s(void) {
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

// "12x faster", "2.5x faster", "2.5x slower": a ratio that reads right on either side of 1.
static void fmt_faster(char *buf, size_t n, double ratio) {
    if (!(ratio > 0) || ratio > 1e9) snprintf(buf, n, "too fast to compare");
    else if (ratio >= 10) snprintf(buf, n, "%.0fx faster", ratio);
    else if (ratio >= 1) snprintf(buf, n, "%.1fx faster", ratio);
    else snprintf(buf, n, "%.1fx slower", 1 / ratio);
}

#ifdef HAVE_FORK
// if os.fork(): print(f'In parent: {rand()}') / else: print(f'In child: {rand()}'); os._exit(0)
static void fork_and_draw(int cure) {
    pid_t pid;
    fflush(stdout);  // or the child prints the parent's buffered lines a second time
    pid = fork();
    if (pid < 0) { perror("fork"); return; }
    if (pid == 0) {
        if (cure) gu_seed_from_entropy();  // the cure: a fresh state in the child
        printf("In child:  %.16g\n", gu_rand());
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, NULL, 0);  // the child first, so the output reads in order
    printf("In parent: %.16g\n", gu_rand());
}
#endif

int main(int argc, char **argv) {
    const char *outdir = argc > 1 ? argv[1] : ".";
    char path[1024], ratio[64];
    float ys[50], *xs;
    int64_t shape[2] = {784, 10}, i, n = 7840;
    gu_wh_state s;
    gu_tensor w;
    double t0, t_wh, t_randn;
    float *fill;

    if (argc > 2 || (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))) {
        fprintf(argc > 2 ? stderr : stdout, "usage: %s [OUTDIR]\n"
               "  the lesson's random numbers; writes OUTDIR/rand_plot.png and OUTDIR/rand_hist.png\n"
               "  (OUTDIR must exist; default: the current folder)\n", argv[0]);
        return argc > 2 ? 2 : 0;
    }
    if (!outdir[0]) {   // "" would become "/rand_plot.png": the root folder
        fprintf(stderr, "error: OUTDIR is empty (use . for the current folder)\n");
        return 2;
    }

    // seed(457428938475); rnd_state
    gu_seed(457428938475ull);
    s = gu_rnd_state();
    printf("rnd_state = (%d, %d, %d)\n", s.x, s.y, s.z);
    // rand(), rand(), rand()
    {
        double a = gu_rand(), b = gu_rand(), c = gu_rand();  // in this order: C leaves the
        printf("rand() x 3 = (%.16g, %.16g, %.16g)\n", a, b, c);  // order of arguments open
    }

#ifdef HAVE_FORK
    // The child is a copy of the parent, random state included: both draw the same number.
    printf("\nfork, no reseed:\n");
    fork_and_draw(0);
    printf("fork, the child reseeds from entropy (gu_seed_from_entropy):\n");
    fork_and_draw(1);
    printf("\n");
#endif

    // plt.plot([rand() for _ in range(50)])
    for (i = 0; i < 50; i++) ys[i] = (float)gu_rand();
    snprintf(path, sizeof path, "%s/rand_plot.png", outdir);
    if (gu_plot(path, ys, 50, NULL) != 0) { fprintf(stderr, "%s\n", gu_error()); return 1; }
    printf("wrote %s\n", path);
    // plt.hist([rand() for _ in range(10000)])
    xs = (float *)malloc(10000 * sizeof(float));
    if (!xs) return 1;
    for (i = 0; i < 10000; i++) xs[i] = (float)gu_rand();
    snprintf(path, sizeof path, "%s/rand_hist.png", outdir);
    if (gu_hist(path, xs, 10000, 10, NULL) != 0) { fprintf(stderr, "%s\n", gu_error()); return 1; }
    printf("wrote %s\n", path);
    free(xs);

    // torch.randn: much faster than rand from scratch.
    // %timeit list(chunks([rand() for _ in range(7840)], 10))  vs  %timeit torch.randn(784,10)
    fill = (float *)malloc((size_t)n * sizeof(float));
    if (!fill) return 1;
    t0 = now_s();
    for (int r = 0; r < 100; r++)
        for (i = 0; i < n; i++) fill[i] = (float)gu_rand();
    t_wh = (now_s() - t0) / 100;
    t0 = now_s();
    for (int r = 0; r < 100; r++) {
        w = gu_randn(2, shape);
        gu_free(&w);
    }
    t_randn = (now_s() - t0) / 100;
    fmt_faster(ratio, sizeof ratio, t_wh / t_randn);
    printf("\n7840 gu_rand() values: %8.1f us\ngu_randn(784, 10):     %8.1f us  (%s)\n",
           t_wh * 1e6, t_randn * 1e6, ratio);
    free(fill);

    // torch.manual_seed(1); weights = torch.randn(784,10); weights[0,:]
    gu_manual_seed(1);
    w = gu_randn(2, shape);
    printf("\nweights[0,:] after gu_manual_seed(1):\n");
    gu_print(gu_select(w, 0, 0));
    gu_free(&w);

    // a terminal preview: a smooth ramp plus noise, 16 x 40
    {
        int64_t sh[2] = {16, 40};
        gu_tensor img = gu_randn(2, sh);
        float *p = (float *)img.base;
        for (i = 0; i < 16 * 40; i++) p[i] = (float)(i % 40) / 10.0f + 0.3f * p[i];
        printf("\ngu_term_show of a noisy ramp:\n");
        gu_term_show(stdout, img, 40);
        gu_free(&img);
    }
    return 0;
}
