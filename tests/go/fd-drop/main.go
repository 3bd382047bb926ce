// fd-drop: an audit spooler that drops its files without closing them.
//
// A background writer records an audit entry 50 times a second, each into
// its own file under a spool directory (or, with -what conns, sends it over
// a new connection to an in-process collector). The bug: the *os.File (or
// net.Conn) is dropped without Close. Nothing references it any more, so
// the descriptor stays open until a garbage collection runs the runtime's
// finalizer, which closes it. The heap barely grows, so the collector
// rarely runs on its own: unobserved, the process holds ~410 descriptors
// after 8 s. A monitor that forces a GC every sample (heap?gc=1) closes
// them itself and sees ~20.
//
// -close is the fixed version: every file and connection is closed (with
// -hold D, each file stays open for D first: a busy, healthy spooler whose
// files come and go all the time).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"time"

	"leakcheck/testsvc/internal/svc"
)

type spooler struct {
	dir       string
	collector string // address of the in-process collector (conns mode)
	close     bool
	hold      time.Duration
	n         int
}

// record writes one audit entry into a new spool file.
func (s *spooler) record() error {
	s.n++
	f, err := os.Create(filepath.Join(s.dir, fmt.Sprintf("audit-%06d.log", s.n)))
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(f, "%s entry %d\n", time.Now().Format(time.RFC3339Nano), s.n); err != nil {
		return err
	}
	if s.close && s.hold > 0 {
		time.AfterFunc(s.hold, func() { f.Close() })
		return nil
	}
	if s.close {
		return f.Close()
	}
	// BUG: f is dropped here; only its finalizer will ever close it.
	return nil
}

// send delivers one audit entry to the collector over a new connection.
func (s *spooler) send() error {
	s.n++
	c, err := net.Dial("tcp", s.collector)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(c, "entry %d\n", s.n); err != nil {
		return err
	}
	if s.close {
		return c.Close()
	}
	// BUG: c is dropped here without Close.
	return nil
}

// collect accepts audit connections and reads each until the sender
// hangs up, then closes its end.
func collect(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			io.Copy(io.Discard, bufio.NewReader(c))
		}()
	}
}

func main() {
	what := flag.String("what", "files", "what each entry costs: files or conns")
	closeIt := flag.Bool("close", false, "close every file and connection (the fixed version)")
	rate := flag.Int("rate", 50, "entries per second")
	hold := flag.Duration("hold", 0, "with -close: how long each file stays open")
	srv := svc.New("fd-drop")
	dir, err := os.MkdirTemp("", "audit-spool-")
	if err != nil {
		log.Fatalf("spool: %v", err)
	}
	srv.OnStop(func() { os.RemoveAll(dir) })
	s := &spooler{dir: dir, close: *closeIt, hold: *hold}
	write := s.record
	if *what == "conns" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			log.Fatalf("collector: %v", err)
		}
		go collect(ln)
		s.collector = ln.Addr().String()
		write = s.send
	} else if *what != "files" {
		log.Fatalf("-what must be files or conns, not %q", *what)
	}
	go func() {
		for range time.Tick(time.Second / time.Duration(*rate)) {
			if err := write(); err != nil {
				log.Printf("audit: %v", err)
			}
		}
	}()
	srv.Run()
}
