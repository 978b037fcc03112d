"""Persistent state: SQLite written through, everything read from memory.

One key/value table holds every record: policy objects under their policy path
(``/infra/...``), inventory under ``@inv/<kind>/<id>`` and counters under
``@meta/<name>``. Writes go through :meth:`Store.commit`, which writes one SQLite
transaction (WAL, ``synchronous=FULL``) and only then updates the in-memory
indexes, so an acknowledged write survives ``kill -9`` and a failed one leaves
nothing behind. The server runs all handlers on one event loop thread and
commits synchronously, which serialises writers without extra locking; a lock
is still taken so that tools calling the store from other threads stay safe.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

Obj = dict[str, Any]
RefsFn = Callable[[str, Obj], Iterable[str]]

_SCHEMA = "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, body TEXT NOT NULL)"


def split_path(path: str) -> tuple[str, str]:
    """``/infra/domains/d/groups/g`` -> (``/infra/domains/d``, ``groups``)."""
    coll, _ = path.rsplit("/", 1)
    parent, seg = coll.rsplit("/", 1)
    return parent, seg


class Store:
    """SQLite-backed key/value store with in-memory tree and reference indexes."""

    def __init__(self, db_file: Path, refs_fn: RefsFn) -> None:
        self._refs_fn = refs_fn
        self._lock = threading.Lock()
        db_file.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(db_file), isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute(_SCHEMA)
        self.objects: dict[str, Obj] = {}
        # the JSON text of each object as written to SQLite, reused by big reads (H-API GET)
        self._text: dict[str, str] = {}
        # parent object path -> collection segment -> ordered set of child paths
        self._tree: dict[str, dict[str, dict[str, None]]] = {}
        self._refs_to: dict[str, set[str]] = {}
        self._refs_of: dict[str, set[str]] = {}
        for key, body in self._conn.execute("SELECT key, body FROM kv ORDER BY rowid"):
            self._apply(key, json.loads(body), body)

    # --- reads -------------------------------------------------------------

    def get(self, key: str) -> Obj | None:
        return self.objects.get(key)

    def children(self, parent: str, segment: str) -> list[str]:
        return list(self._tree.get(parent, {}).get(segment, ()))

    def child_segments(self, parent: str) -> dict[str, dict[str, None]]:
        return self._tree.get(parent, {})

    def text(self, key: str) -> str | None:
        """The object's compact JSON text (cached; objects are never mutated in place)."""
        return self._text.get(key)

    def referrers(self, target: str) -> set[str]:
        return set(self._refs_to.get(target, ()))

    def keys_with_prefix(self, prefix: str) -> Iterator[str]:
        return (k for k in list(self.objects) if k.startswith(prefix))

    # --- writes ------------------------------------------------------------

    def commit(self, changes: dict[str, Obj | None]) -> None:
        """Persist ``changes`` (None = delete) atomically, then index them."""
        if not changes:
            return
        with self._lock:
            texts = {k: json.dumps(o, separators=(",", ":")) for k, o in changes.items() if o is not None}
            cur = self._conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                for key, obj in changes.items():
                    if obj is None:
                        cur.execute("DELETE FROM kv WHERE key = ?", (key,))
                    else:
                        cur.execute(
                            "INSERT INTO kv(key, body) VALUES(?, ?) "
                            "ON CONFLICT(key) DO UPDATE SET body = excluded.body",
                            (key, texts[key]),
                        )
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            for key, obj in changes.items():
                self._apply(key, obj, texts.get(key))

    def wipe(self) -> None:
        with self._lock:
            self._conn.execute("DELETE FROM kv")
            self.objects.clear()
            self._text.clear()
            self._tree.clear()
            self._refs_to.clear()
            self._refs_of.clear()

    def close(self) -> None:
        self._conn.close()

    # --- indexes -----------------------------------------------------------

    def _apply(self, key: str, obj: Obj | None, text: str | None = None) -> None:
        is_policy = key.startswith("/") and key.count("/") >= 3
        if text is None:
            self._text.pop(key, None)
        else:
            self._text[key] = text
        if obj is None:
            if self.objects.pop(key, None) is not None and is_policy:
                parent, seg = split_path(key)
                self._tree.get(parent, {}).get(seg, {}).pop(key, None)
        else:
            existed = key in self.objects
            self.objects[key] = obj
            if is_policy and not existed:
                parent, seg = split_path(key)
                self._tree.setdefault(parent, {}).setdefault(seg, {})[key] = None
        if key.startswith("/"):
            self._index_refs(key, obj)

    def _index_refs(self, key: str, obj: Obj | None) -> None:
        for target in self._refs_of.pop(key, set()):
            referrers = self._refs_to.get(target)
            if referrers is not None:
                referrers.discard(key)
                if not referrers:
                    del self._refs_to[target]
        if obj is not None:
            targets = set(self._refs_fn(key, obj))
            if targets:
                self._refs_of[key] = targets
                for target in targets:
                    self._refs_to.setdefault(target, set()).add(key)


class View:
    """A pending change set layered over the store.

    Validation of a write (single object or a whole H-API tree) runs against
    this view so that it sees the final state, then :meth:`commit` applies it
    all at once (all-or-nothing, ref §7).
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.pending: dict[str, Obj | None] = {}

    def get(self, key: str) -> Obj | None:
        if key in self.pending:
            return self.pending[key]
        return self.store.get(key)

    def exists(self, key: str) -> bool:
        return self.get(key) is not None

    def put(self, key: str, obj: Obj) -> None:
        self.pending[key] = obj

    def delete(self, key: str) -> None:
        self.pending[key] = None

    def children(self, parent: str, segment: str) -> list[str]:
        out = [p for p in self.store.children(parent, segment) if self.pending.get(p, True) is not None]
        seen = set(out)
        prefix = f"{parent}/{segment}/"
        for key, obj in self.pending.items():
            if obj is not None and key not in seen and key.startswith(prefix) and "/" not in key[len(prefix) :]:
                out.append(key)
        return out

    def child_segments(self, parent: str) -> list[str]:
        segs = set(self.store.child_segments(parent))
        prefix = parent + "/"
        for key, obj in self.pending.items():
            if obj is not None and key.startswith(prefix):
                rest = key[len(prefix) :].split("/")
                if len(rest) == 2:
                    segs.add(rest[0])
        return sorted(segs)

    def referrers(self, target: str, refs_fn: RefsFn) -> list[str]:
        candidates = self.store.referrers(target)
        for key, obj in self.pending.items():
            if obj is not None and key.startswith("/"):
                candidates.add(key)
        out = []
        for key in candidates:
            obj = self.get(key)
            if obj is not None and target in set(refs_fn(key, obj)):
                out.append(key)
        return sorted(out)

    def commit(self) -> None:
        self.store.commit(self.pending)
        self.pending = {}
