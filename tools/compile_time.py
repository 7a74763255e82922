#!/usr/bin/env python3
"""How long `cc -O2 -c` of an implementation file takes: groundup.h beside stb_image.h
(Debian's libstb-dev), measured in the same run, alternating, median of 3 (CPU seconds of
the compiler, user + system, which a busy machine disturbs less than wall time).

   python3 tools/compile_time.py [--cc CC] [--runs N] [--parts] [--against REV]   (make compile-time)
   python3 tools/compile_time.py --profile [N] [-DNAME ...]          (make compile-profile)

--parts adds one line per opt-out (GU_NO_PLOT, ...) and GU_NO_SIMD, to show where the
time goes. --against REV adds the header as git has it at REV (HEAD~1, a branch), compiled
in the same alternation: a change's effect, which on a busy machine is smaller than one run's
noise, shows in the medians and minimums of many runs side by side (--runs 9). Exit status
1 when groundup takes more than twice stb_image's time.

--profile (GCC only) compiles groundup's implementation once with -Q, which makes cc1 print
each function's name as it finishes generating its code, and charges the CPU time between
two names to the second: the N (default 30) costliest functions, then the totals per section
(the // >>name banners above each function's definition; a function that a macro defines,
such as the elementwise gu__k_*, counts where its name first appears), beside the front end
(parsing, with immintrin.h, stb_image_write.h, zlib.h) and the whole-unit passes (early
optimisation and inlining of every function, IPA). The figures are cc1's user CPU time,
read from /proc (Linux), which -Q's printing inflates by a fraction: compare entries with
each other, not with --parts. One run, so a busy machine blurs small entries; compare two
versions by alternating runs.
"""
import os
import re
import resource
import subprocess
import sys
import tempfile
import time

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


def proc_cpu(pid):
    """User CPU seconds of a running process, from /proc; None where unknown. (Not system
    time: -Q's one write per name makes that large, and the compile itself has little.)"""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) / float(os.sysconf("SC_CLK_TCK"))
    except (OSError, IndexError, ValueError):
        return None


def cc1_pid(driver_pid):
    """The compiler proper (cc1) that the driver started, or the driver itself."""
    try:
        with open("/proc/%d/task/%d/children" % (driver_pid, driver_pid)) as f:
            kids = [int(k) for k in f.read().split()]
        return kids[0] if kids else driver_pid
    except (OSError, ValueError):
        return driver_pid


def defining_sections(path):
    """{function name: section} for the implementation's functions, from the // >>name banners."""
    lines = open(path).read().split("\n")
    start = next((i for i, l in enumerate(lines) if l.startswith("#ifdef GROUNDUP_IMPLEMENTATION")), 0)
    section, where, seen = "(top)", {}, {}
    for l in lines[start:]:
        m = re.match(r"// >>([\w-]+)", l)
        if m:
            section = m.group(1)
            continue
        m = re.match(r"^(?!\s)(?!#)(?!//).*?\b(\w+)\(", l)   # a definition starts in column 0
        if m and m.group(1) not in where:
            where[m.group(1)] = section
        for w in re.findall(r"\bgu_\w+", l):   # a macro-made one: where its name first appears
            seen.setdefault(w, section)
    for w, sec in seen.items():
        where.setdefault(w, sec)
    return where


def profile(cc, top, flags):
    """Per-function and per-section compile costs of groundup's implementation (GCC's -Q)."""
    where = defining_sections(os.path.join(ROOT, "groundup.h"))
    with tempfile.TemporaryDirectory() as tmp:
        c = os.path.join(tmp, "impl.c")
        with open(c, "w") as f:
            f.write('#define GROUNDUP_IMPLEMENTATION\n#include "groundup.h"\n')
        p = subprocess.Popen([cc, "-O2", "-Q", "-I", ROOT] + flags + ["-c", c, "-o", os.path.join(tmp, "impl.o")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        pid, events, rest, stamp = None, [], b"", None
        while True:
            chunk = os.read(p.stderr.fileno(), 65536)
            if not chunk:
                break
            if pid is None or pid == p.pid:
                pid = cc1_pid(p.pid)
            now = proc_cpu(pid) if pid != p.pid else None
            stamp = now if now is not None else stamp   # cc1 gone: its last reading
            words = (rest + chunk).split()
            rest = b"" if chunk[-1:].isspace() else words.pop()
            events += [(stamp, w.decode("ascii", "replace")) for w in words]
        p.wait()
        if p.returncode != 0:
            sys.exit("compile_time: the profiled compile failed")
    # cc1 prints the names while parsing, then "Analyzing compilation unit", "Performing
    # interprocedural optimizations" (with pass names and heap sizes), then "Assembling
    # functions:" and one name per function generated.
    words = [w for _, w in events]
    try:
        a = words.index("Analyzing")
        g = words.index("functions:", a)
    except ValueError:
        sys.exit("compile_time: --profile needs GCC (its -Q output); %s printed none" % cc)
    if any(t is None for t, _ in events):
        sys.exit("compile_time: --profile reads cc1's CPU time from /proc (Linux)")
    parse, ipa = events[a][0] - events[0][0], events[g][0] - events[a][0]
    cost, prev = {}, events[g][0]
    end = next((i for i in range(g, len(words) - 1) if words[i] == "Time" and words[i + 1] == "variable"), len(words))
    for stamp, w in events[g + 1:end]:
        if w.startswith("{") or w.startswith("<") or w.endswith("}") or not re.match(r"^[A-Za-z_][\w.]*$", w):
            continue
        name = w.split(".")[0]   # gu__pack_b.constprop.0, gu_einsum.cold: the function they came from
        cost[name] = cost.get(name, 0.0) + stamp - prev
        prev = stamp
    total = events[end - 1][0] - events[0][0]
    print("cc -O2 -Q -c of groundup's implementation %s: %.2f user CPU seconds of cc1 (-Q adds some)"
          % (" ".join(flags), total))
    print("  %-40s %6.2f" % ("front end (parsing, system headers)", parse))
    print("  %-40s %6.2f" % ("whole-unit passes (early opts, IPA)", ipa))
    print("  %-40s %6.2f" % ("code generation, per function:", sum(cost.values())))
    for name, t in sorted(cost.items(), key=lambda kv: -kv[1])[:top]:
        print("    %-38s %6.3f  %s" % (name, t, where.get(name, "(stb, zlib, libc)")))
    sections = {}
    for name, t in cost.items():
        s = where.get(name, "(stb, zlib, libc)")
        sections[s] = sections.get(s, 0.0) + t
    print("  code generation per section:")
    for s, t in sorted(sections.items(), key=lambda kv: -kv[1]):
        print("    %-38s %6.2f" % (s, t))
    return 0


def main():
    cc = os.environ.get("CC", "cc")
    runs = 3
    args = sys.argv[1:]
    if "--cc" in args:
        cc = args[args.index("--cc") + 1]
    if "--runs" in args:
        runs = int(args[args.index("--runs") + 1])
    if "--profile" in args:
        i = args.index("--profile")
        top = int(args[i + 1]) if i + 1 < len(args) and args[i + 1].isdigit() else 30
        return profile(cc, top, [a for a in args if a.startswith("-D")])
    variants = [("stb_image.h", "#define STB_IMAGE_IMPLEMENTATION\n#include <stb/stb_image.h>\n", []),
                ("groundup.h", '#define GROUNDUP_IMPLEMENTATION\n#include "groundup.h"\n', [])]
    tmp_rev = None
    if "--against" in args:
        rev = args[args.index("--against") + 1]
        r = subprocess.run(["git", "-C", ROOT, "show", rev + ":groundup.h"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True)
        if r.returncode != 0:
            sys.exit("compile_time: git show %s:groundup.h failed: %s" % (rev, r.stderr.strip()))
        tmp_rev = tempfile.TemporaryDirectory()
        with open(os.path.join(tmp_rev.name, "groundup.h"), "w") as f:
            f.write(r.stdout)
        variants.append(("groundup.h at " + rev, variants[1][1], ["-I", tmp_rev.name]))
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
                times[i].append(cpu_seconds([cc, "-O2"] + flags + ["-I", ROOT, "-c", c, "-o", os.path.join(tmp, "impl.o")]))
    ver = subprocess.run([cc, "--version"], stdout=subprocess.PIPE, universal_newlines=True).stdout.split("\n")[0]
    stb = median(times[0])
    print("cc -O2 -c of an implementation file (%s), CPU seconds, median of %d (fastest run):" % (ver, runs))
    for i, (name, _, _) in enumerate(variants):
        t = median(times[i])
        print("  %-36s %6.2f s (%5.2f)  %5.2fx stb_image" % (name, t, min(times[i]), t / stb))
    ratio = median(times[1]) / stb
    print("groundup / stb_image: %.2fx (bar: 2x)" % ratio)
    return 0 if ratio <= 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
