package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"os"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/netconform/netconform/framework/cluster"
	"github.com/netconform/netconform/framework/kube"
)

var kubeconfig = flag.String("kubeconfig", "", "kubeconfig of the cluster under test (default: $KUBECONFIG, else the embedded netconform cluster's)")

// RunIDLabel marks every object a run creates.
const RunIDLabel = "netconform.io/run-id"

// RunID identifies this run; NETCONFORM_RUN_ID overrides the random one, so
// parallel Ginkgo processes of one run share it.
var RunID = func() string {
	if id := os.Getenv("NETCONFORM_RUN_ID"); id != "" {
		return id
	}
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}()

// KubeconfigPath resolves the cluster under test.
func KubeconfigPath() string {
	if *kubeconfig != "" {
		return *kubeconfig
	}
	if env := os.Getenv("KUBECONFIG"); env != "" {
		return env
	}
	return cluster.DefaultKubeconfig(cluster.DefaultName)
}

// Connect opens the cluster under test, failing the suite with the reason
// when it cannot be reached.
func Connect(ctx context.Context) *kube.Client {
	GinkgoHelper()
	path := KubeconfigPath()
	cl, err := kube.Open(ctx, path)
	Expect(err).NotTo(HaveOccurred(), "cannot reach the cluster under test")
	GinkgoWriter.Printf("cluster: %s (Kubernetes %s), run ID %s\n", cl.Config.Host, cl.Version, RunID)
	return cl
}
