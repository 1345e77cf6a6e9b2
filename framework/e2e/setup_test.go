package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

func TestWithDisruptive(t *testing.T) {
	for _, c := range []struct {
		filter  string
		enabled bool
		want    string
	}{
		{"", false, "!Disruptive"},
		{"dns", false, "(dns) && !Disruptive"},
		{"Disruptive", false, "Disruptive"},
		{"!Disruptive && pods", false, "!Disruptive && pods"},
		{"", true, ""},
		{"netpol", true, "netpol"},
	} {
		if got := withDisruptive(c.filter, c.enabled); got != c.want {
			t.Errorf("withDisruptive(%q, %v) = %q, want %q", c.filter, c.enabled, got, c.want)
		}
	}
}

func TestPrepareReportDir(t *testing.T) {
	tmp := t.TempDir()
	nested := filepath.Join(tmp, "a", "b")
	if err := prepareReportDir(nested); err != nil {
		t.Fatalf("a missing directory is created: %v", err)
	}
	if left, _ := os.ReadDir(nested); len(left) != 0 {
		t.Errorf("the write check left %d files behind", len(left))
	}
	file := filepath.Join(tmp, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := prepareReportDir(file)
	if err == nil || !strings.Contains(err.Error(), "report-dir") {
		t.Errorf("a file as report dir: got %v, want an error naming -report-dir", err)
	}
	if err := prepareReportDir(""); err != nil {
		t.Errorf("no report dir is fine: %v", err)
	}
}

// endpointPort is one port of an EndpointSlice.
func endpointPort(name string, proto corev1.Protocol, n int32) discoveryv1.EndpointPort {
	return discoveryv1.EndpointPort{Name: &name, Protocol: &proto, Port: &n}
}

func TestEchoPortPrefersTheEchoPort(t *testing.T) {
	tcp, udp := corev1.ProtocolTCP, corev1.ProtocolUDP
	port := endpointPort
	for _, c := range []struct {
		ports []discoveryv1.EndpointPort
		want  int
	}{
		{[]discoveryv1.EndpointPort{port("http", tcp, 8090), port("echo-udp", udp, 8080), port("echo-tcp", tcp, 8080)}, 8080},
		{[]discoveryv1.EndpointPort{port("echo-udp", udp, 8080), port("web", tcp, 9000)}, 9000},
		{[]discoveryv1.EndpointPort{port("echo-udp", udp, 8080)}, 0},
	} {
		if got := echoPort(c.ports); got != c.want {
			t.Errorf("echoPort(%v) = %d, want %d", c.ports, got, c.want)
		}
	}
}
