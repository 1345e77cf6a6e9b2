package probe

import (
	"crypto/tls"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/netconform/netconform/framework/pki"
)

// tlsEcho serves HTTPS with a certificate for host issued by a fresh CA,
// answering with an Echo of the Host and path; it returns the URL and the
// CA's PEM.
func tlsEcho(t *testing.T, host string) (string, string) {
	t.Helper()
	ca, err := pki.NewCA("probe test CA")
	if err != nil {
		t.Fatal(err)
	}
	pair, err := ca.Issue(host)
	if err != nil {
		t.Fatal(err)
	}
	kp, err := tls.X509KeyPair(pair.CertPEM, pair.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	var sawSNI string
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(Echo{Identity: Identity{Pod: "tls-backend"}, Protocol: HTTP, Host: r.Host, Path: r.URL.Path + "|sni=" + sawSNI})
	}))
	s.TLS = &tls.Config{Certificates: []tls.Certificate{kp}, GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
		sawSNI = h.ServerName
		return nil, nil
	}}
	s.StartTLS()
	t.Cleanup(s.Close)
	return s.URL, string(ca.PEM)
}

func TestHTTPSVerifiesTheChainForTheServerName(t *testing.T) {
	t.Parallel()
	url, caPEM := tlsEcho(t, "secure.example.com")
	r := runOne(t, Probe{Protocol: HTTP, Target: url + "/p", Host: "secure.example.com", CAPEM: caPEM})
	wantVerdict(t, r, Connected)
	if r.TLS == nil || !r.TLS.Verified || r.TLS.ServerName != "secure.example.com" {
		t.Fatalf("TLS = %+v, want verified for secure.example.com (SNI from the Host header)", r.TLS)
	}
	if !slices.Contains(r.TLS.DNSNames, "secure.example.com") || !strings.Contains(r.TLS.Subject, "CN=secure.example.com") {
		t.Errorf("certificate described as %s", r.TLS)
	}
	if r.Echo.Host != "secure.example.com" || r.Echo.Path != "/p|sni=secure.example.com" {
		t.Errorf("server saw Host %q and %q, want secure.example.com, /p and that SNI", r.Echo.Host, r.Echo.Path)
	}
}

func TestHTTPSReportsAChainThatDoesNotVerify(t *testing.T) {
	t.Parallel()
	url, caPEM := tlsEcho(t, "secure.example.com")
	other, _ := pki.NewCA("another CA")
	for name, p := range map[string]Probe{
		"wrong server name": {Host: "secure.example.com", ServerName: "other.example.com", CAPEM: caPEM},
		"wrong CA":          {Host: "secure.example.com", CAPEM: string(other.PEM)},
		"no PEM":            {Host: "secure.example.com", CAPEM: "not a certificate"},
	} {
		p.Protocol, p.Target = HTTP, url+"/"
		r := runOne(t, p)
		// The request still goes through: what was served is the finding.
		wantVerdict(t, r, Connected)
		if r.TLS == nil || r.TLS.Verified || r.TLS.VerifyError == "" {
			t.Errorf("%s: TLS = %+v, want a verification error", name, r.TLS)
		}
	}
}

func TestHTTPHostHeaderOverridesTheURL(t *testing.T) {
	t.Parallel()
	url := serveHTTP(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Host != "myapp.example.com" {
			http.NotFound(w, r)
			return
		}
		json.NewEncoder(w).Encode(Echo{Identity: Identity{Pod: "p"}, Protocol: HTTP, Host: r.Host, Path: r.URL.Path})
	})
	r := runOne(t, Probe{Protocol: HTTP, Target: url + "/x", Host: "myapp.example.com"})
	wantVerdict(t, r, Connected)
	if r.Echo.Host != "myapp.example.com" || r.TLS != nil {
		t.Errorf("echo host %q, TLS %v; want myapp.example.com over plain HTTP", r.Echo.Host, r.TLS)
	}
	r = runOne(t, Probe{Protocol: HTTP, Target: url + "/x", Host: "other.example.com"})
	if r.Verdict != Failed || r.Status != http.StatusNotFound || !strings.Contains(r.Error, "Host other.example.com") {
		t.Errorf("unknown host: %+v, want Failed with status 404 naming the Host", r)
	}
}

func TestProbeJSONStaysCompatible(t *testing.T) {
	// A batch from an older runner (no Host, SNI or CA) decodes as before,
	// and a result without TLS has no "tls" key for older readers.
	var p Probe
	if err := json.Unmarshal([]byte(`{"id":"a","protocol":"HTTP","target":"http://x/"}`), &p); err != nil || p.Host != "" || p.CAPEM != "" {
		t.Fatalf("old probe JSON: %+v %v", p, err)
	}
	b, _ := json.Marshal(Result{ID: "a", Verdict: Connected})
	if strings.Contains(string(b), "tls") || strings.Contains(string(b), "host") {
		t.Errorf("a plain result gained keys: %s", b)
	}
}
