"""Per-kind semantics of Policy API objects: paths, fields, validation, writes."""
