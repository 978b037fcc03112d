"""Zero-trust infrastructure as code for the NSX distributed firewall and Antrea on VKS clusters."""
