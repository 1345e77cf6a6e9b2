package probe

import (
	"context"
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

// probeHTTP GETs target (or POSTs payload bytes to it) and expects a JSON Echo. Unlike the raw stream
// probes, a request that connected but got no response in time is TimedOut:
// for HTTP the exchange is what is being probed, and an L7 proxy (a mesh
// sidecar, say) accepts the TCP connection whether or not the target is
// reachable.
func probeHTTP(ctx context.Context, target string, payload int) Result {
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
	resp, err := httpClient.Do(req)
	if err != nil {
		r := fail(fmt.Errorf("http %s %s: %w", method, target, err))
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

	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxEcho))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return Result{
			Verdict: Failed,
			Status:  resp.StatusCode,
			Error:   fmt.Sprintf("http %s %s: status %s: %.200q", method, target, resp.Status, answer),
		}
	}
	var r Result
	if err != nil {
		r = inconclusive("http %s %s: reading body: %v", method, target, err)
	} else {
		r = withPayload(decodeEcho(answer, "http", target), payload, "http", target)
	}
	r.Status = resp.StatusCode
	return r
}

// dots is an endless payload of '.' bytes.
type dots struct{}

func (dots) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '.'
	}
	return len(p), nil
}
