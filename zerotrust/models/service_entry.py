"""Service entries: the protocol/port matchers inside a Service or inline in a Rule (ref §5.5).

A discriminated union on ``resource_type``. Entry kinds this project does not model
(``IGMPTypeServiceEntry``, ``NestedServiceServiceEntry``, a future one) are read as
:class:`OtherServiceEntry` and refused on write.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, Self

from pydantic import Discriminator, Tag, ValidationInfo, model_validator

from zerotrust.models._base import NsxObject, is_live, problem, raise_problems, resource_type_tag

__all__ = [
    "ALGTypeServiceEntry",
    "EtherTypeServiceEntry",
    "ICMPTypeServiceEntry",
    "IPProtocolServiceEntry",
    "L4PortSetServiceEntry",
    "OtherServiceEntry",
    "ServiceEntry",
]

MAX_PORTS_PER_LIST = 15
"""NSX's per-list port limit for L4PortSetServiceEntry [UNV: from memory, not in ref]."""
ALG_TYPES = frozenset(
    {"FTP", "TFTP", "ORACLE_TNS", "SUN_RPC_TCP", "SUN_RPC_UDP", "MS_RPC_TCP",
     "MS_RPC_UDP", "NBNS_BROADCAST", "NBDG_BROADCAST"}
)  # fmt: skip


def _port_problems(kind: str, ident: str | None, field: str, ports: list[str]) -> list[str]:
    problems = []
    if len(ports) > MAX_PORTS_PER_LIST:
        problems.append(
            problem(
                kind,
                ident,
                field,
                f"has {len(ports)} entries (max {MAX_PORTS_PER_LIST})",
                "use ranges such as '8000-8080' or split into several entries",
            )
        )
    for port in ports:
        if not _is_port_or_range(port):
            problems.append(
                problem(
                    kind,
                    ident,
                    field,
                    f"has invalid port {port!r}",
                    "use a port 0-65535 such as '443' or a range such as '8000-8080'",
                )
            )
    return problems


def _is_port_or_range(text: str) -> bool:
    low, sep, high = text.partition("-")
    if not (low.isdigit() and (not sep or high.isdigit())):
        return False
    start, end = int(low), int(high) if sep else int(low)
    return 0 <= start <= end <= 65535


class L4PortSetServiceEntry(NsxObject):
    """TCP or UDP ports; ports are strings, ranges written ``"a-b"``."""

    KIND: ClassVar[str] = "L4PortSetServiceEntry"

    resource_type: Literal["L4PortSetServiceEntry"] = "L4PortSetServiceEntry"
    l4_protocol: Literal["TCP", "UDP"]
    source_ports: list[str] | None = None
    destination_ports: list[str] | None = None

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Self:
        if is_live(info):
            return self
        raise_problems(
            _port_problems(self.KIND, self.id, "source_ports", self.source_ports or [])
            + _port_problems(self.KIND, self.id, "destination_ports", self.destination_ports or [])
        )
        return self


class ICMPTypeServiceEntry(NsxObject):
    """ICMP type/code; 0 is a valid value for both (ref §5.5)."""

    KIND: ClassVar[str] = "ICMPTypeServiceEntry"

    resource_type: Literal["ICMPTypeServiceEntry"] = "ICMPTypeServiceEntry"
    protocol: Literal["ICMPv4", "ICMPv6"]
    icmp_type: int | None = None
    icmp_code: int | None = None

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Self:
        if is_live(info):
            return self
        problems = []
        for field, value in (("icmp_type", self.icmp_type), ("icmp_code", self.icmp_code)):
            if value is not None and not 0 <= value <= 255:
                problems.append(problem(self.KIND, self.id, field, f"is {value}", "use a value 0-255"))
        if self.icmp_code is not None and self.icmp_type is None:
            problems.append(
                problem(
                    self.KIND,
                    self.id,
                    "icmp_code",
                    "is set without icmp_type",
                    "set icmp_type too, or drop icmp_code",
                )
            )
        raise_problems(problems)
        return self


class IPProtocolServiceEntry(NsxObject):
    """A bare IP protocol number, e.g. 50 for ESP."""

    KIND: ClassVar[str] = "IPProtocolServiceEntry"

    resource_type: Literal["IPProtocolServiceEntry"] = "IPProtocolServiceEntry"
    protocol_number: int

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Self:
        if not is_live(info) and not 0 <= self.protocol_number <= 255:
            raise_problems(
                [
                    problem(
                        self.KIND,
                        self.id,
                        "protocol_number",
                        f"is {self.protocol_number}",
                        "use an IANA protocol number 0-255",
                    )
                ]
            )
        return self


class EtherTypeServiceEntry(NsxObject):
    """Layer-2 EtherType, for Ethernet-category rules."""

    KIND: ClassVar[str] = "EtherTypeServiceEntry"

    resource_type: Literal["EtherTypeServiceEntry"] = "EtherTypeServiceEntry"
    ether_type: int


class ALGTypeServiceEntry(NsxObject):
    """Application-level gateway (FTP, TFTP, MS-RPC, ...) with destination ports."""

    KIND: ClassVar[str] = "ALGTypeServiceEntry"

    resource_type: Literal["ALGTypeServiceEntry"] = "ALGTypeServiceEntry"
    alg: str
    destination_ports: list[str] | None = None
    source_ports: list[str] | None = None

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Self:
        if is_live(info):
            return self
        problems = _port_problems(self.KIND, self.id, "destination_ports", self.destination_ports or [])
        if self.alg not in ALG_TYPES:
            problems.append(problem(self.KIND, self.id, "alg", f"is {self.alg!r}", f"use one of {sorted(ALG_TYPES)}"))
        raise_problems(problems)
        return self


class OtherServiceEntry(NsxObject):
    """A service-entry kind this project reads but does not manage; refused on write."""

    KIND: ClassVar[str] = "ServiceEntry"

    resource_type: str

    @model_validator(mode="after")
    def _check(self, info: ValidationInfo) -> Self:
        if not is_live(info):
            raise_problems(
                [
                    problem(
                        self.KIND,
                        self.id,
                        "resource_type",
                        f"is {self.resource_type!r}, which this project does not manage",
                        "use L4PortSetServiceEntry, ICMPTypeServiceEntry, "
                        "IPProtocolServiceEntry, EtherTypeServiceEntry or ALGTypeServiceEntry",
                    )
                ]
            )
        return self


_KNOWN_ENTRIES = frozenset(
    {"L4PortSetServiceEntry", "ICMPTypeServiceEntry", "IPProtocolServiceEntry",
     "EtherTypeServiceEntry", "ALGTypeServiceEntry"}
)  # fmt: skip


_entry_tag = resource_type_tag(_KNOWN_ENTRIES)


ServiceEntry = Annotated[
    Annotated[L4PortSetServiceEntry, Tag("L4PortSetServiceEntry")]
    | Annotated[ICMPTypeServiceEntry, Tag("ICMPTypeServiceEntry")]
    | Annotated[IPProtocolServiceEntry, Tag("IPProtocolServiceEntry")]
    | Annotated[EtherTypeServiceEntry, Tag("EtherTypeServiceEntry")]
    | Annotated[ALGTypeServiceEntry, Tag("ALGTypeServiceEntry")]
    | Annotated[OtherServiceEntry, Tag("other")],
    Discriminator(_entry_tag),
]
