#!/usr/bin/python3
"""Differential test generator: random cases run through PyTorch 1.13 (and NumPy for the
views PyTorch lacks: negative steps), written as a small statement language that
tests/difftest.c runs through groundup's public API.

    /usr/bin/python3 tools/difftest_gen.py --n 2000 --seed 123 > cases.txt
    build/difftest cases.txt
    /usr/bin/python3 tools/difftest_gen.py --seed 123 --only 417 > one.txt   # replay case 417

Each case draws from its own generator seeded by (seed, case number), so --only replays a
case exactly. The format, one statement per line:

    case ID PRECISION THRESHOLD EDGEITEMS LINEWIDTH SCI(a|y|n)   print options for the case
    new rK DTYPE ND DIMS... VALUES...       gu_from_data (floats in hex, exact)
    zeros|ones rK DTYPE ND DIMS...          full rK DTYPE ND DIMS... F    fulli ... I
    scalar rK DTYPE F   scalari rK DTYPE I  arange rK A B S DTYPE   arangei rK A B S DTYPE
    slice rK rX DIM START STOP STEP (E = GU_END, RE = GU_REND)   select narrow index
    unsqueeze squeeze squeezeall expand transpose t permute view reshape flatten contig clone to
    bin rK OP rX rY   binf rK OP rX F   bini rK OP rX I   rbinf rK OP F rX   rbini rK OP I rX
    binout OP rO rX rY   binip OP rX rY   binipf OP rX F   binipi OP rX I
    un rK OP rX   unout OP rO rX   where rK rC rX rY   red rK OP rX   redd rK OP rX DIM KEEP
    reddout OP rO rX DIM KEEP   norm rK rX   matmul rK rX rY   einsum rK SPEC N rX...
    copy rX rY   set rX N IDX... F   seti rX N IDX... I
    checks: repr rX TEXT (\\n escaped)   vals rX RTOL ATOL DTYPE ND DIMS... VALUES...
            get rX N IDX... = F   geti ... = I   item rX = F   itemi rX = I
            dot rX rY = F RTOL ATOL   allclose rX rY RTOL ATOL = 0|1
    err                                     the statement before it failed in torch
    end

Tolerances (stated per check): results that PyTorch computes exactly (creation, views,
casts, integer arithmetic, + - * / neg abs sqrt, comparisons, where, min/max/argmin/argmax,
and pow by 2, 3, -1, -2, 0.5, -0.5) are compared bit for bit and their reprs character
for character. exp and log use SLEEF in PyTorch (1 ulp, not correctly rounded) and glibc
here: rtol 2e-6. pow with other exponents likewise (rtol 4e-6). Float sums, means, prods,
norms, matmul and einsum accumulate in another order (PyTorch: float32, pairwise or
vectorised; groundup: float64): atol 4e-6 * sum|x| + rtol 4e-6. Results that are inexact
are checked and not used as inputs further on (a comparison of two inexact values could
flip).
"""
import argparse
import math
import random
import sys
import warnings

import numpy as np
import torch

warnings.filterwarnings("ignore")

DTYPES = ["float32", "int64", "uint8", "bool"]
TDT = {"float32": torch.float32, "int64": torch.int64, "uint8": torch.uint8, "bool": torch.bool}
NAME = {v: k for k, v in TDT.items()}
BINOPS = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "gt", "lt", "ge", "le",
          "eq", "ne", "logical_and", "logical_or"]
SCALAR_NATIVE = {"add", "sub", "mul", "div", "pow", "gt", "lt", "ge", "le", "eq", "ne"}
REVERSE = {"sub": lambda x, s: torch.rsub(x, s),
           "div": lambda x, s: torch.div(torch.tensor(s, dtype=torch.float32 if isinstance(s, float) else torch.int64), x),
           "pow": lambda x, s: torch.pow(s, x),
           "gt": lambda x, s: torch.lt(x, s), "lt": lambda x, s: torch.gt(x, s),
           "ge": lambda x, s: torch.le(x, s), "le": lambda x, s: torch.ge(x, s)}
INPLACE = {"add", "sub", "mul", "div", "pow"}
INPLACE_SCALAR = {"add", "sub", "mul", "div"}
UNOPS = ["neg", "abs", "sqrt", "exp", "log", "logical_not"]
REDOPS = ["sum", "mean", "prod", "min", "max", "argmin", "argmax"]
EXACT_POW = {2.0, 3.0, -1.0, -2.0, 0.5, -0.5}


def dense(t):
    """PyTorch's is_non_overlapping_and_dense."""
    dims = sorted((st, sz) for st, sz in zip(t.stride(), t.shape) if sz != 1)
    expect = 1
    for st, sz in dims:
        if st != expect:
            return False
        expect *= sz
    return True


class Stop(Exception):
    pass


def fhex(v):
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v.hex()


def vals_text(t):
    flat = t.reshape(-1).tolist()
    if t.dtype == torch.float32:
        return " ".join(fhex(v) for v in flat)
    return " ".join(str(int(v)) for v in flat)


def shape_text(shape):
    return " ".join([str(len(shape))] + [str(int(d)) for d in shape])


class Reg:
    def __init__(self, t, exact=True, root=None):
        self.t = t
        self.exact = exact
        self.root = root
        self.oplayout = False  # an op's result: PyTorch may give it the input's dim order


class Case:
    def __init__(self, cid, rng):
        self.cid = cid
        self.r = rng
        self.out = []
        self.regs = []
        self.frozen = False  # after a NumPy-emulated view, torch's tensors no longer alias

    def emit(self, s):
        self.out.append(s)

    def run(self, text, fn):
        """Runs fn in torch; emits text (and "err" when torch refused)."""
        self.emit(text)
        try:
            return fn()
        except Exception:
            self.emit("err")
            raise Stop()

    def new_reg(self, t, exact=True, root=None):
        k = len(self.regs)
        self.regs.append(Reg(t, exact, k if root is None else root))
        return k

    # ---- random material ----
    def rshape(self, maxnd=4):
        r = self.r
        nd = r.choice([0, 1, 1, 2, 2, 2, 3, 3, 4][: 1 + maxnd * 2 if maxnd < 4 else 9])
        while True:
            shape = [r.choice([0, 1, 1, 2, 2, 3, 3, 4, 5]) for _ in range(nd)]
            if math.prod(shape) <= 120:
                return shape

    def rfloat(self, wild=True):
        r = self.r
        k = r.random()
        if k < 0.35:
            return float(r.randint(-5, 5))
        if k < 0.6:
            return round(r.gauss(0, 3), r.choice([1, 2, 7]))
        if k < 0.75:
            return r.gauss(0, 1) * 10 ** r.randint(-6, 10)
        if not wild:
            return r.choice([0.5, -0.5, 0.0, -0.0, 1.0, 2.0, 100.0])
        return r.choice([0.0, -0.0, float("inf"), float("-inf"), float("nan"), 1e-5, 1e9, -1e20,
                         3.0e38, 0.5, -0.5, 1.5, 2.5, 1e8, 123456.789, 1e-40])

    def rint(self):
        r = self.r
        k = r.random()
        if k < 0.7:
            return r.randint(-6, 6)
        if k < 0.85:
            return r.randint(-300, 300)
        return r.choice([2 ** 53 + 1, -(2 ** 53) - 1, 2 ** 63 - 1, -(2 ** 63), 2 ** 62, 1152921573326323713,
                         r.randint(-(2 ** 63), 2 ** 63 - 1)])

    def rtensor(self, dt, shape):
        n = math.prod(shape)
        if dt == "float32":
            v = [self.rfloat() for _ in range(n)]
            return torch.tensor(np.array(v, dtype=np.float32).reshape(shape))
        if dt == "int64":
            return torch.tensor(np.array([self.rint() for _ in range(n)], dtype=np.int64).reshape(shape))
        if dt == "uint8":
            return torch.tensor(np.array([self.r.choice([self.r.randint(0, 255), self.r.randint(0, 5)]) for _ in range(n)], dtype=np.uint8).reshape(shape))
        return torch.tensor(np.array([self.r.random() < 0.5 for _ in range(n)], dtype=np.bool_).reshape(shape))

    def fresh(self, dt=None, shape=None):
        dt = dt or self.r.choice(DTYPES)
        shape = self.rshape() if shape is None else shape
        t = self.rtensor(dt, shape)
        k = self.new_reg(t)
        self.emit(("new r%d %s %s %s" % (k, dt, shape_text(shape), vals_text(t))).rstrip())
        return k

    def bshape(self, shape):
        """A shape that broadcasts against shape (sometimes one that does not)."""
        r = self.r
        if r.random() < 0.06:
            return self.rshape()
        s = list(shape[r.randint(0, len(shape)):]) if shape else []
        s = [1 if r.random() < 0.3 else d for d in s]
        if r.random() < 0.15 and len(s) < 4:
            s = [r.choice([1, 2])] + s
        return s

    def pick(self, exact_only=True):
        cands = [i for i, g in enumerate(self.regs) if g.exact or not exact_only]
        return self.r.choice(cands) if cands else None

    # ---- checks ----
    def check(self, k, force_repr=False):
        g = self.regs[k]
        t = g.t
        if g.exact and (force_repr or self.r.random() < 0.5):
            self.emit("repr r%d %s" % (k, repr(t).replace("\\", "\\\\").replace("\n", "\\n")))
        else:
            rtol, atol = (0, 0) if g.exact else g.tol
            self.emit("vals r%d %r %r %s %s %s" % (k, rtol, atol, NAME[t.dtype], shape_text(t.shape), vals_text(t)))

    # ---- statements ----
    def step(self):
        r = self.r
        kind = r.choice(["view"] * 5 + ["bin"] * 4 + ["scal"] * 3 + ["un"] * 2 + ["red"] * 2 + ["write"] * 2 +
                        ["create", "where", "cast", "access", "linalg"])
        getattr(self, "s_" + kind)()

    def s_create(self):
        r = self.r
        dt = r.choice(DTYPES)
        shape = self.rshape()
        k = len(self.regs)
        c = r.randint(0, 9)
        if c == 8:
            t = self.run("empty r%d %s %s" % (k, dt, shape_text(shape)), lambda: torch.empty(shape, dtype=TDT[dt]))
            self.new_reg(t, False)
            self.regs[-1].tol = (0, 0)
            self.emit("shape r%d %s %s" % (k, dt, shape_text(shape)))
            raise Stop()  # its values are undefined: nothing more to compare
        if c == 9:
            x = self.pick()
            y = self.fresh(shape=self.bshape(list(self.regs[x].t.shape))) if r.random() < 0.5 else x
            tx, ty = self.regs[x].t, self.regs[y].t
            k = len(self.regs)
            res = self.run("expandas r%d r%d r%d" % (k, y, x), lambda: ty.expand_as(tx))
            self.new_reg(res, True, self.regs[y].root)
            self.check(k)
            return
        if c == 0:
            t = self.run("zeros r%d %s %s" % (k, dt, shape_text(shape)), lambda: torch.zeros(shape, dtype=TDT[dt]))
        elif c == 1:
            t = self.run("ones r%d %s %s" % (k, dt, shape_text(shape)), lambda: torch.ones(shape, dtype=TDT[dt]))
        elif c == 2:
            v = self.rfloat() if r.random() < 0.8 else r.choice([300.0, -1.0, 255.5, 1e19, 3.5e38])
            if dt != "float32" and (math.isnan(v) or math.isinf(v) or abs(v) >= 2 ** 63) and dt != "bool":
                v = 256.0
            t = self.run("full r%d %s %s %s" % (k, dt, shape_text(shape), fhex(v)), lambda: torch.full(shape, v, dtype=TDT[dt]))
        elif c == 3:
            v = self.rint()
            t = self.run("fulli r%d %s %s %d" % (k, dt, shape_text(shape), v), lambda: torch.full(shape, v, dtype=TDT[dt]))
        elif c == 4:
            v = self.rint()
            t = self.run("scalari r%d %s %d" % (k, dt, v), lambda: torch.full((), v, dtype=TDT[dt]))
        elif c == 5:
            a, b = r.randint(-10, 10), r.randint(-10, 30)
            s = r.choice([1, 2, 3, -1, -2, 0.5, 1.5, -0.7, 0.3])
            if r.random() < 0.5:
                a, b = a + r.choice([0, 0.5, 0.25]), b + r.choice([0, 0.5])
            dt = r.choice(["float32", "int64", "uint8", "bool"])
            t = self.run("arange r%d %s %s %s %s" % (k, fhex(a), fhex(b), fhex(s), dt),
                         lambda: torch.arange(a, b, s, dtype=TDT[dt]))
            if t.numel() > 120:
                raise Stop()
            if dt == "float32" and any(v != int(v) for v in (a, s)):
                # PyTorch's float arange adds the step in float32 within a vector block: not
                # correctly rounded (groundup rounds start + i * step from double once)
                self.new_reg(t, False)
                self.regs[-1].tol = (0.0, 2.5e-7 * max(abs(a), abs(b), 1.0))
                self.check(k)
                return
        elif c == 6:
            dt = r.choice(["int64", "int64", "uint8"])
            # uint8: PyTorch counts in double, so only small bounds are exact there
            base = r.choice([0, 2 ** 62, 2 ** 63 - 10, -(2 ** 63), 2 ** 53 - 3, 250] if dt == "int64" else [0, 250, -3])
            a, b, s = base, base + r.randint(-5, 9), r.choice([1, 2, 3, -1, -3])
            b = max(min(b, 2 ** 63 - 1), -(2 ** 63))
            t = self.run("arangei r%d %d %d %d %s" % (k, a, b, s, dt), lambda: torch.arange(a, b, s, dtype=TDT[dt]))
        else:
            v = self.rfloat()
            if dt in ("int64", "uint8") and not (0 <= v <= 255):
                v = 17.0
            t = self.run("scalar r%d %s %s" % (k, dt, fhex(v)), lambda: torch.full((), v, dtype=TDT[dt]))
        self.new_reg(t)
        self.check(k)

    def s_view(self):
        r = self.r
        x = self.pick(exact_only=False)
        g = self.regs[x]
        t = g.t
        nd = t.dim()
        k = len(self.regs)
        d = r.randint(-nd - 1, nd) if nd else r.choice([0, -1, 1])
        c = r.randint(0, 13)
        if g.oplayout and c in (11, 12, 13):
            # PyTorch gave an op's result its input's dim order (groundup: contiguous, as
            # documented), so view/reshape/contiguous may copy or fail there only
            return
        if c == 0:
            n = t.shape[d] if -nd <= d < nd else 3
            a = r.choice([None, r.randint(-n - 2, n + 2)])
            b = r.choice([None, r.randint(-n - 2, n + 2)])
            s = r.choice([1, 1, 2, 3, -1, -2, 1, 1, 2, 3, -1, -2, 0])
            sa = ("E" if s < 0 else "0") if a is None else str(a)
            sb = ("E" if s > 0 else "RE") if b is None else str(b)
            text = "slice r%d r%d %d %s %s %d" % (k, x, d, sa, sb, s)
            if s == 0:
                res = self.run(text, lambda: t[(slice(None),) * (d % nd if nd else 0) + (slice(a, b, 0),)])
            elif s > 0:
                res = self.run(text, lambda: t[(slice(None),) * (d % nd if nd else 0) + (slice(a, b, s),)] if -nd <= d < nd else t.select(d, 0)[0:1])
            else:  # PyTorch has no negative steps: NumPy is the reference
                def neg():
                    if nd == 0 or not (-nd <= d < nd):
                        raise IndexError("dim")
                    a_ = t.numpy()[(slice(None),) * (d % nd) + (slice(a, b, s),)]
                    return torch.from_numpy(a_.copy(order="C"))
                res = self.run(text, neg)
                self.frozen = True
        elif c == 1:
            i = r.randint(-4, 4)
            res = self.run("select r%d r%d %d %d" % (k, x, d, i), lambda: t.select(d, i))
        elif c == 2:
            s, ln = r.randint(-3, 3), r.randint(-1, 3)
            res = self.run("narrow r%d r%d %d %d %d" % (k, x, d, s, ln), lambda: t.narrow(d, s, ln))
        elif c == 3:
            idx = [r.randint(-n, n - 1) if n else 0 for n in t.shape]
            if r.random() < 0.3:
                idx = idx[: r.randint(0, nd)]  # a partial index: a view of the rest
            if r.random() < 0.05:
                idx = idx + [0]  # one too many
            res = self.run(("index r%d r%d %d %s" % (k, x, len(idx), " ".join(map(str, idx)))).rstrip(),
                           lambda: t[tuple(idx)] if idx else t[()])
        elif c == 4:
            d = r.randint(-nd - 2, nd + 1)
            res = self.run("unsqueeze r%d r%d %d" % (k, x, d), lambda: t.unsqueeze(d))
        elif c == 5:
            res = self.run("squeeze r%d r%d %d" % (k, x, d), lambda: t.squeeze(d))
        elif c == 6:
            res = self.run("squeezeall r%d r%d" % (k, x), lambda: t.squeeze())
        elif c == 7:
            shape = [(-1 if r.random() < 0.3 else (r.choice([2, 3]) if s == 1 and r.random() < 0.5 else s)) for s in t.shape]
            if r.random() < 0.4 and len(shape) < 4:
                shape = [r.choice([0, 1, 2, 3, -1])] + shape
            res = self.run("expand r%d r%d %s" % (k, x, shape_text(shape)), lambda: t.expand(*shape) if shape else t.expand(()))
        elif c == 8:
            a, b = r.randint(-nd, max(nd - 1, 0)), r.randint(-nd, max(nd - 1, 0))
            res = self.run("transpose r%d r%d %d %d" % (k, x, a, b), lambda: t.transpose(a, b))
        elif c == 9:
            res = self.run("t r%d r%d" % (k, x), lambda: t.t())
        elif c == 10:
            p = list(range(nd))
            r.shuffle(p)
            if nd and r.random() < 0.1:
                p[r.randint(0, nd - 1)] = r.choice([p[0], nd, -1])  # a repeated or out-of-range dim
            res = self.run("permute r%d r%d %d %s" % (k, x, nd, " ".join(map(str, p))), lambda: t.permute(p))
        elif c in (11, 12):
            n = t.numel()
            divs = [q for q in range(1, 13) if n % q == 0] or [1]
            a = r.choice(divs)
            shape = r.choice([[n], [a, n // a], [n // a, a, 1], [-1, a] if a else [n], [a, -1]])
            if r.random() < 0.1:
                shape = [n + 1]
            op = "view" if c == 11 else "reshape"
            res = self.run("%s r%d r%d %s" % (op, k, x, shape_text(shape)),
                           lambda: t.view(*shape) if op == "view" else t.reshape(*shape))
        else:
            op = r.choice(["flatten", "contig", "clone"])
            res = self.run("%s r%d r%d" % (op, k, x), lambda: {"flatten": t.flatten, "contig": t.contiguous, "clone": lambda: t.clone(memory_format=torch.contiguous_format)}[op]())
        self.new_reg(res, g.exact, g.root if c not in (13,) or op != "clone" else None)
        self.regs[-1].oplayout = g.oplayout and not (c == 13 and op == "contig")
        if c == 0 and s < 0:
            # NumPy's copy is contiguous, groundup's view has a negative stride: a later view
            # fails there only (as it should: NumPy's reshape would copy), so none is drawn
            self.regs[-1].oplayout = True
        if not g.exact:
            self.regs[-1].tol = g.tol
        if self.r.random() < 0.6:
            self.check(k)
        if self.r.random() < 0.3 and not self.frozen and res.numel() > 0 and not g.oplayout:
            # strides of size-1 dims carry no meaning (torch keeps odd ones): "x"
            st = [str(s_) if n_ > 1 else "x" for s_, n_ in zip(res.stride(), res.shape)]
            self.emit("strides r%d %d %s" % (k, res.dim(), " ".join(st)))

    def operand_for(self, x):
        """A second operand: an existing exact register or a fresh one of a broadcastable shape."""
        r = self.r
        if r.random() < 0.3:
            y = self.pick()
            if y is not None:
                return y
        return self.fresh(shape=self.bshape(list(self.regs[x].t.shape)))

    def s_bin(self):
        r = self.r
        x = self.pick()
        y = self.operand_for(x)
        op = r.choice(BINOPS)
        tx, ty = self.regs[x].t, self.regs[y].t
        f = getattr(torch, op)
        mode = r.choice(["new", "new", "out", "inplace"])
        exact = not (op == "pow")
        if op in ("maximum", "minimum"):
            exact = "zerosign"
        if mode == "new" or self.frozen:
            k = len(self.regs)
            res = self.run("bin r%d %s r%d r%d" % (k, op, x, y), lambda: f(tx, ty))
            self.add_result(res, exact, 4e-6, [tx, ty])
        elif mode == "out":
            o = self.fresh_out(lambda: f(tx, ty))
            to = self.regs[o].t
            self.run("binout %s r%d r%d r%d" % (op, o, x, y), lambda: f(tx, ty, out=to))
            self.after_write(o, exact)
        else:
            if op not in INPLACE or self.regs[y].root == self.regs[x].root and y != x:
                return
            self.run("binip %s r%d r%d" % (op, x, y), lambda: getattr(tx, op + "_")(ty))
            self.after_write(x, exact)

    def fresh_out(self, f, same_dtype=False):
        """A fresh zeros register for an out= call: the result's shape, a random castable dtype."""
        try:
            res = f()
            shape, dt = list(res.shape), NAME[res.dtype]
        except Exception:
            shape, dt = self.rshape(), "float32"
        if self.r.random() < 0.3 and not same_dtype:
            dt = self.r.choice(DTYPES)
        k = len(self.regs)
        t = self.run("zeros r%d %s %s" % (k, dt, shape_text(shape)), lambda: torch.zeros(shape, dtype=TDT[dt]))
        self.new_reg(t)
        return k

    def after_write(self, k, exact):
        tol = (4e-6, 1e-30)
        if exact == "zerosign":
            exact = self.regs[k].t.dtype != torch.float32
            tol = (0.0, 1e-45)
        if not exact:
            # the destination (and every view of its root) now holds inexact values
            root = self.regs[k].root
            for g in self.regs:
                if g.root == root:
                    g.exact = False
                    g.tol = tol
            self.check(k)
            raise Stop()
        self.check(k)

    def add_result(self, res, exact, rtol, inputs, atol=1e-30):
        if exact == "zerosign":
            # which zero maximum(+0, -0) gives differs between PyTorch's scalar loop and its
            # vectorised one (_mm256_max_ps returns the second operand): the sign of a zero
            # result is not compared (an atol of one denormal equates +0 and -0)
            exact = res.dtype != torch.float32
            rtol, atol = 0.0, 1e-45
        k = self.new_reg(res, exact)
        self.regs[k].oplayout = not res.is_contiguous()
        if not exact:
            self.regs[k].tol = (rtol, atol)
        self.check(k)
        return k

    def scalar_value(self, x):
        r = self.r
        if r.random() < 0.5:
            return "f", self.rfloat(wild=r.random() < 0.3)
        return "i", self.rint() if r.random() < 0.5 else r.randint(-4, 4)

    def s_scal(self):
        r = self.r
        x = self.pick()
        tx = self.regs[x].t
        op = r.choice(BINOPS)
        kind, s = self.scalar_value(x)
        if kind == "f" and (math.isinf(s) or abs(s) > 3e38):
            s = 2.5
        if op == "pow" and kind == "f":
            # PyTorch's pow loop takes a float exponent as double in its scalar tail and as
            # float32 in its vector body; groundup as float32 (documented): only exponents
            # that float32 holds exactly are compared
            s = float(np.float32(s))
        st = fhex(s) if kind == "f" else str(s)
        k = len(self.regs)
        mode = r.choice(["fwd", "fwd", "rev", "inplace"])
        if op in SCALAR_NATIVE:
            fwd = lambda: getattr(torch, op)(tx, s)
        else:
            # torch.maximum and the logical ops take no Python number: compute in the
            # result type a wrapped number would give (torch.result_type knows it)
            def fwd():
                rt = torch.result_type(tx, s)
                st_ = torch.tensor(s, dtype=torch.float64 if kind == "f" else torch.int64).to(rt)
                return getattr(torch, op)(tx.to(rt), st_)
        exact = op != "pow" or (float(s) in EXACT_POW and (kind == "f" or tx.dtype == torch.float32))
        if op in ("maximum", "minimum"):
            exact = "zerosign"
        if mode == "rev" and op in REVERSE:
            res = self.run("rbin%s r%d %s %s r%d" % (kind, k, op, st, x), lambda: REVERSE[op](tx, s))
            self.add_result(res, op != "pow", 4e-6, [tx])
        elif mode == "inplace" and op in INPLACE_SCALAR and not self.frozen:
            self.run("binip%s %s r%d %s" % (kind, op, x, st), lambda: getattr(tx, op + "_")(s))
            self.after_write(x, True)
        else:
            res = self.run("bin%s r%d %s r%d %s" % (kind, k, op, x, st), fwd)
            self.add_result(res, exact, 4e-6, [tx])

    def s_un(self):
        r = self.r
        x = self.pick()
        tx = self.regs[x].t
        op = r.choice(UNOPS)
        f = getattr(torch, op)
        exact = op not in ("exp", "log")
        if r.random() < 0.7 or self.frozen:
            k = len(self.regs)
            res = self.run("un r%d %s r%d" % (k, op, x), lambda: f(tx))
            self.add_result(res, exact, 2e-6, [tx])
        else:
            o = self.fresh_out(lambda: f(tx))
            to = self.regs[o].t
            self.run("unout %s r%d r%d" % (op, o, x), lambda: f(tx, out=to))
            self.after_write(o, exact)

    def s_where(self):
        x = self.pick()
        tx = self.regs[x].t
        c = self.fresh("bool", self.bshape(list(tx.shape)))
        y = self.operand_for(x)
        tc, ty = self.regs[c].t, self.regs[y].t
        if self.r.random() < 0.3 and not self.frozen:
            # an out of another dtype trips an internal assert in PyTorch 1.13 (documented)
            o = self.fresh_out(lambda: torch.where(tc, tx, ty), same_dtype=True)
            to = self.regs[o].t
            self.run("whereout r%d r%d r%d r%d" % (o, c, x, y), lambda: torch.where(tc, tx, ty, out=to))
            self.after_write(o, True)
            return
        k = len(self.regs)
        res = self.run("where r%d r%d r%d r%d" % (k, c, x, y), lambda: torch.where(tc, tx, ty))
        self.add_result(res, True, 0, [tx, ty])

    def s_red(self):
        r = self.r
        x = self.pick()
        tx = self.regs[x].t
        op = r.choice(REDOPS)
        if op in ("argmin", "argmax") and tx.dtype == torch.bool:
            return  # documented: groundup always refuses; PyTorch only when its kernel runs
        k = len(self.regs)
        exact = op not in ("sum", "mean", "prod") or tx.dtype != torch.float32
        if op in ("min", "max"):
            exact = "zerosign"
        if tx.dtype == torch.float32 and not exact:
            fin = tx[torch.isfinite(tx)]
            big = float(fin.abs().max()) if fin.numel() else 0.0
            if big > 1e15 or (op == "prod" and big > 50):
                return  # documented: float64 accumulation vs float32 overflow/rounding
        sa = float(tx.double().abs().nan_to_num(0, 0, 0).sum()) if tx.dtype == torch.float32 else 0
        atol = 4e-6 * sa + 1e-30
        nd = tx.dim()
        if r.random() < 0.35:
            res = self.run("red r%d %s r%d" % (k, op, x), lambda: getattr(torch, op)(tx))
        else:
            d = r.randint(-nd - 1, nd) if nd else r.choice([0, -1, 1])
            keep = r.randint(0, 1)

            def f(out=None):
                if op in ("min", "max"):
                    return getattr(torch, op)(tx, d, keepdim=bool(keep)).values
                if out is not None:
                    return getattr(torch, op)(tx, d, keepdim=bool(keep), out=out)
                return getattr(torch, op)(tx, d, keepdim=bool(keep))
            if r.random() < 0.3 and op not in ("min", "max") and not self.frozen:
                try:
                    want = f()
                except Exception:
                    want = None
                if want is not None:
                    o = len(self.regs)
                    to = self.run("zeros r%d %s %s" % (o, NAME[want.dtype], shape_text(list(want.shape))),
                                  lambda: torch.zeros(list(want.shape), dtype=want.dtype))
                    self.new_reg(to)
                    self.run("reddout %s r%d r%d %d %d" % (op, o, x, d, keep), lambda: f(out=to))
                    if not exact:
                        self.regs[o].exact = False
                        self.regs[o].tol = (4e-6, atol)
                    self.check(o)
                    raise Stop()
            res = self.run("redd r%d %s r%d %d %d" % (k, op, x, d, keep), f)
        self.add_result(res, exact, 4e-6, [tx], atol)

    def s_write(self):
        r = self.r
        if self.frozen:
            return self.s_view()
        x = self.pick()
        tx = self.regs[x].t
        c = r.randint(0, 2)
        if c == 0:
            y = self.operand_for(x)
            ty = self.regs[y].t
            if ty.dtype == torch.float32 and tx.dtype in (torch.int64, torch.uint8):
                fin = ty[torch.isfinite(ty)]
                if fin.numel() != ty.numel() or (fin.numel() and float(fin.abs().max()) >= 2 ** 31):
                    return  # float -> integer out of range: undefined in PyTorch (documented)
            if self.regs[y].root == self.regs[x].root and y != x:
                return  # a partly overlapping source: groundup reads it first (documented)
            self.run("copy r%d r%d" % (x, y), lambda: tx.copy_(ty))
        else:
            idx = [r.randint(-n, n - 1) if n else 0 for n in tx.shape]
            if c == 1:
                v = self.rfloat() if r.random() < 0.8 else r.choice([300.0, -1.0, 1e19, 256.0, 3.5e38])
                if tx.dtype == torch.float32 and abs(v) > 3.4e38 and not math.isinf(v):
                    v = 3.5e38
                text = "set r%d %d %s %s" % (x, len(idx), " ".join(map(str, idx)), fhex(v))
            else:
                v = self.rint()
                text = "seti r%d %d %s %d" % (x, len(idx), " ".join(map(str, idx)), v)

            def st():
                if tx.dtype != torch.float32 and isinstance(v, float) and (math.isnan(v) or math.isinf(v)) and tx.dtype != torch.bool:
                    raise RuntimeError("overflow")  # torch: cannot convert (UB otherwise)
                tx[tuple(idx)] = v
            self.run(text, st)
        self.check(x)

    def s_cast(self):
        r = self.r
        x = self.pick()
        tx = self.regs[x].t
        dt = r.choice(DTYPES)
        if tx.dtype == torch.float32 and dt in ("int64", "uint8"):
            # PyTorch's float -> integer is undefined beyond the target's range (x86 gives
            # INT64_MIN, the low byte of an int32); documented, not compared
            fin = tx[torch.isfinite(tx)]
            if fin.numel() != tx.numel() or (fin.numel() and float(fin.abs().max()) >= 2 ** 31):
                return
        k = len(self.regs)
        # gu_to always copies; torch's .to() of the same dtype returns self (documented)
        res = self.run("to r%d r%d %s" % (k, x, dt), lambda: tx.to(TDT[dt], copy=True, memory_format=torch.contiguous_format))
        self.add_result(res, True, 0, [tx])

    def s_access(self):
        r = self.r
        x = self.pick()
        tx = self.regs[x].t
        idx = [r.randint(-n, n - 1) if n else 0 for n in tx.shape]
        isint = tx.dtype != torch.float32 and r.random() < 0.7
        if r.random() < 0.25:
            i = r.randint(-1, tx.numel())
            text = "getflat r%d %d =" % (x, i)
            if not 0 <= i < tx.numel():
                self.emit(text + " 0")
                self.emit("err")
                raise Stop()
            self.emit(text + " " + fhex(float(tx.reshape(-1)[i].item())))
            return
        if r.random() < 0.5:
            text = "get%s r%d %d %s =" % ("i" if isint else "", x, len(idx), " ".join(map(str, idx)))
            try:
                v = tx[tuple(idx)].item()
            except Exception:
                self.emit(text + " 0")
                self.emit("err")
                raise Stop()
        else:
            text = "item%s r%d =" % ("i" if isint else "", x)
            try:
                v = tx.item()
            except Exception:
                self.emit(text + " 0")
                self.emit("err")
                raise Stop()
        self.emit(text + " " + (str(int(v)) if isint else fhex(float(v))))

    def s_linalg(self):
        r = self.r
        c = r.randint(0, 4)
        k = len(self.regs)
        m, n, p = r.randint(0, 4), r.randint(0, 4), r.randint(0, 4)
        if c == 0:
            a, b = self.fresh("float32", [m, n]), self.fresh("float32", r.choice([[n, p], [n], [n + 1, p]]))
            ta, tb = self.regs[a].t, self.regs[b].t
            if not (torch.isfinite(ta).all() and torch.isfinite(tb).all()) or ta.abs().max() > 1e15 if ta.numel() else False:
                return
            k = len(self.regs)
            atol = 4e-6 * float((ta.double().abs().sum() + 1) * (tb.double().abs().sum() + 1))
            form = r.choice(["matmul", "matmul", "out", "matmul_3loops", "matmul_2loops_dot", "matmul_2loops_elementwise",
                             "matmul_2loops_dotproduct", "matmul_1loop_broadcast", "matmul_einsum"])
            if form == "out":
                o = self.fresh_out(lambda: torch.matmul(ta, tb))
                to = self.regs[o].t
                self.run("matmulout r%d r%d r%d" % (o, a, b), lambda: torch.matmul(ta, tb, out=to))
                self.regs[o].exact = False
                self.regs[o].tol = (4e-6, atol)
                self.check(o)
                raise Stop()
            if form == "matmul":
                res = self.run("matmul r%d r%d r%d" % (k, a, b), lambda: torch.matmul(ta, tb))
            else:  # the lesson's rungs: 2-D @ 2-D only (a 1-D operand is refused)
                def rung():
                    if ta.dim() != 2 or tb.dim() != 2:
                        raise RuntimeError("2-D only")
                    return torch.matmul(ta, tb)
                res = self.run("rung r%d %s r%d r%d" % (k, form, a, b), rung)
            self.add_result(res, False, 4e-6, [ta, tb], atol)
        elif c == 1:
            spec, shapes = r.choice([("ij->ji", [[m, n]]), ("ii->i", [[m, r.choice([m, 1])]]), ("ii->", [[m, m]]),
                                     ("ij->", [[m, n]]), ("ik,kj->ij", [[m, n], [n, p]]), ("i,j->ij", [[m], [n]]),
                                     ("bij,bjk->bik", [[2, m, n], [2, n, p]]), ("ij,ij->i", [[m, n], [r.choice([m, 1]), n]]),
                                     ("...j->", [[m, n]]), ("i...->i", [[m, n, p]]), ("...ij,...jk->...ik", [[2, m, n], [n, p]]),
                                     ("...i,...i->i", [[m, n], [r.choice([m, 1]), n]])])
            regs = [self.fresh("float32", s) for s in shapes]
            ts = [self.regs[q].t for q in regs]
            if any(not torch.isfinite(t).all() or (t.numel() and t.abs().max() > 1e15) for t in ts):
                return
            k = len(self.regs)
            res = self.run("einsum r%d %s %d %s" % (k, spec, len(regs), " ".join("r%d" % q for q in regs)),
                           lambda: torch.einsum(spec, *ts).clone(memory_format=torch.contiguous_format))  # groundup copies (documented)
            atol = 4e-6 * float(math.prod(float(t.double().abs().sum()) + 1 for t in ts))
            self.add_result(res, spec in ("ij->ji", "ii->i"), 4e-6, ts, atol)
        elif c == 2:
            x = self.pick()
            tx = self.regs[x].t
            if tx.dtype == torch.float32 and tx.numel() and (not torch.isfinite(tx).all() or tx.abs().max() > 1e15):
                return
            res = self.run("norm r%d r%d" % (k, x), lambda: torch.norm(tx) if tx.dtype == torch.float32 else torch.norm(tx.long()))
            self.add_result(res, False, 4e-6, [tx], 4e-6 * float(tx.double().abs().sum()) + 1e-30)
        elif c == 3:
            a, b = self.fresh("float32", [n]), self.fresh("float32", [r.choice([n, n, n + 1])])
            ta, tb = self.regs[a].t, self.regs[b].t
            if not (torch.isfinite(ta).all() and torch.isfinite(tb).all()) or (ta.numel() and ta.abs().max() > 1e15) or (tb.numel() and tb.abs().max() > 1e15):
                return
            try:
                v = float(torch.dot(ta, tb))
            except Exception:
                self.emit("dot r%d r%d = 0 0 0" % (a, b))
                self.emit("err")
                raise Stop()
            atol = 4e-6 * float((ta.double().abs() * tb.double().abs()).sum()) + 1e-30
            self.emit("dot r%d r%d = %s %r %r" % (a, b, fhex(v), 4e-6, atol))
        else:
            a = self.fresh("float32", [n])
            ta = self.regs[a].t
            tb = ta + torch.tensor(np.array([self.rfloat(wild=False) * 1e-6 for _ in range(n)], dtype=np.float32))
            b = self.new_reg(tb)
            self.emit(("new r%d float32 %s %s" % (b, shape_text([n]), vals_text(tb))).rstrip())
            rtol, atol = r.choice([(1e-5, 1e-8), (0.0, 1e-6), (1e-3, 0.0)])
            v = torch.allclose(ta, tb, rtol, atol)
            self.emit("allclose r%d r%d %r %r = %d" % (a, b, rtol, atol, int(v)))

    def build(self):
        r = self.r
        opts = (4, 1000, 3, 80, "a")
        if r.random() < 0.35:
            opts = (r.choice([r.randint(0, 10), r.randint(0, 10), r.randint(11, 40)]), r.choice([1000, r.randint(1, 60)]),
                    r.randint(1, 4), r.randint(10, 120), r.choice("ayn"))
        torch.set_printoptions(precision=opts[0], threshold=opts[1], edgeitems=opts[2], linewidth=opts[3],
                               sci_mode={"a": None, "y": True, "n": False}[opts[4]])
        self.emit("case %d %d %d %d %d %s" % ((self.cid,) + opts))
        try:
            if r.random() < 0.04:  # a big one: PyTorch's summarisation at the default threshold
                shape = r.choice([[r.randint(1001, 2400)], [r.randint(30, 48), r.randint(30, 48)], [3, r.randint(17, 25), 20]])
                self.fresh(shape=shape)
            for _ in range(r.randint(1, 2)):
                self.fresh()
            for _ in range(r.randint(1, 6)):
                self.step()
            k = self.pick()
            if k is not None:
                self.check(k, force_repr=True)
        except Stop:
            pass
        self.emit("end")
        return "\n".join(self.out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", type=int, default=-1, help="emit only this case number")
    a = ap.parse_args()
    out = sys.stdout
    out.write("# difftest cases: torch %s numpy %s seed %d\n" % (torch.__version__, np.__version__, a.seed))
    rng_ids = [a.only] if a.only >= 0 else range(a.n)
    for i in rng_ids:
        c = Case(i, random.Random("%d/%d" % (a.seed, i)))
        out.write(c.build() + "\n")
    torch.set_printoptions(profile="default")


if __name__ == "__main__":
    main()
