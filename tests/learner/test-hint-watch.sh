#!/usr/bin/env bash
# make test's check of the learner's loop around make grade (argument: the
# directory of the test lists, build/lists): every graded exercise has its
# hints and notes; make hint shows
# one more hint each call and says when the last was shown, hides an
# exercise's notes until it passes, and refuses what is not an exercise;
# make watch's loop runs its command again after a save, with inotify and
# by polling.
set -u
fails=0
bad() { echo "test-hint-watch: $*" >&2; fails=$((fails + 1)); }
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT

export HINT_STATE_DIR=$tmp/state HINT_RESULTS=$tmp/results.json
f=$(ls chapters/00-getting-started/hints/00.1.md)
n=$(grep -c '^## Hint [0-9]' "$f")
[ "$n" -ge 2 ] || bad "$f has $n hints; the check needs two or more"
for k in $(seq 1 "$n"); do
    out=$(/usr/bin/python3 common/hint.py 00.1)
    grep -q "^Hint $k of $n for 00.1:" <<<"$out" || bad "call $k did not show hint $k of $n: $(head -1 <<<"$out")"
    [ "$(grep -c '^Hint ' <<<"$out")" = 1 ] || bad "call $k showed more than one hint"
done
out=$(/usr/bin/python3 common/hint.py 00.1)
grep -q "that was the last one" <<<"$out" || bad "after the last hint, no word that it was the last"
[ "$(/usr/bin/python3 common/hint.py 00.1 ALL | grep -c '^Hint ')" = "$n" ] || bad "ALL did not show all $n hints"
grep -q "^Hint 1 of" <<<"$(/usr/bin/python3 common/hint.py 00.1 RESET)" || bad "RESET did not start over"
/usr/bin/python3 common/hint.py 6.1 >/dev/null 2>"$tmp/err"
[ $? = 2 ] && [ "$(wc -l <"$tmp/err")" = 1 ] || bad "EX=6.1 is not one line on stderr and exit 2"

# Every graded exercise has its hints, two or more, and notes for after.
lists=${1:-build/lists}
exercises=$(cat "$lists"/*/*.list 2>/dev/null | cut -f1 | grep -E '^[0-9]{2}\.[0-9]+$' | sort -u)
[ -n "$exercises" ] || bad "no graded exercise in $lists/*/*.list"
for ex in $exercises; do
    h=$(ls chapters/"${ex%%.*}"-*/hints/"$ex".md 2>/dev/null)
    if [ -z "$h" ]; then
        bad "exercise $ex has no hints file chapters/${ex%%.*}-*/hints/$ex.md"
    elif [ "$(grep -c '^## Hint [0-9]' "$h")" -lt 2 ] || ! grep -q '^## Once it passes' "$h"; then
        bad "$h needs two or more '## Hint N' sections and a '## Once it passes' one"
    elif grep -q '^```' "$h"; then
        bad "$h has a code block: hints and notes never show code"
    fi
done

# Notes: hidden until every test of the exercise passed in the last grade.
notes=$(grep -l '^## Once it passes' chapters/*/hints/*.md | head -1)
if [ -n "$notes" ]; then
    ex=$(basename "$notes" .md)
    printf '{"tests": [{"name": "%s a", "status": "failed"}]}' "$ex" >"$HINT_RESULTS"
    /usr/bin/python3 common/hint.py "$ex" ALL | grep -q "^Once it passes" && bad "$ex's notes shown before it passed"
    printf '{"tests": [{"name": "%s a", "status": "passed"}]}' "$ex" >"$HINT_RESULTS"
    /usr/bin/python3 common/hint.py "$ex" ALL | grep -q "^Once it passes" || bad "$ex's notes not shown after it passed"
fi

# make watch's loop: its command again after a save, both ways of waiting.
for poll in 0 1; do
    mkdir -p "$tmp/src$poll" && : >"$tmp/src$poll/a.c"
    WATCH_POLL=$poll common/watch.sh "$tmp/src$poll" sh -c "echo ran >>'$tmp/runs$poll'" >/dev/null 2>&1 &
    for _ in $(seq 50); do [ -s "$tmp/runs$poll" ] && break; sleep 0.1; done
    sleep 0.5 # inotifywait in place
    echo 'int x;' >"$tmp/src$poll/a.c"
    for _ in $(seq 50); do [ "$(wc -l <"$tmp/runs$poll" 2>/dev/null)" -ge 2 ] && break; sleep 0.1; done
    [ "$(wc -l <"$tmp/runs$poll" 2>/dev/null)" -ge 2 ] || bad "watch (WATCH_POLL=$poll) did not run again after a save"
    kill %% 2>/dev/null
done
[ $fails = 0 ] && echo "learner loop: make hint shows one hint a call; make watch grades again on save"
[ $fails = 0 ]
