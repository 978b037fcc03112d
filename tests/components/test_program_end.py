"""The Pulumi SDK details components/_program_end.py relies on (fails loudly on an SDK upgrade
that changes them; tests/engine/test_firewall_seal.py proves the behaviour end to end)."""

from __future__ import annotations

import inspect

from pulumi.runtime import stack


def test_the_root_stack_registers_its_outputs_once_in_a_finally_after_the_body() -> None:
    source = inspect.getsource(stack.run_in_stack)
    _, found, after = source.partition("result = func()")
    assert found, "run_in_stack no longer calls the program body as func()"
    assert "finally:\n            stack._finish()" in after
    assert "_outputs_registered" in inspect.getsource(stack.Stack._finish)
