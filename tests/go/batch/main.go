// batch: a batch job that checksums a directory of files and exits, the
// kind of CLI tool, migration or cron job leak tests must judge too.
//
// It makes a temporary directory of -files files (4 KB each), then reads
// and checksums every one, doing -work of other work per file, writes a
// manifest and exits. -mode picks how:
//
//	defer   opens each file and defers its Close inside the loop: nothing
//	        is closed until the loop's function returns, so the job holds
//	        every file open at its peak (500 fds for 500 files), then exits 0
//	close   closes each file once it is read (the fix), exits 0
//	fail    stops half-way on a checksum mismatch: a message on stderr,
//	        exit status 1
//	killed  half-way, kills itself with SIGKILL
//	fanout  a goroutine per file, each blocked sending its result until
//	        every one is started (500 goroutines at the peak), exits 0
//
// -pprof ADDR serves /debug/pprof on ADDR while the job runs, from
// -pprof-delay after the start. SIGTERM removes the directory and exits 143.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

type job struct {
	dir  string
	work time.Duration
	mode string
}

// prepare fills dir with n files.
func prepare(dir string, n int) ([]string, error) {
	content := []byte(strings.Repeat("0123456789abcdef", 256))
	names := make([]string, n)
	for i := range names {
		names[i] = filepath.Join(dir, fmt.Sprintf("file-%04d.dat", i))
		if err := os.WriteFile(names[i], content, 0o644); err != nil {
			return nil, err
		}
	}
	return names, nil
}

func sum(f *os.File) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// checksumDeferred is the bug: every deferred Close waits for the return.
func (j *job) checksumDeferred(names []string) ([]string, error) {
	sums := make([]string, 0, len(names))
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		s, err := sum(f)
		if err != nil {
			return nil, err
		}
		sums = append(sums, s)
		time.Sleep(j.work)
	}
	return sums, j.writeManifest(names, sums)
}

func (j *job) checksumOne(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return sum(f)
}

// checksumClosed is the fix: one file open at a time.
func (j *job) checksumClosed(names []string) ([]string, error) {
	sums := make([]string, 0, len(names))
	for i, name := range names {
		if i == len(names)/2 && j.mode == "fail" {
			return nil, fmt.Errorf("%s: checksum mismatch: manifest says %s, file has %s",
				filepath.Base(name), strings.Repeat("0", 16), strings.Repeat("f", 16))
		}
		if i == len(names)/2 && j.mode == "killed" {
			os.RemoveAll(j.dir)
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
		}
		s, err := j.checksumOne(name)
		if err != nil {
			return nil, err
		}
		sums = append(sums, s)
		time.Sleep(j.work)
	}
	return sums, j.writeManifest(names, sums)
}

type result struct {
	i   int
	sum string
	err error
}

// checksumFanout starts a goroutine per file; the results are read only
// once all are started, so each waits in its send until then.
func (j *job) checksumFanout(names []string) ([]string, error) {
	results := make(chan result)
	for i, name := range names {
		go func(i int, name string) {
			s, err := j.checksumOne(name)
			results <- result{i, s, err}
		}(i, name)
		time.Sleep(j.work)
	}
	sums := make([]string, len(names))
	var err error
	for range names {
		r := <-results
		sums[r.i] = r.sum
		if r.err != nil {
			err = r.err
		}
	}
	if err != nil {
		return nil, err
	}
	return sums, j.writeManifest(names, sums)
}

func (j *job) writeManifest(names, sums []string) error {
	var b strings.Builder
	for i := range sums {
		fmt.Fprintf(&b, "%s  %s\n", sums[i], filepath.Base(names[i]))
	}
	return os.WriteFile(filepath.Join(j.dir, "MANIFEST"), []byte(b.String()), 0o644)
}

func main() {
	n := flag.Int("files", 500, "number of files")
	work := flag.Duration("work", 2*time.Millisecond, "other work per file")
	mode := flag.String("mode", "defer", "defer, close, fail, killed or fanout")
	pprofAddr := flag.String("pprof", "", "serve /debug/pprof on this address while running")
	pprofDelay := flag.Duration("pprof-delay", 0, "start serving /debug/pprof this late")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("batch: ")
	switch *mode {
	case "defer", "close", "fail", "killed", "fanout":
	default:
		log.Fatalf("unknown -mode %q", *mode)
	}
	if *pprofAddr != "" {
		go func() {
			time.Sleep(*pprofDelay)
			ln, err := net.Listen("tcp", *pprofAddr)
			if err != nil {
				log.Fatal(err)
			}
			http.Serve(ln, nil)
		}()
	}
	start := time.Now()
	// stopped early: no temporary files left behind
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	dir, err := os.MkdirTemp("", "batch-files-")
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		<-stop
		os.RemoveAll(dir)
		os.Exit(143)
	}()
	names, err := prepare(dir, *n)
	j := &job{dir: dir, work: *work, mode: *mode}
	var sums []string
	if err == nil && *mode == "defer" {
		sums, err = j.checksumDeferred(names)
	} else if err == nil && *mode == "fanout" {
		sums, err = j.checksumFanout(names)
	} else if err == nil {
		sums, err = j.checksumClosed(names)
	}
	os.RemoveAll(dir)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("checksummed %d files in %v\n", len(sums), time.Since(start).Round(time.Millisecond))
}
