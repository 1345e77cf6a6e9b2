package loadbalancer

import "testing"

func TestParsePool(t *testing.T) {
	p, err := ParsePool("172.18.255.207-172.18.255.222")
	if err != nil || p.String() != "172.18.255.207-172.18.255.222" {
		t.Errorf("ParsePool = %v, %v", p, err)
	}
	for _, bad := range []string{"172.18.255.0/28", "172.18.255.9-172.18.255.1", "fc00::1-fc00::9", "a-b"} {
		if _, err := ParsePool(bad); err == nil {
			t.Errorf("ParsePool(%q) accepted it", bad)
		}
	}
}
