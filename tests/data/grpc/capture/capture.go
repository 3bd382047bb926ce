// capture: records what tests/go/grpcsvc answers to a few gRPC calls, as
// the HTTP/2 layer hands it over, for tests/unit/test_grpc.c. Run once
// (GOPATH mode, Debian's golang.org/x/net):
//
//	grpcsvc -grpc-addr 127.0.0.1:PORT &
//	cd tests/data/grpc && GO111MODULE=off GOPATH=/usr/share/gocode \
//	    go run capture/capture.go 127.0.0.1:PORT
//
// For each call NAME it writes NAME.fields ("H name: value" for a header,
// "T name: value" for a trailer, names in lower case as on the wire) and
// NAME.body (the DATA bytes, prefixes included).
package main

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"

	"golang.org/x/net/http2"
)

func frame(msg []byte) []byte {
	n := len(msg)
	return append([]byte{0, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}, msg...)
}

func fields(kind string, h http.Header) []string {
	var out []string
	for k, vs := range h {
		for _, v := range vs {
			out = append(out, fmt.Sprintf("%s %s: %s", kind, strings.ToLower(k), v))
		}
	}
	sort.Strings(out)
	return out
}

func call(c *http.Client, addr, name, method string, msg []byte) {
	req, err := http.NewRequest("POST", "http://"+addr+method, bytes.NewReader(frame(msg)))
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("content-type", "application/grpc")
	req.Header.Set("te", "trailers")
	resp, err := c.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	lines := []string{fmt.Sprintf("H :status: %d", resp.StatusCode)}
	lines = append(lines, fields("H", resp.Header)...)
	lines = append(lines, fields("T", resp.Trailer)...)
	if err := os.WriteFile(name+".fields", []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(name+".body", body, 0o644); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d fields, %d body bytes\n", name, len(lines), len(body))
}

func main() {
	addr := os.Args[1]
	c := &http.Client{Transport: &http2.Transport{
		AllowHTTP: true,
		DialTLS: func(network, a string, _ *tls.Config) (net.Conn, error) {
			return net.Dial(network, a)
		},
	}}
	echo, err := os.ReadFile("../../go/grpcsvc/echo.bin")
	if err != nil {
		log.Fatal(err)
	}
	call(c, addr, "echo", "/leak.Svc/Echo", echo)
	call(c, addr, "fail", "/leak.Svc/Fail", echo)
	call(c, addr, "unknown", "/leak.Svc/Nope", echo)
	big := bytes.Repeat([]byte("0123456789abcdef"), 6250) // 100000 bytes, many DATA frames
	call(c, addr, "big", "/leak.Svc/Echo", big)
}
