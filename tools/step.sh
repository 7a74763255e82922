#!/bin/sh
# tools/step.sh - the steps of a long make target, each announced, timed and with its
# expected noise labelled, so that a green run reads green and a red one names its step.
#
#   sh tools/step.sh steps TITLE TARGET...   runs `$MAKE TARGET` for each TARGET in turn:
#                                            "== TITLE [3/7] TARGET" before, "ok (12 s)"
#                                            after; stops at the first that fails, naming it
#   sh tools/step.sh run COMMAND [ARGS...]   runs COMMAND; its stdout goes straight through
#                                            (a terminal stays a terminal, so progress lines
#                                            rewrite themselves), its stderr through the
#                                            filter below; exits with COMMAND's status
#
# The filter: lines that a green run prints on purpose but that read like failures are
# rewritten to begin with "expected: " and say why; everything else passes unchanged.
# To label another such line, add a rule to EXPECTED (an awk pattern and the reason).
# Only ever list a line whose cause is known and deliberate.
MAKE=${MAKE:-make}

# ASan's allocator, told allocator_may_return_null=1, prints this line (and cannot be told
# not to) each time it refuses an allocation larger than it supports; the tests ask for such
# sizes on purpose to see the library return an error instead of crashing.
EXPECTED='
/^==[0-9]+==WARNING: AddressSanitizer failed to allocate 0x[0-9a-f]+ bytes$/ {
    sub(/^==[0-9]+==/, "")
    why = "a test asks for an impossible size on purpose; the call returns an error"
}
'

filter() {
    awk "{ why = \"\" }
$EXPECTED
{ if (why != \"\") print \"expected: \" \$0 \" (\" why \")\"; else print; fflush() }"
}

case "${1:-}" in
run)
    shift
    st=$(mktemp) || exit 1
    # stdout to fd 3 (the real stdout), stderr into the pipe; the status through a file
    { { "$@"; echo $? >"$st"; } 2>&1 1>&3 3>&- | filter 1>&2 3>&-; } 3>&1
    rc=$(cat "$st")
    rm -f "$st"
    exit "${rc:-1}"
    ;;
steps)
    title=$2
    shift 2
    n=0
    total=$#
    start=$(date +%s)
    for t in "$@"; do
        n=$((n + 1))
        echo "== $title [$n/$total] $t"
        t0=$(date +%s)
        if ! $MAKE --no-print-directory "$t"; then
            echo "== $title: step $n/$total '$t' did not pass (its messages are above); rerun it alone: make $t" >&2
            exit 1
        fi
        echo "== $title [$n/$total] $t: ok ($(( $(date +%s) - t0 )) s)"
    done
    echo "== $title: all $total steps green ($(( $(date +%s) - start )) s)"
    ;;
*)
    echo "usage: sh tools/step.sh steps TITLE TARGET... | sh tools/step.sh run COMMAND [ARGS...]" >&2
    exit 2
    ;;
esac
