module leakcheck/testsvc

go 1.19
