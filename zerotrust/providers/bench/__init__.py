"""The provider benchmark (project issue 4): ``python -m zerotrust.providers.bench``.

``program/`` is the Pulumi program it runs; ``__main__`` starts an emulator, drives the
engine through the Automation API and prints one ``BENCH <name> <value> <unit>`` line per
figure.
"""
