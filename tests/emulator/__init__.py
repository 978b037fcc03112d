"""NSX Policy API emulator conformance suite.

One module per area (test_auth, test_errors, test_revision, test_groups, ...). Each test
pins one documented NSX behaviour and cites it ("ref §x.y" = shared/reference/
nsx-policy-api.md, "antrea §x" = shared/reference/antrea.md); tests that pin the
emulator's own contract (durability, admin hooks, TLS) say "Emulator contract".

Rules of the suite:
- raw JSON over real HTTP(S) with httpx (``_nsx.py``), never the project's client or
  models, so a schema bug shared by both cannot pass on both sides;
- the emulator-only ``/emulator/admin`` hooks are wrapped in ``_admin.py`` only;
- one shared emulator per xdist worker (unique ids per test); modules that change global
  state (defaults, admin hooks) use a private one (``own``), durability uses one per test.

Run: ``.venv/bin/python -m pytest tests/emulator -q -n 2``.
"""
