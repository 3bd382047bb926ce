package main

import (
	"fmt"
	"net"
	"os"
	"syscall"
	"time"
)

// report prints one socket the program made, as
// "sock TABLE STATE LOCAL-IP LOCAL-PORT REMOTE-IP REMOTE-PORT OWNER"
// where OWNER is "own" when the socket is one of this process's fds and
// "none" when the kernel no longer ties it to a process (TIME_WAIT).
func report(table, state string, local, remote net.Addr, owner string) {
	l := local.(*net.TCPAddr)
	r := remote.(*net.TCPAddr)
	fmt.Printf("sock %s %s %s %d %s %d %s\n", table, state, ipText(table, l.IP), l.Port,
		ipText(table, r.IP), r.Port, owner)
}

// ipText prints IPv4-mapped addresses of the tcp6 table as ::ffff:a.b.c.d
// (Go would print them as plain IPv4).
func ipText(table string, ip net.IP) string {
	if table == "tcp6" && ip.To4() != nil {
		return "::ffff:" + ip.To4().String()
	}
	return ip.String()
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "capture:", err)
		os.Exit(1)
	}
}

// pair dials l and accepts the connection: (client, server).
func pair(l net.Listener, network string) (net.Conn, net.Conn) {
	c, err := net.Dial(network, l.Addr().String())
	must(err)
	s, err := l.Accept()
	must(err)
	return c, s
}

// mappedListener listens on an AF_INET6 socket bound to ::ffff:127.0.0.1
// with IPV6_V6ONLY off, so its IPv4 peers show in /proc/net/tcp6 as
// IPv4-mapped addresses, without listening on any non-loopback address.
func mappedListener() (net.Listener, int) {
	fd, err := syscall.Socket(syscall.AF_INET6, syscall.SOCK_STREAM, 0)
	must(err)
	must(syscall.SetsockoptInt(fd, syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY, 0))
	sa := &syscall.SockaddrInet6{Addr: [16]byte{10: 0xff, 11: 0xff, 12: 127, 15: 1}}
	must(syscall.Bind(fd, sa))
	must(syscall.Listen(fd, 16))
	got, err := syscall.Getsockname(fd)
	must(err)
	f := os.NewFile(uintptr(fd), "mapped-listener")
	l, err := net.FileListener(f)
	must(err)
	f.Close()
	return l, got.(*syscall.SockaddrInet6).Port
}

func makeSockets(pprofPort int) {
	lo := net.ParseIP("127.0.0.1")
	any4 := &net.TCPAddr{IP: net.IPv4zero}
	report("tcp", "LISTEN", &net.TCPAddr{IP: lo, Port: pprofPort}, any4, "own")
	l := listen("tcp4", "127.0.0.1:0")
	report("tcp", "LISTEN", l.Addr(), any4, "own")

	c, s := pair(l, "tcp4")
	conns = append(conns, c, s)
	report("tcp", "ESTABLISHED", c.LocalAddr(), c.RemoteAddr(), "own")
	report("tcp", "ESTABLISHED", s.LocalAddr(), s.RemoteAddr(), "own")
	started.Add(1)
	go waitOnRead(c)
	started.Wait()

	// The server closes, the client keeps its end: client in CLOSE_WAIT.
	c, s = pair(l, "tcp4")
	conns = append(conns, c)
	s.Close()
	report("tcp", "CLOSE_WAIT", c.LocalAddr(), c.RemoteAddr(), "own")

	// The server closes first, then the client: the server's side lingers
	// in TIME_WAIT on the listening port with inode 0.
	c, s = pair(l, "tcp4")
	s.Close()
	time.Sleep(50 * time.Millisecond)
	c.Close()
	report("tcp", "TIME_WAIT", s.LocalAddr(), s.RemoteAddr(), "none")

	// The client closes first: TIME_WAIT on the client's ephemeral port,
	// which the process does not listen on.
	c, s = pair(l, "tcp4")
	c.Close()
	time.Sleep(50 * time.Millisecond)
	s.Close()
	report("tcp", "TIME_WAIT", c.LocalAddr(), c.RemoteAddr(), "none")

	l6 := listen("tcp6", "[::1]:0")
	report("tcp6", "LISTEN", l6.Addr(), &net.TCPAddr{IP: net.IPv6zero}, "own")
	c, s = pair(l6, "tcp6")
	conns = append(conns, c, s)
	report("tcp6", "ESTABLISHED", c.LocalAddr(), c.RemoteAddr(), "own")
	report("tcp6", "ESTABLISHED", s.LocalAddr(), s.RemoteAddr(), "own")

	lm, port := mappedListener()
	mapped := net.ParseIP("::ffff:127.0.0.1").To16()
	report("tcp6", "LISTEN", &net.TCPAddr{IP: mapped, Port: port}, &net.TCPAddr{IP: net.IPv6zero}, "own")
	c, err := net.Dial("tcp4", fmt.Sprintf("127.0.0.1:%d", port))
	must(err)
	s, err = lm.Accept()
	must(err)
	conns = append(conns, c, s)
	report("tcp", "ESTABLISHED", c.LocalAddr(), c.RemoteAddr(), "own")
	sl := &net.TCPAddr{IP: mapped, Port: port}
	sr := &net.TCPAddr{IP: mapped, Port: c.LocalAddr().(*net.TCPAddr).Port}
	report("tcp6", "ESTABLISHED", sl, sr, "own")
	listeners = append(listeners, l, l6, lm)
	time.Sleep(100 * time.Millisecond) // let the FINs land
}
