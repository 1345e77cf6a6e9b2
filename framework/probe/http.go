package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
)

// httpClient is shared by all HTTP probes. Keep-alives are off so every
// probe opens its own connection (and so gets load-balanced and
// policy-checked on its own); proxies from the environment are ignored
// because a probe must reach its target directly; redirects are reported,
// not followed.
var httpClient = &http.Client{
	Transport: &http.Transport{
		Proxy:                  nil,
		DialContext:            (&net.Dialer{}).DialContext,
		DisableKeepAlives:      true,
		DisableCompression:     true,
		MaxResponseHeaderBytes: maxEcho,
	},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// probeHTTP GETs p.Target (or POSTs p.PayloadBytes bytes to it) and expects a JSON Echo. Unlike the raw stream
// probes, a request that connected but got no response in time is TimedOut:
// for HTTP the exchange is what is being probed, and an L7 proxy (a mesh
// sidecar, say) accepts the TCP connection whether or not the target is
// reachable. p.Host overrides the Host header; for HTTPS, the served
// certificate is recorded and verified against p.CAPEM for the server name
// (p.ServerName, else the Host), but the request goes ahead either way.
func probeHTTP(ctx context.Context, p Probe) Result {
	target, payload := p.Target, p.PayloadBytes
	var connected atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { connected.Store(true) },
	})
	method, body := http.MethodGet, io.Reader(nil)
	if payload > 0 {
		method, body = http.MethodPost, io.LimitReader(dots{}, int64(payload))
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err == nil && payload > 0 {
		req.ContentLength = int64(payload)
	}
	if err != nil {
		return Result{Verdict: Failed, Error: fmt.Sprintf("http %s: bad request: %v", target, err)}
	}
	if p.Host != "" {
		req.Host = p.Host
	}
	client, serverName := httpClient, ""
	if req.URL.Scheme == "https" {
		serverName = tlsServerName(p, req)
		client = tlsClient(serverName)
	}
	resp, err := client.Do(req)
	if err != nil {
		r := fail(fmt.Errorf("http %s %s%s: %w", method, target, hostNote(p), err))
		if connected.Load() {
			if r.Verdict == TimedOut {
				r.Error = "connected, but no response in time: " + r.Error
			} else {
				r = inconclusive("connected, but no response: %s", r.Error)
			}
		}
		return r
	}
	defer resp.Body.Close()
	var tlsInfo *TLSInfo
	if resp.TLS != nil {
		tlsInfo = inspectTLS(resp.TLS, serverName, p.CAPEM)
	}

	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxEcho))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return Result{
			Verdict: Failed,
			Status:  resp.StatusCode,
			TLS:     tlsInfo,
			Error:   fmt.Sprintf("http %s %s%s: status %s: %.200q", method, target, hostNote(p), resp.Status, answer),
		}
	}
	var r Result
	if err != nil {
		r = inconclusive("http %s %s: reading body: %v", method, target, err)
	} else {
		r = withPayload(decodeEcho(answer, "http", target), payload, "http", target)
	}
	r.Status = resp.StatusCode
	r.TLS = tlsInfo
	return r
}

func hostNote(p Probe) string {
	if p.Host == "" {
		return ""
	}
	return " (Host " + p.Host + ")"
}

// tlsServerName is the name an HTTPS probe sends as SNI and verifies:
// the explicit server name, else the Host header, else the URL's host.
func tlsServerName(p Probe, req *http.Request) string {
	name := p.ServerName
	if name == "" {
		name = req.Host
	}
	if name == "" {
		name = req.URL.Host
	}
	if h, _, err := net.SplitHostPort(name); err == nil {
		name = h
	}
	return name
}

// tlsClient makes an HTTPS client for one probe: verification is done
// afterwards by inspectTLS, so that a wrong certificate is reported with
// what it was rather than as a bare handshake error.
func tlsClient(serverName string) *http.Client {
	base := httpClient.Transport.(*http.Transport)
	t := base.Clone()
	t.TLSClientConfig = &tls.Config{ServerName: serverName, InsecureSkipVerify: true} //nolint:gosec // verified in inspectTLS
	return &http.Client{Transport: t, CheckRedirect: httpClient.CheckRedirect}
}

// inspectTLS describes the served leaf and verifies the chain against
// caPEM (the system roots when empty) for serverName.
func inspectTLS(cs *tls.ConnectionState, serverName, caPEM string) *TLSInfo {
	info := &TLSInfo{ServerName: serverName}
	if len(cs.PeerCertificates) == 0 {
		info.VerifyError = "the server presented no certificate"
		return info
	}
	leaf := cs.PeerCertificates[0]
	info.Subject, info.Issuer, info.DNSNames = leaf.Subject.String(), leaf.Issuer.String(), leaf.DNSNames
	opts := x509.VerifyOptions{DNSName: serverName, Intermediates: x509.NewCertPool()}
	for _, c := range cs.PeerCertificates[1:] {
		opts.Intermediates.AddCert(c)
	}
	if caPEM != "" {
		opts.Roots = x509.NewCertPool()
		if !opts.Roots.AppendCertsFromPEM([]byte(caPEM)) {
			info.VerifyError = "the probe's CA bundle holds no PEM certificate"
			return info
		}
	}
	if _, err := leaf.Verify(opts); err != nil {
		info.VerifyError = err.Error()
		return info
	}
	info.Verified = true
	return info
}

// dots is an endless payload of '.' bytes.
type dots struct{}

func (dots) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '.'
	}
	return len(p), nil
}
