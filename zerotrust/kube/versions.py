"""Which Antrea API version a cluster serves, from the Antrea version it runs.

VKS clusters run VMware builds of older Antrea releases (antrea.md 5.6): Antrea < 1.13 serves only
`crd.antrea.io/v1alpha2` for Egress and ExternalIPPool, 1.13-1.15 serve both, >= 2.0 only
`v1beta1`. The apiVersion is therefore a per-cluster parameter, never a constant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?")

V1BETA1 = "crd.antrea.io/v1beta1"
V1ALPHA2 = "crd.antrea.io/v1alpha2"


@total_ordering
@dataclass(frozen=True)
class AntreaVersion:
    """major.minor.patch of an Antrea build; VMware suffixes (`+vmware.1-tkg.1`) are ignored."""

    major: int
    minor: int
    patch: int = 0

    @classmethod
    def parse(cls, text: str) -> AntreaVersion:
        match = _VERSION.match(text.strip())
        if not match:
            raise ValueError(f"not an Antrea version: {text!r} (expected e.g. 2.3.0 or 1.7.2+vmware.1)")
        return cls(int(match[1]), int(match[2]), int(match[3] or 0))

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, AntreaVersion):
            return NotImplemented
        return (self.major, self.minor, self.patch) < (other.major, other.minor, other.patch)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


EGRESS_POOLS_SINCE = AntreaVersion(1, 2)
"""ExternalIPPool (v1alpha2) appeared in 1.2; Egress itself exists since 1.0."""
EGRESS_DEFAULT_ON_SINCE = AntreaVersion(1, 6)
"""The Egress feature gate is on by default from 1.6; before that it is alpha and off."""
V1BETA1_SINCE = AntreaVersion(1, 13)
SUBNET_INFO_SINCE = AntreaVersion(1, 15)


def egress_api_version(version: AntreaVersion) -> str:
    """The apiVersion to write Egress and ExternalIPPool objects with on this cluster."""
    return V1BETA1 if version >= V1BETA1_SINCE else V1ALPHA2
