package cluster

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// freezerRoot is where the cgroup v1 freezer hierarchy is mounted.
var freezerRoot = "/sys/fs/cgroup/freezer"

// thawNodes thaws every frozen cgroup v1 freezer group inside the node
// containers and returns the groups it thawed. A run interrupted while a
// node's runc was starting a container leaves that container's group
// FROZEN (runc freezes it while it sets it up); its processes then never
// see the SIGKILL of docker rm, which fails with "did not receive an exit
// event" and leaves the node behind. This happens on hosts with cgroup v1's
// freezer; on cgroup v2 there is nothing to thaw and it returns none.
func thawNodes(containers []string) ([]string, error) {
	var thawed []string
	for _, c := range containers {
		out, err := exec.Command("docker", "inspect", "-f", "{{.State.Pid}}", c).Output()
		if err != nil {
			return thawed, fmt.Errorf("docker inspect %s: %w", c, err)
		}
		pid := strings.TrimSpace(string(out))
		if pid == "0" {
			continue // not running
		}
		group, err := freezerGroup("/proc/" + pid + "/cgroup")
		if err != nil || group == "" {
			continue
		}
		t, err := thawUnder(filepath.Join(freezerRoot, group))
		thawed = append(thawed, t...)
		if err != nil {
			return thawed, err
		}
	}
	return thawed, nil
}

// freezerGroup is the freezer group of a process's /proc/PID/cgroup ("" on cgroup v2).
func freezerGroup(procCgroup string) (string, error) {
	f, err := os.Open(procCgroup)
	if err != nil {
		return "", err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		// hierarchy-ID:controller-list:path
		parts := strings.SplitN(s.Text(), ":", 3)
		if len(parts) == 3 && strings.Contains(","+parts[1]+",", ",freezer,") {
			return parts[2], nil
		}
	}
	return "", s.Err()
}

// thawUnder writes THAWED to every group under root that is not thawed.
func thawUnder(root string) ([]string, error) {
	var thawed []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil // a group removed while we walk
			}
			return err
		}
		if d.IsDir() || d.Name() != "freezer.state" {
			return nil
		}
		state, err := os.ReadFile(path)
		if err != nil || strings.TrimSpace(string(state)) == "THAWED" {
			return nil
		}
		if err := os.WriteFile(path, []byte("THAWED"), 0o644); err != nil {
			return fmt.Errorf("thawing %s: %w", filepath.Dir(path), err)
		}
		thawed = append(thawed, filepath.Dir(path))
		return nil
	})
	return thawed, err
}
