package svc

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// GCPercent is GOGC as the program runs with it: the environment's, or
// what it set with debug.SetGCPercent (set this too). -1: off.
var GCPercent = gogcFromEnv()

func gogcFromEnv() int {
	v := os.Getenv("GOGC")
	if v == "off" {
		return -1
	}
	if n, err := strconv.Atoi(v); err == nil {
		return n
	}
	return 100
}

// registry renders the Prometheus text exposition format 0.0.4 by hand:
// the usual Go and process collectors plus per-handler request counts.
type registry struct {
	start    time.Time
	requests counterVec // key: handler + "\x00" + code
	inFlight counterVec // key: handler
}

func newRegistry() *registry {
	return &registry{
		start:    time.Now(),
		requests: counterVec{v: map[string]float64{}},
		inFlight: counterVec{v: map[string]float64{}},
	}
}

func (m *registry) instrument(handler string, h http.HandlerFunc) http.Handler {
	m.inFlight.add(handler, 0) // expose the gauge before the first request
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.inFlight.add(handler, 1)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			m.inFlight.add(handler, -1)
			code := sw.code
			if code == 0 {
				code = http.StatusOK
			}
			m.requests.add(handler+"\x00"+strconv.Itoa(code), 1)
		}()
		h(sw, r)
	})
}

func (m *registry) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	b := bufio.NewWriter(w)
	defer b.Flush()

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	gauge(b, "go_goroutines", "Number of goroutines that currently exist.",
		float64(runtime.NumGoroutine()))
	threads, _ := runtime.ThreadCreateProfile(nil)
	gauge(b, "go_threads", "Number of OS threads created.", float64(threads))
	gauge(b, "go_memstats_heap_alloc_bytes", "Heap bytes allocated and still in use.",
		float64(ms.HeapAlloc))
	gauge(b, "go_memstats_heap_inuse_bytes", "Heap bytes in in-use spans.", float64(ms.HeapInuse))
	gauge(b, "go_memstats_heap_objects", "Number of allocated heap objects.",
		float64(ms.HeapObjects))
	counter(b, "go_gc_cycles_total", "Completed GC cycles.", float64(ms.NumGC))
	// as client_golang's Go collector names them: the GC's goal, its
	// pauses as a summary's sum and count, GOGC and the memory limit (1.20 on)
	gauge(b, "go_memstats_next_gc_bytes", "Heap size at which the next GC starts.",
		float64(ms.NextGC))
	fmt.Fprintln(b, "# HELP go_gc_duration_seconds GC pause durations.")
	fmt.Fprintln(b, "# TYPE go_gc_duration_seconds summary")
	fmt.Fprintf(b, "go_gc_duration_seconds_sum %g\n", float64(ms.PauseTotalNs)/1e9)
	fmt.Fprintf(b, "go_gc_duration_seconds_count %d\n", ms.NumGC)
	gauge(b, "go_gc_gogc_percent", "GOGC, as the environment or debug.SetGCPercent set it.",
		float64(GCPercent))
	gauge(b, "go_gc_gomemlimit_bytes", "Go runtime memory limit (GOMEMLIMIT).",
		float64(debug.SetMemoryLimit(-1)))
	gauge(b, "go_memstats_sys_bytes", "Bytes obtained from the system.", float64(ms.Sys))
	gauge(b, "go_memstats_heap_sys_bytes", "Heap bytes obtained from the system.",
		float64(ms.HeapSys))
	gauge(b, "go_memstats_heap_released_bytes", "Heap bytes released to the OS.",
		float64(ms.HeapReleased))

	if n, err := countFDs(); err == nil {
		gauge(b, "process_open_fds", "Number of open file descriptors.", float64(n))
	}
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil {
		gauge(b, "process_max_fds", "Maximum number of open file descriptors.",
			float64(lim.Cur))
	}
	if rss, err := residentBytes(); err == nil {
		gauge(b, "process_resident_memory_bytes", "Resident memory size in bytes.", rss)
	}
	gauge(b, "process_start_time_seconds", "Start time of the process since the epoch.",
		float64(m.start.UnixNano())/1e9)

	fmt.Fprintln(b, "# HELP http_requests_total HTTP requests served, by handler and status code.")
	fmt.Fprintln(b, "# TYPE http_requests_total counter")
	reqs := m.requests.snapshot()
	for _, k := range sortedKeys(reqs) {
		handler, code, _ := strings.Cut(k, "\x00")
		fmt.Fprintf(b, "http_requests_total{handler=%q,code=%q} %g\n", handler, code, reqs[k])
	}
	fmt.Fprintln(b, "# HELP http_requests_in_flight HTTP requests being served, by handler.")
	fmt.Fprintln(b, "# TYPE http_requests_in_flight gauge")
	fl := m.inFlight.snapshot()
	for _, k := range sortedKeys(fl) {
		fmt.Fprintf(b, "http_requests_in_flight{handler=%q} %g\n", k, fl[k])
	}
}

func gauge(b *bufio.Writer, name, help string, v float64) {
	sample(b, name, help, "gauge", v)
}

func counter(b *bufio.Writer, name, help string, v float64) {
	sample(b, name, help, "counter", v)
}

func sample(b *bufio.Writer, name, help, typ string, v float64) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s %s\n%s %s\n", name, help, name, typ, name,
		strconv.FormatFloat(v, 'g', -1, 64))
}

func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// countFDs counts the entries of /proc/self/fd (minus the one the directory
// read itself holds open).
func countFDs() (int, error) {
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		return 0, err
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return 0, err
	}
	return len(names) - 1, nil
}

// residentBytes reads VmRSS from /proc/self/status.
func residentBytes() (float64, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(strings.TrimPrefix(line, "VmRSS:"))
			if len(f) >= 1 {
				kb, err := strconv.ParseFloat(f[0], 64)
				if err != nil {
					return 0, err
				}
				return kb * 1024, nil
			}
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/self/status")
}
