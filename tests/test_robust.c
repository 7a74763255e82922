// tests/test_robust.c - where programs really fail: every public function called with NULL
// for each pointer argument, write errors (/dev/full), a FIFO given to the loaders, hostile
// pickles that try to make memory grow faster than the arrays they return (a DUP bomb, a
// shared-array bomb), and an elementwise _out that partly overlaps its input.
// The allocation-failure scenario is its own program: tests/oom.c (`make test-oom`).
#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

// ---- NULL for every pointer argument -------------------------------------------------------
// Each case calls one function with one NULL pointer (the other arguments valid) and says
// whether the call reported an error: the right return value and a message in gu_error().
// Run in a forked child each, so a crash is one failed case, not the end of the run.
typedef int (*tr__case_fn)(void);
static const int64_t tr__sh2[2] = {2, 3};
static float tr__f6[6] = {1, 2, 3, 4, 5, 6};

// NULL through a volatile, so that the compiler does not warn about the calls it sees
static void *volatile tr__nil;
#define TR_NIL(type) ((type)tr__nil)

static gu_tensor tr__t23(void) { return gu_wrap(GU_FLOAT32, 2, tr__sh2, tr__f6); }
static int tr__err(void) { return gu_error()[0] != 0; }
static int tr__bad_t(gu_tensor t) { int ok = gu_ok(t); gu_free(&t); return !ok && tr__err(); }
static int tr__bad_i(int r) { return r == -1 && tr__err(); }

#define TR_CASE(name, expr) static int tr__c_##name(void) { gu_clear_error(); return (expr); }
TR_CASE(empty_shape, tr__bad_t(gu_empty(GU_FLOAT32, 2, NULL)))
TR_CASE(zeros_shape, tr__bad_t(gu_zeros(GU_FLOAT32, 2, NULL)))
TR_CASE(ones_shape, tr__bad_t(gu_ones(GU_FLOAT32, 2, NULL)))
TR_CASE(full_shape, tr__bad_t(gu_full(GU_FLOAT32, 2, NULL, 1.0)))
TR_CASE(from_data_shape, tr__bad_t(gu_from_data(GU_FLOAT32, 2, NULL, tr__f6)))
TR_CASE(from_data_data, tr__bad_t(gu_from_data(GU_FLOAT32, 2, tr__sh2, NULL)))
TR_CASE(wrap_shape, tr__bad_t(gu_wrap(GU_FLOAT32, 2, NULL, tr__f6)))
TR_CASE(wrap_data, tr__bad_t(gu_wrap(GU_FLOAT32, 2, tr__sh2, NULL)))
TR_CASE(free, (gu_free(NULL), 1))
TR_CASE(free_mem, (gu_free_mem(NULL), 1))
TR_CASE(view_shape, tr__bad_t(gu_view(tr__t23(), 2, NULL)))
TR_CASE(reshape_shape, tr__bad_t(gu_reshape(tr__t23(), 2, NULL)))
TR_CASE(index_idx, tr__bad_t(gu_index(tr__t23(), 1, NULL)))
TR_CASE(expand_shape, tr__bad_t(gu_expand(tr__t23(), 2, NULL)))
TR_CASE(permute_dims, tr__bad_t(gu_permute(tr__t23(), NULL)))
TR_CASE(get_idx, gu_get(tr__t23(), 2, NULL) != gu_get(tr__t23(), 2, NULL) && tr__err())
TR_CASE(set_idx, tr__bad_i(gu_set(tr__t23(), 2, NULL, 1.0)))
TR_CASE(fprint_file, tr__bad_i(gu_fprint(TR_NIL(FILE *), tr__t23())))
TR_CASE(shape_str_buf, gu_shape_str(tr__t23(), TR_NIL(char *), 10) == NULL && tr__err())
TR_CASE(stride_str_buf, gu_stride_str(tr__t23(), TR_NIL(char *), 10) == NULL && tr__err())
TR_CASE(wh_seed, (gu_wh_seed(NULL, 1), tr__err()))
TR_CASE(wh_rand, gu_wh_rand(NULL) != gu_wh_rand(NULL) && tr__err())
TR_CASE(generator_seed, (gu_generator_seed(NULL, 1), tr__err()))
TR_CASE(generator_random, gu_generator_random(NULL) == 0 && tr__err())
TR_CASE(generator_random64, gu_generator_random64(NULL) == 0 && tr__err())
TR_CASE(rand_t_shape, tr__bad_t(gu_rand_t(2, NULL)))
TR_CASE(randn_shape, tr__bad_t(gu_randn(2, NULL)))
TR_CASE(randint_shape, tr__bad_t(gu_randint(0, 5, 2, NULL)))
// the _gen forms, the fills and gemm_set_kernel document NULL: the default generator, "auto"
static int tr__good_t(gu_tensor t) { int ok = gu_ok(t); gu_free(&t); return ok; }
TR_CASE(rand_gen_g, tr__good_t(gu_rand_gen(NULL, 2, tr__sh2)))
TR_CASE(rand_gen_shape, tr__bad_t(gu_rand_gen(gu_default_generator(), 2, NULL)))
TR_CASE(randn_gen_g, tr__good_t(gu_randn_gen(NULL, 2, tr__sh2)))
TR_CASE(randn_gen_shape, tr__bad_t(gu_randn_gen(gu_default_generator(), 2, NULL)))
TR_CASE(randint_gen_g, tr__good_t(gu_randint_gen(NULL, 0, 5, 2, tr__sh2)))
TR_CASE(randint_gen_shape, tr__bad_t(gu_randint_gen(gu_default_generator(), 0, 5, 2, NULL)))
TR_CASE(rand_fill_g, gu_rand_fill(NULL, tr__f6, 6) == 0)
TR_CASE(rand_fill_out, tr__bad_i(gu_rand_fill(gu_default_generator(), NULL, 6)))
TR_CASE(randn_fill_g, gu_randn_fill(NULL, tr__f6, 6) == 0)
TR_CASE(randn_fill_out, tr__bad_i(gu_randn_fill(gu_default_generator(), NULL, 6)))
TR_CASE(imshow_path, tr__bad_i(gu_imshow(NULL, tr__t23(), NULL)))
TR_CASE(plot_path, tr__bad_i(gu_plot(NULL, tr__f6, 6, NULL)))
TR_CASE(plot_y, tr__bad_i(gu_plot("tr_null.png", NULL, 6, NULL)))
TR_CASE(plot_t_path, tr__bad_i(gu_plot_t(NULL, gu_select(tr__t23(), 0, 0), NULL)))
TR_CASE(hist_path, tr__bad_i(gu_hist(NULL, tr__f6, 6, 3, NULL)))
TR_CASE(hist_x, tr__bad_i(gu_hist("tr_null.png", NULL, 6, 3, NULL)))
TR_CASE(bar_path, tr__bad_i(gu_bar(NULL, (const char *const[]){"a"}, tr__f6, 1, 0)))
TR_CASE(bar_labels, tr__bad_i(gu_bar("tr_null.png", NULL, tr__f6, 1, 0)))
TR_CASE(bar_label0, tr__bad_i(gu_bar("tr_null.png", (const char *const[]){NULL}, tr__f6, 1, 0)))
TR_CASE(bar_values, tr__bad_i(gu_bar("tr_null.png", (const char *const[]){"a"}, NULL, 1, 0)))
TR_CASE(bar_titled_path, tr__bad_i(gu_bar_titled(NULL, "t", (const char *const[]){"a"}, tr__f6, 1, 0)))
TR_CASE(term_show_file, tr__bad_i(gu_term_show(NULL, tr__t23(), 80)))
TR_CASE(pkl_load_path, tr__bad_i(gu_pkl_load(NULL, NULL, 0, NULL)))
TR_CASE(pkl_load_out, tr__bad_i(gu_pkl_load(TM_DIR "single_py3_p4.pkl", NULL, 4, NULL)))
TR_CASE(pkl_load_mem_data, tr__bad_i(gu_pkl_load_mem(NULL, 10, NULL, 0, NULL)))
TR_CASE(idx_load_path, tr__bad_t(gu_idx_load(NULL)))
TR_CASE(idx_load_mem_data, tr__bad_t(gu_idx_load_mem(NULL, 10)))
TR_CASE(mnist_load_pkl_path, tr__bad_i(gu_mnist_load_pkl(NULL, &(gu_mnist){0})))
TR_CASE(mnist_load_pkl_out, tr__bad_i(gu_mnist_load_pkl(TM_DIR "mini_mnist.pkl.gz", NULL)))
TR_CASE(mnist_load_idx_dir, tr__bad_i(gu_mnist_load_idx(NULL, &(gu_mnist){0})))
TR_CASE(mnist_load_idx_out, tr__bad_i(gu_mnist_load_idx(TM_DIR "mini", NULL)))
TR_CASE(mnist_load_path, tr__bad_i(gu_mnist_load(NULL, &(gu_mnist){0})))
TR_CASE(mnist_load_out, tr__bad_i(gu_mnist_load(TM_DIR "mini_mnist.pkl.gz", NULL)))
TR_CASE(mnist_free, (gu_mnist_free(NULL), 1))
TR_CASE(data_format_of, gu_data_format_of(NULL) == GU_FORMAT_UNKNOWN && tr__err())
TR_CASE(mnist_find_buf, tr__bad_i(gu_mnist_find(NULL, 10, NULL)))
TR_CASE(sgemm_a, tr__bad_i(gu_sgemm('N', 'N', 2, 2, 2, 1.0f, NULL, 2, tr__f6, 2, 0.0f, tr__f6, 2)))
TR_CASE(sgemm_b, tr__bad_i(gu_sgemm('N', 'N', 2, 2, 2, 1.0f, tr__f6, 2, NULL, 2, 0.0f, tr__f6, 2)))
TR_CASE(sgemm_c, tr__bad_i(gu_sgemm('N', 'N', 2, 2, 2, 1.0f, tr__f6, 2, tr__f6, 2, 0.0f, NULL, 2)))
TR_CASE(sgemm_ref_a, tr__bad_i(gu_sgemm_ref('N', 'N', 2, 2, 2, 1.0f, NULL, 2, tr__f6, 2, 0.0f, tr__f6, 2)))
TR_CASE(sgemm_ref_b, tr__bad_i(gu_sgemm_ref('N', 'N', 2, 2, 2, 1.0f, tr__f6, 2, NULL, 2, 0.0f, tr__f6, 2)))
TR_CASE(sgemm_ref_c, tr__bad_i(gu_sgemm_ref('N', 'N', 2, 2, 2, 1.0f, tr__f6, 2, tr__f6, 2, 0.0f, NULL, 2)))
TR_CASE(gemm_set_kernel, gu_gemm_set_kernel(NULL) == 0)
TR_CASE(matmul_ladder, gu_matmul_ladder(NULL) != NULL)
TR_CASE(einsum_spec, tr__bad_t(gu_einsum(NULL, 1, (gu_tensor[]){tr__t23()})))
TR_CASE(einsum_operands, tr__bad_t(gu_einsum("ij->ji", 1, NULL)))
TR_CASE(einsum1_spec, tr__bad_t(gu_einsum1(NULL, tr__t23())))
TR_CASE(einsum2_spec, tr__bad_t(gu_einsum2(NULL, tr__t23(), tr__t23())))
TR_CASE(einsum3_spec, tr__bad_t(gu_einsum3(NULL, tr__t23(), tr__t23(), tr__t23())))
TR_CASE(launch_kernel, (gu_launch_kernel(NULL, 2, 2, NULL), tr__err()))
TR_CASE(launch, tr__bad_i(gu_launch(NULL, (gu_dim3){1, 1, 1}, (gu_dim3){1, 1, 1}, NULL)))
TR_CASE(grid_ctx, (gu_grid(NULL, &(int64_t){0}, &(int64_t){0}), tr__err()))
TR_CASE(grid_x, (gu_grid(&(gu_thread_ctx){{0, 0, 0}, {0, 0, 0}, {1, 1, 1}, {1, 1, 1}}, NULL, &(int64_t){0}), 1))
TR_CASE(set_error, (gu_set_error(NULL), gu_error()[0] == 0))

#define TR_ROW(name) {#name, tr__c_##name}
static const struct { const char *name; tr__case_fn fn; } tr__null_cases[] = {
    TR_ROW(empty_shape), TR_ROW(zeros_shape), TR_ROW(ones_shape), TR_ROW(full_shape), TR_ROW(from_data_shape),
    TR_ROW(from_data_data), TR_ROW(wrap_shape), TR_ROW(wrap_data), TR_ROW(free), TR_ROW(free_mem), TR_ROW(view_shape),
    TR_ROW(reshape_shape), TR_ROW(index_idx), TR_ROW(expand_shape), TR_ROW(permute_dims), TR_ROW(get_idx),
    TR_ROW(set_idx), TR_ROW(fprint_file), TR_ROW(shape_str_buf), TR_ROW(stride_str_buf), TR_ROW(wh_seed),
    TR_ROW(wh_rand), TR_ROW(generator_seed), TR_ROW(generator_random), TR_ROW(generator_random64),
    TR_ROW(rand_t_shape), TR_ROW(randn_shape), TR_ROW(randint_shape), TR_ROW(rand_gen_g), TR_ROW(rand_gen_shape),
    TR_ROW(randn_gen_g), TR_ROW(randn_gen_shape), TR_ROW(randint_gen_g), TR_ROW(randint_gen_shape),
    TR_ROW(rand_fill_g), TR_ROW(rand_fill_out), TR_ROW(randn_fill_g), TR_ROW(randn_fill_out), TR_ROW(imshow_path),
    TR_ROW(plot_path), TR_ROW(plot_y), TR_ROW(plot_t_path), TR_ROW(hist_path), TR_ROW(hist_x), TR_ROW(bar_path),
    TR_ROW(bar_labels), TR_ROW(bar_label0), TR_ROW(bar_values), TR_ROW(bar_titled_path), TR_ROW(term_show_file),
    TR_ROW(pkl_load_path), TR_ROW(pkl_load_out), TR_ROW(pkl_load_mem_data), TR_ROW(idx_load_path),
    TR_ROW(idx_load_mem_data), TR_ROW(mnist_load_pkl_path), TR_ROW(mnist_load_pkl_out), TR_ROW(mnist_load_idx_dir),
    TR_ROW(mnist_load_idx_out), TR_ROW(mnist_load_path), TR_ROW(mnist_load_out), TR_ROW(mnist_free),
    TR_ROW(data_format_of), TR_ROW(mnist_find_buf), TR_ROW(sgemm_a), TR_ROW(sgemm_b), TR_ROW(sgemm_c),
    TR_ROW(sgemm_ref_a), TR_ROW(sgemm_ref_b), TR_ROW(sgemm_ref_c), TR_ROW(gemm_set_kernel), TR_ROW(matmul_ladder),
    TR_ROW(einsum_spec), TR_ROW(einsum_operands), TR_ROW(einsum1_spec), TR_ROW(einsum2_spec), TR_ROW(einsum3_spec),
    TR_ROW(launch_kernel), TR_ROW(launch), TR_ROW(grid_ctx), TR_ROW(grid_x), TR_ROW(set_error),
};

static void test_robust_null_pointers(void) {
    size_t i;
    for (i = 0; i < sizeof tr__null_cases / sizeof tr__null_cases[0]; i++) {
        int status = 0;
        pid_t pid;
        fflush(NULL);
        pid = fork();
        if (pid == 0) {
            int ok = tr__null_cases[i].fn();
            fflush(NULL);
            _exit(ok ? 0 : 1);
        }
        if (pid < 0 || waitpid(pid, &status, 0) != pid) { CHECKF(0, "%s: fork failed", tr__null_cases[i].name); continue; }
        if (WIFSIGNALED(status)) CHECKF(0, "%s: crashed (signal %d)", tr__null_cases[i].name, WTERMSIG(status));
        else CHECKF(WEXITSTATUS(status) == 0, "%s: no error reported (exit %d)", tr__null_cases[i].name, WEXITSTATUS(status));
    }
    remove("tr_null.png");
}

// ---- write errors ---------------------------------------------------------------------------
static int tr__count_tmp(const char *dir) {  // this process's temporary files, .gu<pid>-<k>.tmp
    DIR *d = opendir(dir);
    struct dirent *e;
    char prefix[32];
    int n = 0;
    if (!d) return -1;
    snprintf(prefix, sizeof prefix, ".gu%d-", (int)getpid());
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 && strstr(e->d_name, ".tmp")) n++;
    closedir(d);
    return n;
}

static void test_robust_write_errors(void) {
#ifdef GU_NO_PNG
    SKIP("built with GU_NO_PNG");
#else
    int64_t sh[2] = {28, 28};
    float v[4] = {1, 3, 2, 4};
    const char *labels[2] = {"a", "b"};
    gu_tensor img = gu_rand_t(2, sh);
    char path[256];
    // a device that is always full: every writer returns -1 and says why
    CHECKF(gu_imshow("/dev/full", img, NULL) == -1 && strstr(gu_error(), "imshow") && strstr(gu_error(), "/dev/full") &&
           strstr(gu_error(), "space"), "%s", gu_error());
    CHECKF(gu_plot("/dev/full", v, 4, NULL) == -1 && strstr(gu_error(), "plot"), "%s", gu_error());
    CHECKF(gu_hist("/dev/full", v, 4, 2, NULL) == -1 && strstr(gu_error(), "hist"), "%s", gu_error());
    CHECKF(gu_bar("/dev/full", labels, v, 2, 0) == -1 && strstr(gu_error(), "bar"), "%s", gu_error());
    CHECKF(gu_imshow("/dev/null", img, NULL) == 0, "%s", gu_error());  // a device that takes it all
    CHECKF(gu_imshow(".", img, NULL) == -1 && strstr(gu_error(), "directory"), "%s", gu_error());
    {   // printing to a full device, unbuffered: -1 and a message naming the call
        FILE *full = fopen("/dev/full", "w");
        CHECK(full != NULL);
        if (full) {
            setvbuf(full, NULL, _IONBF, 0);
            gu_clear_error();
            CHECKF(gu_fprint(full, img) == -1 && strstr(gu_error(), "fprint") && strstr(gu_error(), "space"), "%s", gu_error());
            gu_clear_error();
            CHECKF(gu_term_show(full, img, 20) == -1 && strstr(gu_error(), "term_show"), "%s", gu_error());
            fclose(full);
        }
    }
    // a full disk (a file size limit in a child): the old file stays whole, no temporary file is left
    snprintf(path, sizeof path, "tr_full_%d.png", (int)getpid());
    CHECK(gu_imshow(path, img, NULL) == 0);
    {
        struct stat before, after;
        int status = 0;
        pid_t pid;
        CHECK(stat(path, &before) == 0);
        fflush(NULL);
        pid = fork();
        if (pid == 0) {
            struct rlimit rl = {1000, 1000};
            signal(SIGXFSZ, SIG_IGN);  // a write past the limit fails with EFBIG instead
            setrlimit(RLIMIT_FSIZE, &rl);
            _exit(gu_imshow(path, img, NULL) == -1 && strstr(gu_error(), "cannot write") ? 0 : 1);
        }
        CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
        CHECK(stat(path, &after) == 0 && after.st_size == before.st_size && after.st_size > 1000);
        CHECK(tr__count_tmp(".") == 0);
    }
    remove(path);
    gu_free(&img);
#endif
}

// Replacing a file as fopen(path, "wb") would write it: through a symbolic link (the link
// stays), keeping the file's permissions, refusing a file the caller may not write, any name
// that fits (the temporary name is short), in place where the folder may not be written.
static void test_robust_write_links(void) {
#ifdef GU_NO_PNG
    SKIP("built with GU_NO_PNG");
#else
    int64_t big[2] = {28, 28}, small[2] = {4, 4};
    gu_tensor a = gu_rand_t(2, big), b = gu_rand_t(2, small);
    char real[64], link[64], dangling[64], dir[64], longname[260];
    struct stat st, before;
    int status = 0;
    pid_t pid;
    snprintf(real, sizeof real, "tr_real_%d.png", (int)getpid());
    snprintf(link, sizeof link, "tr_link_%d.png", (int)getpid());
    snprintf(dangling, sizeof dangling, "tr_dangling_%d.png", (int)getpid());
    CHECKF(gu_imshow(real, a, NULL) == 0, "%s", gu_error());
    CHECK(stat(real, &before) == 0 && chmod(real, 0600) == 0);
    CHECK(symlink(real, link) == 0);
    CHECKF(gu_imshow(link, b, NULL) == 0, "%s", gu_error());
    CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));                              // still a link
    CHECK(stat(real, &st) == 0 && st.st_size != before.st_size && (st.st_mode & 0777) == 0600);  // its target rewritten, still 0600
    CHECK(tr__count_tmp(".") == 0);
    CHECK(symlink("tr_no_such_file.png", dangling) == 0);
    CHECKF(gu_imshow(dangling, b, NULL) == -1 && strstr(gu_error(), "symbolic link"), "%s", gu_error());
    remove(dangling);
    remove(link);
    remove(real);
    {   // a name of 250 characters: the file's own name fits, and so does the temporary one
        size_t i, n = snprintf(longname, sizeof longname, "tr_long_%d_", (int)getpid());
        for (i = n; i < 246; i++) longname[i] = 'x';
        memcpy(longname + 246, ".png", 5);
        CHECKF(gu_imshow(longname, b, NULL) == 0, "%s", gu_error());
        CHECK(stat(longname, &st) == 0 && st.st_size > 0);
        remove(longname);
    }
    // A read-only file, and a file in a read-only folder: root may write anything, so a child
    // does these as user nobody (65534) when the tests run as root (as in CI), in a folder
    // open to it.
    snprintf(dir, sizeof dir, "tr_ro_%d", (int)getpid());
    CHECK(mkdir(dir, 0777) == 0 && chmod(dir, 0777) == 0);
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        int bad = 0;
        struct stat s1, s2;
        if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(200);
        if (chdir(dir) != 0) _exit(201);
        bad |= gu_imshow("ro.png", a, NULL) != 0;
        bad |= chmod("ro.png", 0444) != 0 || stat("ro.png", &s1) != 0;
        if (gu_imshow("ro.png", b, NULL) != -1 || !strstr(gu_error(), "ermission")) {
            printf("  a read-only file: %s\n", gu_error());
            bad |= 2;
        }
        bad |= stat("ro.png", &s2) != 0 || s2.st_size != s1.st_size || (s2.st_mode & 0777) != 0444 ? 4 : 0;
        bad |= mkdir("sub", 0755) != 0 || gu_imshow("sub/w.png", a, NULL) != 0 || stat("sub/w.png", &s1) != 0 ? 8 : 0;
        bad |= chmod("sub", 0555) != 0 ? 16 : 0;
        if (gu_imshow("sub/w.png", b, NULL) != 0) {   // written in place
            printf("  a file in a read-only folder: %s\n", gu_error());
            bad |= 32;
        }
        bad |= stat("sub/w.png", &s2) != 0 || s2.st_size == s1.st_size || tr__count_tmp("sub") != 0 ? 64 : 0;
        chmod("sub", 0755);
        fflush(stdout);
        _exit(bad);
    }
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status));
    if (WIFEXITED(status) && WEXITSTATUS(status) == 200) NOTE("no user nobody to switch to: the read-only cases not checked");
    else CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0, "read-only cases: failures %#x", WEXITSTATUS(status));
    {
        char p[160];
        snprintf(p, sizeof p, "%s/sub/w.png", dir); chmod(p, 0644); remove(p);
        snprintf(p, sizeof p, "%s/sub", dir); chmod(p, 0755); rmdir(p);
        snprintf(p, sizeof p, "%s/ro.png", dir); remove(p);
        rmdir(dir);
    }
    gu_free(&a);
    gu_free(&b);
#endif
}

// A path that exists but cannot be reached is not reported as missing: the system's reason.
static void test_robust_unreachable_paths(void) {
    char l1[64], l2[64], buf[256];
    gu_mnist m;
    snprintf(l1, sizeof l1, "tr_loop1_%d", (int)getpid());
    snprintf(l2, sizeof l2, "tr_loop2_%d", (int)getpid());
    CHECK(symlink(l2, l1) == 0 && symlink(l1, l2) == 0);
    CHECKF(gu_mnist_load(l1, &m) == -1 && strstr(gu_error(), "cannot reach") && strstr(gu_error(), strerror(ELOOP)), "%s", gu_error());
    CHECKF(gu_mnist_find(buf, sizeof buf, l1) == -1 && strstr(gu_error(), "mnist_find: cannot reach"), "%s", gu_error());
    CHECKF(gu_mnist_load("tr_no_such_file.pkl.gz", &m) == -1 && strstr(gu_error(), "does not exist"), "%s", gu_error());
    remove(l1);
    remove(l2);
}

// ---- only regular files are read --------------------------------------------------------------
// Each loader given a FIFO (nobody writing to it) must refuse it at once; a child process
// with an alarm does the calls, so a loader that blocks fails the test instead of hanging it.
static int tr__fifo_refused(const char *fifo, const char *dir) {
    gu_tensor t[6];
    gu_mnist m;
    int count, ok = 1;
    ok &= !gu_ok(gu_idx_load(fifo)) && strstr(gu_error(), "not a regular file") != NULL;
    ok &= gu_pkl_load(fifo, t, 6, &count) == -1 && strstr(gu_error(), "not a regular file") != NULL;
    ok &= gu_mnist_load_pkl(fifo, &m) == -1 && strstr(gu_error(), "not a regular file") != NULL;
    ok &= gu_data_format_of(fifo) == GU_FORMAT_UNKNOWN;
    ok &= gu_mnist_load(fifo, &m) == -1;
    ok &= gu_mnist_load_idx(dir, &m) == -1 && strstr(gu_error(), "not a regular file") != NULL;
    ok &= !gu_ok(gu_idx_load("/dev/zero")) && strstr(gu_error(), "not a regular file") != NULL;
    return ok;
}

static void test_robust_fifo(void) {
    static const char *names[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                                   "t10k-labels-idx1-ubyte"};
    char dir[64], fifo[4][128];
    int status = 0, k, made = 1;
    pid_t pid;
    snprintf(dir, sizeof dir, "tr_fifo_%d", (int)getpid());
    made = mkdir(dir, 0700) == 0;
    for (k = 0; k < 4; k++) {
        snprintf(fifo[k], sizeof fifo[k], "%s/%s", dir, names[k]);
        made = made && mkfifo(fifo[k], 0600) == 0;
    }
    if (!made) SKIP("cannot make a FIFO here");
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        alarm(20);  // a loader that blocks in open or read is killed here
        _exit(tr__fifo_refused(fifo[0], dir) ? 0 : 1);
    }
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the loaders did not refuse the FIFO (%s)",
           WIFSIGNALED(status) ? "blocked, killed by the alarm" : "accepted or the wrong message");
    for (k = 0; k < 4; k++) remove(fifo[k]);
    rmdir(dir);
}

// ---- a folder whose test images are not the size of the training images ---------------------
// Each file is valid on its own; together they are refused (no model takes both).
static void tr__write_idx(const char *path, const unsigned char *hdr, size_t nh, size_t nbody) {
    FILE *f = fopen(path, "wb");
    size_t i;
    if (!f) return;
    fwrite(hdr, 1, nh, f);
    for (i = 0; i < nbody; i++) fputc((int)(i % 10), f);
    fclose(f);
}
static void test_robust_mnist_sizes_differ(void) {
    // IDX headers: magic 0x0803 (uint8, 3 dims) or 0x0801 (1 dim), then big-endian dims
    static const unsigned char xtr[16] = {0, 0, 8, 3, 0, 0, 0, 6, 0, 0, 0, 28, 0, 0, 0, 28};
    static const unsigned char ytr[8] = {0, 0, 8, 1, 0, 0, 0, 6};
    static const unsigned char xte[16] = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 27, 0, 0, 0, 28};
    static const unsigned char yte[8] = {0, 0, 8, 1, 0, 0, 0, 2};
    char dir[64], path[128];
    gu_mnist m;
    snprintf(dir, sizeof dir, "tr_sizes_%d", (int)getpid());
    if (mkdir(dir, 0700) != 0) SKIP("cannot make a folder here");
    snprintf(path, sizeof path, "%s/train-images-idx3-ubyte", dir); tr__write_idx(path, xtr, 16, 6 * 28 * 28);
    snprintf(path, sizeof path, "%s/train-labels-idx1-ubyte", dir); tr__write_idx(path, ytr, 8, 6);
    snprintf(path, sizeof path, "%s/t10k-images-idx3-ubyte", dir); tr__write_idx(path, xte, 16, 2 * 27 * 28);
    snprintf(path, sizeof path, "%s/t10k-labels-idx1-ubyte", dir); tr__write_idx(path, yte, 8, 2);
    CHECKF(gu_mnist_load_idx(dir, &m) == -1 && strstr(gu_error(), "784") && strstr(gu_error(), "756") && !gu_ok(m.x_train),
           "%s", gu_error());
    gu_mnist_free(&m);   // after a failure: nothing held, and freeing is harmless
    snprintf(path, sizeof path, "%s/t10k-images-idx3-ubyte", dir); tr__write_idx(path, xtr, 16, 6 * 28 * 28);
    snprintf(path, sizeof path, "%s/t10k-labels-idx1-ubyte", dir); tr__write_idx(path, ytr, 8, 6);
    CHECKF(gu_mnist_load_idx(dir, &m) == 0 && m.x_test.shape[1] == 784, "%s", gu_error());   // the same folder, sizes alike
    gu_mnist_free(&m);
    snprintf(path, sizeof path, "%s/train-images-idx3-ubyte", dir); remove(path);
    snprintf(path, sizeof path, "%s/train-labels-idx1-ubyte", dir); remove(path);
    snprintf(path, sizeof path, "%s/t10k-images-idx3-ubyte", dir); remove(path);
    snprintf(path, sizeof path, "%s/t10k-labels-idx1-ubyte", dir); remove(path);
    rmdir(dir);
}

// ---- an _out that partly overlaps an input -------------------------------------------------
// The answer must be as if every input were read before out is written (NumPy's rule),
// checked against the same op into a fresh tensor from a copy of the input.
static int tr__same(gu_tensor a, gu_tensor b) {
    int64_t i, n = gu_numel(a);
    if (n != gu_numel(b)) return 0;
    for (i = 0; i < n; i++)
        if (gu_get_flat(a, i) != gu_get_flat(b, i)) return 0;
    return 1;
}
static void test_robust_out_overlap(void) {
    int64_t sh[2] = {4, 4};
    gu_tensor x = gu_arange(0, 16, 1, GU_FLOAT32), x2, want, one = gu_scalar(GU_FLOAT32, 1), zero = gu_scalar(GU_FLOAT32, 0), c, m;
    x2 = gu_view(x, 2, sh);
    // out = x[1:], input x[:-1]: a shift by one element (a loop would smear x[0] along)
    c = gu_clone(x);
    want = gu_add(gu_narrow(c, 0, 0, 15), one);
    CHECKF(gu_add_out(gu_narrow(x, 0, 1, 15), gu_narrow(x, 0, 0, 15), one) == 0, "%s", gu_error());
    CHECK(tr__same(gu_narrow(x, 0, 1, 15), want) && gu_get_flat(x, 0) == 0);
    gu_free(&want);
    // the other way, and a unary op, and copy_ (a memmove)
    gu_free(&c); c = gu_clone(x);
    want = gu_neg(gu_narrow(c, 0, 1, 15));
    CHECK(gu_neg_out(gu_narrow(x, 0, 0, 15), gu_narrow(x, 0, 1, 15)) == 0 && tr__same(gu_narrow(x, 0, 0, 15), want));
    gu_free(&want);
    gu_free(&c); c = gu_clone(x);
    CHECK(gu_copy_(gu_narrow(x, 0, 2, 14), gu_narrow(x, 0, 0, 14)) == 0 && tr__same(gu_narrow(x, 0, 2, 14), gu_narrow(c, 0, 0, 14)));
    // x (4, 4) += its own first row, broadcast: row 0 changes while the others still read it
    gu_free(&c); c = gu_clone(x2);
    want = gu_add(c, gu_narrow(c, 0, 0, 1));
    CHECK(gu_add_out(x2, x2, gu_narrow(x2, 0, 0, 1)) == 0 && tr__same(x2, want));
    gu_free(&want);
    // x = x.T + 0 in place, through where_out too
    gu_free(&c); c = gu_clone(x2);
    CHECK(gu_add_out(x2, gu_t(x2), zero) == 0 && tr__same(x2, gu_t(c)));
    m = gu_gt_scalar(c, 5);
    want = gu_where(m, gu_t(x2), c);
    CHECK(gu_where_out(x2, m, gu_t(x2), c) == 0 && tr__same(x2, want));
    gu_free(&want);
    gu_free(&m);
    // a reduction into its own input's first row
    gu_free(&c); c = gu_clone(x2);
    want = gu_sum_dim(c, 0, 0);
    CHECKF(gu_sum_dim_out(gu_select(x2, 0, 0), x2, 0, 0) == 0, "%s", gu_error());
    CHECK(tr__same(gu_select(x2, 0, 0), want));
    gu_free(&want);
    // the very same elements, in place, stay in place; matmul_out still refuses any overlap
    gu_free(&c); c = gu_clone(x2);
    want = gu_mul(c, c);
    CHECK(gu_mul_out(x2, x2, x2) == 0 && tr__same(x2, want));
    gu_free(&want);
    CHECK(gu_matmul_out(x2, x2, c) == -1 && strstr(gu_error(), "overlaps"));
    gu_free(&c);
    gu_free(&x);
    gu_free(&one);
    gu_free(&zero);
}

// GROUNDUP_NUM_THREADS: a whole number, else ignored; every count at most the pool's 64.
static void test_robust_thread_counts(void) {
#ifndef GU_NO_THREADS
    int dflt, saved = gu_get_num_threads();
    const char *old = getenv("GROUNDUP_NUM_THREADS");
    char keep[64];
    snprintf(keep, sizeof keep, "%s", old ? old : "");
    unsetenv("GROUNDUP_NUM_THREADS");
    gu_set_num_threads(0);
    dflt = gu_get_num_threads();   // the online CPUs, at most 64
    CHECK(dflt >= 1 && dflt <= 64);
    setenv("GROUNDUP_NUM_THREADS", "3", 1);
    gu_set_num_threads(0);
    CHECK(gu_get_num_threads() == 3);
    setenv("GROUNDUP_NUM_THREADS", "3abc", 1);
    gu_set_num_threads(0);
    CHECKF(gu_get_num_threads() == dflt, "\"3abc\" gave %d threads", gu_get_num_threads());
    setenv("GROUNDUP_NUM_THREADS", "1000", 1);
    gu_set_num_threads(0);
    CHECK(gu_get_num_threads() == 64);
    gu_set_num_threads(200);
    CHECK(gu_get_num_threads() == 64);
    if (old) setenv("GROUNDUP_NUM_THREADS", keep, 1); else unsetenv("GROUNDUP_NUM_THREADS");
    gu_set_num_threads(saved);
#else
    SKIP("built with GU_NO_THREADS");
#endif
}

static void suite_robust(void) {
    RUN(test_robust_thread_counts);
    RUN(test_robust_null_pointers);
    RUN(test_robust_write_errors);
    RUN(test_robust_write_links);
    RUN(test_robust_unreachable_paths);
    RUN(test_robust_fifo);
    RUN(test_robust_mnist_sizes_differ);
    RUN(test_robust_out_overlap);
}
