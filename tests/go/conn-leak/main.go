// conn-leak: a checkout service that builds a new HTTP client for every
// call to its inventory backend and never closes the response body.
//
// POST /work {"sku": "...", "qty": N} asks the inventory service whether
// the items are in stock. Each request creates its own http.Transport (to
// get "its own" timeouts), so connections are never shared, and the body
// is decoded but never closed. The transport's connection stays open with
// its read and write goroutines waiting on it; nothing references the
// transport from the handler any more, but nothing closes it either. Every
// request leaves one ESTABLISHED connection to the backend (and, with the
// built-in backend, the backend's end of it) behind.
//
// With no -backend flag the service starts its own inventory backend on
// another loopback port, so it is self-contained.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"time"

	"leakcheck/testsvc/internal/svc"
)

type checkoutRequest struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

type stockReply struct {
	SKU       string `json:"sku"`
	Available int    `json:"available"`
}

type service struct {
	backend string // base URL of the inventory service
}

func (s *service) newInventoryClient() *http.Client {
	return &http.Client{
		Timeout: 2 * time.Second,
		Transport: &http.Transport{ // BUG: a fresh transport (and pool) per call
			DialContext:           (&net.Dialer{Timeout: time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
			ResponseHeaderTimeout: time.Second,
		},
	}
}

func (s *service) checkout(w http.ResponseWriter, r *http.Request) {
	req := checkoutRequest{SKU: "default", Qty: 1}
	if r.ContentLength != 0 {
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, "bad JSON: "+err.Error(), http.StatusBadRequest)
			return
		}
	}
	client := s.newInventoryClient()
	resp, err := client.Get(s.backend + "/stock?sku=" + url.QueryEscape(req.SKU))
	if err != nil {
		log.Printf("inventory: %v", err)
		http.Error(w, "inventory unavailable", http.StatusBadGateway)
		return
	}
	// BUG: resp.Body is never closed.
	if resp.StatusCode != http.StatusOK {
		http.Error(w, "inventory: "+resp.Status, http.StatusBadGateway)
		return
	}
	var stock stockReply
	if err := json.NewDecoder(resp.Body).Decode(&stock); err != nil {
		http.Error(w, "inventory reply: "+err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"sku": req.SKU, "qty": req.Qty, "accepted": stock.Available >= req.Qty,
	})
}

// startInventory runs a small inventory backend on a free loopback port and
// returns its base URL.
func startInventory() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/stock", func(w http.ResponseWriter, r *http.Request) {
		sku := r.URL.Query().Get("sku")
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(stockReply{SKU: sku, Available: 40 + len(sku)})
	})
	go func() {
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		if err := srv.Serve(ln); err != nil {
			log.Printf("inventory backend: %v", err)
		}
	}()
	return fmt.Sprintf("http://%s", ln.Addr()), nil
}

func main() {
	backend := flag.String("backend", "", "inventory base URL (default: start one in-process)")
	srv := svc.New("conn-leak")
	s := &service{backend: *backend}
	if s.backend == "" {
		u, err := startInventory()
		if err != nil {
			log.Fatalf("inventory backend: %v", err)
		}
		s.backend = u
	}
	srv.Handle("/work", s.checkout)
	srv.Run()
}
