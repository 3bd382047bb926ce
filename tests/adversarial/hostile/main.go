// hostile: a target that misbehaves on purpose, for tests/adversarial/run.sh.
// -mode picks how:
//
//	pprof-garbage   pprof index, goroutine and heap profiles answer 200 with
//	                binary garbage and escape sequences
//	metrics-garbage /metrics serves malformed lines, NaN, 1e308, a 1 MB line,
//	                escape sequences in names and labels
//	http-broken     /work answers with a malformed status line and closes
//	double-response /work answers twice on the same connection
//	stderr-flood    writes to stderr as fast as it can while it serves
//	daemon          starts a copy of itself in a new session (setsid) that
//	                serves the port, then waits forever
//	ignore-term     ignores SIGTERM (must be killed after the grace period)
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func garbage(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	copy(b, "\x1b]0;pwned\x07\x1b[2J\x1b[31m")
	return b
}

func hijack(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter) {
	h, ok := w.(http.Hijacker)
	if !ok {
		return nil, nil
	}
	c, rw, err := h.Hijack()
	if err != nil {
		return nil, nil
	}
	return c, rw
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	mode := flag.String("mode", "", "how to misbehave")
	flag.Parse()

	if *mode == "daemon" && os.Getenv("HOSTILE_DAEMON") == "" {
		cmd := exec.Command(os.Args[0], os.Args[1:]...)
		cmd.Env = append(os.Environ(), "HOSTILE_DAEMON=1")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
		if err := cmd.Start(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		cmd.Process.Release()
		select {}
	}
	if *mode == "ignore-term" {
		signal.Ignore(syscall.SIGTERM)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/work", func(w http.ResponseWriter, r *http.Request) {
		switch *mode {
		case "http-broken":
			if c, rw := hijack(w); c != nil {
				rw.WriteString("HTTP/1.1 9999 \x1b[31mBROKEN\r\nContent-Length: -5\r\n\r\n")
				rw.Write(garbage(100))
				rw.Flush()
				c.Close()
			}
		case "double-response":
			if c, rw := hijack(w); c != nil {
				for i := 0; i < 2; i++ {
					rw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
				}
				rw.Flush()
				go func() { time.Sleep(time.Second); c.Close() }()
			}
		default:
			fmt.Fprintln(w, "ok")
		}
	})
	if *mode == "pprof-garbage" {
		mux.HandleFunc("/debug/pprof/", func(w http.ResponseWriter, r *http.Request) {
			w.Write(garbage(4096))
		})
	}
	if *mode == "metrics-garbage" {
		mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintln(w, "# TYPE x gauge\nx NaN\ny 1e308\nz{a=\"\x1b[31m\"} 1")
			fmt.Fprintln(w, "bad\x1b]0;t\x07name 3\n{}{} 4\nq{a=\"unterminated 5")
			fmt.Fprintln(w, "long "+strings.Repeat("9", 1<<20))
			w.Write(garbage(1000))
		})
	}
	if *mode == "stderr-flood" {
		go func() {
			line := []byte(strings.Repeat("flood \x1b[2J", 100) + "\n")
			for {
				os.Stderr.Write(line)
			}
		}()
	}
	if err := http.ListenAndServe(*addr, mux); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
