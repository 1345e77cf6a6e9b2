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

// probeHTTP GETs target and expects a JSON Echo. Unlike the raw stream
// probes, a request that connected but got no response in time is TimedOut:
// for HTTP the exchange is what is being probed, and an L7 proxy (a mesh
// sidecar, say) accepts the TCP connection whether or not the target is
// reachable.
func probeHTTP(ctx context.Context, target string) Result {
	var connected atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { connected.Store(true) },
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return Result{Verdict: Failed, Error: fmt.Sprintf("http %s: bad request: %v", target, err)}
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		r := fail(fmt.Errorf("http GET %s: %w", target, err))
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

	body, err := io.ReadAll(io.LimitReader(resp.Body, maxEcho))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return Result{
			Verdict: Failed,
			Status:  resp.StatusCode,
			Error:   fmt.Sprintf("http GET %s: status %s: %.200q", target, resp.Status, body),
		}
	}
	var r Result
	if err != nil {
		r = inconclusive("http GET %s: reading body: %v", target, err)
	} else {
		r = decodeEcho(body, "http", target)
	}
	r.Status = resp.StatusCode
	return r
}
