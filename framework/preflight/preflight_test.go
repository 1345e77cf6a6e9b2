package preflight

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/netconform/netconform/framework/kube"
	"github.com/netconform/netconform/framework/timeouts"
)

const image = "172.18.0.9:5000/netconform/agent:0.1.0"

func waitingPod(reason, message string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "preflight", Namespace: "nc-preflight-x"},
		Spec:       corev1.PodSpec{NodeName: "worker"},
		Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{Name: "agent", Image: image,
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: message}}}}},
	}
}

func event(name, reason, message string, at time.Time) *corev1.Event {
	return &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: name, Namespace: "nc-preflight-x"},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: "preflight", Namespace: "nc-preflight-x"},
		Reason:         reason, Message: message, LastTimestamp: metav1.NewTime(at),
	}
}

func TestPullFailureNamesTheImageNodeAndPullError(t *testing.T) {
	pullErr := `failed to pull and unpack image "` + image + `": failed to resolve reference: dial tcp 172.18.0.9:5000: connect: connection refused`
	now := time.Now()
	cl := &kube.Client{Clientset: fake.NewClientset(
		event("a", "Failed", "Failed to pull image: an older error", now.Add(-time.Minute)),
		event("b", "Failed", "Failed to pull image: "+pullErr, now),
		event("c", "BackOff", "Back-off pulling image", now.Add(time.Second)))}
	for _, c := range []struct {
		pod  *corev1.Pod
		want string
	}{
		{waitingPod("ErrImagePull", pullErr), "(ErrImagePull: " + pullErr + ")"},
		// The back-off's own message lacks the cause: the Failed event has it.
		{waitingPod("ImagePullBackOff", `Back-off pulling image "`+image+`"`), "(ImagePullBackOff: Failed to pull image: " + pullErr + ")"},
	} {
		err := pullFailure(context.Background(), cl, c.pod, time.Second)
		if err == nil {
			t.Fatalf("%s: no error", c.pod.Status.ContainerStatuses[0].State.Waiting.Reason)
		}
		for _, want := range []string{"the agent image " + image, "on node worker", c.want, "-image-registry"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks %q", err, want)
			}
		}
	}
}

func TestPullFailureBoundsAPullThatNeverAnswers(t *testing.T) {
	pod := waitingPod("ContainerCreating", "")
	pulling := &kube.Client{Clientset: fake.NewClientset(event("p", "Pulling", `Pulling image "`+image+`"`, time.Now()))}
	if err := pullFailure(context.Background(), pulling, pod, timeouts.Current.PreflightPull/2); err != nil {
		t.Errorf("a pull younger than the bound failed preflight: %v", err)
	}
	err := pullFailure(context.Background(), pulling, pod, timeouts.Current.PreflightPull)
	if err == nil || !strings.Contains(err.Error(), "the agent image "+image+" is not pulled on node worker after") || !strings.Contains(err.Error(), "the registry does not answer") {
		t.Errorf("a pull past the bound: %v", err)
	}
	// A pod still being created with its image present (no pull) is not a
	// registry problem, nor is a finished pull.
	idle := &kube.Client{Clientset: fake.NewClientset()}
	if err := pullFailure(context.Background(), idle, pod, time.Hour); err != nil {
		t.Errorf("no pull under way: %v", err)
	}
	pulled := &kube.Client{Clientset: fake.NewClientset(event("p", "Pulling", "Pulling image", time.Now()), event("q", "Pulled", "Successfully pulled", time.Now()))}
	if err := pullFailure(context.Background(), pulled, pod, time.Hour); err != nil {
		t.Errorf("a finished pull: %v", err)
	}
}
