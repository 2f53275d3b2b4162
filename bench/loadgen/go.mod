module creditledger/bench/loadgen

go 1.21
