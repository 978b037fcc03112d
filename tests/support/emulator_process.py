"""The emulator launcher, as tests import it (it lives with the emulator: nsx_emulator.launcher)."""

from nsx_emulator.launcher import RunningEmulator, free_port, start_emulator

__all__ = ["RunningEmulator", "free_port", "start_emulator"]
