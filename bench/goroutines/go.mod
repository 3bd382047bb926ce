module leakcheck/bench/goroutines

go 1.19
