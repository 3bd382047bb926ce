// Command goroutines writes the goroutine profile of a process holding N
// parked goroutines, each started under pprof.Do with labels of its own (a
// request id), as a busy Go service's /debug/pprof/goroutine?debug=1 (or
// debug=2) would show them: since no two share labels, every goroutine is
// a record of its own. bench/parse_cost.sh measures leakcheck diff on it.
// With -addr it serves net/http/pprof (and /healthz) there instead, until
// it is stopped, as a target for leakcheck run.
//
//	goroutines [-n 100000] [-debug 1] > goroutine.txt
//	goroutines -n 100000 -addr 127.0.0.1:PORT
//
// The goroutines are of five kinds (chan receive through a few calls of
// the service, select in a worker pool, sync.Mutex, time.Sleep, IO-less
// chan send), in proportions 50/20/10/10/10. Standard library only.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime/pprof"
	"sync"
	"time"
)

var (
	never  = make(chan int)
	never2 = make(chan struct{})
	sink   = make(chan int) // nobody receives from it
	mu     sync.Mutex
)

type server struct{ name string }

//go:noinline
func (s *server) waitForReply(ready *sync.WaitGroup) int {
	ready.Done()
	return <-never
}

//go:noinline
func (s *server) process(ready *sync.WaitGroup) int { return s.waitForReply(ready) + 1 }

//go:noinline
func (s *server) handle(ready *sync.WaitGroup) int { return s.process(ready) + 1 }

//go:noinline
func poolWorker(ready *sync.WaitGroup) {
	ready.Done()
	select {
	case <-never:
	case <-never2:
	}
}

//go:noinline
func lockedUpdate(ready *sync.WaitGroup) {
	ready.Done()
	mu.Lock()
	defer mu.Unlock()
}

//go:noinline
func retryLater(ready *sync.WaitGroup) {
	ready.Done()
	time.Sleep(time.Hour)
}

//go:noinline
func publish(ready *sync.WaitGroup) {
	ready.Done()
	sink <- 1
}

func main() {
	n := flag.Int("n", 100000, "goroutines to start")
	debug := flag.Int("debug", 1, "profile debug level (1 or 2)")
	addr := flag.String("addr", "", "serve /debug/pprof here instead of writing a profile")
	flag.Parse()
	mu.Lock() // lockedUpdate goroutines wait on it for ever
	s := &server{name: "orders"}
	routes := []string{"/api/v1/orders", "/api/v1/carts", "/api/v1/users/{id}", "/internal/sync"}
	var ready sync.WaitGroup
	ready.Add(*n)
	for i := 0; i < *n; i++ {
		labels := pprof.Labels("request_id", fmt.Sprintf("req-%08d", i),
			"route", routes[i%len(routes)], "tenant", fmt.Sprintf("tenant-%03d", i%500))
		kind := i % 10
		go pprof.Do(context.Background(), labels, func(context.Context) {
			switch {
			case kind < 5:
				s.handle(&ready)
			case kind < 7:
				poolWorker(&ready)
			case kind < 8:
				lockedUpdate(&ready)
			case kind < 9:
				retryLater(&ready)
			default:
				publish(&ready)
			}
		})
	}
	ready.Wait()
	time.Sleep(200 * time.Millisecond) // let the last ones park
	if *addr != "" {
		http.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
		fmt.Fprintln(os.Stderr, http.ListenAndServe(*addr, nil))
		os.Exit(1)
	}
	if err := pprof.Lookup("goroutine").WriteTo(os.Stdout, *debug); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
