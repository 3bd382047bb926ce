// parked: a service that holds many parked goroutines and a large live
// heap and does nothing else, the shape on which watching costs the most
// (bench/observer_cost.sh). At start it parks -goroutines goroutines, each
// blocked in a channel receive, and builds a live heap of -heap MB out of
// 128-byte objects linked by pointers (the garbage collector has to trace
// every one), then serves:
//
//	/ping          "ok\n": the probe the bench measures the latency of
//	/healthz, /debug/pprof/, /metrics  (internal/svc)
//
//	parked [-addr 127.0.0.1:8080] [-goroutines 45] [-heap 0] [-grow 0]
//
// -grow N starts N more goroutines a second, parked in main.leak (a
// goroutine leak whose count moves, apart from the parked ones of main.park).
//
// -sites N records every allocation in the heap profile (MemProfileRate 1)
// and keeps 64 bytes from each of N distinct call stacks (paths through
// main.siteA and main.siteB), so that writing the heap profile, which
// symbolizes every site's stack, costs what it costs a large service.
//
// Standard library only; stops on SIGTERM or SIGINT.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"runtime"
	"time"

	"leakcheck/testsvc/internal/svc"
)

type node struct {
	next *node
	pad  [120]byte
}

var heap []*node

func main() {
	goroutines := flag.Int("goroutines", 45, "goroutines in all (parked ones are added to reach it)")
	heapMB := flag.Int("heap", 0, "live heap to hold, in MB")
	grow := flag.Int("grow", 0, "goroutines to start a second, parked in main.leak")
	sites := flag.Int("sites", 0, "distinct allocation sites kept in the heap profile")
	s := svc.New("parked")
	if *sites > 0 {
		runtime.MemProfileRate = 1
		depth := 1
		for 1<<depth < *sites {
			depth++
		}
		for i := 0; i < *sites; i++ {
			siteA(i, depth)
		}
	}

	stop := make(chan struct{})
	for i := runtime.NumGoroutine() + 4; i < *goroutines; i++ {
		go park(stop)
	}
	// chains of 1024 nodes, so the collector follows pointers to mark them
	const chain = 1024
	n := *heapMB << 20 / 128
	for i := 0; i < n; i += chain {
		var head *node
		for k := 0; k < chain && i+k < n; k++ {
			head = &node{next: head}
		}
		heap = append(heap, head)
	}
	runtime.GC()
	if *grow > 0 {
		go func() {
			for range time.Tick(time.Second / time.Duration(*grow)) {
				go leak(stop)
			}
		}()
	}
	s.Handle("/ping", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	s.Run()
	close(stop)
}

//go:noinline
func park(stop chan struct{}) { <-stop }

var kept [][]byte

// siteA and siteB walk the bits of i, so each i is its own call stack.
//
//go:noinline
func siteA(i, d int) {
	if d == 0 {
		kept = append(kept, make([]byte, 64))
	} else if i&1 == 0 {
		siteA(i>>1, d-1)
	} else {
		siteB(i>>1, d-1)
	}
}

//go:noinline
func siteB(i, d int) {
	if d == 0 {
		kept = append(kept, make([]byte, 64))
	} else if i&1 == 0 {
		siteA(i>>1, d-1)
	} else {
		siteB(i>>1, d-1)
	}
}

//go:noinline
func leak(stop chan struct{}) { <-stop }
