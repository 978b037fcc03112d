"""Which ids NSX can address: an id is the last segment of a policy path (ref §2.2).

An object whose id cannot sit in a URL path segment could be created through a body
(H-API children, inline rules and service entries) but never read, updated or deleted
again, so the emulator refuses it on every write, the way a real manager's validation
does before anything is stored:

- empty, ``.`` and ``..`` (path navigation, not names);
- ``/`` (the path separator: the id would address another object);
- control characters (NSX's HTTP firewall answers any URL holding one with "The
  servletPath was rejected because it can only contain printable ASCII characters.",
  vmware-samples/nsx-t issue #41, so such an object could never be reached);
- more than 255 characters (NSX's limit for a policy id, e.g. a DFW rule id: "the
  maximum limit of 255 characters", vmware-tanzu/nsx-operator PR #1479).

The 400 body is the generic validation error (``nsx_emulator.errors.invalid_id``).
"""

from __future__ import annotations

from ..errors import invalid_id

MAX_ID_LENGTH = 255
PATH_NAVIGATION = frozenset({".", ".."})


def has_control_character(text: str) -> bool:
    """C0 controls and DEL: what NSX's firewall calls non-printable."""
    return any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text)


def id_problem(oid: str) -> str | None:
    """Why NSX cannot address ``oid`` as a path segment, or None when it can."""
    if not oid:
        return "an id cannot be empty"
    if oid in PATH_NAVIGATION:
        return "'.' and '..' navigate a path and cannot name an object"
    if "/" in oid:
        return "an id cannot contain '/', the path separator"
    if has_control_character(oid):
        return "an id cannot contain control characters"
    if len(oid) > MAX_ID_LENGTH:
        return f"an id is at most {MAX_ID_LENGTH} characters long, this one has {len(oid)}"
    return None


def check_id(oid: str, collection: str) -> None:
    """Raise the 400 for an id NSX could not address in ``collection`` (its parent path
    and collection segment, the message's ``path=[...]``)."""
    reason = id_problem(oid)
    if reason is not None:
        raise invalid_id(oid, collection, reason)
