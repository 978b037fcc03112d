"""Zero-trust infrastructure as code for the NSX distributed firewall and Antrea on VKS clusters."""

__version__ = "0.1.0"
"""The library's version (the wheel's, the provider plugin's); CHANGELOG.md says what each one holds."""
