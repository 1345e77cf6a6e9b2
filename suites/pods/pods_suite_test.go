package pods

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/netconform/netconform/framework/e2e"
	"github.com/netconform/netconform/framework/kube"
)

var cl *kube.Client

func TestPods(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "pods")
}

var _ = BeforeSuite(func(ctx SpecContext) {
	cl = e2e.Connect(ctx)
})
