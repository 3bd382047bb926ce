// soak: one service, four behaviours, for measuring trend(): what a
// nightly soak must tell apart. Flags select the behaviour:
//
//	-leak-every 1000        keeps one goroutine per 1,000 requests (a slow
//	                        goroutine leak)
//	-retain 300KB/min       keeps that many bytes a minute for good (a slow
//	                        heap leak) while requests churn garbage
//	-warm 3m -warm-bytes N  fills a cache of N bytes (and a pool of 20
//	                        workers) over the first 3 minutes after the
//	                        first request, then only reads it (healthy)
//	-live N -garbage N      holds N bytes from the start; each request
//	                        allocates N bytes of garbage (the sawtooth)
//	-gc-percent N           sets GOGC from within (debug.SetGCPercent),
//	                        which the environment does not show
//	-mem-limit N            sets the memory limit from within
//	                        (debug.SetMemoryLimit), as GOMEMLIMIT would
//
// POST or GET /work does the request's work and answers "ok".
package main

import (
	"flag"
	"fmt"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"leakcheck/testsvc/internal/svc"
)

var (
	garbage   = flag.Int("garbage", 256<<10, "bytes of garbage each request allocates")
	live      = flag.Int("live", 8<<20, "bytes held from the start")
	retain    = flag.Int("retain", 0, "bytes kept for good every minute (0: none)")
	leakEvery = flag.Int("leak-every", 0, "keep one goroutine per this many requests (0: none)")
	warm      = flag.Duration("warm", 0, "how long the cache fills after the first request")
	warmBytes = flag.Int("warm-bytes", 16<<20, "bytes the cache holds once full")
	gcPercent = flag.Int("gc-percent", 0, "debug.SetGCPercent at start (0: GOGC as it is)")
	memLimit  = flag.Int64("mem-limit", 0, "debug.SetMemoryLimit at start, bytes (0: GOMEMLIMIT as it is)")
)

const tick = 100 * time.Millisecond

type service struct {
	requests atomic.Int64
	started  sync.Once
	mu       sync.Mutex
	held     [][]byte       // -live and -retain
	cache    map[int][]byte // -warm
	sink     atomic.Value   // keeps the compiler from dropping garbage
	never    chan struct{}  // leaked goroutines wait on it forever
	pool     chan func()    // -warm: the workers' queue
}

func fill(n int) []byte {
	b := make([]byte, n)
	for i := 0; i < n; i += 512 {
		b[i] = byte(i)
	}
	return b
}

// every calls f every tick until it returns false.
func every(f func() bool) {
	go func() {
		t := time.NewTicker(tick)
		defer t.Stop()
		for range t.C {
			if !f() {
				return
			}
		}
	}()
}

// warmUp fills the cache and grows the pool over -warm, then stops. What
// it holds follows the clock, not the ticks: a starved process that misses
// ticks still ends its warm-up on time.
func (s *service) warmUp() {
	if *warm <= 0 {
		return
	}
	start, held, workers := time.Now(), 0, 0
	every(func() bool {
		f := float64(time.Since(start)) / float64(*warm)
		if f > 1 {
			f = 1
		}
		if want := int(f * float64(*warmBytes)); want > held {
			s.mu.Lock()
			s.cache[len(s.cache)] = fill(want - held)
			s.mu.Unlock()
			held = want
		}
		for ; workers < int(f*20); workers++ {
			go func() {
				for f := range s.pool {
					f()
				}
			}()
		}
		return f < 1
	})
}

func (s *service) work(w http.ResponseWriter, r *http.Request) {
	n := s.requests.Add(1)
	s.started.Do(s.warmUp)
	var sum byte
	for left := *garbage; left > 0; left -= 32 << 10 {
		c := 32 << 10
		if left < c {
			c = left
		}
		b := fill(c)
		sum += b[c-1]
		s.sink.Store(b)
	}
	if *warm > 0 {
		s.mu.Lock()
		sum += byte(len(s.cache[int(n)%len(s.cache)]))
		s.mu.Unlock()
	}
	if *leakEvery > 0 && n%int64(*leakEvery) == 0 {
		go func() { <-s.never }() // BUG: nobody ever closes it
	}
	fmt.Fprintf(w, "ok %d\n", sum)
}

func main() {
	srv := svc.New("soak")
	if *gcPercent != 0 {
		debug.SetGCPercent(*gcPercent)
		svc.GCPercent = *gcPercent
	}
	if *memLimit > 0 {
		debug.SetMemoryLimit(*memLimit)
	}
	s := &service{cache: map[int][]byte{}, never: make(chan struct{}), pool: make(chan func())}
	s.cache[0] = nil
	for i := 0; i < *live; i += 64 << 10 {
		s.held = append(s.held, fill(64<<10))
	}
	if *retain > 0 {
		start, kept := time.Now(), 0
		every(func() bool {
			want := int(time.Since(start).Minutes() * float64(*retain))
			if want > kept {
				s.mu.Lock()
				s.held = append(s.held, fill(want-kept)) // BUG: kept for good
				s.mu.Unlock()
				kept = want
			}
			return true
		})
	}
	srv.Handle("/work", s.work)
	srv.Run()
}
