package images

import (
	"strings"
	"testing"
)

func TestRunRefFollowsTheRegistry(t *testing.T) {
	defer SetRegistry("")
	if got := RunRef(Agent); got != Ref(Agent) {
		t.Errorf("without a registry RunRef(agent) = %s, want the catalog's %s", got, Ref(Agent))
	}
	if err := SetRegistry("172.18.0.9:5000/"); err != nil {
		t.Fatal(err)
	}
	if got, want := RunRef(Agent), "172.18.0.9:5000/netconform/agent:"+AgentVersion; got != want {
		t.Errorf("RunRef(agent) = %s, want %s", got, want)
	}
	if got, want := RunRef(NetTools), "172.18.0.9:5000/netconform/nettools:"+DebianSuite; got != want {
		t.Errorf("RunRef(nettools) = %s, want %s", got, want)
	}
	// Building keeps the catalog's references: kubeadm and our manifests
	// expect them.
	if Ref(Agent) != "ghcr.io/netconform/agent:"+AgentVersion || Ref(Pause) != "registry.k8s.io/pause:"+PauseVersion {
		t.Errorf("the registry leaked into the catalog: %s, %s", Ref(Agent), Ref(Pause))
	}
	if err := SetRegistry("mirror.example/team"); err != nil {
		t.Fatal(err)
	}
	if got, want := RunRef(Agent), "mirror.example/team/netconform/agent:"+AgentVersion; got != want {
		t.Errorf("RunRef(agent) = %s, want %s", got, want)
	}
	if err := SetRegistry(""); err != nil || RunRef(Agent) != Ref(Agent) {
		t.Errorf("SetRegistry(\"\") = %v, RunRef(agent) = %s", err, RunRef(Agent))
	}
}

func TestSetRegistryRefusesWhatCannotBeARegistry(t *testing.T) {
	defer SetRegistry("")
	cases := []struct{ in, want string }{
		{"http://reg:5000", "without a scheme"},
		{"reg:5000/agent:1", "has no tag"},
		{"reg:port", "not a number"},
		{":5000", "not a number"},
		{"myregistry", "needs a dot or a port"},
		{"reg.example/x@sha256", "want host"},
	}
	for _, c := range cases {
		err := SetRegistry(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("SetRegistry(%q) = %v, want an error saying %q", c.in, err, c.want)
		}
		if Registry() != "" {
			t.Errorf("a refused registry %q was set: %q", c.in, Registry())
		}
	}
	for _, good := range []string{"localhost:5001", "reg.example", "10.0.0.1:5000/mirror", "localhost"} {
		if err := SetRegistry(good); err != nil {
			t.Errorf("SetRegistry(%q) = %v", good, err)
		}
	}
}

func TestRunImagesAreInTheCatalog(t *testing.T) {
	for _, n := range RunImages {
		if _, err := Get(n); err != nil {
			t.Error(err)
		}
	}
}
