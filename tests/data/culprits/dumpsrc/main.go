// dumpsrc: a program whose goroutine dump shows what a dump parser must
// handle beyond the everyday: a stack deeper than the runtime prints
// (frames elided), a goroutine locked to its thread, a receive on a nil
// channel, an empty select, a WaitGroup wait, and -- once it has run for
// over a minute -- wait times in minutes. Serves net/http/pprof on
// 127.0.0.1 (the address goes to stdout as "pprof ADDR", then "ready").
package main

import (
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"sync"
	"syscall"
	"unsafe"
)

var keep *os.File // the pipe's write end, held open and never written

var (
	never = make(chan int) // nobody receives
	deep  = make(chan int) // nobody sends
)

// descend recurses n levels, then blocks: the dump has more frames than
// the runtime prints. Go 1.19 says "...additional frames elided..." only
// when it printed exactly 100 frames, so the wait at the bottom is a
// blocking read(2) on a pipe made with syscall.Syscall itself (its frame
// is shown, where a channel wait starts with hidden runtime frames, and
// it is not inlined, where syscall.Read would add an inlined frame).
func descend(n int, fd int) int {
	if n == 0 {
		var b [1]byte
		syscall.Syscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), 1)
		return <-deep
	}
	return descend(n-1, fd) + 1
}

func lockedWait() {
	runtime.LockOSThread()
	select {}
}

func nilReceive() {
	var ch chan int
	<-ch
}

func groupWait(wg *sync.WaitGroup) {
	wg.Wait()
}

func sendForever(v int) {
	never <- v
}

func start() {
	r, w, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	keep = w
	go descend(300, int(r.Fd()))
	go lockedWait()
	go nilReceive()
	var wg sync.WaitGroup
	wg.Add(1)
	go groupWait(&wg)
	for i := 0; i < 4; i++ {
		go sendForever(i)
	}
}

func main() {
	start()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("pprof %s\nready\n", ln.Addr())
	http.Serve(ln, nil)
}
