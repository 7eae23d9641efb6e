# Throughput by mechanism and message size: both axes logarithmic, because
# the mechanisms span four orders of magnitude and the sizes five.
# Set by report.sh: the terminal, the output and dir (where throughput.dat is).
set title "Throughput: one-way stream between two processes (median of repetitions)"
set xlabel "message size (bytes, log scale)"
set ylabel "messages per second (log scale)"
set logscale xy
set format y "%.0s %c"
set xrange [5:100000]
set xtics ("8" 8, "64" 64, "1024" 1024, "4096" 4096, "65536" 65536)
set grid xtics ytics mytics lc rgb "#dddddd"
set key outside right top box
stats dir.'/throughput.dat' using 1 nooutput
plot for [i=0:STATS_blocks-1] dir.'/throughput.dat' index i using 1:2 \
     with linespoints lw 2 pt (i % 12) + 1 ps 1.2 dt 1 + (i >= 9) title columnheader(1)
