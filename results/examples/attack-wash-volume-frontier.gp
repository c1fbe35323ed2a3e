# written by crucible attack; run: gnuplot attack-wash-volume-frontier.gp
set terminal pngcairo size 900,560 noenhanced
if (exists('crucible_stdout')) { set output } else { set output 'attack-wash-volume-frontier.png' }
set title 'Cost-of-attack frontier: wash-volume (maximize profit_usd.farmer (summary))'
set xlabel 'attack budget (USD)'
set ylabel 'profit_usd.farmer'
set logscale x
set grid
set key top left
plot 'attack-wash-volume-frontier.dat' using 1:2:3:4 with yerrorlines lw 2 pt 7 title 'best attack, 95% interval on fresh replicates', '' using 1:5 with linespoints dt 2 title 'its spend (USD)'
