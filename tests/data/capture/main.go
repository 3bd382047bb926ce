// Command capture is a small Go service that leakcheck's parser tests capture
// real text from: it serves net/http/pprof on 127.0.0.1, parks goroutines in
// known ways (chan receive, select, sleep, mutex, IO wait, some with pprof
// labels, one through an inlined call, one in a file whose name has a
// space), keeps heap live, and holds TCP sockets in known states. It prints
// what it made to stdout and then waits for SIGTERM. Standard library only.
package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"sync"
	"syscall"
	"time"
)

var (
	never     = make(chan int)  // nobody ever sends on it
	neverB    = make(chan bool) // nor on this one
	locked    sync.Mutex
	keep      [][]byte // heap kept live on purpose
	conns     []net.Conn
	listeners []net.Listener
	started   sync.WaitGroup
)

// waitOnChan blocks in a plain channel receive.
//
//go:noinline
func waitOnChan() {
	started.Done()
	<-never
}

// waitInSelect blocks in a select with two cases.
//
//go:noinline
func waitInSelect() {
	started.Done()
	select {
	case <-never:
	case <-neverB:
	}
}

// waitInSleep blocks in time.Sleep.
//
//go:noinline
func waitInSleep() {
	started.Done()
	time.Sleep(24 * time.Hour)
}

// waitOnMutex blocks on a mutex that main holds.
//
//go:noinline
func waitOnMutex() {
	started.Done()
	locked.Lock()
}

// recvInlined is inlined into callsInlined (go build -gcflags=-m says so);
// profiles still show it as a frame of its own above callsInlined.
func recvInlined(ch chan int) int {
	return <-ch
}

//go:noinline
func callsInlined() {
	started.Done()
	fmt.Println(recvInlined(never))
}

// waitOnRead blocks reading a connection nobody writes to (IO wait).
//
//go:noinline
func waitOnRead(c net.Conn) {
	var b [1]byte
	started.Done()
	c.Read(b[:])
}

type pool struct{ ch chan int }

//go:noinline
func (p *pool) wait() {
	started.Done()
	<-p.ch
}

//go:noinline
func genericWait[T any](ch chan T) {
	started.Done()
	<-ch
}

// labelled runs f under pprof labels (pprof.Do), so the goroutine
// profile prints a "# labels:" line for it.
func labelled(f func(), kv ...string) {
	go pprof.Do(context.Background(), pprof.Labels(kv...), func(context.Context) { f() })
}

func startWaiters() {
	for i := 0; i < 3; i++ {
		started.Add(1)
		go waitOnChan()
	}
	for i := 0; i < 2; i++ {
		started.Add(1)
		go waitInSelect()
	}
	started.Add(4)
	go waitInSleep()
	go waitOnMutex()
	go callsInlined()
	go (&pool{ch: make(chan int)}).wait()
	started.Add(1)
	go genericWait(make(chan string))
	started.Add(1)
	go waitInSpacedFile()
	// Same stack, different labels: separate records.
	started.Add(4)
	labelled(waitOnChan, "worker", "alpha", "shard", "3", "role", "reader")
	labelled(waitOnChan, "worker", "beta", "shard", "3", "role", "reader")
	labelled(waitOnChan, "worker", "beta", "shard", "3", "role", "reader")
	labelled(waitInSleep, "request", "GET /x?y=\"z\"\tend")
	started.Wait()
}

//go:noinline
func retainHeap() {
	for i := 0; i < 64; i++ {
		keep = append(keep, make([]byte, 128<<10))
	}
	for i := 0; i < 1000; i++ {
		keep = append(keep, make([]byte, 1000))
	}
}

func listen(network, addr string) net.Listener {
	l, err := net.Listen(network, addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "capture:", err)
		os.Exit(1)
	}
	return l
}

func main() {
	runtime.MemProfileRate = 4096
	pl := listen("tcp4", "127.0.0.1:0")
	go http.Serve(pl, nil)
	fmt.Printf("pprof %s\n", pl.Addr())
	locked.Lock()
	startWaiters()
	retainHeap()
	retainInSpacedFile()
	makeSockets(pl.Addr().(*net.TCPAddr).Port)
	fmt.Println("ready")
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	runtime.KeepAlive(keep)
	runtime.KeepAlive(conns)
	runtime.KeepAlive(listeners)
}
