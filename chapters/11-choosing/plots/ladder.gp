# The ring ladder: how much each step of the ring track speeds up the one
# before it. 1 means no change; above it, faster. Logarithmic so that
# "twice as fast" and "half as fast" are the same distance from 1.
# Set by report.sh: the terminal, the output and dir (ladder.dat: label speedup size).
stats dir.'/ladder.dat' using 3 nooutput
size = STATS_min
stats dir.'/ladder.dat' using 2 nooutput
set title sprintf("The ring ladder: each step's throughput over the previous step's (%d-byte messages)", size)
set ylabel "speedup over the previous step (×, log scale)"
set logscale y
set ytics ("×1/8" 0.125, "×1/4" 0.25, "×1/2" 0.5, "×1" 1, "×2" 2, "×4" 4, "×8" 8, "×16" 16, \
           "×32" 32, "×64" 64, "×128" 128)
set yrange [(STATS_min < 0.5 ? STATS_min / 1.5 : 0.5) : (STATS_max > 2 ? STATS_max * 1.6 : 3)]
set xrange [-0.6:STATS_records - 0.4]
set style fill solid 0.7 border -1
set boxwidth 0.6
set grid ytics lc rgb "#dddddd"
set xtics nomirror
set bmargin 4
unset key
plot dir.'/ladder.dat' using 0:2:xtic(1) with boxes lc rgb "#55a868", \
     '' using 0:2:(sprintf("×%.2f", $2)) with labels offset 0, 0.8, \
     1 with lines dt 2 lw 1.5 lc rgb "#555555"
