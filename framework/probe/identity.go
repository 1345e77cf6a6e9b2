package probe

import "os"

// Environment variables the agent's pod spec sets through the downward API.
const (
	EnvPodName      = "POD_NAME"
	EnvPodNamespace = "POD_NAMESPACE"
	EnvNodeName     = "NODE_NAME"
	EnvPodIP        = "POD_IP"
)

// IdentityFromEnv reads the downward-API environment. Outside a pod (or when
// the pod spec forgot POD_NAME) the hostname stands in for the pod name,
// which in Kubernetes is the pod name anyway.
func IdentityFromEnv() Identity {
	id := Identity{
		Pod:       os.Getenv(EnvPodName),
		Namespace: os.Getenv(EnvPodNamespace),
		Node:      os.Getenv(EnvNodeName),
		PodIP:     os.Getenv(EnvPodIP),
	}
	if id.Pod == "" {
		h, err := os.Hostname()
		if err != nil || h == "" {
			h = "unknown"
		}
		id.Pod = h
	}
	return id
}
