// closewait-leak: a device push service whose hub never notices that a
// device has hung up.
//
// POST /work registers a device for configuration pushes. The handler
// takes the connection over (http.Hijacker), answers with the current
// configuration version as a complete HTTP response ("Connection: close":
// from now on the socket carries push lines, not HTTP), and parks the
// socket in the hub. The hub only ever writes, and only when the
// configuration changes; it never reads, so it never sees the EOF of a
// device that disconnected. Such sockets sit in CLOSE_WAIT, one per
// registration, until the next push fails on them — which, with no
// configuration change, is never.
package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	"leakcheck/testsvc/internal/svc"
)

type hub struct {
	mu      sync.Mutex
	version int
	devices []net.Conn
}

// add parks a registered device's socket. BUG: no reader goroutine watches
// it for EOF, so a device that hangs up is never dropped.
func (h *hub) add(c net.Conn) {
	h.mu.Lock()
	h.devices = append(h.devices, c)
	h.mu.Unlock()
}

// push sends a new configuration version to every device, dropping those
// whose socket fails.
func (h *hub) push() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.version++
	kept := h.devices[:0]
	for _, c := range h.devices {
		c.SetWriteDeadline(time.Now().Add(time.Second))
		if _, err := fmt.Fprintf(c, "config %d\n", h.version); err != nil {
			c.Close()
			continue
		}
		kept = append(kept, c)
	}
	h.devices = kept
}

func (h *hub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.devices {
		c.Close()
	}
	h.devices = nil
}

func (h *hub) register(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "push needs HTTP/1.1", http.StatusHTTPVersionNotSupported)
		return
	}
	conn, bufrw, err := hj.Hijack()
	if err != nil {
		log.Printf("hijack: %v", err)
		return
	}
	h.mu.Lock()
	body := fmt.Sprintf("{\"registered\":true,\"config_version\":%d}\n", h.version)
	h.mu.Unlock()
	fmt.Fprintf(bufrw, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"+
		"Content-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
	if err := bufrw.Flush(); err != nil {
		conn.Close()
		return
	}
	h.add(conn)
}

func main() {
	srv := svc.New("closewait-leak")
	h := &hub{}
	srv.Handle("/work", h.register)
	// An operator endpoint to roll out a new configuration.
	srv.Handle("/push", func(w http.ResponseWriter, r *http.Request) {
		h.push()
		fmt.Fprintln(w, "pushed")
	})
	srv.OnStop(h.closeAll)
	srv.Run()
}
