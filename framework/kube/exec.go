package kube

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/netconform/netconform/framework/timeouts"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/remotecommand"
)

// ContainerRef names one container of one pod.
type ContainerRef struct {
	Namespace, Pod, Container string
}

func (r ContainerRef) String() string { return r.Namespace + "/" + r.Pod + " (" + r.Container + ")" }

// Exec runs a command in a pod's container and returns its output. stdin
// may be nil. It is one API round trip: callers batch work into one command.
// It ends within timeouts.Current.Exec: an exec stream is not bound by
// the client's request timeout, and a frozen API server or kubelet would
// otherwise hold it open.
func (c *Client) Exec(ctx context.Context, in ContainerRef, command []string, stdin io.Reader) ([]byte, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, timeouts.Current.Exec,
		fmt.Errorf("exec in %s: no end within %s (timeout exec)", in, timeouts.Current.Exec))
	defer cancel()
	var stdout bytes.Buffer
	err := c.ExecStream(ctx, in, command, Streams{Stdin: stdin, Stdout: &stdout})
	return stdout.Bytes(), err
}

// Streams are a command's standard streams; Stdin may be nil, Stderr
// is kept for the error when nil.
type Streams struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// ExecStream runs a command in a pod's container wired to streams, until
// it exits, its stdin ends or ctx ends: for a long-lived command that
// answers request after request over one exec. Only ctx bounds it; the
// caller bounds each request it makes over the streams.
func (c *Client) ExecStream(ctx context.Context, in ContainerRef, command []string, streams Streams) error {
	req := c.Clientset.CoreV1().RESTClient().Post().Resource("pods").Namespace(in.Namespace).Name(in.Pod).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{
			Container: in.Container,
			Command:   command,
			Stdin:     streams.Stdin != nil,
			Stdout:    true,
			Stderr:    true,
		}, scheme.ParameterCodec)
	exec, err := remotecommand.NewWebSocketExecutor(c.Config, "GET", req.URL().String())
	if err != nil {
		return err
	}
	var stderr bytes.Buffer
	errOut := io.Writer(&stderr)
	if streams.Stderr != nil {
		errOut = io.MultiWriter(streams.Stderr, &stderr)
	}
	err = exec.StreamWithContext(ctx, remotecommand.StreamOptions{Stdin: streams.Stdin, Stdout: streams.Stdout, Stderr: errOut})
	if err != nil {
		if cause := context.Cause(ctx); cause != nil && cause != err {
			err = fmt.Errorf("%w (%v)", err, cause)
		}
		return fmt.Errorf("exec %v in %s: %w (stderr: %s)", command, in, err, bytes.TrimSpace(stderr.Bytes()))
	}
	return nil
}
