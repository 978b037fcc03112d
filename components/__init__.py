"""Pulumi component resources: the concepts platform teams write (clusters, groups, sections)."""
