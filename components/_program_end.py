"""Run a callback once the Pulumi program body has finished, and say whether it succeeded.

Why: a ``Firewall`` collects the groups and sections declared into it and writes them all as
ONE resource (docs/scale.md), so it must know when the last member has been declared. Pulumi's
Python SDK runs the program body synchronously inside ``run_in_stack`` and then, in a
``finally``, registers the root stack's outputs (``Stack._finish``). Hooking that one call
gives the exact moment, also for async programs and for programs whose synchronous invokes
pump the event loop in the middle of the body (a callback merely scheduled with ``call_soon``
could run there, too early). Inside that ``finally`` the body's exception, if any, is still
in flight: a failed program must not write a half-declared rule base, which an update would
read as "delete the rest".

When no program body is running (Pulumi's mocks, which finish the root stack up front, or a
firewall built inside an ``apply`` after the body ended) the callback runs at the event loop's
next turn, after the synchronous code that declares the members.

``tests/components/test_program_end.py`` pins the SDK details this relies on.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable

from pulumi.runtime.settings import get_root_resource
from pulumi.runtime.stack import Stack

Callback = Callable[[bool], None]
"""Called with True when the body returned, False when it raised (or called ``stop``)."""

_HOOKS = "_zerotrust_at_program_end"


def event_loop() -> asyncio.AbstractEventLoop:
    """The loop the SDK runs (or will run) the program's outputs on."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.get_event_loop_policy().get_event_loop()


def body_running() -> bool:
    """True while a program body runs and its root stack has not registered its outputs."""
    root = get_root_resource()
    return isinstance(root, Stack) and not getattr(root, "_outputs_registered", True) and hasattr(root, "_finish")


def at_program_end(callback: Callback) -> None:
    """Call ``callback`` once the program body has finished (see the module docstring)."""
    root = get_root_resource()
    if not isinstance(root, Stack) or not body_running():
        event_loop().call_soon(callback, True)
        return
    hooks: list[Callback] | None = root.__dict__.get(_HOOKS)
    if hooks is None:
        hooks = []
        root.__dict__[_HOOKS] = hooks
        already = sys.exc_info()[1]  # an exception the whole run sits inside is not the body's
        finish = root._finish

        def finish_after_hooks() -> None:
            pending = list(hooks)
            hooks.clear()
            succeeded = sys.exc_info()[1] in (None, already)
            try:
                for hook in pending:
                    hook(succeeded)
            finally:
                finish()

        setattr(root, "_finish", finish_after_hooks)  # noqa: B010 (an instance override, on purpose)
    hooks.append(callback)
