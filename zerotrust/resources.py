"""Program-side classes of the ``zerotrust`` provider's resources (the provider's SDK).

Thin on purpose: inputs are NSX wire fields under their NSX names, exactly what the provider
validates and the preview shows; the typed, friendly layer is ``components/``. Every object
exposes ``path`` (its NSX policy path, also its Pulumi id) for other objects to reference,
which also tells the engine the dependency order (rules are deleted before their groups).
"""

from __future__ import annotations

import warnings
from typing import Any, NoReturn

import pulumi

PACKAGE = "zerotrust"
USER_ERROR_PREFIX = "zerotrust: "
"""Starts every error the provider means for the user (one line, no traceback)."""


BAIL_EXIT_CODE = 32
"""The language host's "the error is already reported" exit code (no extra line, no traceback)."""


def stop(message: str) -> NoReturn:
    """End the program with ``message`` as its one error line.

    Why not ``pulumi.RunError``: the language host reports that as the message *and* a second
    line, "Program exited with non-zero exit code: 1". Logging the line and leaving with the
    host's own "already reported" code is what its unhandled-exception path does, minus the
    traceback. Works from the program's top level and from an output's callback alike.
    """
    pulumi.log.error(message)
    # Leaving mid-run abandons the SDK's pending RPC coroutines; their "never awaited"
    # warnings would follow the line into the diagnostics.
    warnings.filterwarnings("ignore", message="coroutine .* was never awaited", category=RuntimeWarning)
    raise SystemExit(BAIL_EXIT_CODE)


def provider_line(error: Exception) -> str:
    """The provider's own line in a failed call, without the SDK's transport wording around it."""
    message = str(error)
    _, found, line = message.partition(USER_ERROR_PREFIX)
    return line if found else message


class NsxProvider(pulumi.ProviderResource):
    """One NSX Manager. The password is always a Pulumi secret (never in state in clear)."""

    def __init__(
        self,
        name: str,
        *,
        host: pulumi.Input[str],
        username: pulumi.Input[str],
        password: pulumi.Input[str],
        ca_file: pulumi.Input[str] | None = None,
        insecure: bool = False,
        auth: str = "session",
        connect_timeout: float | None = None,
        read_timeout: float | None = None,
        retry_attempts: int | None = None,
        retry_seconds: float | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Timeouts and the retry budget default to the client's (docs/operations.md)."""
        props: dict[str, Any] = {
            "host": host,
            "username": username,
            "password": pulumi.Output.secret(password),
            "caFile": ca_file,
            "insecure": insecure,
            "auth": auth,
            "connectTimeout": connect_timeout,
            "readTimeout": read_timeout,
            "retryAttempts": retry_attempts,
            "retrySeconds": retry_seconds,
        }
        super().__init__(PACKAGE, name, props, opts)
        self.settings: pulumi.Output[dict[str, Any]] = pulumi.Output.secret(
            pulumi.Output.all(**{k: v for k, v in props.items() if v is not None})
        )
        """The same settings for reads the program makes itself (intents against NSX), as a secret."""

    @classmethod
    def from_config(cls, name: str = "nsx", config: pulumi.Config | None = None) -> NsxProvider:
        """The provider a stack's config describes: the ``nsx`` object (``host``, ``username``,
        ``caFile``, ``insecure``, the time bounds: docs/operations.md) and the secret ``nsxPassword``."""
        config = config or pulumi.Config()
        nsx = config.require_object("nsx")
        return cls(
            name,
            host=nsx["host"],
            username=nsx["username"],
            password=config.require_secret("nsxPassword"),
            ca_file=nsx.get("caFile"),
            insecure=bool(nsx.get("insecure", False)),
            connect_timeout=nsx.get("connectTimeout"),
            read_timeout=nsx.get("readTimeout"),
            retry_attempts=nsx.get("retryAttempts"),
            retry_seconds=nsx.get("retrySeconds"),
        )


class _NsxResource(pulumi.CustomResource):
    path: pulumi.Output[str]
    """The NSX policy path, e.g. ``/infra/domains/default/groups/web``."""
    revision: pulumi.Output[int]

    type_token: str = ""

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None) -> None:
        outputs = {"path": None, "revision": None, "adopted": None}
        super().__init__(self.type_token, name, {**props, **outputs}, opts)


class _DomainResource(_NsxResource):
    """An object under ``/infra/domains/<domain>``: its NSX id, its domain, its wire fields."""

    def __init__(
        self,
        name: str,
        *,
        nsx_id: str,
        domain: str = "default",
        opts: pulumi.ResourceOptions | None = None,
        **fields: Any,
    ) -> None:
        super().__init__(name, {"nsx_id": nsx_id, "domain": domain, **fields}, opts)


class Group(_DomainResource):
    """A security group: ``expression`` (VM tags, pod / namespace labels, nested groups)."""

    type_token = "zerotrust:nsx:Group"


class SecurityPolicy(_DomainResource):
    """A DFW section: ``category``, ``sequence_number``, ``scope`` and ordered ``rules``."""

    type_token = "zerotrust:nsx:SecurityPolicy"


class Service(_NsxResource):
    """A service (ports and protocols) under ``/infra/services``."""

    type_token = "zerotrust:nsx:Service"

    def __init__(self, name: str, *, nsx_id: str, opts: pulumi.ResourceOptions | None = None, **fields: Any) -> None:
        super().__init__(name, {"nsx_id": nsx_id, **fields}, opts)


class ContainerClusterSpan(_NsxResource):
    """Applies a security policy to a registered Antrea cluster (``container_cluster_path``)."""

    type_token = "zerotrust:nsx:ContainerClusterSpan"

    def __init__(
        self,
        name: str,
        *,
        nsx_id: str,
        policy_id: pulumi.Input[str],
        container_cluster_path: pulumi.Input[str],
        domain: str = "default",
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "nsx_id": nsx_id,
            "domain": domain,
            "policy_id": policy_id,
            "container_cluster_path": container_cluster_path,
        }
        super().__init__(name, props, opts)


class VmTags(pulumi.CustomResource):
    """The tags this stack puts on one VM (other tags on the VM are left alone)."""

    tags: pulumi.Output[list[dict[str, str]]]

    def __init__(
        self,
        name: str,
        *,
        vm_id: pulumi.Input[str],
        tags: pulumi.Input[list[dict[str, str]]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("zerotrust:nsx:VmTags", name, {"vm_id": vm_id, "tags": tags}, opts)


class PolicySet(pulumi.CustomResource):
    """Groups, security policies and cluster spans of one domain as ONE resource.

    The engine's cost grows with resources, not with NSX objects, so a stack holds its
    whole rule base in one set (docs/scale.md). Maps are keyed by NSX id and hold the
    same wire fields as ``Group`` / ``SecurityPolicy`` (rules inline); ``spans`` are keyed
    ``"<policy id>/<span id>"``; ``owners`` labels members (``"policies/<id>"``) for
    reviewers and guardrails and is never sent to NSX. Rules name groups by path
    (``/infra/domains/<domain>/groups/<id>``), known before anything exists.
    """

    domain: pulumi.Output[str]
    adopted: pulumi.Output[list[str]]
    """Members taken over by ``pulumi import`` that do not carry this stack's tag yet."""

    def __init__(
        self,
        name: str,
        *,
        domain: str = "default",
        groups: pulumi.Input[dict[str, Any]] | None = None,
        policies: pulumi.Input[dict[str, Any]] | None = None,
        spans: pulumi.Input[dict[str, Any]] | None = None,
        owners: pulumi.Input[dict[str, str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "domain": domain,
            "groups": groups or {},
            "policies": policies or {},
            "spans": spans or {},
            "owners": owners or {},
            "adopted": None,
        }
        super().__init__("zerotrust:nsx:PolicySet", name, props, opts)
