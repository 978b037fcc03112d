"""Command line: ``python -m nsx_emulator --port P --state FILE --admin-password PW``.

Runs in the foreground on loopback (another host needs ``--allow-non-loopback``),
HTTPS by default with a generated CA (``--tls-dir``, default ``<state dir>/tls``),
plain HTTP with ``--http``. Prints one line when ready::

    nsx-emulator listening on https://127.0.0.1:PORT (ca: /path/ca.pem)

Passwords may come from ``NSX_EMULATOR_ADMIN_PASSWORD`` /
``NSX_EMULATOR_AUDITOR_PASSWORD``; they are never printed. Without an auditor
password there is no auditor user.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import socket
import sys
from pathlib import Path

import uvicorn

from .app import EmulatorState, create_app
from .auth import Authenticator
from .policy.defaults import install_defaults
from .policy.registry import object_refs
from .seed import seed_if_fresh
from .store import Store
from .tls import ensure_tls


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m nsx_emulator", description="NSX Policy API emulator")
    p.add_argument("--port", type=int, required=True, help="TCP port (0 picks a free one)")
    p.add_argument("--host", default="127.0.0.1", help="bind address (loopback only by default)")
    p.add_argument("--allow-non-loopback", action="store_true", help="allow a non-loopback --host")
    p.add_argument("--state", type=Path, required=True, help="SQLite state file")
    p.add_argument("--admin-password", default=os.environ.get("NSX_EMULATOR_ADMIN_PASSWORD"))
    p.add_argument("--auditor-password", default=os.environ.get("NSX_EMULATOR_AUDITOR_PASSWORD"))
    p.add_argument("--http", action="store_true", help="plain HTTP instead of HTTPS (tests)")
    p.add_argument("--tls-dir", type=Path, default=None, help="CA and server cert dir")
    p.add_argument("--seed", type=Path, default=None, help="YAML/JSON seed applied to a fresh state")
    p.add_argument("--reset", action="store_true", help="wipe the state first")
    p.add_argument("--log-level", default="warning")
    args = p.parse_args(argv)
    if not args.admin_password:
        p.error("--admin-password (or NSX_EMULATOR_ADMIN_PASSWORD) is required")
    return args


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, banner: str) -> None:
        super().__init__(config)
        self.banner = banner

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            port = self.config.port
            for server in getattr(self, "servers", []):
                for sock in server.sockets:
                    port = sock.getsockname()[1]
            print(self.banner.replace("{port}", str(port)), flush=True)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if not _is_loopback(args.host) and not args.allow_non_loopback:
        print(f"refusing to listen on non-loopback {args.host}; pass --allow-non-loopback", file=sys.stderr)
        return 2
    state_file: Path = args.state.resolve()
    if args.reset:
        for suffix in ("", "-wal", "-shm"):
            Path(str(state_file) + suffix).unlink(missing_ok=True)
    store = Store(state_file, object_refs)
    install_defaults(store)
    try:
        seed_if_fresh(store, args.seed.resolve() if args.seed else None)
    except (OSError, ValueError) as exc:
        print(f"cannot apply seed: {exc}", file=sys.stderr)
        return 2
    auth = Authenticator(args.admin_password, args.auditor_password)
    state = EmulatorState(store, auth, tls=not args.http, seed_file=args.seed.resolve() if args.seed else None)
    host_text = f"[{args.host}]" if ":" in args.host else args.host
    certfile: str | None = None
    keyfile: str | None = None
    if args.http:
        banner = f"nsx-emulator listening on http://{host_text}:{{port}}"
    else:
        tls = ensure_tls((args.tls_dir or state_file.parent / "tls").resolve())
        certfile, keyfile = str(tls.cert), str(tls.key)
        banner = f"nsx-emulator listening on https://{host_text}:{{port}} (ca: {tls.ca_cert})"
    config = uvicorn.Config(
        create_app(state),
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=False,
        server_header=False,
        lifespan="off",
        ssl_certfile=certfile,
        ssl_keyfile=keyfile,
    )
    server = _Server(config, banner)
    server.run()
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
