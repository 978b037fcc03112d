"""The zerotrust CrossGuard policy pack (a package so tests and mypy can import it as ``policypack``)."""
