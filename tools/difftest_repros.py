#!/usr/bin/python3
"""The differential test's failures, shrunk to short repros and kept: writes
tests/fixtures/difftest/repros.txt (expectations from PyTorch 1.13), which `make difftest`
runs before every random run. Each repro is a case of tools/difftest_gen.py's format.

    /usr/bin/python3 tools/difftest_repros.py > tests/fixtures/difftest/repros.txt
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from difftest_gen import Case, Stop  # noqa: E402

I64MAX, I64MIN = 2 ** 63 - 1, -(2 ** 63)


class Repro(Case):
    """A case written by hand: new() registers a tensor, do() runs one statement."""

    def __init__(self, cid, title, opts=(4, 1000, 3, 80, "a")):
        super().__init__(cid, None)
        self.emit("# " + title)
        torch.set_printoptions(precision=opts[0], threshold=opts[1], edgeitems=opts[2], linewidth=opts[3],
                               sci_mode={"a": None, "y": True, "n": False}[opts[4]])
        self.emit("case %d %d %d %d %d %s" % ((cid,) + opts))

    def new(self, t):
        from difftest_gen import NAME, shape_text, vals_text
        k = self.new_reg(t)
        self.emit(("new r%d %s %s %s" % (k, NAME[t.dtype], shape_text(list(t.shape)), vals_text(t))).rstrip())
        return k

    def do(self, text, fn, check=True):
        """text may use {k} for the new register's number."""
        k = len(self.regs)
        res = self.run(text.format(k=k), fn)
        if res is not None and isinstance(res, torch.Tensor) and "{k}" in text:
            self.new_reg(res)
            if check:
                self.check(k, force_repr=True)
        return k


def repros():
    out = []

    def case(title, body, opts=(4, 1000, 3, 80, "a")):
        c = Repro(len(out), title, opts)
        try:
            body(c)
        except Stop:
            pass
        c.emit("end")
        out.append("\n".join(c.out))

    def int64_print(c):
        c.new(torch.tensor([I64MAX, 2 ** 53 + 1]))
        c.check(0, force_repr=True)
    case("1. int64 printed exactly (was through a double)", int64_print)

    def int64_casts(c):
        a = c.new(torch.tensor([1152921573326323713, 2 ** 53 + 1, -(2 ** 53) - 1, I64MAX]))
        t = c.regs[a].t
        c.do("to r{k} r0 float32", lambda: t.to(torch.float32))
        c.do("to r{k} r0 uint8", lambda: t.to(torch.uint8))
        z = c.do("zeros r{k} int64 1 4", lambda: torch.zeros(4, dtype=torch.int64), check=False)
        c.run("copy r%d r0" % z, lambda: c.regs[z].t.copy_(t))
        c.check(z, force_repr=True)
    case("2. int64 casts and copies exact (float32 rounded once, uint8 wraps)", int64_casts)

    case("3. ones of an empty shape (heap overflow)",
         lambda c: c.do("ones r{k} float32 1 0", lambda: torch.ones(0)))
    case("3b. full int64 of an empty shape",
         lambda c: c.do("fulli r{k} int64 2 0 3 7", lambda: torch.full((0, 3), 7)))

    def sci_off(c):
        c.new(torch.tensor([1.0, 1e9]))
        c.check(0, force_repr=True)
    case("4. sci_mode off on whole numbers the automatic mode prints in sci", sci_off, (4, 1000, 3, 80, "n"))

    def sci_on_zeros(c):
        c.new(torch.zeros(2))
        c.check(0, force_repr=True)
    case("5. sci_mode on with no nonzero finite value", sci_on_zeros, (4, 1000, 3, 80, "y"))

    case("6. the size= suffix wraps as _add_suffixes counts",
         lambda c: c.do("zeros r{k} float32 2 0 3", lambda: torch.zeros(0, 3)), (4, 1000, 3, 23, "a"))

    def copy_expanded(c):
        a = c.new(torch.zeros(1))
        b = c.new(torch.ones(3))
        e = c.do("expand r{k} r0 1 3", lambda: c.regs[a].t.expand(3), check=False)
        c.run("copy r%d r%d" % (e, b), lambda: c.regs[e].t.copy_(c.regs[b].t))
    case("7. copy_ into an expanded destination is refused", copy_expanded)

    def squeeze0(c):
        c.new(torch.tensor(1.0))
        c.do("squeeze r{k} r0 5", lambda: c.regs[0].t.squeeze(5))
    case("8. squeeze of a 0-d tensor with dim 5", squeeze0)

    def neg_out(c):
        c.new(torch.ones(2, dtype=torch.int64))
        o = c.new(torch.zeros(2))
        c.run("unout neg r%d r0" % o, lambda: torch.neg(c.regs[0].t, out=c.regs[o].t))
    case("9. neg with an out of another dtype", neg_out)

    case("10. arange with a step of the wrong sign",
         lambda c: c.do("arange r{k} -2 20 -1 int64", lambda: torch.arange(-2, 20, -1)))
    case("10b. arange of bool", lambda c: c.do("arange r{k} 0 2 1 bool", lambda: torch.arange(0, 2, dtype=torch.bool)))
    case("10c. arange of int64 truncates first",
         lambda c: c.do("arange r{k} 0x1.0p-1 5 0x1.8p+0 int64", lambda: torch.arange(0.5, 5, 1.5, dtype=torch.int64)))
    case("11. full of uint8 with 300",
         lambda c: c.do("fulli r{k} uint8 1 2 300", lambda: torch.full((2,), 300, dtype=torch.uint8)))
    case("11b. full of uint8 with -1 wraps",
         lambda c: c.do("fulli r{k} uint8 1 2 -1", lambda: torch.full((2,), -1, dtype=torch.uint8)))

    def pow_half(c):
        c.new(torch.tensor([float("-inf"), -0.0, 0.0, 4.0]))
        c.do("binf r{k} pow r0 0x1.0p-1", lambda: c.regs[0].t ** 0.5)
        c.do("binf r{k} pow r0 -0x1.0p-1", lambda: c.regs[0].t ** -0.5)
    case("12. t ** 0.5 and t ** -0.5 at -inf and -0", pow_half, (4, 1000, 3, 80, "a"))

    def einsum_diag(c):
        c.new(torch.ones(1, 3))
        c.do("einsum r{k} ii->i 1 r0", lambda: torch.einsum("ii->i", c.regs[0].t))
    case("13. einsum ii->i on (1, 3)", einsum_diag)

    def inplace_empty(c):
        c.new(torch.zeros(0, 3))
        e = c.do("expand r{k} r0 3 2 0 3", lambda: c.regs[0].t.expand(2, 0, 3), check=False)
        c.run("binipf add r%d 0x1.0p+0" % e, lambda: c.regs[e].t.add_(1.0))
        c.check(e, force_repr=True)
    case("14. an in-place op on an empty expanded view", inplace_empty)

    def max_zero(c):
        c.new(torch.tensor([-0.0, 0.0]))
        c.new(torch.tensor([0.0, -0.0]))
        k = c.do("bin r{k} maximum r0 r1", lambda: torch.maximum(c.regs[0].t, c.regs[1].t), check=False)
        c.emit("vals r%d 0 0 float32 1 2 -0x0.0p+0 0x0.0p+0" % k)
    case("15. maximum of equal zeros gives the first (PyTorch's scalar loop)", max_zero)

    def narrow_empty(c):
        c.new(torch.zeros(0, 2))
        c.do("narrow r{k} r0 0 -1 0", lambda: c.regs[0].t.narrow(0, -1, 0))
    case("16. narrow of an empty dim at start -1", narrow_empty)

    def minimum_scalar_0d(c):
        c.new(torch.tensor(4, dtype=torch.uint8))
        c.do("bini r{k} minimum r0 2", lambda: torch.minimum(c.regs[0].t, torch.tensor(2).to(torch.uint8)))
    case("18. minimum of a 0-d uint8 with an integer scalar stays uint8", minimum_scalar_0d)

    def precision_big(c):
        c.new(torch.tensor([1 / 3, 1e-30]))
        c.check(0, force_repr=True)
    case("19. precision 60 in sci mode prints every digit", precision_big, (60, 1000, 3, 80, "a"))

    def pow_u8(c):
        c.new(torch.tensor([3, 1], dtype=torch.uint8))
        c.do("bini r{k} pow r0 255", lambda: torch.pow(c.regs[0].t, 255))
        c.do("bini r{k} pow r0 256", lambda: torch.pow(c.regs[0].t, 256))
    case("20. uint8 ** 256: the exponent must fit uint8", pow_u8)

    def big_summarised(c):
        c.new(torch.arange(2000, dtype=torch.int64) * 4611686018427387)
        c.check(0, force_repr=True)
    case("21. a big int64 tensor summarised at the default threshold", big_summarised)

    def copy_self_expanded(c):
        a = c.new(torch.tensor([[1.0, 2.0, 3.0]]))
        e = c.do("expand r{k} r0 3 1 2 3", lambda: c.regs[a].t.expand(1, 2, 3), check=False)
        c.run("copy r%d r%d" % (e, e), lambda: c.regs[e].t.copy_(c.regs[e].t))
        c.check(e, force_repr=True)
        c.run("copy r%d r%d" % (e, a), lambda: c.regs[e].t.copy_(c.regs[a].t))
    case("22. copy_ of an expanded view from itself returns at once; from its source it is refused",
         copy_self_expanded)

    return out


if __name__ == "__main__":
    print("# difftest repros, from tools/difftest_repros.py (PyTorch %s)" % torch.__version__)
    for c in repros():
        print(c)
    torch.set_printoptions(profile="default")
