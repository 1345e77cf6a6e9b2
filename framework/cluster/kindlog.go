package cluster

import (
	"fmt"

	kindlog "sigs.k8s.io/kind/pkg/log"
)

// kindLogger forwards kind's user-facing messages to a printf function.
type kindLogger struct{ logf func(string, ...any) }

func (l kindLogger) Warn(m string)                        { l.logf("kind: %s", m) }
func (l kindLogger) Warnf(f string, a ...any)             { l.logf("kind: "+f, a...) }
func (l kindLogger) Error(m string)                       { l.logf("kind: ERROR %s", m) }
func (l kindLogger) Errorf(f string, a ...any)            { l.logf("kind: ERROR "+f, a...) }
func (l kindLogger) V(v kindlog.Level) kindlog.InfoLogger { return kindInfo{l, v == 0} }

type kindInfo struct {
	l  kindLogger
	on bool
}

func (i kindInfo) Info(m string) {
	if i.on {
		i.l.logf("kind: %s", m)
	}
}
func (i kindInfo) Infof(f string, a ...any) { i.Info(fmt.Sprintf(f, a...)) }
func (i kindInfo) Enabled() bool            { return i.on }
