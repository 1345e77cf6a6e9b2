package e2e

import (
	"flag"
	"testing"

	"github.com/netconform/netconform/framework/agent"
	"github.com/netconform/netconform/framework/images"
)

func TestImageRegistryFlagMovesEveryPodImage(t *testing.T) {
	defer images.SetRegistry("")
	f := flag.CommandLine.Lookup("image-registry")
	if f == nil {
		t.Fatal("no -image-registry flag")
	}
	if err := f.Value.Set("reg.example:5000"); err != nil {
		t.Fatal(err)
	}
	if got, want := agent.Pod("a", "ns").Spec.Containers[0].Image, "reg.example:5000/netconform/agent:"+images.AgentVersion; got != want {
		t.Errorf("agent pod image = %s, want %s", got, want)
	}
	if got, want := agent.NodeToolsPod("t", "ns", "worker").Spec.Containers[0].Image, "reg.example:5000/netconform/nettools:"+images.DebianSuite; got != want {
		t.Errorf("node tools pod image = %s, want %s", got, want)
	}
	if err := f.Value.Set("http://reg.example:5000"); err == nil {
		t.Error("-image-registry accepted a URL")
	}
}
