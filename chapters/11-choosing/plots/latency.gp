# Round-trip latency by mechanism: bars at the median, a cross at p99, and
# the cache-line ping-pong (the fastest any two cores can answer each other)
# drawn across as the floor. Logarithmic: the bars span three orders.
# Set by report.sh: the terminal, the output, dir (latency.dat) and floor ('' if none).
set title "Round-trip latency (ping-pong), 64-byte messages (else the size in brackets)"
set ylabel "round-trip time (log scale)"
set logscale y
set yrange [50:*]
set ytics ("100 ns" 100, "1 µs" 1000, "10 µs" 1e4, "100 µs" 1e5, "1 ms" 1e6, "10 ms" 1e7, \
           "100 ms" 1e8)
set style fill solid 0.7 border -1
set boxwidth 0.6
set xtics rotate by 30 right nomirror
set grid ytics lc rgb "#dddddd"
set key outside top center horizontal maxrows 1
set rmargin 3
set bmargin 7
set lmargin 12
floor_line = floor eq '' ? '' : \
    sprintf(", %s with lines dt 2 lw 2 lc rgb '#d62728' title 'physical floor: cache-line ping-pong, %s ns'", floor, floor)
plot dir.'/latency.dat' using 0:2:xtic(1) with boxes lc rgb "#4c72b0" title "p50 (median)", \
     '' using 0:3 with points pt 2 ps 2 lw 2 lc rgb "#000000" title "p99" @floor_line
