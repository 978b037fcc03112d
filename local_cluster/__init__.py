"""A local Kubernetes API server (etcd + kube-apiserver, no nodes) standing in for a VKS cluster.

Why a package of its own: the demo and the tests need a real API server for the Kubernetes half
(Antrea ExternalIPPool/Egress, NetworkPolicies), and, like the NSX emulator, it is a stand-in that
shares nothing with the project's code. Binaries come from `make kubernetes`.
"""
