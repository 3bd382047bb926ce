module leakcheck/capture

go 1.19
