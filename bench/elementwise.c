// bench/elementwise.c - is elementwise arithmetic memory-bound?
// Build: make build/bench_elementwise   (or: cc -O3 -march=native -I.. -o elementwise elementwise.c -lm)
// Prints GB/s for add, mul and gt on 16M float32 elements beside memcpy's and NumPy's
// (Debian's python3-numpy through popen, when it is there), the time of a broadcast
// row-add beside the same-shape add, and sum beside a plain read of the array.
// Bytes counted: every byte read and written once (add: 2 reads + 1 write of 64 MiB).
// Outputs are preallocated (the _out forms), so no run pays for page faults. The machine is
// shared: every round runs each op once (so a noisy moment hits all of them alike), and
// both the median and the best of the rounds are printed; ratios use the best.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE  // popen, clock_gettime
#endif
#define GROUNDUP_IMPLEMENTATION
#include "../groundup.h"
#include "bench.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N (1 << 24)
#define RUNS 15


// A plain read: the array summed in float32 with 64 independent lanes (no float64
// conversion, no accuracy care): the bandwidth a sum can hope for.
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static float read_all(const float *x, int64_t n) {
    float acc[64] = {0};
    int64_t i;
    int j;
    for (i = 0; i + 64 <= n; i += 64)
        for (j = 0; j < 64; j++) acc[j] += x[i + j];
    for (j = 1; j < 64; j++) acc[0] += acc[j];
    return acc[0];
}

int main(void) {
    int64_t n = N, sq[2] = {4096, 4096}, n4096 = 4096;
    gu_tensor a = gu_empty(GU_FLOAT32, 1, &n), b = gu_empty(GU_FLOAT32, 1, &n), c = gu_empty(GU_FLOAT32, 1, &n);
    gu_tensor g = gu_empty(GU_BOOL, 1, &n), rowv = gu_empty(GU_FLOAT32, 1, &n4096), s;
    gu_tensor a2, b2, c2;
    double med[10], best[10];
    volatile float sink = 0;
    int64_t i;
    int r;
    const double MB = (double)N * 4;  // bytes of one float array
    FILE *py;
    char line[256];

    if (!gu_ok(a) || !gu_ok(b) || !gu_ok(c) || !gu_ok(g) || !gu_ok(rowv)) { fprintf(stderr, "%s\n", gu_error()); return 1; }
    for (i = 0; i < N; i++) {
        ((float *)a.base)[i] = (float)(i % 1000) * 0.001f;
        ((float *)b.base)[i] = (float)(i % 777) * 0.002f;
        ((float *)c.base)[i] = 0;
        ((uint8_t *)g.base)[i] = 0;
    }
    for (i = 0; i < 4096; i++) ((float *)rowv.base)[i] = (float)i;
    a2 = gu_view(a, 2, sq);
    b2 = gu_view(b, 2, sq);
    c2 = gu_view(c, 2, sq);
    {
        enum { MEMCPY, ADD, MUL, GT, READ, SUM, SAME, BCAST, COL, ALLOC, NOPS };
        static const int order[NOPS] = {READ, SUM, MEMCPY, ADD, MUL, GT, SAME, BCAST, COL, ALLOC};
        double tt[NOPS][RUNS], t0;
        int op, k;
        for (r = 0; r < RUNS; r++)
            for (k = 0; k < NOPS; k++) {
                op = order[(k + r) % NOPS];  // rotate so no op always follows the same one
                t0 = now();
                switch (op) {
                case MEMCPY: memcpy(c.base, a.base, (size_t)MB); break;
                case ADD: gu_add_out(c, a, b); break;
                case MUL: gu_mul_out(c, a, b); break;
                case GT: gu_gt_out(g, a, b); break;
                case READ: sink += read_all((const float *)a.base, N); break;
                case SUM: s = gu_sum(a); sink += (float)gu_item(s); gu_free(&s); break;
                case SAME: gu_add_out(c2, a2, b2); break;                      // (4096, 4096) + (4096, 4096)
                case BCAST: gu_add_out(c2, a2, rowv); break;                   // (4096, 4096) + (4096,)
                case COL: gu_add_out(c2, a2, gu_unsqueeze(rowv, 1)); break;    // (4096, 4096) + (4096, 1)
                case ALLOC: s = gu_add(a, b); gu_free(&s); break;              // a new 64 MiB result each time
                }
                tt[op][r] = now() - t0;
            }
        for (op = 0; op < NOPS; op++) {
            qsort(tt[op], RUNS, sizeof(double), cmp_double);
            med[op] = tt[op][RUNS / 2];
            best[op] = tt[op][0];
        }
    }
    (void)sink;

    printf("elementwise on %d float32 (%.0f MiB per array), 1 thread, %d rounds\n", N, MB / 1048576, RUNS);
    printf("%-36s %9s %9s %9s %9s\n", "op", "med ms", "best ms", "med GB/s", "best GB/s");
    {
        static const char *names[10] = {"memcpy (1 read + 1 write)", "gu_add_out (2 reads + 1 write)", "gu_mul_out (2 reads + 1 write)",
                                       "gu_gt_out (2 reads + 1 bool write)", "plain read (float32 sum, 64 lanes)", "gu_sum (1 read)",
                                       "(4096,4096) + (4096,4096)", "(4096,4096) + (4096,)   row bcast", "(4096,4096) + (4096,1)  col bcast",
                                        "gu_add (allocates; page faults)"};
        static const double bytes[10] = {2, 3, 3, 2.25, 1, 1, 3, 2, 2, 3};
        int op;
        for (op = 0; op < 10; op++)
            printf("%-36s %9.2f %9.2f %9.1f %9.1f\n", names[op], med[op] * 1e3, best[op] * 1e3, bytes[op] * MB / med[op] / 1e9, bytes[op] * MB / best[op] / 1e9);
        printf("best-of ratios: add %.0f%%, mul %.0f%%, gt %.0f%% of memcpy's GB/s; sum %.0f%% of the plain read;\n"
               "                row bcast / same-shape add %.2f (target <= 1.2), col bcast %.2f\n",
               100 * (3 / best[1]) / (2 / best[0]), 100 * (3 / best[2]) / (2 / best[0]), 100 * (2.25 / best[3]) / (2 / best[0]),
               100 * best[4] / best[5], best[7] / best[6], best[8] / best[6]);
    }

    // NumPy on the same machine, same sizes, preallocated outputs.
    py = popen("/usr/bin/python3 -c \""
               "import numpy as np, time\n"
               "n=1<<24; a=np.arange(n,dtype=np.float32)%1000*0.001; b=np.arange(n,dtype=np.float32)%777*0.002\n"
               "c=np.empty_like(a); g=np.empty(n,dtype=bool); MB=n*4\n"
               "def med(f):\n"
               "  t=[]\n"
               "  for _ in range(15):\n"
               "    t0=time.perf_counter(); f(); t.append(time.perf_counter()-t0)\n"
               "  return sorted(t)[0]\n"
               "print('numpy', np.__version__)\n"
               "t=med(lambda: np.copyto(c,a)); print('np.copyto %.2f %.1f'%(t*1e3,2*MB/t/1e9))\n"
               "t=med(lambda: np.add(a,b,out=c)); print('np.add(out=) %.2f %.1f'%(t*1e3,3*MB/t/1e9))\n"
               "t=med(lambda: a+b); print('a+b (allocates) %.2f %.1f'%(t*1e3,3*MB/t/1e9))\n"
               "t=med(lambda: np.multiply(a,b,out=c)); print('np.multiply(out=) %.2f %.1f'%(t*1e3,3*MB/t/1e9))\n"
               "t=med(lambda: np.greater(a,b,out=g)); print('np.greater(out=) %.2f %.1f'%(t*1e3,2.25*MB/t/1e9))\n"
               "t=med(lambda: a.sum()); print('a.sum() %.2f %.1f'%(t*1e3,MB/t/1e9))\n"
               "a2=a.reshape(4096,4096); c2=c.reshape(4096,4096); r=np.arange(4096,dtype=np.float32)\n"
               "t1=med(lambda: np.add(a2,b.reshape(4096,4096),out=c2)); t2=med(lambda: np.add(a2,r,out=c2))\n"
               "print('np row bcast ratio %.2f %.2f'%(t2*1e3,t2/t1))\n"
               "\" 2>/dev/null", "r");
    if (py) {
        int any = 0;
        printf("\nNumPy, same machine (best of 15: ms, GB/s):\n");
        while (fgets(line, sizeof line, py)) { printf("  %s", line); any = 1; }
        if (pclose(py) != 0 || !any) printf("  (python3-numpy not available)\n");
    }
    gu_free(&a); gu_free(&b); gu_free(&c); gu_free(&g); gu_free(&rowv);
    return 0;
}
