"""Errors the typed components raise at construction, before any resource is registered.

Both are ``pulumi.RunError`` too: the engine prints their message as the run's one error line,
without the Python traceback it shows for a bug (the message already says what to fix).
"""

from __future__ import annotations

import pulumi


class ArgumentError(ValueError, pulumi.RunError):
    """An argument that cannot work. The message names the component, the argument, the value
    and the fix, e.g. ``DfwSection 'web-db': rules[0].services[0]: 'tpc/5432' is not a service.
    Fix: ...``."""

    def __init__(self, component: str, argument: str, value: object, problem: str, fix: str) -> None:
        self.component = component
        self.argument = argument
        self.value = value
        super().__init__(f"{component}: {argument}: {value!r} {problem}. Fix: {fix}.")


class FirewallSealedError(RuntimeError, pulumi.RunError):
    """A group or section declared after its firewall's rule base was completed."""


class IntentsError(pulumi.RunError):
    """A firewall's intents are broken, or NSX could not be read to check them; nothing was written."""
