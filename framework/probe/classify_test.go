package probe

import (
	"context"
	"net"
	"testing"
	"time"
)

// A DNS server that is not there answers with ICMP port unreachable; Go's
// resolver reports that only as text, and it is a refusal, not a failure
// of the probe.
func TestClassifyRefusedDNSQuery(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := pc.LocalAddr().String()
	pc.Close()
	r := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "udp", closed)
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err = r.LookupHost(ctx, "kubernetes.default.svc.cluster.local.")
	if err == nil {
		t.Fatal("a lookup against a closed port succeeded")
	}
	if got := Classify(err); got != Refused {
		t.Errorf("Classify(%v) = %s, want %s", err, got, Refused)
	}
}
