package addon

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"text/template"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/netconform/netconform/framework/cluster"
	"github.com/netconform/netconform/framework/images"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/timeouts"
)

// addOn is a cluster.AddOn made of fixed parts.
type addOn struct {
	name   string
	images []string
	steps  []cluster.Step
}

func (a addOn) Name() string          { return a.name }
func (a addOn) Images() []string      { return a.images }
func (a addOn) Steps() []cluster.Step { return a.steps }

// imageNames are the names of imgs, as an add-on lists the images it needs.
func imageNames(imgs ...images.Image) []string {
	out := make([]string, len(imgs))
	for i, img := range imgs {
		out[i] = img.Name
	}
	return out
}

// controllerInstall is where an Ingress controller add-on puts the
// controller: what its manifest creates.
type controllerInstall struct {
	AddOn      string // the add-on's name (cluster up --addons)
	Class      string // the IngressClass it creates and serves
	Namespace  string
	Deployment string
	Service    string // type LoadBalancer, published into Ingress status
}

// controllerSteps install a controller's manifest and wait until its
// Deployment is available. They do not wait for a LoadBalancer address:
// without a LoadBalancer implementation the Service keeps its NodePorts.
func controllerSteps(ctl controllerInstall, manifest string, params map[string]string) []cluster.Step {
	return []cluster.Step{
		{Name: "apply manifest", Run: func(ctx context.Context, c *cluster.Cluster) error {
			out, err := render(ctl.AddOn, manifest, params)
			if err != nil {
				return err
			}
			return c.Client.Apply(ctx, out)
		}},
		{Name: "wait Deployment " + ctl.Namespace + "/" + ctl.Deployment, Run: func(ctx context.Context, c *cluster.Cluster) error {
			return c.Client.WaitDeployment(ctx, ctl.Namespace, ctl.Deployment, timeouts.Current.SystemPods)
		}},
	}
}

// render executes a manifest template: params as fields, and `image NAME`
// for an image's reference as built locally.
func render(name, manifest string, params map[string]string) ([]byte, error) {
	funcs := template.FuncMap{"image": func(n string) (string, error) {
		img, err := images.Get(n)
		return img.Ref, err
	}}
	tmpl, err := template.New(name).Funcs(funcs).Option("missingkey=error").Parse(manifest)
	if err != nil {
		return nil, fmt.Errorf("add-on %s manifest: %w", name, err)
	}
	var out bytes.Buffer
	if err := tmpl.Execute(&out, params); err != nil {
		return nil, fmt.Errorf("add-on %s manifest: %w", name, err)
	}
	return out.Bytes(), nil
}

// deploymentFlag reads a --flag=value of a Deployment's first container
// ("" when absent; the last one wins, as with Go's flag parsers).
func deploymentFlag(ctx context.Context, cl *kube.Client, namespace, name, flag string) (string, error) {
	d, err := cl.Clientset.AppsV1().Deployments(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return "", err
	}
	value := ""
	for _, a := range d.Spec.Template.Spec.Containers[0].Args {
		if v, ok := strings.CutPrefix(a, flag+"="); ok {
			value = v
		}
	}
	return value, nil
}

// setDeploymentFlag sets --flag=value on a Deployment's first container,
// replacing any earlier value, and waits until the new pods alone serve.
func setDeploymentFlag(ctx context.Context, cl *kube.Client, namespace, name, flag, value string) error {
	return editDeploymentArgs(ctx, cl, namespace, name, func(args []string) []string {
		return append(withoutFlag(args, flag), flag+"="+value)
	})
}

func withoutFlag(args []string, flag string) []string {
	return slices.DeleteFunc(slices.Clone(args), func(a string) bool { return a == flag || strings.HasPrefix(a, flag+"=") })
}

// editDeploymentArgs rewrites a Deployment's first container's args and
// waits until the new pods alone serve.
func editDeploymentArgs(ctx context.Context, cl *kube.Client, namespace, name string, edit func([]string) []string) error {
	deps := cl.Clientset.AppsV1().Deployments(namespace)
	d, err := deps.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	c := d.Spec.Template.Spec.Containers[0]
	args := edit(c.Args)
	patch, err := json.Marshal(map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
		"containers": []map[string]any{{"name": c.Name, "args": args}}}}}})
	if err != nil {
		return err
	}
	if _, err := deps.Patch(ctx, name, types.StrategicMergePatchType, patch, metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("setting the args of Deployment %s/%s to %v: %w", namespace, name, args, err)
	}
	return cl.WaitDeployment(ctx, namespace, name, timeouts.Current.Rollout)
}
