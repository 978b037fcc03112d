"""Desired state as users write it (stacks/<env>/*.yaml): schema, loader, compiler.

``load_stack`` validates and resolves names; ``compile_stack`` turns the result into the NSX
objects that enforce it. Both run before any API call and report every problem with its
file, line and fix (:class:`SpecError`).
"""

from zerotrust.spec._source import SpecError
from zerotrust.spec.compile import DesiredGroup, DesiredSection, DesiredState, compile_stack
from zerotrust.spec.loader import IMPORT_PLAN, StackSpec, import_plan, load_stack

__all__ = [
    "IMPORT_PLAN",
    "DesiredGroup",
    "DesiredSection",
    "DesiredState",
    "SpecError",
    "StackSpec",
    "compile_stack",
    "import_plan",
    "load_stack",
]
