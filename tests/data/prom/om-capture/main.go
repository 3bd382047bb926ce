// Command om-capture serves a small client_golang registry (Debian's
// golang-github-prometheus-client-golang-dev) with OpenMetrics enabled, so
// leakcheck's tests hold real OpenMetrics text: exemplars, _created
// samples, escaped label values, NaN and ±Inf, a sample with a timestamp.
// Build: GO111MODULE=off GOPATH=/usr/share/gocode go build.
package main

import (
	"flag"
	"log"
	"math"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback)")
	flag.Parse()
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector())

	reqs := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "lc_requests_total", Help: "Requests served, by method and code.",
	}, []string{"method", "code"})
	reg.MustRegister(reqs)
	reqs.WithLabelValues("GET", "200").Add(41)
	reqs.WithLabelValues("GET", "200").(prometheus.ExemplarAdder).AddWithExemplar(1,
		prometheus.Labels{"trace_id": "4bf92f3577b34da6"})
	reqs.WithLabelValues("POST", "500").Add(3)
	reqs.WithLabelValues("GET", "404").Add(0.5)

	odd := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "lc_odd_values", Help: "Values JSON cannot hold, and \"escaped\" help\\text.",
	}, []string{"kind", "path"})
	reg.MustRegister(odd)
	odd.WithLabelValues("nan", `C:\dir`).Set(math.NaN())
	odd.WithLabelValues("inf", "line1\nline2").Set(math.Inf(1))
	odd.WithLabelValues("-inf", `say "hi"`).Set(math.Inf(-1))
	odd.WithLabelValues("tiny", "").Set(1.5e-300)

	lat := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "lc_request_duration_seconds", Help: "Request latency.",
		Buckets: []float64{0.005, 0.05, 0.5, 5},
	})
	reg.MustRegister(lat)
	for _, v := range []float64{0.001, 0.003, 0.02, 0.3, 0.4, 7} {
		lat.Observe(v)
	}
	lat.(prometheus.ExemplarObserver).ObserveWithExemplar(0.04,
		prometheus.Labels{"trace_id": "00f067aa0ba902b7"})

	sum := prometheus.NewSummary(prometheus.SummaryOpts{
		Name: "lc_payload_bytes", Help: "Payload sizes.",
		Objectives: map[float64]float64{0.5: 0.05, 0.99: 0.001},
	})
	reg.MustRegister(sum)
	for i := 1; i <= 100; i++ {
		sum.Observe(float64(i * 10))
	}

	stamped := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "lc_stamped", Help: "A gauge exposed with a timestamp.",
	})
	stamped.Set(7)
	reg.MustRegister(stampedCollector{stamped})

	http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{EnableOpenMetrics: true}))
	log.Fatal(http.ListenAndServe(*addr, nil))
}

// stampedCollector exposes its gauge with a fixed timestamp.
type stampedCollector struct{ g prometheus.Gauge }

func (c stampedCollector) Describe(ch chan<- *prometheus.Desc) { c.g.Describe(ch) }
func (c stampedCollector) Collect(ch chan<- prometheus.Metric) {
	at := time.Date(2024, 1, 2, 3, 4, 5, 678e6, time.UTC)
	ch <- prometheus.NewMetricWithTimestamp(at, c.g)
}
