package ingress

import (
	"testing"

	"github.com/netconform/netconform/framework/e2e"
)

func TestIngress(t *testing.T) {
	if err := Register(); err != nil {
		t.Fatal(err)
	}
	e2e.RunSuite(t, Name)
}
