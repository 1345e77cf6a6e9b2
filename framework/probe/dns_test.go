package probe

import (
	"context"
	"encoding/binary"
	"net"
	"slices"
	"strings"
	"testing"
	"time"
)

// A hand-rolled authoritative DNS server, just enough for Go's resolver:
// one zone of fixed records, NXDOMAIN for everything else, and one name that
// never answers.
const (
	typeA     = 1
	typeCNAME = 5
	typeAAAA  = 28
	typeSRV   = 33
)

type rr struct {
	name  string
	typ   uint16
	rdata []byte
}

func encodeName(name string) []byte {
	var b []byte
	for _, l := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		b = append(b, byte(len(l)))
		b = append(b, l...)
	}
	return append(b, 0)
}

func srvRdata(prio, weight, port uint16, target string) []byte {
	b := binary.BigEndian.AppendUint16(nil, prio)
	b = binary.BigEndian.AppendUint16(b, weight)
	b = binary.BigEndian.AppendUint16(b, port)
	return append(b, encodeName(target)...)
}

var zone = []rr{
	{"web.test.", typeA, []byte{10, 0, 0, 1}},
	{"web.test.", typeA, []byte{10, 0, 0, 2}},
	{"web.test.", typeAAAA, net.ParseIP("fd00::1")},
	{"_http._tcp.web.test.", typeSRV, srvRdata(0, 50, 8080, "pod-a.web.test.")},
	{"alias.test.", typeCNAME, encodeName("web.test.")},
	{"v4only.test.", typeA, []byte{10, 0, 0, 9}},
}

// answer builds the reply to one query, or nil to stay silent.
func answer(q []byte) []byte {
	if len(q) < 12 {
		return nil
	}
	off := 12
	var labels []string
	for off < len(q) && q[off] != 0 {
		n := int(q[off])
		if off+1+n > len(q) {
			return nil
		}
		labels = append(labels, string(q[off+1:off+1+n]))
		off += 1 + n
	}
	off++ // root label
	if off+4 > len(q) {
		return nil
	}
	name := strings.ToLower(strings.Join(labels, ".")) + "."
	qtype := binary.BigEndian.Uint16(q[off:])
	question := q[12 : off+4]
	if name == "silent.test." {
		return nil
	}

	var answers [][]byte
	exists := false
	for _, r := range zone {
		if r.name != name {
			continue
		}
		exists = true
		if r.typ != qtype && r.typ != typeCNAME {
			continue
		}
		a := []byte{0xc0, 12} // pointer to the question name
		a = binary.BigEndian.AppendUint16(a, r.typ)
		a = binary.BigEndian.AppendUint16(a, 1)  // class IN
		a = binary.BigEndian.AppendUint32(a, 30) // TTL
		a = binary.BigEndian.AppendUint16(a, uint16(len(r.rdata)))
		answers = append(answers, append(a, r.rdata...))
	}
	flags := uint16(0x8000 | 0x0400 | 0x0080) // response, authoritative, recursion available
	flags |= binary.BigEndian.Uint16(q[2:]) & 0x0100
	if !exists {
		flags |= 3 // NXDOMAIN
	}
	resp := append([]byte{}, q[:2]...)
	resp = binary.BigEndian.AppendUint16(resp, flags)
	resp = binary.BigEndian.AppendUint16(resp, 1)
	resp = binary.BigEndian.AppendUint16(resp, uint16(len(answers)))
	resp = append(resp, 0, 0, 0, 0)
	resp = append(resp, question...)
	for _, a := range answers {
		resp = append(resp, a...)
	}
	return resp
}

// useFakeDNS points the package resolver at the fake server for one test.
// Tests using it must not run in parallel with each other.
func useFakeDNS(t *testing.T) {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, peer, err := c.ReadFrom(buf)
			if err != nil {
				return
			}
			if resp := answer(buf[:n]); resp != nil {
				c.WriteTo(resp, peer)
			}
		}
	}()
	saved := resolver
	resolver = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", c.LocalAddr().String())
	}}
	t.Cleanup(func() { resolver = saved })
}

func TestDNS(t *testing.T) {
	useFakeDNS(t)
	dns := func(name, typ string) Result {
		return runOne(t, Probe{Protocol: DNS, Target: name, DNSType: typ})
	}

	r := dns("web.test.", "")
	wantVerdict(t, r, Connected)
	slices.Sort(r.Addrs)
	if !slices.Equal(r.Addrs, []string{"10.0.0.1", "10.0.0.2"}) {
		t.Errorf("A addrs = %v", r.Addrs)
	}

	r = dns("web.test.", "aaaa")
	wantVerdict(t, r, Connected)
	if !slices.Equal(r.Addrs, []string{"fd00::1"}) {
		t.Errorf("AAAA addrs = %v", r.Addrs)
	}

	r = dns("_http._tcp.web.test.", "SRV")
	wantVerdict(t, r, Connected)
	if want := []SRV{{Target: "pod-a.web.test.", Port: 8080, Weight: 50}}; !slices.Equal(r.SRV, want) {
		t.Errorf("SRV = %+v, want %+v", r.SRV, want)
	}

	r = dns("alias.test.", "CNAME")
	wantVerdict(t, r, Connected)
	if r.CNAME != "web.test." {
		t.Errorf("CNAME = %q, want web.test.", r.CNAME)
	}

	wantVerdict(t, dns("missing.test.", "A"), NotFound)
	wantVerdict(t, dns("missing.test.", "SRV"), NotFound)
	// The name exists, the record type does not (NODATA).
	wantVerdict(t, dns("v4only.test.", "AAAA"), NotFound)

	start := time.Now()
	wantVerdict(t, dns("silent.test.", "A"), TimedOut)
	if d := time.Since(start); d > 3*testTimeoutMs*time.Millisecond {
		t.Errorf("silent DNS server took %v; the probe timeout should bound it", d)
	}
}
