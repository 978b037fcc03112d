"""URLs NSX refuses before any handler sees them, so ids that cannot be addressed stay so.

NSX answers a path holding a non-printable character with "The servletPath was rejected
because it can only contain printable ASCII characters." (400, error_code 400,
common-services; vmware-samples/nsx-t issue #41). That wording is the strict servlet
firewall of Spring Security; with its default settings the same firewall also refuses an
encoded slash or period and a path with ``.``/``..`` segments, in that order [INF: same
firewall, its defaults]. The emulator applies these checks to Policy object paths.
"""

from __future__ import annotations

from .errors import request_rejected
from .policy.ids import PATH_NAVIGATION, has_control_character

#: encoded characters that would smuggle a separator or a dot segment into an id
ENCODED_SEPARATORS = ("%2F", "%2E")


def check_request_path(raw_path: bytes | None, path: str) -> None:
    """Raise NSX's 400 when the request path (raw and decoded) is one its firewall refuses."""
    raw = (raw_path or b"").decode("latin-1")
    for token in ENCODED_SEPARATORS:
        at = raw.upper().find(token)
        if at >= 0:
            seen = raw[at : at + len(token)]
            raise request_rejected(
                f'The request was rejected because the URL contained a potentially malicious String "{seen}"'
            )
    if any(segment in PATH_NAVIGATION for segment in path.split("/")):
        raise request_rejected("The request was rejected because the URL was not normalized.")
    if has_control_character(path):
        raise request_rejected("The servletPath was rejected because it can only contain printable ASCII characters.")
