package probe

import (
	"bufio"
	"net"
	"os"
	"strings"
)

// ResolvConf is where the pod's resolver configuration lives.
var ResolvConf = "/etc/resolv.conf"

// LocalEnv describes the network namespace the agent runs in: the
// interface holding podIP (its name and MTU, and the smallest MTU its
// routes set) and the resolver configuration. What cannot be read is left
// empty.
func LocalEnv(podIP string) Env {
	var env Env
	if ip := net.ParseIP(podIP); ip != nil {
		var index int
		env.Interface, env.MTU, index = interfaceOf(ip)
		if index > 0 {
			env.RouteMTU = routeMTU(index)
		}
	}
	if f, err := os.Open(ResolvConf); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 2 {
				continue
			}
			switch fields[0] {
			case "nameserver":
				env.Nameservers = append(env.Nameservers, fields[1])
			case "search":
				env.Search = fields[1:]
			}
		}
	}
	return env
}

func interfaceOf(ip net.IP) (string, int, int) {
	ifaces, err := net.Interfaces()
	if err != nil {
		return "", 0, 0
	}
	for _, iface := range ifaces {
		addrs, err := iface.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.Equal(ip) {
				return iface.Name, iface.MTU, iface.Index
			}
		}
	}
	return "", 0, 0
}
