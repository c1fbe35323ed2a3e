# written by analysis/studies.sh; run: gnuplot attack-poison-audit-candidates.gp
# columns of the .dat: mean spend (USD), share of replicates breaking no_backdoor, share with a
# backdoor listed at some time, budget index of the search
set terminal pngcairo size 900,560 noenhanced
set output 'attack-poison-audit-candidates.png'
set title 'Every candidate of the poison-audit searches (6 replicates each)'
set xlabel 'measured spend (USD, mean over the replicates)'
set ylabel 'share of the replicates'
set logscale x
set yrange [-0.05:1.05]
set grid
set key left center
plot 'attack-poison-audit-candidates.dat' using 1:3 with points pt 6 ps 1.2 title 'a backdoor listed at some time', \
     '' using 1:2 with points pt 7 ps 1.2 title 'no_backdoor broken (a backdoor listed at the end)'
