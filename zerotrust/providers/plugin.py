"""Entry point of the ``pulumi-resource-zerotrust`` plugin (see bin/ and Pulumi.yaml).

Serves :class:`NsxProvider` (through :class:`NsxServicer`) over gRPC the way the engine
expects: print the port on the first line of stdout, then serve until the engine stops us.
One difference from the SDK's stock ``main``: errors the user can act on (``UserError``)
reach the engine as their message only, without the Python traceback the SDK appends to
every exception.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import grpc.aio
from pulumi.runtime.proto import provider_pb2_grpc

from zerotrust.providers import VERSION
from zerotrust.providers.provider import NsxProvider
from zerotrust.providers.server import NsxServicer
from zerotrust.resources import USER_ERROR_PREFIX

_TRACEBACK_MARK = ":\n  File "


class _UserErrorInterceptor(grpc.aio.ServerInterceptor):
    """Strip the appended traceback from errors that start with USER_ERROR_PREFIX."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[Any]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> Any:
        handler = await continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        inner = handler.unary_unary

        async def call(request: Any, context: Any) -> Any:
            try:
                return await inner(request, context)
            except Exception as error:
                message = str(error)
                if message.startswith(USER_ERROR_PREFIX) or f"\n{USER_ERROR_PREFIX}" in message:
                    clean = message.split(_TRACEBACK_MARK, 1)[0]
                    await context.abort(grpc.StatusCode.UNKNOWN, clean)
                raise

        return grpc.unary_unary_rpc_method_handler(
            call,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


async def serve(engine_address: str, args: list[str]) -> None:
    server = grpc.aio.server(
        interceptors=[_UserErrorInterceptor()],
        options=[("grpc.max_receive_message_length", 400 * 1024 * 1024)],
    )
    servicer = NsxServicer(args, VERSION, NsxProvider(), engine_address=engine_address)
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    await server.wait_for_termination()


def main() -> None:
    parser = argparse.ArgumentParser(description="zerotrust Pulumi provider plugin")
    parser.add_argument("engine", help="engine gRPC address")
    known, _ = parser.parse_known_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(known.engine, sys.argv[1:]))


if __name__ == "__main__":
    main()
