// Package remote drives agents running in pods from the runner. Exec goes
// through the API server and kubelet, not the pod network, so it keeps
// working when a NetworkPolicy denies traffic to the agent.
//
// Each agent pod gets one long-lived exec ("agent batches") the first time
// a batch is sent to it, and every later batch travels over that stream:
// an exec costs a runc process on the node and a round of API calls, and
// with a matrix observed every second those execs, not the probes, used to
// saturate a small machine's CPU. A batch sent while the pod's stream is
// busy, or to an agent that has no batches command, runs in an exec of its
// own, as before.
package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/probe"
)

// AgentCommand runs one batch inside an agent container.
var AgentCommand = []string{"/agent", "batch"}

// BatchesCommand answers batch after batch on one exec.
var BatchesCommand = []string{"/agent", "batches"}

// Pod names an agent pod.
type Pod struct {
	Namespace, Name, Container string
}

func (p Pod) ref() kube.ContainerRef {
	return kube.ContainerRef{Namespace: p.Namespace, Pod: p.Name, Container: p.Container}
}

// Run executes the batch in the pod's agent and returns its results.
func Run(ctx context.Context, kc *kube.Client, pod Pod, batch probe.Batch) (probe.BatchResult, error) {
	in, err := json.Marshal(batch)
	if err != nil {
		return probe.BatchResult{}, err
	}
	var res probe.BatchResult
	if s := conns.get(kc, pod); s != nil && s.mu.TryLock() {
		var sent bool
		res, sent, err = s.run(ctx, in)
		s.mu.Unlock()
		if !sent {
			// The stream ended before it answered (an agent without the
			// batches command, a pod gone): one exec answers, or says why.
			conns.drop(kc, pod, s)
			res, err = runOnce(ctx, kc, pod, in)
		}
	} else {
		res, err = runOnce(ctx, kc, pod, in)
	}
	if err != nil {
		return res, err
	}
	if len(res.Results) != len(batch.Probes) {
		return res, fmt.Errorf("agent in %s/%s returned %d results for %d probes", pod.Namespace, pod.Name, len(res.Results), len(batch.Probes))
	}
	return res, nil
}

// RunInExec executes the batch in an exec of its own, never on the pod's
// connection: the cost Run saves, for comparison.
func RunInExec(ctx context.Context, kc *kube.Client, pod Pod, batch probe.Batch) (probe.BatchResult, error) {
	in, err := json.Marshal(batch)
	if err != nil {
		return probe.BatchResult{}, err
	}
	return runOnce(ctx, kc, pod, in)
}

func runOnce(ctx context.Context, kc *kube.Client, pod Pod, in []byte) (probe.BatchResult, error) {
	out, err := kc.Exec(ctx, pod.ref(), AgentCommand, bytes.NewReader(in))
	if err != nil {
		return probe.BatchResult{}, err
	}
	var res probe.BatchResult
	if err := json.Unmarshal(out, &res); err != nil {
		return probe.BatchResult{}, fmt.Errorf("agent in %s/%s answered no batch result: %w (output: %.200q)", pod.Namespace, pod.Name, err, out)
	}
	return res, nil
}

// conn is one agent's long-lived exec.
type conn struct {
	mu     sync.Mutex // one batch at a time on the stream
	pod    Pod
	stdin  *io.PipeWriter
	out    *json.Decoder
	cancel context.CancelFunc
	done   chan struct{} // closed when the exec has ended
	err    error         // why it ended, once done is closed
}

func open(kc *kube.Client, pod Pod) *conn {
	// The stream outlives any one batch's context; it ends with the
	// container, when dropped, or with the process.
	ctx, cancel := context.WithCancel(context.Background())
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	s := &conn{pod: pod, stdin: inW, out: json.NewDecoder(outR), cancel: cancel, done: make(chan struct{})}
	go func() {
		err := kc.ExecStream(ctx, pod.ref(), BatchesCommand, kube.Streams{Stdin: inR, Stdout: outW})
		if err == nil {
			err = errors.New("the agent's batches stream ended")
		}
		s.err = err
		// Ending stdin from the writer's side gives client-go's stdin
		// copier, which may still be reading, a plain EOF (a closed reader
		// would be logged as an unhandled error) and fails our next write.
		inW.Close()
		outW.CloseWithError(err)
		close(s.done)
	}()
	return s
}

// run sends one batch and waits for its result. sent is false when the
// stream ended before the answer came back: the batch is to be run again.
func (s *conn) run(ctx context.Context, in []byte) (res probe.BatchResult, sent bool, err error) {
	type answer struct {
		res     probe.BatchResult
		written bool
		err     error
	}
	ch := make(chan answer, 1)
	go func() {
		if _, err := s.stdin.Write(in); err != nil {
			ch <- answer{err: err}
			return
		}
		var res probe.BatchResult
		err := s.out.Decode(&res)
		ch <- answer{res, true, err}
	}()
	select {
	case a := <-ch:
		if !a.written {
			return res, false, a.err
		}
		if a.err != nil {
			// The stream broke under the batch (the agent does not know
			// the command, the pod restarted, a connection dropped): end
			// it, and let the caller run the batch in an exec of its own,
			// which either answers or says what is wrong. Probes only
			// read, so a batch run twice proves the same.
			s.cancel()
			return res, false, a.err
		}
		return a.res, true, nil
	case <-ctx.Done():
		// A late answer would be read as the next batch's: end the stream.
		s.cancel()
		return res, true, ctx.Err()
	}
}

func (s *conn) ended() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

type connKey struct {
	kc  *kube.Client
	pod Pod
}

// pool holds the open conns of this process. An agent without the
// batches command is remembered (nil), so it is not asked again.
type pool struct {
	mu sync.Mutex
	m  map[connKey]*conn
}

var conns = &pool{m: map[connKey]*conn{}}

// get returns the pod's connection, opening one when there is none or the
// last one ended; nil when the agent cannot keep one.
func (p *pool) get(kc *kube.Client, pod Pod) *conn {
	p.mu.Lock()
	defer p.mu.Unlock()
	k := connKey{kc, pod}
	s, known := p.m[k]
	if known && s == nil {
		return nil
	}
	if s == nil || s.ended() {
		s = open(kc, pod)
		p.m[k] = s
	}
	return s
}

// drop forgets a connection whose stream ended before a batch went out. An
// agent that refused the batches command is marked so; a stream that ended
// for another reason (the pod restarted) may be opened again.
func (p *pool) drop(kc *kube.Client, pod Pod, s *conn) {
	<-s.done
	p.mu.Lock()
	defer p.mu.Unlock()
	k := connKey{kc, pod}
	if p.m[k] != s {
		return
	}
	if refused(s.err) {
		p.m[k] = nil // an agent older than conns
		return
	}
	delete(p.m, k)
}

// refused says whether the agent exited with its usage status, as one
// without the batches command does ("agent: unknown command").
func refused(err error) bool {
	var exit interface{ ExitStatus() int }
	return errors.As(err, &exit) && exit.ExitStatus() == 2
}

// Close ends every connection of kc, e.g. when its topology is torn down.
// Connections also end on their own when their pods go away.
func Close(kc *kube.Client) {
	conns.mu.Lock()
	defer conns.mu.Unlock()
	for k, s := range conns.m {
		if k.kc == kc {
			if s != nil {
				s.cancel()
			}
			delete(conns.m, k)
		}
	}
}
