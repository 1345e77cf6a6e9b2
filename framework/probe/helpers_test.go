package probe

import (
	"context"
	"encoding/json"
	"net"
	"testing"
	"time"
)

// Test servers here are deliberately minimal stand-ins for the agent's; the
// agent package tests its real servers against Run.

const testTimeoutMs = 300

func testEcho(proto Protocol, peer, local net.Addr) []byte {
	b, _ := json.Marshal(Echo{
		Identity: Identity{Pod: "test-pod", Namespace: "ns"},
		Peer:     peer.String(), Local: local.String(), Protocol: proto,
	})
	return append(b, '\n')
}

// serveTCP accepts connections on 127.0.0.1 and hands each to handle.
func serveTCP(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go handle(c)
		}
	}()
	return ln.Addr().String()
}

func echoTCP(c net.Conn) {
	defer c.Close()
	c.Write(testEcho(TCP, c.RemoteAddr(), c.LocalAddr()))
}

// closedPort returns an address on 127.0.0.1 where nothing listens.
func closedPort(t *testing.T, network string) string {
	t.Helper()
	var addr string
	if network == "udp" {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr = c.LocalAddr().String()
		c.Close()
	} else {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr = ln.Addr().String()
		ln.Close()
	}
	return addr
}

func runOne(t *testing.T, p Probe) Result {
	t.Helper()
	if p.TimeoutMs == 0 {
		p.TimeoutMs = testTimeoutMs
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	r := One(ctx, p)
	t.Logf("%s %s -> %s (%s) in %.1fms", p.Protocol, p.Target, r.Verdict, r.Error, r.LatencyMs)
	return r
}

func wantVerdict(t *testing.T, r Result, v Verdict) {
	t.Helper()
	if r.Verdict != v {
		t.Fatalf("verdict = %s (error %q), want %s", r.Verdict, r.Error, v)
	}
	if v != Connected && r.Error == "" {
		t.Errorf("verdict %s without an error explaining it", v)
	}
	if v != Connected && r.Echo != nil {
		t.Errorf("verdict %s carries an echo %+v", v, r.Echo)
	}
}
