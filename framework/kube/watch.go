package kube

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/netconform/netconform/framework/timeouts"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Stopped says what stopped under a run: the API server, or a node.
type Stopped struct {
	// APIServer is true when the API server stopped answering; else
	// Node names the node that went NotReady or left.
	APIServer bool
	Node      string
	At        time.Time
	Message   string
}

func (s *Stopped) Error() string { return s.Message }

// ClusterWatch notices, while a run goes on, the API server answering
// nothing for timeouts.Current.APISilence or a node that was Ready going
// NotReady, so that the run ends naming what stopped rather than with
// specs that time out one after another for no visible reason.
type ClusterWatch struct {
	cl    *Client
	start map[string]bool // the nodes Ready when the watch began

	mu       sync.Mutex
	lastOK   time.Time
	lastErr  error
	stopped  *Stopped
	fired    chan struct{}
	stopLoop context.CancelFunc
}

// WatchCluster starts a ClusterWatch; Stop ends it. It looks at the API
// server (/readyz, one short request) every interval and lists the nodes
// every few looks.
func (c *Client) WatchCluster(ctx context.Context, interval time.Duration) (*ClusterWatch, error) {
	nodes, err := c.Clientset.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing nodes: %w", err)
	}
	w := &ClusterWatch{cl: c, start: map[string]bool{}, lastOK: time.Now(), fired: make(chan struct{})}
	for _, n := range nodes.Items {
		if ok, _ := nodeReady(n); ok {
			w.start[n.Name] = true
		}
	}
	ctx, w.stopLoop = context.WithCancel(context.WithoutCancel(ctx))
	go w.loop(ctx, interval)
	return w, nil
}

// Stop ends the watch.
func (w *ClusterWatch) Stop() { w.stopLoop() }

// Stopped is what stopped, or nil.
func (w *ClusterWatch) Stopped() *Stopped {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stopped
}

// Fired is closed once something stopped.
func (w *ClusterWatch) Fired() <-chan struct{} { return w.fired }

// APIDown reports whether the API server has answered nothing for the
// whole APISilence bound, now (it may have come back since it stopped).
func (w *ClusterWatch) APIDown() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return time.Since(w.lastOK) >= timeouts.Current.APISilence
}

// Bind returns a context that ends, with the Stopped as its cause, when
// something stops while it is in use. If the API server is down already,
// it is ended at once: whatever would run under it would only wait for
// request timeouts.
func (w *ClusterWatch) Bind(ctx context.Context) context.Context {
	if s := w.Stopped(); s != nil {
		if !w.APIDown() {
			// A node lost earlier, or an API server back: what runs now
			// (cleanup) still can.
			return ctx
		}
		ctx, cancel := context.WithCancelCause(ctx)
		cancel(w.downCause())
		return ctx
	}
	ctx, cancel := context.WithCancelCause(ctx)
	go func() {
		select {
		case <-w.fired:
			cancel(w.Stopped())
		case <-ctx.Done():
		}
	}()
	return ctx
}

func (w *ClusterWatch) downCause() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return fmt.Errorf("the API server %s has not answered since %s: %v", w.cl.Config.Host, w.lastOK.Format("15:04:05"), w.lastErr)
}

func (w *ClusterWatch) loop(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		w.lookAtAPI(ctx, interval)
		if i%3 == 2 && !w.APIDown() {
			w.lookAtNodes(ctx, interval)
		}
	}
}

func (w *ClusterWatch) lookAtAPI(ctx context.Context, interval time.Duration) {
	rctx, cancel := context.WithTimeout(ctx, max(interval, 2*time.Second))
	defer cancel()
	_, err := w.cl.Clientset.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(rctx)
	now := time.Now()
	w.mu.Lock()
	if err == nil {
		w.lastOK, w.lastErr = now, nil
		w.mu.Unlock()
		return
	}
	w.lastErr = err
	silent := now.Sub(w.lastOK)
	last := w.lastOK
	w.mu.Unlock()
	if silent >= timeouts.Current.APISilence {
		w.fire(&Stopped{APIServer: true, At: last, Message: fmt.Sprintf(
			"the API server %s stopped answering: nothing since %s (%s, bound apiSilence=%s); last error: %v",
			w.cl.Config.Host, last.Format("15:04:05"), silent.Round(time.Second), timeouts.Current.APISilence, err)})
	}
}

func (w *ClusterWatch) lookAtNodes(ctx context.Context, interval time.Duration) {
	rctx, cancel := context.WithTimeout(ctx, max(interval, 2*time.Second))
	defer cancel()
	nodes, err := w.cl.Clientset.CoreV1().Nodes().List(rctx, metav1.ListOptions{})
	if err != nil {
		return // the API look says whether the server is gone
	}
	if s := lostNode(w.start, nodes.Items); s != nil {
		w.fire(s)
	}
}

// lostNode is the first (by name) node of start that is no longer Ready
// or no longer there.
func lostNode(start map[string]bool, nodes []corev1.Node) *Stopped {
	seen := map[string]bool{}
	var lost []*Stopped
	for _, n := range nodes {
		seen[n.Name] = true
		if !start[n.Name] {
			continue
		}
		if ok, why := nodeReady(n); !ok {
			at := time.Now()
			for _, c := range n.Status.Conditions {
				if c.Type == corev1.NodeReady {
					at = c.LastTransitionTime.Time
				}
			}
			lost = append(lost, &Stopped{Node: n.Name, At: at,
				Message: fmt.Sprintf("node %s went NotReady at %s (%s)", n.Name, at.Format("15:04:05"), why)})
		}
	}
	for name := range start {
		if !seen[name] {
			lost = append(lost, &Stopped{Node: name, At: time.Now(), Message: fmt.Sprintf("node %s left the cluster", name)})
		}
	}
	if len(lost) == 0 {
		return nil
	}
	sort.Slice(lost, func(i, j int) bool { return lost[i].Node < lost[j].Node })
	return lost[0]
}

func (w *ClusterWatch) fire(s *Stopped) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped != nil {
		return
	}
	w.stopped = s
	close(w.fired)
}

// IsStopped reports whether err carries a Stopped (a context ended by a
// ClusterWatch).
func IsStopped(err error) bool {
	var s *Stopped
	return errors.As(err, &s)
}
