package probe

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func serveHTTP(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s.URL
}

func TestHTTPConnected(t *testing.T) {
	t.Parallel()
	url := serveHTTP(t, func(w http.ResponseWriter, r *http.Request) {
		local := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
		json.NewEncoder(w).Encode(Echo{
			Identity: Identity{Pod: "p"}, Protocol: HTTP,
			Peer: r.RemoteAddr, Local: local.String(), Host: r.Host, Path: r.URL.Path,
		})
	})
	r := runOne(t, Probe{Protocol: HTTP, Target: url + "/some/path?x=1"})
	wantVerdict(t, r, Connected)
	if r.Status != http.StatusOK {
		t.Errorf("status = %d, want 200", r.Status)
	}
	if r.Echo.Path != "/some/path" || r.Echo.Host != url[len("http://"):] {
		t.Errorf("echo host/path = %q %q, want %q /some/path", r.Echo.Host, r.Echo.Path, url)
	}
}

func TestHTTPTimedOut(t *testing.T) {
	t.Parallel()
	url := serveHTTP(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	r := runOne(t, Probe{Protocol: HTTP, Target: url})
	wantVerdict(t, r, TimedOut)
	if r.LatencyMs < testTimeoutMs*0.9 || r.LatencyMs > testTimeoutMs*2 {
		t.Errorf("latency %.0fms, want about the %dms timeout", r.LatencyMs, testTimeoutMs)
	}
}

func TestHTTPRefused(t *testing.T) {
	t.Parallel()
	wantVerdict(t, runOne(t, Probe{Protocol: HTTP, Target: "http://" + closedPort(t, "tcp") + "/"}), Refused)
}

func TestHTTPStatusFails(t *testing.T) {
	t.Parallel()
	url := serveHTTP(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Access denied", http.StatusForbidden)
	})
	r := runOne(t, Probe{Protocol: HTTP, Target: url})
	wantVerdict(t, r, Failed)
	if r.Status != http.StatusForbidden {
		t.Errorf("status = %d, want 403", r.Status)
	}
}

func TestHTTPInconclusive(t *testing.T) {
	t.Parallel()
	for name, h := range map[string]http.HandlerFunc{
		"not an echo": func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>hello</html>")) },
		"empty":       func(w http.ResponseWriter, r *http.Request) {},
		"hijack and close": func(w http.ResponseWriter, r *http.Request) {
			c, _, _ := w.(http.Hijacker).Hijack()
			c.Close()
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			wantVerdict(t, runOne(t, Probe{Protocol: HTTP, Target: serveHTTP(t, h)}), Inconclusive)
		})
	}
}
