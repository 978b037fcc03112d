"""``make doctor STACK=<name>``: can this stack be previewed and applied from here, and if not, why.

One table, one row per check, in the order a run meets them: NSX reachable, TLS verified,
credentials, the account's role, NSX's version, the clock, each cluster registered and
healthy, each Kubernetes API server answering with the stack's kubeconfig. A failed row says
what to fix with the same line ``pulumi preview`` would print (docs/operations.md). Only
reads; one login attempt.
"""
