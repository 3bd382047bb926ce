package main

// This file's name has a space in it on purpose: profiles then print a
// file path with a space ("…/wait here.go:LINE").

var keepSpaced [][]byte

//go:noinline
func waitInSpacedFile() {
	started.Done()
	<-never
}

//go:noinline
func retainInSpacedFile() {
	for i := 0; i < 16; i++ {
		keepSpaced = append(keepSpaced, make([]byte, 64<<10))
	}
}
