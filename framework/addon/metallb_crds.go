package addon

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/netconform/netconform/framework/images"
	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/timeouts"
)

// metalLBModuleDir is MetalLB's module in the Go module cache, at the
// version build/metallb pins (downloaded if it is not there yet).
func metalLBModuleDir(ctx context.Context) (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	root, err := images.FindRepoRoot(wd)
	if err != nil {
		return "", fmt.Errorf("MetalLB's CRDs come from its Go module, pinned in build/metallb: %w", err)
	}
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", metalLBModule)
	cmd.Dir = filepath.Join(root, "build", "metallb")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go mod download %s (in build/metallb): %w: %s", metalLBModule, err, stderr.String())
	}
	var mod struct{ Version, Dir, Error string }
	if err := json.Unmarshal(out, &mod); err != nil {
		return "", fmt.Errorf("go mod download %s: %w", metalLBModule, err)
	}
	if mod.Error != "" {
		return "", fmt.Errorf("go mod download %s: %s", metalLBModule, mod.Error)
	}
	if mod.Version != MetalLBVersion {
		return "", fmt.Errorf("build/metallb pins %s %s, the add-on installs %s: keep them in step", metalLBModule, mod.Version, MetalLBVersion)
	}
	return mod.Dir, nil
}

// applyMetalLBCRDs applies MetalLB's CRDs, as its module ships them, and
// waits until the API server serves the kinds the add-on creates.
func applyMetalLBCRDs(ctx context.Context, cl *kube.Client) error {
	dir, err := metalLBModuleDir(ctx)
	if err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join(dir, "config", "crd", "bases", "*.yaml"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no CRDs under %s/config/crd/bases (%v)", dir, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if err := cl.Apply(ctx, data); err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(f), err)
		}
	}
	want := []string{"ipaddresspools", "l2advertisements", "configurationstates", "servicel2statuses"}
	return cl.Poll(ctx, timeouts.Current.SystemPods, func() (string, error) {
		list, err := cl.Clientset.Discovery().ServerResourcesForGroupVersion(metallbGroup.String())
		if err != nil {
			return "API group " + metallbGroup.String() + ": " + err.Error(), nil
		}
		var missing []string
		for _, w := range want {
			if !slices.ContainsFunc(list.APIResources, func(r metav1.APIResource) bool { return r.Name == w }) {
				missing = append(missing, w)
			}
		}
		if len(missing) > 0 {
			return "not served yet: " + strings.Join(missing, ", "), nil
		}
		return "", nil
	})
}
