// fd-leak: a document-ingest service that forgets to release a spool file
// on one path.
//
// POST /work spools the document into a temporary file (so large uploads
// never sit in memory), checksums it, and indexes it unless an identical
// document was indexed before. Spool files are tracked in a registry so
// that a shutdown can remove whatever is left. The duplicate path returns
// early and never releases its spool file: the file stays open (the
// registry keeps it reachable, so no finalizer closes it either) and each
// repeated upload costs one file descriptor for good.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"io"
	"log"
	"net/http"
	"os"
	"sync"

	"leakcheck/testsvc/internal/svc"
)

// spool hands out temporary files and remembers them until released.
type spool struct {
	dir  string
	mu   sync.Mutex
	open map[string]*os.File
}

func newSpool(parent string) (*spool, error) {
	dir, err := os.MkdirTemp(parent, "ingest-spool-")
	if err != nil {
		return nil, err
	}
	return &spool{dir: dir, open: map[string]*os.File{}}, nil
}

func (s *spool) create() (*os.File, error) {
	f, err := os.CreateTemp(s.dir, "doc-*.json")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.open[f.Name()] = f
	s.mu.Unlock()
	return f, nil
}

func (s *spool) release(f *os.File) {
	s.mu.Lock()
	delete(s.open, f.Name())
	s.mu.Unlock()
	f.Close()
	os.Remove(f.Name())
}

// removeAll closes and deletes every file still held, then the directory.
func (s *spool) removeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, f := range s.open {
		f.Close()
		os.Remove(name)
	}
	s.open = map[string]*os.File{}
	os.RemoveAll(s.dir)
}

type service struct {
	spool   *spool
	maxBody int64
	mu      sync.Mutex
	indexed map[string]int64 // checksum -> size
}

type ingestReply struct {
	ID        string `json:"id"`
	Bytes     int64  `json:"bytes"`
	Duplicate bool   `json:"duplicate"`
}

func (s *service) ingest(w http.ResponseWriter, r *http.Request) {
	f, err := s.spool.create()
	if err != nil {
		log.Printf("spool: %v", err)
		http.Error(w, "cannot spool document", http.StatusInternalServerError)
		return
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(r.Body, s.maxBody))
	if err != nil {
		s.spool.release(f)
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	sum := hex.EncodeToString(h.Sum(nil))
	reply := ingestReply{ID: sum[:16], Bytes: n}

	s.mu.Lock()
	_, seen := s.indexed[sum]
	s.mu.Unlock()
	if seen {
		// Already indexed: acknowledge and skip the work.
		// BUG: the spool file is never released on this path.
		reply.Duplicate = true
		writeJSON(w, http.StatusOK, reply)
		return
	}

	if err := s.index(f, sum, n); err != nil {
		s.spool.release(f)
		http.Error(w, "cannot index document", http.StatusUnprocessableEntity)
		return
	}
	s.spool.release(f)
	writeJSON(w, http.StatusCreated, reply)
}

// index validates the spooled document and records its checksum.
func (s *service) index(f *os.File, sum string, n int64) error {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	var doc map[string]any
	if n > 0 {
		if err := json.NewDecoder(f).Decode(&doc); err != nil {
			return err
		}
	}
	s.mu.Lock()
	s.indexed[sum] = n
	s.mu.Unlock()
	return nil
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func main() {
	spoolParent := flag.String("spool", "", "parent directory for spool files (default: $TMPDIR)")
	maxBody := flag.Int64("max-body", 8<<20, "largest accepted document in bytes")
	srv := svc.New("fd-leak")
	sp, err := newSpool(*spoolParent)
	if err != nil {
		log.Fatalf("spool: %v", err)
	}
	s := &service{spool: sp, maxBody: *maxBody, indexed: map[string]int64{}}
	srv.Handle("/work", s.ingest)
	srv.OnStop(sp.removeAll)
	srv.Run()
}
