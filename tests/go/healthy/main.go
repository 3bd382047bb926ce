// healthy: the shapes of the leaky services, done right. It must pass every
// leak assertion the integration suites make.
//
// POST /work runs an order through the same steps the leaky services take:
//   - spools the body to a temporary file, released on every path (defer);
//   - skips documents it has seen before (by checksum);
//   - asks the in-process inventory backend through one shared client and
//     closes every response body;
//   - asks the pricing engine with a deadline over a buffered channel, so a
//     late answer is dropped instead of blocking its goroutine forever;
//   - keeps rendered receipts in a replay cache bounded to a few dozen
//     entries (oldest evicted first).
//
// POST /subscribe registers a device for pushes like closewait-leak, but a
// reader goroutine per device notices the hang-up and closes the socket.
package main

import (
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"leakcheck/testsvc/internal/svc"
)

type orderRequest struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

type service struct {
	spoolDir  string
	inventory *http.Client
	backend   string
	deadline  time.Duration
	receipts  *boundedCache
	nextKey   atomic.Uint64

	mu   sync.Mutex
	seen map[string]bool
}

func (s *service) order(w http.ResponseWriter, r *http.Request) {
	body, sum, err := s.spoolBody(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req := orderRequest{SKU: "default", Qty: 1}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			http.Error(w, "bad JSON: "+err.Error(), http.StatusBadRequest)
			return
		}
	}
	s.mu.Lock()
	duplicate := s.seen[sum]
	s.seen[sum] = true
	s.mu.Unlock()

	available, err := s.stock(req.SKU)
	if err != nil {
		log.Printf("inventory: %v", err)
		http.Error(w, "inventory unavailable", http.StatusBadGateway)
		return
	}
	price, estimated := s.priceWithin(req.SKU)

	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		key = "gen-" + strconv.FormatUint(s.nextKey.Add(1), 10)
	}
	receipt := renderReceipt(key, req, price, available)
	s.receipts.put(key, receipt)

	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"key": key, "sku": req.SKU, "qty": req.Qty, "accepted": available >= req.Qty,
		"price": price, "estimated": estimated, "duplicate": duplicate,
		"receipt_bytes": len(receipt),
	})
}

// spoolBody copies the body through a temporary file and returns its
// contents and checksum. The file is closed and removed on every path.
func (s *service) spoolBody(body io.Reader) ([]byte, string, error) {
	f, err := os.CreateTemp(s.spoolDir, "doc-*.json")
	if err != nil {
		return nil, "", fmt.Errorf("cannot spool: %w", err)
	}
	defer func() {
		f.Close()
		os.Remove(f.Name())
	}()
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(body, 1<<20)); err != nil {
		return nil, "", fmt.Errorf("cannot read body: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, "", err
	}
	data, err := io.ReadAll(f)
	return data, hex.EncodeToString(h.Sum(nil)), err
}

// stock asks the inventory backend through the shared client.
func (s *service) stock(sku string) (int, error) {
	resp, err := s.inventory.Get(s.backend + "/stock?sku=" + url.QueryEscape(sku))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, errors.New(resp.Status)
	}
	var reply struct {
		Available int `json:"available"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil {
		return 0, err
	}
	return reply.Available, nil
}

// priceWithin asks the pricing engine, waiting at most the deadline; the
// channel has room for the late answer, so the goroutine always finishes.
func (s *service) priceWithin(sku string) (price float64, estimated bool) {
	ch := make(chan float64, 1)
	go func() {
		latency := 2*time.Millisecond + time.Duration(rand.ExpFloat64()*float64(6*time.Millisecond))
		time.Sleep(latency)
		ch <- 9.99 + float64(len(sku))
	}()
	select {
	case p := <-ch:
		return p, false
	case <-time.After(s.deadline):
		return 12.50, true
	}
}

func renderReceipt(key string, req orderRequest, price float64, available int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "Receipt %s\n", key)
	for i := 0; i < 360; i++ {
		fmt.Fprintf(&b, "line %4d  %-24s qty %3d  %10.2f  stock %5d\n", i, req.SKU, req.Qty,
			price*float64(req.Qty), available)
	}
	return []byte(b.String())
}

// boundedCache keeps the most recent `max` entries.
type boundedCache struct {
	mu    sync.Mutex
	max   int
	order *list.List // of string keys, oldest at the front
	items map[string][]byte
}

func newBoundedCache(max int) *boundedCache {
	return &boundedCache{max: max, order: list.New(), items: map[string][]byte{}}
}

func (c *boundedCache) put(key string, v []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[key]; !ok {
		c.order.PushBack(key)
	}
	c.items[key] = v
	for c.order.Len() > c.max {
		oldest := c.order.Remove(c.order.Front()).(string)
		delete(c.items, oldest)
	}
}

// hub parks device sockets for pushes; each has a reader that drops it
// when the device hangs up.
type hub struct {
	mu      sync.Mutex
	devices map[net.Conn]bool
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
	body := "{\"registered\":true,\"config_version\":0}\n"
	fmt.Fprintf(bufrw, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"+
		"Content-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
	if err := bufrw.Flush(); err != nil {
		conn.Close()
		return
	}
	h.mu.Lock()
	h.devices[conn] = true
	h.mu.Unlock()
	go func() {
		// Devices send nothing; a read returns only when they hang up.
		io.Copy(io.Discard, bufrw.Reader)
		h.mu.Lock()
		delete(h.devices, conn)
		h.mu.Unlock()
		conn.Close()
	}()
}

func (h *hub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.devices {
		c.Close()
	}
}

func startInventory() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/stock", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, "{\"sku\":%q,\"available\":%d}\n", r.URL.Query().Get("sku"), 40)
	})
	go func() {
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second,
			IdleTimeout: 30 * time.Second}
		if err := srv.Serve(ln); err != nil {
			log.Printf("inventory backend: %v", err)
		}
	}()
	return "http://" + ln.Addr().String(), nil
}

func main() {
	deadline := flag.Duration("deadline", 8*time.Millisecond, "longest wait for the pricing engine")
	spoolParent := flag.String("spool", "", "parent directory for spool files (default: $TMPDIR)")
	srv := svc.New("healthy")

	spoolDir, err := os.MkdirTemp(*spoolParent, "healthy-spool-")
	if err != nil {
		log.Fatalf("spool: %v", err)
	}
	backend, err := startInventory()
	if err != nil {
		log.Fatalf("inventory backend: %v", err)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.IdleConnTimeout = 30 * time.Second
	s := &service{
		spoolDir:  spoolDir,
		inventory: &http.Client{Timeout: 2 * time.Second, Transport: transport},
		backend:   backend,
		deadline:  *deadline,
		receipts:  newBoundedCache(32),
		seen:      map[string]bool{},
	}
	h := &hub{devices: map[net.Conn]bool{}}
	srv.Handle("/work", s.order)
	srv.Handle("/subscribe", h.register)
	srv.OnStop(func() {
		h.closeAll()
		transport.CloseIdleConnections()
		os.RemoveAll(spoolDir)
	})
	srv.Run()
}
