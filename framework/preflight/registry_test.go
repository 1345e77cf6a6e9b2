package preflight

import (
	"context"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/netconform/netconform/framework/images"
	"github.com/netconform/netconform/framework/kube"
)

// TestWrongRegistryFailsPreflightFast runs preflight against a live
// cluster whose nodes pull the agent from NETCONFORM_TEST_REGISTRY (a
// plain-HTTP registry holding it: scripts/row.sh sets both variables on
// its registry row), with the registry wrong in three ways. Each must
// fail preflight within 30 s with an error naming the image and why it
// cannot be pulled. The right registry passing is the suites' run itself.
func TestWrongRegistryFailsPreflightFast(t *testing.T) {
	kubeconfig, reg := os.Getenv("NETCONFORM_TEST_KUBECONFIG"), os.Getenv("NETCONFORM_TEST_REGISTRY")
	if kubeconfig == "" || reg == "" {
		t.Skip("needs a cluster pulling from a registry: NETCONFORM_TEST_KUBECONFIG and NETCONFORM_TEST_REGISTRY")
	}
	host, _, err := net.SplitHostPort(reg)
	if err != nil {
		t.Fatalf("NETCONFORM_TEST_REGISTRY=%s: want host:port: %v", reg, err)
	}
	ctx := context.Background()
	cl, err := kube.Open(ctx, kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	defer images.SetRegistry("")
	defer cl.DeleteLabelled(context.Background(), kube.RunIDLabel+"=wrong-registry")
	for _, c := range []struct {
		what, registry, cause string
	}{
		{"nothing listens on that port", net.JoinHostPort(host, "5999"), "connection refused"},
		{"the registry does not hold the image", reg + "/not-pushed", "not found"},
		// TEST-NET-1: the nodes' egress guard drops it, as a firewall would.
		{"the registry never answers", "192.0.2.1:5000", "the registry does not answer"},
	} {
		t.Run(c.what, func(t *testing.T) {
			if err := images.SetRegistry(c.registry); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
			defer cancel()
			start := time.Now()
			_, err := Run(ctx, cl, Options{RunID: "wrong-registry"})
			took := time.Since(start)
			if err == nil {
				t.Fatalf("preflight passed with the agent image at %s", images.RunRef(images.Agent))
			}
			t.Logf("after %s: %v", took.Round(100*time.Millisecond), err)
			if took > 30*time.Second {
				t.Errorf("preflight took %s to fail, more than 30 s", took.Round(time.Second))
			}
			for _, want := range []string{"the agent image " + images.RunRef(images.Agent), c.cause} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the error lacks %q", want)
				}
			}
		})
	}
}
