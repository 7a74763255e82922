// tests/test_tidy.c - tidy scopes (gu_tidy_begin/gu_tidy_end/gu_keep): what is freed, what
// survives, nesting, gu_free inside a scope, errors. Leaks and double frees show under the
// ASan build (make test-asan), which runs these with LeakSanitizer.

static void test_tidy_frees_chain_intermediates(void) {
    int64_t s3[1] = {3};
    float av[3] = {1, 5, 3}, bv[3] = {2, 4, 6};
    gu_tensor a = gu_from_data(GU_FLOAT32, 1, s3, av), b = gu_from_data(GU_FLOAT32, 1, s3, bv), f, kept;
    gu_clear_error();
    gu_tidy_begin();
    f = gu_to(gu_lt(a, b), GU_FLOAT32);  // (a < b).float(): gu_lt's result is freed by the scope
    CHECK(gu_ok(f) && gu_get_flat(f, 0) == 1 && gu_get_flat(f, 1) == 0 && gu_get_flat(f, 2) == 1);
    kept = gu_keep(gu_sqrt(gu_sum(gu_mul(a, a))));  // (a*a).sum().sqrt()
    gu_tidy_end();
    CHECK(gu_ok(kept) && kept.owner);
    CHECK(fabs(gu_item(kept) - sqrt(35.0)) < 1e-6);
    gu_free(&kept);
    gu_free(&a);
    gu_free(&b);
    CHECK_STREQ(gu_error(), "");
}

static void test_tidy_owners_made_before_scope_survive(void) {
    gu_tensor x = gu_arange(0, 6, 1, GU_FLOAT32), v, y;
    gu_tidy_begin();
    v = gu_slice(x, 0, 1, 4, 1);  // a view of an untracked owner: nothing to do
    y = gu_add(v, v);
    CHECK(gu_keep(v).base == x.base);
    gu_tidy_end();
    CHECK(gu_get_flat(x, 5) == 5);  // x was made outside: untouched
    (void)y;                        // y was freed by the scope
    gu_free(&x);
}

static void test_tidy_nested_scopes(void) {
    gu_tensor outer, inner_kept, r;
    gu_clear_error();
    gu_tidy_begin();
    outer = gu_full(GU_FLOAT32, 0, NULL, 2.0);
    gu_tidy_begin();
    (void)gu_mul(outer, outer);                    // freed by the inner end
    inner_kept = gu_keep(gu_add(outer, outer));    // survives both ends
    gu_tidy_end();
    CHECK(gu_item(outer) == 2);                    // the outer scope's owner is still alive
    r = gu_mul(outer, inner_kept);
    CHECK(gu_item(r) == 8);
    gu_tidy_end();                                 // frees outer and r
    CHECK(gu_item(inner_kept) == 4);
    gu_free(&inner_kept);
    CHECK_STREQ(gu_error(), "");
}

// gu_free inside a scope frees at once and is not freed again at the end (ASan would see
// a double free), in any order and across scopes.
static void test_tidy_free_inside_scope(void) {
    gu_tensor t[40], o;
    int i;
    gu_tidy_begin();
    o = gu_zeros(GU_FLOAT32, 0, NULL);
    gu_tidy_begin();
    for (i = 0; i < 40; i++) t[i] = gu_full(GU_FLOAT32, 0, NULL, i);
    for (i = 0; i < 40; i += 3) gu_free(&t[i]);       // holes in the middle
    gu_free(&o);                                       // an outer scope's owner from an inner scope
    for (i = 1; i < 40; i += 3) CHECK(gu_item(t[i]) == i);
    gu_tidy_end();
    gu_tidy_end();
    // the accumulator pattern: y = f(y), free the old one; the scope stays one owner long
    gu_tidy_begin();
    o = gu_zeros(GU_FLOAT32, 0, NULL);
    for (i = 0; i < 1000; i++) {
        gu_tensor n = gu_add_scalar(o, 1);
        gu_free(&o);
        o = n;
    }
    CHECK(gu_item(o) == 1000);
    gu_tidy_end();
}

static void test_tidy_keep_then_free_and_keep_views(void) {
    gu_tensor k, v, kv, m;
    int64_t s[2] = {2, 3}, six = 6;
    gu_tidy_begin();
    k = gu_keep(gu_ones(GU_FLOAT32, 1, s));
    gu_tidy_begin();
    gu_free(&k);  // kept in a scope, freed by the user inside another: freed once
    gu_tidy_end();
    m = gu_reshape(gu_arange(0, 6, 1, GU_FLOAT32), 2, s);  // a view of a tracked owner ...
    v = gu_select(m, 0, 1);                                 // ... and a view of it
    kv = gu_keep(v);  // the storage would be freed: gu_keep copies
    CHECK(kv.owner && kv.base != v.base);
    CHECK(gu_keep(kv).base == kv.base);                     // keeping twice is harmless
    gu_tidy_end();
    CHECK(gu_numel(kv) == 3 && gu_get_flat(kv, 0) == 3 && gu_get_flat(kv, 2) == 5);
    gu_free(&kv);
    // gu_reshape's copy (an owner) is tracked like any other
    gu_tidy_begin();
    m = gu_reshape(gu_t(gu_reshape(gu_arange(0, 6, 1, GU_FLOAT32), 2, s)), 1, &six);
    CHECK(m.owner && gu_get_flat(m, 1) == 3);
    gu_tidy_end();
    // invalid tensors pass through
    memset(&m, 0, sizeof m);
    CHECK(!gu_ok(gu_keep(m)));
}

static void test_tidy_unmatched_end_is_an_error(void) {
    gu_tensor x = gu_zeros(GU_FLOAT32, 0, NULL);
    gu_clear_error();
    gu_tidy_end();
    CHECK(strstr(gu_error(), "tidy_end") != NULL);
    gu_clear_error();
    gu_tidy_begin();
    gu_tidy_end();
    gu_tidy_end();
    CHECK(strstr(gu_error(), "tidy_end") != NULL);
    CHECK(gu_item(x) == 0);  // an untracked owner is untouched
    gu_free(&x);
    gu_clear_error();
}

// A loaded data set is not freed by the scope it was loaded in.
static void test_tidy_loaders_are_untracked(void) {
    gu_mnist d;
    gu_tensor first;
    memset(&d, 0, sizeof d);
    gu_tidy_begin();
    if (gu_mnist_load("fixtures/mnist/mini_mnist.pkl.gz", &d) != 0) {
        gu_tidy_end();
        CHECKF(0, "%s", gu_error());
        return;
    }
    first = gu_to(gu_select(d.x_train, 0, 0), GU_FLOAT32);  // an op result: tracked
    (void)first;
    gu_tidy_end();
    CHECK(gu_ok(d.x_train) && gu_numel(d.y_valid) > 0);
    CHECK(gu_get_flat(d.y_train, 0) == gu_get_flat(d.y_train, 0));
    gu_mnist_free(&d);
}

// Many scopes, many owners each: the tracker grows, shrinks and is given back.
static void test_tidy_many_scopes_and_owners(void) {
    int r, i;
    double total = 0;
    for (r = 0; r < 50; r++) {
        gu_tidy_begin();
        for (i = 0; i < 300; i++) {
            gu_tensor s = gu_add_scalar(gu_full(GU_FLOAT32, 0, NULL, i), 1);
            if (i % 7 == 0) gu_free(&s);
            else total += gu_item(s);
        }
        gu_tidy_end();
    }
    CHECK(total > 0);
}

// Deeper than the marks kept inline: the marks move to the heap and back.
static void test_tidy_deep_nesting(void) {
    gu_tensor keep[100];
    int d;
    for (d = 0; d < 100; d++) {
        gu_tidy_begin();
        (void)gu_full(GU_FLOAT32, 0, NULL, d);
        keep[d] = gu_keep(gu_full(GU_FLOAT32, 0, NULL, d));
    }
    for (d = 0; d < 100; d++) gu_tidy_end();
    for (d = 0; d < 100; d++) {
        CHECK(gu_item(keep[d]) == d);
        gu_free(&keep[d]);
    }
}

// Scopes are per thread: two threads chain in their own scopes at once, and a product big
// enough for the matmul's thread pool runs inside a scope (the pool's threads track nothing).
#if defined(__unix__) && !defined(GU_NO_THREADS)
#include <pthread.h>
static void *tidy_thread(void *arg) {
    int i, bad = 0;
    double want = *(double *)arg;
    for (i = 0; i < 2000; i++) {
        gu_tensor r;
        gu_tidy_begin();
        r = gu_sqrt(gu_sum(gu_mul(gu_full(GU_FLOAT32, 1, (int64_t[]){4}, want), gu_ones(GU_FLOAT32, 1, (int64_t[]){4}))));
        if (fabs(gu_item(r) - 2 * sqrt(want)) > 1e-4) bad++;
        gu_tidy_end();
    }
    return bad ? arg : NULL;
}
static void test_tidy_threads(void) {
    pthread_t th[2];
    double v[2] = {4, 9};
    void *res[2];
    int64_t s[2] = {256, 256};
    gu_tensor a, c;
    int k;
    for (k = 0; k < 2; k++) CHECK(pthread_create(&th[k], NULL, tidy_thread, &v[k]) == 0);
    for (k = 0; k < 2; k++) { CHECK(pthread_join(th[k], &res[k]) == 0); CHECK(res[k] == NULL); }
    gu_set_num_threads(2);
    gu_tidy_begin();
    a = gu_ones(GU_FLOAT32, 2, s);
    c = gu_matmul(gu_t(a), gu_add_scalar(a, 1));
    CHECK(gu_ok(c) && gu_get_flat(c, 0) == 512);
    gu_tidy_end();
    gu_set_num_threads(0);
}
#endif

static void suite_tidy(void) {
#if defined(__unix__) && !defined(GU_NO_THREADS)
    RUN(test_tidy_threads);
#endif
    RUN(test_tidy_deep_nesting);
    RUN(test_tidy_frees_chain_intermediates);
    RUN(test_tidy_owners_made_before_scope_survive);
    RUN(test_tidy_nested_scopes);
    RUN(test_tidy_free_inside_scope);
    RUN(test_tidy_keep_then_free_and_keep_views);
    RUN(test_tidy_unmatched_end_is_an_error);
    RUN(test_tidy_loaders_are_untracked);
    RUN(test_tidy_many_scopes_and_owners);
}
