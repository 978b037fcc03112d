"""Brownfield adoption: an existing NSX firewall as this project's stack files (docs/adoption.md).

``live`` reads NSX (read-only), ``plan`` decides who owns what and how each object is
written, ``verify`` proves the files compile back to exactly what NSX holds, ``write``
emits the YAML, the import plan and the summary. ``python -m zerotrust.adopt`` runs them.
"""
