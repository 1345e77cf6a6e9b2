package probe

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// countingUDP echoes with the size of each datagram, as the agent does;
// report overrides the size it claims (0: the real one).
func countingUDP(t *testing.T, report int) string {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, peer, err := c.ReadFrom(buf)
			if err != nil {
				return
			}
			if report != 0 {
				n = report
			}
			b, _ := json.Marshal(Echo{Identity: Identity{Pod: "p"}, Protocol: UDP, Peer: peer.String(), Bytes: n})
			c.WriteTo(b, peer)
		}
	}()
	return c.LocalAddr().String()
}

func TestUDPPayload(t *testing.T) {
	t.Parallel()
	r := runOne(t, Probe{Protocol: UDP, Target: countingUDP(t, 0), PayloadBytes: 1472})
	wantVerdict(t, r, Connected)
	if r.Echo.Bytes != 1472 {
		t.Errorf("server got %d bytes, want 1472", r.Echo.Bytes)
	}
	short := runOne(t, Probe{Protocol: UDP, Target: countingUDP(t, 100), PayloadBytes: 1472})
	wantVerdict(t, short, Inconclusive)
	if !strings.Contains(short.Error, "sent 1472 payload bytes, the server reports 100") {
		t.Errorf("error %q does not name both sizes", short.Error)
	}
}

// Loopback's MTU is 65536: a datagram with DF over the IP maximum cannot
// leave at all, and the error says how large it was.
func TestUDPPayloadTooLargeWithDF(t *testing.T) {
	t.Parallel()
	r := runOne(t, Probe{Protocol: UDP, Target: countingUDP(t, 0), PayloadBytes: 70000})
	if r.Verdict == Connected || !strings.Contains(r.Error, "70000 bytes") {
		t.Errorf("verdict %s (%s), want a failure naming 70000 bytes", r.Verdict, r.Error)
	}
}

func TestHTTPPayload(t *testing.T) {
	t.Parallel()
	url := serveHTTP(t, func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		json.NewEncoder(w).Encode(Echo{Identity: Identity{Pod: "p"}, Protocol: HTTP, Peer: r.RemoteAddr, Bytes: int(n)})
	})
	const size = 4 << 20
	p := Probe{Protocol: HTTP, Target: url, PayloadBytes: size, TimeoutMs: 5000}
	r := runOne(t, p)
	wantVerdict(t, r, Connected)
	if r.Echo.Bytes != size {
		t.Errorf("server got %d bytes, want %d", r.Echo.Bytes, size)
	}
	// A server that ignores the body does not confirm the transfer.
	old := serveHTTP(t, func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(Echo{Identity: Identity{Pod: "p"}, Protocol: HTTP, Peer: r.RemoteAddr})
	})
	p.Target = old
	wantVerdict(t, runOne(t, p), Inconclusive)
}

// dnsServer answers SOA for cluster.local, NXDOMAIN for other names in it,
// REFUSED for everything else, and nothing for "silent.".
func dnsServer(t *testing.T) string {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	zone := dnsmessage.MustNewName("cluster.local.")
	go func() {
		buf := make([]byte, 1500)
		for {
			n, peer, err := c.ReadFrom(buf)
			if err != nil {
				return
			}
			var q dnsmessage.Message
			if q.Unpack(buf[:n]) != nil || len(q.Questions) != 1 {
				continue
			}
			name := q.Questions[0].Name.String()
			m := dnsmessage.Message{Header: dnsmessage.Header{ID: q.Header.ID, Response: true}, Questions: q.Questions}
			switch {
			case name == "silent.":
				continue
			case name == zone.String() && q.Questions[0].Type == dnsmessage.TypeSOA:
				m.Answers = []dnsmessage.Resource{{
					Header: dnsmessage.ResourceHeader{Name: zone, Type: dnsmessage.TypeSOA, Class: dnsmessage.ClassINET},
					Body:   &dnsmessage.SOAResource{NS: dnsmessage.MustNewName("ns.dns.cluster.local."), MBox: zone},
				}}
			case name == zone.String(): // the apex has no A record
			case strings.HasSuffix(name, "."+zone.String()):
				m.Header.RCode = dnsmessage.RCodeNameError
			default:
				m.Header.RCode = dnsmessage.RCodeRefused
			}
			b, _ := m.Pack()
			c.WriteTo(b, peer)
		}
	}()
	return c.LocalAddr().String()
}

func TestDNSAtServer(t *testing.T) {
	t.Parallel()
	server := dnsServer(t)
	for _, c := range []struct {
		name, qtype string
		verdict     Verdict
		rcode       string
	}{
		{"cluster.local", DNSTypeSOA, Connected, "Success"},
		{"nope.cluster.local", DNSTypeA, NotFound, "NameError"},
		{"example.org", DNSTypeSOA, Failed, "Refused"},
		{"cluster.local", DNSTypeA, NotFound, "Success"}, // no A record at the apex
		{"silent", DNSTypeSOA, TimedOut, ""},
	} {
		r := runOne(t, Probe{Protocol: DNS, Target: c.name, DNSType: c.qtype, Server: server})
		if r.Verdict != c.verdict || r.Rcode != c.rcode {
			t.Errorf("%s %s: %s rcode %q (%s), want %s rcode %q", c.qtype, c.name, r.Verdict, r.Rcode, r.Error, c.verdict, c.rcode)
		}
		if r.Verdict == Connected && (len(r.Addrs) != 1 || r.Addrs[0] != "ns.dns.cluster.local.") {
			t.Errorf("SOA answer %v, want the primary server", r.Addrs)
		}
	}
	wantVerdict(t, runOne(t, Probe{Protocol: DNS, Target: "x", DNSType: DNSTypeSOA, Server: closedPort(t, "udp")}), Refused)
	wantVerdict(t, runOne(t, Probe{Protocol: DNS, Target: "x", DNSType: DNSTypeSRV, Server: server}), Failed)
}

func TestLocalEnv(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "resolv.conf")
	os.WriteFile(conf, []byte("search ns.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"), 0o644)
	saved := ResolvConf
	ResolvConf = conf
	t.Cleanup(func() { ResolvConf = saved })
	env := LocalEnv("127.0.0.1")
	if env.Interface == "" || env.MTU <= 0 {
		t.Errorf("loopback interface = %q MTU %d, want both", env.Interface, env.MTU)
	}
	if strings.Join(env.Nameservers, ",") != "10.96.0.10" || strings.Join(env.Search, ",") != "ns.svc.cluster.local,svc.cluster.local,cluster.local" {
		t.Errorf("resolver = %v search %v", env.Nameservers, env.Search)
	}
	if none := LocalEnv("192.0.2.77"); none.MTU != 0 {
		t.Errorf("an address no interface holds has MTU %d", none.MTU)
	}
}
