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
	req := c.Clientset.CoreV1().RESTClient().Post().Resource("pods").Namespace(in.Namespace).Name(in.Pod).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{
			Container: in.Container,
			Command:   command,
			Stdin:     stdin != nil,
			Stdout:    true,
			Stderr:    true,
		}, scheme.ParameterCodec)
	exec, err := remotecommand.NewWebSocketExecutor(c.Config, "GET", req.URL().String())
	if err != nil {
		return nil, err
	}
	var stdout, stderr bytes.Buffer
	err = exec.StreamWithContext(ctx, remotecommand.StreamOptions{Stdin: stdin, Stdout: &stdout, Stderr: &stderr})
	if err != nil {
		if cause := context.Cause(ctx); cause != nil && cause != err {
			err = fmt.Errorf("%w (%v)", err, cause)
		}
		return stdout.Bytes(), fmt.Errorf("exec %v in %s: %w (stderr: %s)", command, in, err, bytes.TrimSpace(stderr.Bytes()))
	}
	return stdout.Bytes(), nil
}
