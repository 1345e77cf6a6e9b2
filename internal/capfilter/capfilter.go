package capfilter

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// names maps each capability name of linux/capability.h to its bit number.
var names = map[string]uint{
	"CAP_CHOWN": 0, "CAP_DAC_OVERRIDE": 1, "CAP_DAC_READ_SEARCH": 2, "CAP_FOWNER": 3,
	"CAP_FSETID": 4, "CAP_KILL": 5, "CAP_SETGID": 6, "CAP_SETUID": 7, "CAP_SETPCAP": 8,
	"CAP_LINUX_IMMUTABLE": 9, "CAP_NET_BIND_SERVICE": 10, "CAP_NET_BROADCAST": 11,
	"CAP_NET_ADMIN": 12, "CAP_NET_RAW": 13, "CAP_IPC_LOCK": 14, "CAP_IPC_OWNER": 15,
	"CAP_SYS_MODULE": 16, "CAP_SYS_RAWIO": 17, "CAP_SYS_CHROOT": 18, "CAP_SYS_PTRACE": 19,
	"CAP_SYS_PACCT": 20, "CAP_SYS_ADMIN": 21, "CAP_SYS_BOOT": 22, "CAP_SYS_NICE": 23,
	"CAP_SYS_RESOURCE": 24, "CAP_SYS_TIME": 25, "CAP_SYS_TTY_CONFIG": 26, "CAP_MKNOD": 27,
	"CAP_LEASE": 28, "CAP_AUDIT_WRITE": 29, "CAP_AUDIT_CONTROL": 30, "CAP_SETFCAP": 31,
	"CAP_MAC_OVERRIDE": 32, "CAP_MAC_ADMIN": 33, "CAP_SYSLOG": 34, "CAP_WAKE_ALARM": 35,
	"CAP_BLOCK_SUSPEND": 36, "CAP_AUDIT_READ": 37, "CAP_PERFMON": 38, "CAP_BPF": 39,
	"CAP_CHECKPOINT_RESTORE": 40,
}

// Set is a capability bit mask.
type Set uint64

// Has reports whether the named capability is in the set. Unknown names are
// kept: dropping a capability we cannot name would be a guess.
func (s Set) Has(name string) bool {
	bit, ok := names[strings.ToUpper(name)]
	if !ok {
		return true
	}
	return s&(1<<bit) != 0
}

// Missing lists the capabilities, among those up to lastCap, absent from s.
func (s Set) Missing(lastCap uint) []string {
	var out []string
	for name, bit := range names {
		if bit <= lastCap && s&(1<<bit) == 0 {
			out = append(out, name)
		}
	}
	return out
}

// Bounding reads the bounding set of the calling process.
func Bounding() (Set, error) {
	return readStatusField("/proc/self/status", "CapBnd:")
}

func readStatusField(path, field string) (Set, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			v, err := strconv.ParseUint(strings.TrimSpace(rest), 16, 64)
			if err != nil {
				return 0, fmt.Errorf("parse %s in %s: %w", field, path, err)
			}
			return Set(v), nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("%s not found in %s", field, path)
}

// capLists are the five capability lists of an OCI process spec.
var capLists = []string{"bounding", "effective", "inheritable", "permitted", "ambient"}

// FilterProcess removes from an OCI process object (as decoded JSON) every
// capability absent from allowed. It reports whether anything changed.
func FilterProcess(process map[string]any, allowed Set) bool {
	caps, ok := process["capabilities"].(map[string]any)
	if !ok {
		return false
	}
	changed := false
	for _, list := range capLists {
		entries, ok := caps[list].([]any)
		if !ok {
			continue
		}
		kept := entries[:0:0]
		for _, e := range entries {
			if name, ok := e.(string); ok && !allowed.Has(name) {
				changed = true
				continue
			}
			kept = append(kept, e)
		}
		caps[list] = kept
	}
	return changed
}

// FilterBundle rewrites <bundle>/config.json in place.
func FilterBundle(bundle string, allowed Set) error {
	return rewriteJSON(bundle+"/config.json", allowed, func(doc map[string]any) map[string]any {
		p, _ := doc["process"].(map[string]any)
		return p
	})
}

// FilterProcessFile rewrites a process spec file (runc exec --process) in place.
func FilterProcessFile(path string, allowed Set) error {
	return rewriteJSON(path, allowed, func(doc map[string]any) map[string]any { return doc })
}

func rewriteJSON(path string, allowed Set, process func(map[string]any) map[string]any) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("decode %s: %w", path, err)
	}
	p := process(doc)
	if p == nil || !FilterProcess(p, allowed) {
		return nil
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	tmp := path + ".capfilter"
	if err := os.WriteFile(tmp, out, info.Mode().Perm()); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Targets finds, in a runc command line, the bundle directory and the process
// spec file that runc will read, if any. Both "--flag value" and "--flag=value"
// spellings are understood, as runc's flag parser accepts both.
func Targets(args []string) (bundle, process string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		for _, f := range []struct {
			names []string
			dst   *string
		}{
			{[]string{"--bundle", "-b"}, &bundle},
			{[]string{"--process", "-p"}, &process},
		} {
			for _, n := range f.names {
				switch {
				case a == n && i+1 < len(args):
					*f.dst = args[i+1]
				case strings.HasPrefix(a, n+"="):
					*f.dst = strings.TrimPrefix(a, n+"=")
				}
			}
		}
	}
	return bundle, process
}
