"""The `kube` backend: fault windows as Istio VirtualServices through the Kubernetes API."""
