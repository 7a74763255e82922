#!/usr/bin/env python3
"""How long `cc -O2 -c` of an implementation file takes: groundup.h beside stb_image.h
(Debian's libstb-dev), measured in the same run, alternating, median of 3 (CPU seconds of
the compiler, user + system, which a busy machine disturbs less than wall time).

   python3 tools/compile_time.py [--cc CC] [--runs N] [--parts]     (make compile-time)

--parts adds one line per opt-out (GU_NO_PLOT, ...) and GU_NO_SIMD, to show where the
time goes. Exit status 1 when groundup takes more than twice stb_image's time.
"""
import os
import resource
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cpu_seconds(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        sys.exit("compile_time: %s failed:\n%s" % (" ".join(cmd), r.stdout))
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def main():
    cc = os.environ.get("CC", "cc")
    runs = 3
    args = sys.argv[1:]
    if "--cc" in args:
        cc = args[args.index("--cc") + 1]
    if "--runs" in args:
        runs = int(args[args.index("--runs") + 1])
    variants = [("stb_image.h", "#define STB_IMAGE_IMPLEMENTATION\n#include <stb/stb_image.h>\n", []),
                ("groundup.h", '#define GROUNDUP_IMPLEMENTATION\n#include "groundup.h"\n', [])]
    if "--parts" in args:
        for d in ["GU_NO_SIMD", "GU_NO_PNG", "GU_NO_PLOT", "GU_NO_MNIST", "GU_NO_LADDER", "GU_NO_EINSUM", "GU_NO_GRID"]:
            variants.append(("groundup.h -D" + d, variants[1][1], ["-D" + d]))
        variants.append(("groundup.h, all five parts out", variants[1][1],
                         ["-DGU_NO_PLOT", "-DGU_NO_MNIST", "-DGU_NO_LADDER", "-DGU_NO_EINSUM", "-DGU_NO_GRID"]))
    times = [[] for _ in variants]
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(runs):
            for i, (name, src, flags) in enumerate(variants):
                c = os.path.join(tmp, "impl%d.c" % i)
                with open(c, "w") as f:
                    f.write(src)
                times[i].append(cpu_seconds([cc, "-O2", "-I", ROOT] + flags + ["-c", c, "-o", os.path.join(tmp, "impl.o")]))
    ver = subprocess.run([cc, "--version"], stdout=subprocess.PIPE, universal_newlines=True).stdout.split("\n")[0]
    stb = median(times[0])
    print("cc -O2 -c of an implementation file (%s), CPU seconds, median of %d:" % (ver, runs))
    for i, (name, _, _) in enumerate(variants):
        t = median(times[i])
        print("  %-36s %6.2f s  %5.2fx stb_image" % (name, t, t / stb))
    ratio = median(times[1]) / stb
    print("groundup / stb_image: %.2fx (bar: 2x)" % ratio)
    return 0 if ratio <= 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
