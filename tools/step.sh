#!/bin/sh
# tools/step.sh - the steps of a long make target, each announced, timed and with its
# expected noise labelled, so that a green run reads green and a red one names its step.
#
#   sh tools/step.sh steps TITLE TARGET...   runs `$MAKE TARGET` for each TARGET in turn:
#                                            "== TITLE [3/7] TARGET" before, "ok (12 s)"
#                                            after; stops at the first that fails, naming it
#   sh tools/step.sh run COMMAND [ARGS...]   runs COMMAND with its stdout and stderr as they
#                                            are (a terminal stays a terminal, so progress
#                                            lines rewrite themselves); the sanitizers'
#                                            messages go to a log that is shown when COMMAND
#                                            ends, through the filter below; exits with
#                                            COMMAND's status
#   sh tools/step.sh green COMMAND [ARGS...] runs COMMAND (`make test`), its output also kept;
#                                            when it passes, fails if any line says WARNING,
#                                            ERROR or failed without saying it is expected
#                                            (CI's check that a green run reads green)
#
# Why a log: ASan and TSan write straight to file descriptor 2 from inside the program, in
# the middle of whatever line the test runner has open. From the log they come out whole,
# after the program's own output, and a sanitizer's real report (which stops the program)
# is then the last thing before the step's failure message.
#
# The filter: lines that a green run prints on purpose but that read like failures are
# collected and printed once, beginning with "expected: " and saying why (with a count);
# everything else passes unchanged. To label another such line, add a rule to EXPECTED
# (an awk pattern that sets `why`). Only ever list a line whose cause is known and deliberate.
MAKE=${MAKE:-make}

# ASan's allocator, told allocator_may_return_null=1, prints this line (and cannot be told
# not to) each time it refuses an allocation larger than it supports; the tests ask for such
# sizes on purpose to see the library return an error instead of crashing.
EXPECTED='
/^==[0-9]+==WARNING: AddressSanitizer failed to allocate 0x[0-9a-f]+ bytes$/ {
    why = "tests ask for impossible sizes on purpose, and the library returns an error"
}
'

label() {
    awk "{ why = \"\" }
$EXPECTED
why == \"\" { print; fflush(); next }
{ sub(/^==[0-9]+==/, \"\"); if (!(why in n)) { first[why] = \$0; order[++k] = why }; n[why]++ }
END { for (i = 1; i <= k; i++) print \"expected: \" first[order[i]] (n[order[i]] > 1 ? \" (and \" (n[order[i]] - 1) \" more like it)\" : \"\") \": \" order[i] }"
}

case "${1:-}" in
run)
    shift
    logs=$(mktemp -d) || exit 1
    for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS TSAN_OPTIONS; do
        eval "cur=\${$v:-}"
        export "$v=${cur:+$cur:}log_path=$logs/report"
    done
    "$@"
    rc=$?
    for f in "$logs"/report*; do
        [ -f "$f" ] && label <"$f" >&2
    done
    rm -rf "$logs"
    exit $rc
    ;;
green)
    shift
    log=$(mktemp) || exit 1
    st=$(mktemp) || exit 1
    { "$@" 2>&1; echo $? >"$st"; } | tee "$log"
    rc=$(cat "$st")
    if [ "${rc:-1}" = 0 ]; then
        bad=$(grep -E 'WARNING|ERROR|failed' "$log" | grep -v 'expected')
        if [ -n "$bad" ]; then
            echo "== $*: passed, but these lines read like failures (if they are expected, label them in tools/step.sh):"
            echo "$bad"
            rc=1
        fi
    fi
    rm -f "$log" "$st"
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
    echo "usage: sh tools/step.sh steps TITLE TARGET... | run COMMAND [ARGS...] | green COMMAND [ARGS...]" >&2
    exit 2
    ;;
esac
