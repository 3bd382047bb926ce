module leakcheck/demo

go 1.19
