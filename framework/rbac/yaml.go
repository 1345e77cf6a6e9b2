package rbac

import (
	"bytes"
	"fmt"
	"strings"

	"sigs.k8s.io/yaml"
)

// YAML renders the ClusterRole holding rules, each rule preceded by a
// comment saying why a run needs it, so the printed role documents itself.
func YAML(name, purpose string, rules []Rule) ([]byte, error) {
	head := ClusterRole(name, nil)
	out, err := yaml.Marshal(head)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	for _, line := range strings.Split(strings.TrimSpace(purpose), "\n") {
		fmt.Fprintf(&b, "# %s\n", line)
	}
	b.Write(bytes.TrimSuffix(out, []byte("rules: null\n")))
	b.WriteString("rules:\n")
	for _, r := range rules {
		one, err := yaml.Marshal([]any{ClusterRole("", []Rule{r}).Rules[0]})
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "# %s\n", r.Why)
		b.Write(one)
	}
	return b.Bytes(), nil
}
