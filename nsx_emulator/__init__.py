"""NSX Manager Policy API emulator (DFW + Antrea interworking subset).

A real HTTP(S) server with persistent SQLite state that answers like an NSX
Manager for the endpoints this project touches. Facts come from
``shared/reference/nsx-policy-api.md`` (cited as "ref §N") and
``shared/reference/antrea.md`` (cited as "antrea §N"). It shares no code with
the project's client on purpose: the conformance suite checks one against the
reference, not against the other.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
