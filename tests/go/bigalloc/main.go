// bigalloc: a dispatcher that takes what it needs for its peak at start.
//
// At start it makes its job queue, a buffered channel of -queue slots of
// 1 KiB each (default 1 Mi slots: 1 GiB of heap, held for the life of the
// process), and opens -segments files of its journal in a temporary
// directory, keeping them open (default none). POST /work enqueues a job
// and a worker drains the queue. Nothing grows after the start, so growth
// assertions pass and level ones (heap_inuse < 256MB, fds <= 256) fail:
// the holders are the queue's make() and the journal's directory.
//
// The queue's pages are never written (the runtime takes them zeroed from
// the OS, and the jobs that pass through touch a few slots), so the
// resident set stays small whatever -queue says.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"

	"leakcheck/testsvc/internal/svc"
)

// job is one queued request: 1 KiB.
type job struct {
	id      uint64
	payload [1016]byte
}

type dispatcher struct {
	queue    chan job
	journal  []*os.File
	dir      string
	next     atomic.Uint64
	finished atomic.Uint64
}

// newQueue sizes the queue for the worst burst anyone could imagine.
func newQueue(slots int) chan job {
	return make(chan job, slots)
}

// openJournal opens the journal's segment files and keeps them open.
func openJournal(d *dispatcher, segments int) error {
	dir, err := os.MkdirTemp("", "bigalloc-journal-")
	if err != nil {
		return err
	}
	d.dir = dir
	for i := 0; i < segments; i++ {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("segment-%04d.log", i)))
		if err != nil {
			return err
		}
		d.journal = append(d.journal, f)
	}
	return nil
}

func (d *dispatcher) work(w http.ResponseWriter, r *http.Request) {
	j := job{id: d.next.Add(1)}
	select {
	case d.queue <- j:
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintf(w, "{\"job\":%d}\n", j.id)
	default:
		http.Error(w, "queue full", http.StatusServiceUnavailable)
	}
}

func (d *dispatcher) drain() {
	for range d.queue {
		d.finished.Add(1)
	}
}

func main() {
	slots := flag.Int("queue", 1<<20, "job queue slots of 1 KiB each")
	segments := flag.Int("segments", 0, "journal segment files kept open")
	srv := svc.New("bigalloc")
	d := &dispatcher{queue: newQueue(*slots)}
	if err := openJournal(d, *segments); err != nil {
		log.Fatalf("journal: %v", err)
	}
	go d.drain()
	srv.Handle("/work", d.work)
	srv.OnStop(func() {
		for _, f := range d.journal {
			f.Close()
		}
		os.RemoveAll(d.dir)
	})
	srv.Run()
}
