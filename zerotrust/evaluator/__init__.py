"""Offline policy evaluator: NSX DFW + NSX-on-Antrea tiers + Antrea + K8s NetworkPolicy (issue 7).

Pure Python over ``zerotrust.models`` and an inventory snapshot; no API calls. Entry points:
``config.load_config`` / ``load_config_file`` -> ``evaluate.Evaluator`` -> ``evaluate``,
``check_intents``, ``endpoints``; ``trace.trace_lines`` / ``verdict.render_trace`` for people.
Rule analysis (shadowed, redundant, ...) is not implemented yet.
"""
