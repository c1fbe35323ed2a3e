# written by crucible attack; run: gnuplot attack-poison-audit-frontier.gp
here = ''
if (exists('ARG0')) { crc_i = strlen(ARG0); while (crc_i > 0 && ARG0[crc_i:crc_i] ne '/') { crc_i = crc_i - 1 }; if (crc_i > 0) { here = ARG0[1:crc_i] } }
datafile = here.'attack-poison-audit-frontier.dat'
stats datafile using 0 nooutput
if (!exists('STATS_records')) { exit error sprintf('no data: %s (keep it beside the script)', datafile) }
set terminal pngcairo size 900,560 noenhanced
if (exists('crucible_stdout')) { set output } else { set output here.'attack-poison-audit-frontier.png' }
set title 'Cost-of-attack frontier: poison-audit (break no_backdoor with probability >= 0.5): no budget broke it'
set xlabel 'attack budget (USD)'
set ylabel 'cost of the cheapest breaking attack (USD)'
set logscale x
set grid
set key top left
set xrange [6.666666666666667:15000]
set yrange [-1:1]
plot datafile using 1:6 with points pt 6 ps 2 title 'none found within the budget'
