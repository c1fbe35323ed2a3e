# written by crucible attack; run: gnuplot attack-poison-audit-frontier.gp
set terminal pngcairo size 900,560 noenhanced
if (exists('crucible_stdout')) { set output } else { set output 'attack-poison-audit-frontier.png' }
set title 'Cost-of-attack frontier: poison-audit (break no_backdoor with probability >= 0.5)'
set xlabel 'attack budget (USD)'
set ylabel 'cost of the cheapest breaking attack (USD)'
set logscale x
set grid
set key top left
plot 'attack-poison-audit-frontier.dat' using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'best attack, 95% interval on fresh replicates', '' using 1:5 with linespoints dt 2 title 'its spend (USD)'
