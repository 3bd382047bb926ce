module leakcheck/dumpsrc

go 1.19
