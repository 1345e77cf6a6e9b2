package addon

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// A ServiceL2Status the speaker has not filled in yet announces nothing:
// counted as a Service "/" announced by no node, the speakers' repair
// waited for it to come back and failed after its bound.
func TestAnnouncedFromSkipsUnwrittenStatus(t *testing.T) {
	status := func(fields map[string]any) unstructured.Unstructured {
		return unstructured.Unstructured{Object: map[string]any{"status": fields}}
	}
	got := announcedFrom([]unstructured.Unstructured{
		status(map[string]any{"serviceName": "traefik", "serviceNamespace": "traefik", "node": "worker"}),
		status(map[string]any{"serviceName": "traefik", "serviceNamespace": "traefik", "node": "worker2"}),
		{Object: map[string]any{}},
		status(map[string]any{"serviceName": "web", "serviceNamespace": "x"}),
	})
	want := map[string]string{"traefik/traefik": "worker, worker2"}
	if len(got) != len(want) || got["traefik/traefik"] != want["traefik/traefik"] {
		t.Errorf("announcedFrom = %v, want %v", got, want)
	}
}
