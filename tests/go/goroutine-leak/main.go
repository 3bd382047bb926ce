// goroutine-leak: a price-quote service with the classic timeout leak.
//
// POST /work {"sku": "..."} asks the pricing engine for a price but will
// not wait longer than -deadline for it; past the deadline it answers with
// the list price instead. The engine call runs in a goroutine that hands its
// result over an unbuffered channel. When the handler has already given up,
// nobody ever receives from that channel, so the goroutine blocks on its
// send forever: every request that hits the deadline leaks one goroutine.
package main

import (
	"encoding/json"
	"flag"
	"io"
	"math/rand"
	"net/http"
	"time"

	"leakcheck/testsvc/internal/svc"
)

type quoteRequest struct {
	SKU string `json:"sku"`
}

type quoteReply struct {
	SKU       string  `json:"sku"`
	Price     float64 `json:"price"`
	Estimated bool    `json:"estimated"`
}

// pricingEngine stands in for a remote pricing call: usually a few
// milliseconds, with a long tail.
type pricingEngine struct{}

func (pricingEngine) price(sku string) float64 {
	latency := 2*time.Millisecond + time.Duration(rand.ExpFloat64()*float64(6*time.Millisecond))
	time.Sleep(latency)
	return 9.99 + float64(len(sku))
}

type service struct {
	engine   pricingEngine
	deadline time.Duration
}

// priceWithin returns the engine's price, or ok=false when it took longer
// than the deadline.
func (s *service) priceWithin(sku string) (price float64, ok bool) {
	ch := make(chan float64) // BUG: unbuffered, the sender outlives the receiver
	go func() {
		ch <- s.engine.price(sku)
	}()
	select {
	case p := <-ch:
		return p, true
	case <-time.After(s.deadline):
		return 0, false
	}
}

func (s *service) quote(w http.ResponseWriter, r *http.Request) {
	var req quoteRequest
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			http.Error(w, "bad JSON: "+err.Error(), http.StatusBadRequest)
			return
		}
	}
	if req.SKU == "" {
		req.SKU = "default"
	}
	reply := quoteReply{SKU: req.SKU}
	if p, ok := s.priceWithin(req.SKU); ok {
		reply.Price = p
	} else {
		reply.Price, reply.Estimated = 12.50, true // list price
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(reply)
}

func main() {
	deadline := flag.Duration("deadline", 8*time.Millisecond, "longest wait for the pricing engine")
	srv := svc.New("goroutine-leak")
	s := &service{deadline: *deadline}
	srv.Handle("/work", s.quote)
	srv.Run()
}
