package registry

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"time"

	"github.com/netconform/netconform/framework/images"
	"github.com/netconform/netconform/framework/timeouts"
)

// Version is the Distribution registry netconform builds.
const Version = "v3.1.2"

// Image is the registry's logical name in the images catalog.
const Image = "registry"

// Defaults of Options.
const (
	DefaultName    = "netconform-registry"
	DefaultNetwork = "kind"
	Port           = 5000
)

func init() {
	images.Register(images.Image{Name: Image, Ref: "docker.io/netconform/registry:" + Version, Recipe: &images.GoImage{
		Module:  "build/distribution",
		Package: "github.com/distribution/distribution/v3/cmd/registry",
		LDFlags: "-X github.com/distribution/distribution/v3/version.version=" + Version,
		// Its development configuration (filesystem storage under
		// /var/lib/registry, :5000, deletes allowed), read from the module
		// cache at build time, as upstream's own image does.
		ModuleDirs: []images.ModuleDir{{Module: "github.com/distribution/distribution/v3", Dir: "cmd/registry"}},
		Dockerfile: "COPY bin /bin/registry\n" +
			"COPY cmd/registry/config-dev.yml /etc/distribution/config.yml\n" +
			// No tracing collector here: do not try to export to one.
			"ENV OTEL_TRACES_EXPORTER=none REGISTRY_LOG_LEVEL=info\n" +
			"VOLUME /var/lib/registry\nEXPOSE 5000\n" +
			"ENTRYPOINT [\"/bin/registry\"]\nCMD [\"serve\", \"/etc/distribution/config.yml\"]\n",
	}})
}

// Options name the registry container and the Docker network it joins.
type Options struct {
	Name    string // DefaultName when empty
	Network string // DefaultNetwork when empty: kind's, so that nodes reach it
	Log     func(format string, args ...any)
}

func (o *Options) defaults() {
	if o.Name == "" {
		o.Name = DefaultName
	}
	if o.Network == "" {
		o.Network = DefaultNetwork
	}
	if o.Log == nil {
		o.Log = func(string, ...any) {}
	}
}

// Up starts the registry container (or keeps the one running) and returns
// its address, IP:5000 on the network: the same address serves the
// runner's host (pushing) and the nodes (pulling), so one -image-registry
// value fits both. It returns once the registry answers its API.
func Up(ctx context.Context, opts Options) (string, error) {
	opts.defaults()
	ref := images.Ref(Image)
	if err := docker(ctx, "image", "inspect", ref); err != nil {
		return "", fmt.Errorf("image %s is not in the local Docker engine: build it first (netconform images build %s)", ref, Image)
	}
	if err := ensureNetwork(ctx, opts.Network, opts.Log); err != nil {
		return "", err
	}
	running, _ := output(ctx, "container", "inspect", "--format", "{{.State.Running}}", opts.Name)
	switch running {
	case "true":
		opts.Log("registry container %s is running already", opts.Name)
	case "false":
		if err := docker(ctx, "rm", "-f", "-v", opts.Name); err != nil {
			return "", err
		}
		fallthrough
	default:
		if err := docker(ctx, "run", "-d", "--name", opts.Name, "--network", opts.Network, "--label", "io.netconform.registry=true", ref); err != nil {
			return "", fmt.Errorf("starting the registry: %w", err)
		}
	}
	addr, err := Address(ctx, opts.Name, opts.Network)
	if err != nil {
		return "", err
	}
	if err := waitReady(ctx, addr); err != nil {
		logs, _ := output(ctx, "logs", "--tail", "20", opts.Name)
		return "", fmt.Errorf("%w\n%s", err, logs)
	}
	opts.Log("registry %s (Distribution %s) answers at %s", opts.Name, Version, addr)
	return addr, nil
}

// Address is host:port of a running registry container on the network.
func Address(ctx context.Context, name, network string) (string, error) {
	if network == "" {
		network = DefaultNetwork
	}
	ip, err := output(ctx, "container", "inspect", "--format", fmt.Sprintf("{{with index .NetworkSettings.Networks %q}}{{.IPAddress}}{{end}}", network), name)
	if err != nil {
		return "", fmt.Errorf("registry container %s: %w", name, err)
	}
	if ip == "" {
		return "", fmt.Errorf("registry container %s has no IPv4 address on the Docker network %s", name, network)
	}
	return net.JoinHostPort(ip, fmt.Sprint(Port)), nil
}

// Down removes the registry container and its storage. Removing one that
// does not exist is not an error.
func Down(ctx context.Context, name string) error {
	if name == "" {
		name = DefaultName
	}
	if _, err := output(ctx, "container", "inspect", "--format", "{{.Id}}", name); err != nil {
		return nil
	}
	return docker(ctx, "rm", "-f", "-v", name)
}

// ensureNetwork creates the Docker network when missing, as kind would
// (IPv4, masquerade on): a registry started before the first kind cluster
// is then on the network kind puts the nodes on.
func ensureNetwork(ctx context.Context, network string, logf func(string, ...any)) error {
	if _, err := output(ctx, "network", "inspect", "--format", "{{.Id}}", network); err == nil {
		return nil
	}
	logf("creating the Docker network %s", network)
	return docker(ctx, "network", "create", "-d", "bridge",
		"-o", "com.docker.network.bridge.enable_ip_masquerade=true", "-o", "com.docker.network.driver.mtu=1500", network)
}

// waitReady polls GET /v2/ until the registry answers 200.
func waitReady(ctx context.Context, addr string) error {
	ctx, cancel := context.WithTimeout(ctx, timeouts.Current.RegistryReady)
	defer cancel()
	client := &http.Client{Timeout: timeouts.Current.Attempt}
	last := errors.New("no answer yet")
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/v2/", nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("GET /v2/: %s", resp.Status)
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("the registry at %s did not answer within %s: %w", addr, timeouts.Current.RegistryReady, last)
		case <-time.After(timeouts.Current.Poll):
		}
	}
}

func docker(ctx context.Context, args ...string) error {
	out, err := exec.CommandContext(ctx, "docker", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("docker %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

func output(ctx context.Context, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, "docker", args...).Output()
	if err != nil {
		return "", fmt.Errorf("docker %s: %w", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out)), nil
}
