package kube

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netconform/netconform/framework/timeouts"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// apiServer answers /readyz and the node list, until frozen (then it
// holds every request until the test ends) and with node w1 Ready or not.
type apiServer struct {
	frozen, w1Down atomic.Bool
	done           chan struct{}
}

func (a *apiServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if a.frozen.Load() {
		<-a.done
		return
	}
	switch r.URL.Path {
	case "/readyz":
		w.Write([]byte("ok"))
	case "/api/v1/nodes":
		status := corev1.ConditionTrue
		if a.w1Down.Load() {
			status = corev1.ConditionUnknown
		}
		list := corev1.NodeList{TypeMeta: metav1.TypeMeta{Kind: "NodeList", APIVersion: "v1"}, Items: []corev1.Node{
			{ObjectMeta: metav1.ObjectMeta{Name: "cp"}, Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue}}}},
			{ObjectMeta: metav1.ObjectMeta{Name: "w1"}, Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: status,
				Reason: "NodeStatusUnknown", Message: "Kubelet stopped posting node status."}}}},
		}}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(list)
	default:
		http.NotFound(w, r)
	}
}

func watched(t *testing.T) (*apiServer, *ClusterWatch) {
	t.Helper()
	saved := timeouts.Current
	t.Cleanup(func() { timeouts.Current = saved })
	timeouts.Current.APISilence = 400 * time.Millisecond
	a := &apiServer{done: make(chan struct{})}
	srv := httptest.NewServer(a)
	t.Cleanup(func() { close(a.done); srv.Close() })
	cfg := &rest.Config{Host: srv.URL}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	w, err := (&Client{Config: cfg, Clientset: cs}).WatchCluster(context.Background(), 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return a, w
}

func TestClusterWatchNamesAFrozenAPIServerWithinItsBound(t *testing.T) {
	a, w := watched(t)
	ctx := w.Bind(context.Background())
	time.Sleep(200 * time.Millisecond) // answering: nothing fires
	if w.Stopped() != nil || ctx.Err() != nil {
		t.Fatalf("fired while the API server answers: %v", w.Stopped())
	}
	a.frozen.Store(true)
	froze := time.Now()
	select {
	case <-ctx.Done():
	case <-time.After(3 * time.Second):
		t.Fatal("no end within 3 s of a 400 ms bound")
	}
	took := time.Since(froze)
	if took < 300*time.Millisecond {
		t.Errorf("fired after %s, before the bound", took)
	}
	s := w.Stopped()
	if s == nil || !s.APIServer || !strings.Contains(s.Message, "stopped answering") || !strings.Contains(s.Message, "http://127.0.0.1") {
		t.Fatalf("stopped: %+v", s)
	}
	if cause := context.Cause(ctx); !IsStopped(cause) {
		t.Errorf("the context's cause is %v, not what stopped", cause)
	}
	// While it is down, a new context (a cleanup node's) ends at once.
	if later := w.Bind(context.Background()); later.Err() == nil || !strings.Contains(context.Cause(later).Error(), "has not answered since") {
		t.Errorf("a context bound while the API server is down: %v", context.Cause(later))
	}
}

func TestClusterWatchNamesANodeGoneNotReady(t *testing.T) {
	a, w := watched(t)
	ctx := w.Bind(context.Background())
	a.w1Down.Store(true)
	select {
	case <-ctx.Done():
	case <-time.After(3 * time.Second):
		t.Fatal("a NotReady node went unnoticed")
	}
	s := w.Stopped()
	if s == nil || s.APIServer || s.Node != "w1" || !strings.Contains(s.Message, "node w1 went NotReady") || !strings.Contains(s.Message, "Kubelet stopped posting") {
		t.Fatalf("stopped: %+v", s)
	}
	// The API server answers: cleanup after it still runs.
	if later := w.Bind(context.Background()); later.Err() != nil {
		t.Errorf("a context bound after a node was lost ended: %v", context.Cause(later))
	}
}

func TestLostNodeIgnoresNodesNotReadyFromTheStart(t *testing.T) {
	ready := corev1.NodeCondition{Type: corev1.NodeReady, Status: corev1.ConditionTrue}
	down := corev1.NodeCondition{Type: corev1.NodeReady, Status: corev1.ConditionFalse, Reason: "KubeletNotReady"}
	nodes := []corev1.Node{
		{ObjectMeta: metav1.ObjectMeta{Name: "a"}, Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{ready}}},
		{ObjectMeta: metav1.ObjectMeta{Name: "b"}, Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{down}}},
	}
	if s := lostNode(map[string]bool{"a": true}, nodes); s != nil {
		t.Errorf("b was never Ready, yet: %v", s)
	}
	if s := lostNode(map[string]bool{"a": true, "c": true}, nodes); s == nil || s.Node != "c" || !strings.Contains(s.Message, "left the cluster") {
		t.Errorf("c left: %v", s)
	}
}
