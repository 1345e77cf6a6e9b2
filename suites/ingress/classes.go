package ingress

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/netconform/netconform/framework/e2e"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/timeouts"
)

var (
	// Also from the environment: `go test ./suites/...` hands the same
	// -args to every suite, and only this one knows these flags.
	classFlag   = flag.String("ingress-class", os.Getenv("NETCONFORM_INGRESS_CLASS"), "IngressClasses to test, comma-separated (default: every IngressClass of the cluster, each reported side by side; also $NETCONFORM_INGRESS_CLASS)")
	serviceFlag = flag.String("ingress-service", os.Getenv("NETCONFORM_INGRESS_SERVICE"), "the controller's Service as namespace/name, for a controller netconform does not know (with a single -ingress-class; also $NETCONFORM_INGRESS_SERVICE)")
)

// Register adds one container of specs per IngressClass to the suite,
// before it runs. The spec tree has one container per IngressClass, so
// the classes must be known before the suite runs: from the flag, else
// from the cluster. Without a kubeconfig (the embedded cluster is created
// later), one container takes the cluster's default class, or its first,
// at run time. Call it once, after the flags are parsed.
func Register() error {
	if registered {
		return nil
	}
	classes, err := suiteClasses()
	if err != nil {
		return err
	}
	for _, c := range classes {
		describeClass(c)
	}
	registered = true
	return nil
}

// registered guards against a second set of containers.
var registered bool

// classController maps each class found before the run to its
// controller, for specs only some controllers can take (a descriptor's
// Break).
var classController = map[string]string{}

func suiteClasses() ([]string, error) {
	found, err := clusterClasses()
	if err != nil {
		return nil, err
	}
	if *classFlag != "" {
		var out []string
		for c := range strings.SplitSeq(*classFlag, ",") {
			if c = strings.TrimSpace(c); c != "" {
				out = append(out, c)
			}
		}
		return out, nil
	}
	if len(found) == 0 {
		// No class, or no cluster yet: one container, whose specs
		// report the missing feature like any other gate (or take the
		// embedded cluster's default class).
		return []string{anyClass}, nil
	}
	return found, nil
}

// clusterClasses lists the IngressClasses of the cluster given by
// kubeconfig (none without one) and records their controllers.
func clusterClasses() ([]string, error) {
	path := e2e.KubeconfigPath()
	if path == "" {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeouts.Current.FirstContact)
	defer cancel()
	cl, err := kube.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	return listClasses(ctx, cl.Clientset)
}

// listClasses lists the IngressClasses and records their controllers.
func listClasses(ctx context.Context, cs kubernetes.Interface) ([]string, error) {
	list, err := cs.NetworkingV1().IngressClasses().List(ctx, metav1.ListOptions{})
	if apierrors.IsForbidden(err) {
		// Preflight reports Ingress unsupported, naming the permission.
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing IngressClasses to make one container of specs each: %w", err)
	}
	var classes []string
	for _, c := range list.Items {
		classes = append(classes, c.Name)
		classController[c.Name] = c.Spec.Controller
	}
	sort.Strings(classes)
	return classes, nil
}
