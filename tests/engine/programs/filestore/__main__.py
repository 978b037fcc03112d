"""A tiny real custom resource for proving the engine harness: a managed text file.

Create writes the file, read reports what is on disk (so a hand edit is drift that refresh
sees), update rewrites it, delete removes it; a new path means replacement.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider, UpdateResult


class FileProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        Path(props["path"]).write_text(props["content"])
        return CreateResult(id_=props["path"], outs=dict(props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        file = Path(id_)
        if not file.exists():
            return ReadResult(id_=None, outs={})
        live = {"path": id_, "content": file.read_text()}
        return ReadResult(id_=id_, outs=live, inputs=live)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = ["path"] if olds.get("path") != news["path"] else []
        changed = olds.get("content") != news["content"] or bool(replaces)
        return DiffResult(changes=changed, replaces=replaces, delete_before_replace=True)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        Path(news["path"]).write_text(news["content"])
        return UpdateResult(outs=dict(news))

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        Path(id_).unlink(missing_ok=True)


class ManagedFile(Resource, module="test", name="ManagedFile"):
    content: pulumi.Output[str]

    def __init__(self, name: str, path: str, content: str) -> None:
        super().__init__(FileProvider(), name, {"path": path, "content": content})


config = pulumi.Config()
managed = ManagedFile("greeting", config.require("path"), config.require("content"))
pulumi.export("content", managed.content)
