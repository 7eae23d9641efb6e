#!/bin/bash
# report.sh: turns build/bench/results.csv into a Markdown table and plots.
#
#   report.sh RESULTS.csv OUTDIR [MACHINE.txt]
#
# Whatever mechanisms the CSV holds are reported; a mechanism or a plot whose
# rows are missing (RabbitMQ without a broker, no ring chapter yet) is left
# out, not drawn empty. Writes OUTDIR/results.md and, with gnuplot,
# OUTDIR/{throughput,latency,ring-ladder}.{svg,png}.
# Exit status: 0 ok, 1 runtime failure, 2 usage.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
prog=$(basename "$0")
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: $prog RESULTS.csv OUTDIR [MACHINE.txt]" >&2
    exit 2
fi
csv=$1 out=$2 machine=${3:-}
[ -r "$csv" ] || { echo "$prog: cannot read $csv (run make bench first)" >&2; exit 1; }
if [ "$(head -1 "$csv")" != "mechanism,size,metric,value" ]; then
    echo "$prog: $csv does not start with the header mechanism,size,metric,value" >&2
    exit 1
fi
mkdir -p "$out/plots"
work="$out/plots"

# The course's order (cheapest to build first, the floor last); any other
# mechanism follows in alphabetical order.
order="pipe fifo unix tcp posix_mq rabbitmq_c rabbitmq_pika zeromq_ipc iceoryx ck_ring
ring_step1 ring_step2 ring_step3 ring_step4 ring_step5 ring_step6 ring_final ring_final_batch
cacheline_pingpong"

# Clean rows: well-formed, known metric, a number; the first of any duplicate
# (two parts measuring the same thing) wins, with a warning.
awk -F, -v prog="$prog" -v order="$order" '
    BEGIN { n = split(order, o, /[ \n]+/); for (i = 1; i <= n; i++) rank[o[i]] = i }
    NR == 1 { next }
    NF != 4 || $2 !~ /^[0-9]+$/ || $4 !~ /^[0-9.eE+-]+$/ ||
    $3 !~ /^(msgs_per_s|rtt_p50_ns|rtt_p99_ns)$/ {
        printf "%s: ignoring line %d: %s\n", prog, NR, $0 > "/dev/stderr"; next }
    (($1, $2, $3) in seen) {
        printf "%s: %s %s %s measured twice, keeping the first\n", prog, $1, $2, $3 > "/dev/stderr"
        next }
    { seen[$1, $2, $3] = 1
      r = ($1 in rank) ? rank[$1] : 1000
      printf "%04d,%s,%s,%s,%s\n", r, $1, $2, $3, $4 }
' "$csv" | sort -t, -k1,1n -k2,2 -k3,3n > "$work/rows.csv"

mechs=$(cut -d, -f2 "$work/rows.csv" | awk '!s[$0]++')
sizes=$(cut -d, -f3 "$work/rows.csv" | sort -n -u)
if [ -z "$mechs" ]; then
    echo "$prog: $csv holds no results" >&2
    exit 1
fi

# ---------------------------------------------------------------- Markdown
{
    echo "# Benchmark results"
    echo
    if [ -n "$machine" ] && [ -r "$machine" ]; then
        echo "Measured on:"
        echo
        sed 's/^/- /' "$machine"
        echo
    fi
    echo "Each value is the median over the repetitions of one run"
    echo "(min and max: build/bench/spread-*.csv). Empty cell: not measured at that size."
    echo
    for table in msgs_per_s rtt; do
        if [ $table = msgs_per_s ]; then
            echo "## Throughput, one-way stream (messages per second)"
        else
            echo "## Round-trip latency, ping-pong (p50 / p99)"
        fi
        echo
        printf '| mechanism |'
        for s in $sizes; do printf ' %s B |' "$s"; done
        echo
        printf '| --- |'
        for _ in $sizes; do printf ' ---: |'; done
        echo
        awk -F, -v table=$table -v sizes="$sizes" -v mechs="$mechs" '
            function num(v) {   # 1234567 -> "1.23 M"
                if (v >= 1e9) return sprintf("%.2f G", v / 1e9)
                if (v >= 1e6) return sprintf("%.2f M", v / 1e6)
                if (v >= 1e3) return sprintf("%.1f k", v / 1e3)
                return sprintf("%.0f", v) }
            function dur(ns) {  # nanoseconds -> "850 ns", "12.3 us", "4.56 ms"
                if (ns >= 1e6) return sprintf("%.2f ms", ns / 1e6)
                if (ns >= 1e4) return sprintf("%.1f µs", ns / 1e3)
                if (ns >= 1e3) return sprintf("%.2f µs", ns / 1e3)
                return sprintf("%.0f ns", ns) }
            { v[$2, $3, $4] = $5 }
            END {
                nm = split(mechs, m, "\n"); ns = split(sizes, s, "\n")
                for (i = 1; i <= nm; i++) {
                    line = "| " m[i] " |"; any = 0
                    for (j = 1; j <= ns; j++) {
                        cell = ""
                        if (table == "msgs_per_s" && (m[i], s[j], "msgs_per_s") in v) {
                            cell = num(v[m[i], s[j], "msgs_per_s"]); any = 1
                        } else if (table == "rtt" && (m[i], s[j], "rtt_p50_ns") in v) {
                            cell = dur(v[m[i], s[j], "rtt_p50_ns"])
                            if ((m[i], s[j], "rtt_p99_ns") in v)
                                cell = cell " / " dur(v[m[i], s[j], "rtt_p99_ns"])
                            any = 1
                        }
                        line = line " " cell " |"
                    }
                    if (any) print line
                }
            }' "$work/rows.csv"
        echo
    done
} > "$out/results.md"

# ---------------------------------------------------------------- plot data
# throughput.dat: one block per mechanism ("size rate" lines), titled by its name.
awk -F, '$4 == "msgs_per_s" {
    if ($2 != cur) { if (cur != "") printf "\n\n"; print "\"" $2 "\""; cur = $2 }
    print $3, $5 }' "$work/rows.csv" > "$work/throughput.dat"

# latency.dat: "name p50 p99" per mechanism, at 64 bytes or else its
# smallest size (the name then says which).
awk -F, '$4 ~ /^rtt_/ {
        if (!($2 in first)) { first[$2] = $3; order[++n] = $2 }
        v[$2, $3, $4] = $5 }
    END {
        for (i = 1; i <= n; i++) {
            m = order[i]; s = ((m, 64, "rtt_p50_ns") in v) ? 64 : first[m]
            if (!((m, s, "rtt_p50_ns") in v)) continue
            label = s == 64 ? m : m " (" s " B)"
            p99 = ((m, s, "rtt_p99_ns") in v) ? v[m, s, "rtt_p99_ns"] : v[m, s, "rtt_p50_ns"]
            printf "\"%s\" %s %s\n", label, v[m, s, "rtt_p50_ns"], p99
        }
    }' "$work/rows.csv" > "$work/latency.dat"
floor=$(awk -F, '$2 == "cacheline_pingpong" && $4 == "rtt_p50_ns" { print $5; exit }' \
    "$work/rows.csv")

# ladder.dat: each ring mechanism's throughput over the one before it, at the
# size most ring mechanisms were measured at (64 bytes if they all were).
awk -F, 'function short(m) { sub(/^ring_/, "", m); return m }
    $2 ~ /^ring_/ && $4 == "msgs_per_s" {
        if (!($2 in seen)) { seen[$2] = 1; order[++n] = $2 }
        v[$2, $3] = $5; count[$3]++ }
    END {
        best = ""
        for (s in count)
            if (best == "" || count[s] > count[best] || (count[s] == count[best] && s == 64))
                best = s
        prev = ""
        for (i = 1; i <= n; i++) {
            m = order[i]
            if (!((m, best) in v)) continue
            if (prev != "")
                printf "\"%s\\nvs %s\" %.3f %s\n", short(m), short(prev), v[m, best] / v[prev, best], best
            prev = m
        }
    }' "$work/rows.csv" > "$work/ladder.dat"

# ---------------------------------------------------------------- plots
if ! command -v gnuplot > /dev/null; then
    echo "$prog: gnuplot not found: wrote $out/results.md only (apt-get install gnuplot-nox)" >&2
    exit 0
fi

plot() { # plot NAME SCRIPT [gnuplot assignments]
    local name=$1 script=$2 vars=${3:-}
    rm -f "$out/$name.svg" "$out/$name.png"
    gnuplot -e "set terminal svg size 1000,600 dynamic noenhanced font 'sans,13' background '#ffffff'" \
        -e "set output '$out/$name.svg'" -e "dir='$work'; $vars" "$here/plots/$script"
    gnuplot -e "set terminal pngcairo size 1000,600 noenhanced font 'sans,11' background '#ffffff'" \
        -e "set output '$out/$name.png'" -e "dir='$work'; $vars" "$here/plots/$script"
}

if [ -s "$work/throughput.dat" ]; then
    plot throughput throughput.gp
fi
if [ -s "$work/latency.dat" ]; then
    plot latency latency.gp "floor='${floor:-}'"
fi
if [ -s "$work/ladder.dat" ]; then
    plot ring-ladder ladder.gp
fi
echo "report: $out/results.md and plots in $out/"
