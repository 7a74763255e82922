#!/usr/bin/env python3
"""Compiles and runs every C code block of README.md and of groundup.h's top doc comment
under AddressSanitizer + LeakSanitizer: the code a new user copies first must work and
must not leak.

   python3 tools/check_snippets.py [--cc CC] [--keep]     (make test-snippets)

What counts as a block:
  README.md   every fenced block whose info string is c (```c ... ```).
  groundup.h  in the top /* ... */ comment, every run of lines indented 6 or more spaces
              that starts after a blank line and ends at a blank line (the QUICK START code).
How a block becomes a program:
  - A block that defines main() is compiled as it is.
  - Otherwise its preprocessor lines (#define, #include) stay at file scope and the rest
    becomes the body of int main(void) { ... return 0; }.
  - <stdio.h>, <stdlib.h>, <string.h>, <math.h> and "groundup.h" are included first, so a
    block may leave out its includes.
  - The library's implementation is compiled once into an object; every block is compiled
    with -DGROUNDUP_IMPLEMENTATION_DONE (its own #define GROUNDUP_IMPLEMENTATION then
    compiles no second copy) and linked against that object.
Each program runs twice in an empty temporary directory (files it writes go there): with
GROUNDUP_DATA pointing at the small MNIST fixture, so data snippets run without `make data`,
and with GROUNDUP_DATA naming a missing file, so their error paths run too. Uninitialised
locals are filled with a pattern (-ftrivial-auto-var-init=pattern where the compiler has
it), so freeing one is a sanitizer report rather than luck. Where valgrind is installed,
each program is also built without sanitizers and run under valgrind both ways: it sees
what ASan cannot, such as a branch on an uninitialised value.
A README block may be marked, on the line right before its fence:
  <!-- snippet: no-run -->   compiled and linked, not run (it needs a GPU, say)
  <!-- snippet: skip -->     neither (not C meant to compile; say why beside it)
Exit status 0 when every block compiled and ran leak-free, 1 otherwise.
"""
import os
import re
import subprocess
import sys
import shutil
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAN = ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-fno-sanitize-recover=all"]
LIBS = ["-lm", "-lz", "-lpthread"]
FIXTURE = os.path.join(ROOT, "tests", "fixtures", "mnist", "mini_mnist.pkl.gz")


def readme_blocks(path):
    """(name, code, mode) for each ```c block of a Markdown file."""
    out = []
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"^(\s*)```\s*c\s*$", lines[i])
        if not m:
            i += 1
            continue
        mode = "run"
        j = i - 1
        while j >= 0 and lines[j].strip() == "":
            j -= 1
        if j >= 0:
            mm = re.match(r"^\s*<!--\s*snippet:\s*(no-run|skip)\b", lines[j])
            if mm:
                mode = mm.group(1)
        start = i + 1
        k = start
        while k < len(lines) and not re.match(r"^\s*```\s*$", lines[k]):
            k += 1
        indent = len(m.group(1))
        code = "\n".join(l[indent:] if l[:indent].strip() == "" else l for l in lines[start:k])
        out.append(("%s:%d" % (os.path.basename(path), i + 1), code, mode))
        i = k + 1
    return out


def header_blocks(path):
    """(name, code, 'run') for each indented code run of the header's top comment."""
    text = open(path, encoding="utf-8").read()
    end = text.find("*/")
    lines = text[:end].split("\n")
    out = []
    i = 0
    while i < len(lines):
        if i > 0 and lines[i - 1].strip() == "" and re.match(r"^ {6,}\S", lines[i]):
            k = i
            while k < len(lines) and lines[k].strip() != "":
                k += 1
            # a run that reaches the end of the comment or a less indented line is prose
            if k < len(lines) and all(re.match(r"^ {6,}", l) for l in lines[i:k]):
                indent = min(len(l) - len(l.lstrip(" ")) for l in lines[i:k])
                out.append(("%s:%d" % (os.path.basename(path), i + 1), "\n".join(l[indent:] for l in lines[i:k]), "run"))
            i = k
        else:
            i += 1
    return out


def program(code):
    """The block as a whole C program."""
    head = "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include <math.h>\n"
    if re.search(r"\bint\s+main\s*\(", code):
        return head + '#include "groundup.h"\n' + code + "\n"
    top, body = [], []
    for l in code.split("\n"):
        (top if l.lstrip().startswith("#") else body).append(l)
    return (head + "\n".join(top) + '\n#include "groundup.h"\n' +
            "int main(void) {\n" + "\n".join("    " + l for l in body) + "\n    return 0;\n}\n")


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, **kw)


def main():
    cc = os.environ.get("CC", "cc")
    keep = "--keep" in sys.argv
    if "--cc" in sys.argv:
        cc = sys.argv[sys.argv.index("--cc") + 1]
    blocks = header_blocks(os.path.join(ROOT, "groundup.h")) + readme_blocks(os.path.join(ROOT, "README.md"))
    build = os.path.join(ROOT, "build", "snippets")
    os.makedirs(build, exist_ok=True)
    impl_c = os.path.join(build, "impl.c")
    impl_o = os.path.join(build, "impl.o")
    plain_o = os.path.join(build, "impl_plain.o")
    valgrind = shutil.which("valgrind")
    with open(impl_c, "w") as f:
        f.write('#define GROUNDUP_IMPLEMENTATION\n#include "groundup.h"\n')
    hdr = os.path.join(ROOT, "groundup.h")
    if not os.path.exists(impl_o) or os.path.getmtime(impl_o) < os.path.getmtime(hdr):
        print("snippets: %d blocks; compiling the implementation once (ASan%s)" % (len(blocks), ", and plain for valgrind" if valgrind else ""))
        sys.stdout.flush()
        r = run([cc, "-O1", "-g", "-std=c11", "-I", ROOT] + SAN + ["-c", impl_c, "-o", impl_o])
        if r.returncode != 0:
            print(r.stdout)
            print("snippets: the implementation did not compile")
            return 1
    if valgrind and (not os.path.exists(plain_o) or os.path.getmtime(plain_o) < os.path.getmtime(hdr)):
        r = run([cc, "-O1", "-g", "-std=c11", "-I", ROOT, "-c", impl_c, "-o", plain_o])
        if r.returncode != 0:
            print(r.stdout)
            print("snippets: the implementation did not compile")
            return 1
    pattern = []
    probe = run([cc, "-ftrivial-auto-var-init=pattern", "-x", "c", "-c", "-o", os.devnull, "-"], input="int x;\n")
    if probe.returncode == 0:
        pattern = ["-ftrivial-auto-var-init=pattern"]
    failed = 0
    ran = 0
    for n, (name, code, mode) in enumerate(blocks):
        if mode == "skip":
            print("  skip %s (marked)" % name)
            continue
        src = os.path.join(build, "snippet_%02d.c" % n)
        exe = os.path.join(build, "snippet_%02d" % n)
        with open(src, "w") as f:
            f.write("// %s\n" % name + program(code))
        r = run([cc, "-O1", "-g", "-std=c11", "-Wall", "-Wextra", "-Wno-unused-variable", "-Wno-unused-but-set-variable",
                 "-DGROUNDUP_IMPLEMENTATION_DONE", "-I", ROOT] + pattern + SAN + ["-o", exe, src, impl_o] + LIBS)
        if r.returncode != 0 or "warning:" in r.stdout:
            print("FAIL %s: does not compile cleanly (%s)\n%s" % (name, src, r.stdout))
            failed += 1
            continue
        if mode == "no-run":
            print("  ok   %s (compiled; marked no-run)" % name)
            continue
        runs = [([exe], d) for d in (FIXTURE, os.path.join(build, "no-such-data"))]
        if valgrind:
            vexe = exe + "_vg"
            r = run([cc, "-O1", "-g", "-std=c11", "-DGROUNDUP_IMPLEMENTATION_DONE", "-I", ROOT, "-o", vexe, src, plain_o] + LIBS)
            if r.returncode != 0:
                print("FAIL %s: does not compile without sanitizers (%s)\n%s" % (name, src, r.stdout))
                failed += 1
                continue
            vg = [valgrind, "-q", "--error-exitcode=3", "--leak-check=full", "--errors-for-leak-kinds=definite,indirect,possible"]
            runs += [(vg + [vexe], d) for d in (FIXTURE, os.path.join(build, "no-such-data"))]
        bad = None
        for cmd, data in runs:
            env = dict(os.environ)
            env["ASAN_OPTIONS"] = "detect_leaks=1:allocator_may_return_null=1"
            env["UBSAN_OPTIONS"] = "print_stacktrace=1"
            env["GROUNDUP_DATA"] = data
            with tempfile.TemporaryDirectory() as tmp:
                try:
                    r = run(cmd, cwd=tmp, env=env, timeout=300)
                    rc, outp = r.returncode, r.stdout
                except subprocess.TimeoutExpired:
                    rc, outp = -1, "timed out after 300 s"
            if rc != 0 or "Sanitizer" in outp or "runtime error" in outp:
                bad = "FAIL %s: %s exit %d with GROUNDUP_DATA=%s (%s)\n%s" % (
                    name, "valgrind:" if cmd[0] == valgrind else "", rc, data, src, outp[-4000:])
                break
        ran += 1
        if bad:
            print(bad)
            failed += 1
        else:
            print("  ok   %s" % name)
        sys.stdout.flush()
    if failed:
        print("snippets: %d of %d blocks FAIL" % (failed, len(blocks)))
    else:
        print("snippets: %d blocks, all compiled, %d run leak-free" % (len(blocks), ran))
    if not keep and not failed:
        for f in os.listdir(build):
            if f.startswith("snippet_"):
                os.remove(os.path.join(build, f))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
