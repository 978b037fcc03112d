"""Search API: a Lucene-like query over Policy and inventory objects (ref §10).

Supported forms: ``field:value``, ``field:(a OR b)``, quoted phrases, wildcards
``*`` and ``?``, backslash escapes (Terraform escapes ``()[]+-=&|><!{}^~*?:/``),
``AND``/``OR``/``NOT``/``&&``/``||``/``!``, parentheses, dotted fields
(``tags.scope``, ``tags.tag``, ``attachment.id``), ``nsx_id`` as ``id``, and a
bare term matched against id, display_name, path, tags, an inventory object's
``external_id`` and the value part of its ``compute_ids`` entries (``biosUuid:<v>``;
Terraform looks VMs up by any of those ids, see ``inventory_search.py``). Juxtaposed terms
combine with OR (Lucene's default operator). Matching is case-insensitive.
The numeric-string cursor stays on the last page (ref §10, §12.8).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .errors import bad_request

Obj = dict[str, Any]
Matcher = Callable[[Obj], bool]
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
BARE_FIELDS = ("id", "display_name", "path", "tags.tag", "tags.scope", "external_id")


@dataclass(frozen=True)
class Token:
    kind: str  # LP RP AND OR NOT TERM
    text: str = ""
    #: per-character "was escaped" flags for TERM
    escaped: tuple[bool, ...] = ()
    quoted: bool = False


def _tokens(query: str) -> Iterator[Token]:  # noqa: PLR0912, PLR0915 - a hand-written lexer
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c.isspace():
            i += 1
            continue
        if c == "(":
            yield Token("LP")
            i += 1
            continue
        if c == ")":
            yield Token("RP")
            i += 1
            continue
        if query.startswith("&&", i):
            yield Token("AND")
            i += 2
            continue
        if query.startswith("||", i):
            yield Token("OR")
            i += 2
            continue
        if c in "!-" and i + 1 < n and not query[i + 1].isspace():
            yield Token("NOT")
            i += 1
            continue
        chars: list[str] = []
        esc: list[bool] = []
        quoted = False
        while i < n and not query[i].isspace() and query[i] not in "()":
            ch = query[i]
            if ch == "\\" and i + 1 < n:
                chars.append(query[i + 1])
                esc.append(True)
                i += 2
                continue
            if ch == '"':
                j = query.find('"', i + 1)
                if j < 0:
                    raise bad_request("Invalid search query: unbalanced quote.", 60513)
                for qc in query[i + 1 : j]:
                    chars.append(qc)
                    esc.append(True)
                quoted = True
                i = j + 1
                continue
            chars.append(ch)
            esc.append(False)
            i += 1
        text = "".join(chars)
        if not any(esc) and text in ("AND", "OR", "NOT"):
            yield Token(text)
        else:
            yield Token("TERM", text, tuple(esc), quoted)


def _pattern(chars: str, esc: tuple[bool, ...]) -> re.Pattern[str]:
    out = []
    for ch, e in zip(chars, esc, strict=True):
        if not e and ch == "*":
            out.append(".*")
        elif not e and ch == "?":
            out.append(".")
        else:
            out.append(re.escape(ch))
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def _values(obj: Any, dotted: str) -> list[Any]:
    if dotted == "nsx_id":
        dotted = "id"
    current: list[Any] = [obj]
    for part in dotted.split("."):
        nxt: list[Any] = []
        for c in current:
            if isinstance(c, dict) and part in c:
                v = c[part]
                nxt.extend(v if isinstance(v, list) else [v])
        current = nxt
    return current


def _as_text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _bare_texts(obj: Obj) -> Iterator[str]:
    """What a term without a field is matched against (see the module docstring)."""
    for name in BARE_FIELDS:
        yield from (_as_text(v) for v in _values(obj, name))
    for entry in _values(obj, "compute_ids"):
        text = _as_text(entry)
        yield text
        if ":" in text:
            yield text.split(":", 1)[1]


class _Parser:
    def __init__(self, query: str) -> None:
        self.toks = list(_tokens(query))
        self.pos = 0

    def peek(self) -> Token | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def take(self) -> Token:
        tok = self.toks[self.pos]
        self.pos += 1
        return tok

    def parse(self) -> Matcher:
        if not self.toks:
            raise bad_request("Invalid search query: empty query.", 60513)
        m = self.or_expr()
        if self.peek() is not None:
            raise bad_request("Invalid search query: unexpected token.", 60513)
        return m

    def or_expr(self) -> Matcher:
        parts = [self.and_expr()]
        while True:
            tok = self.peek()
            if tok is None or tok.kind == "RP":
                break
            if tok.kind == "OR":
                self.take()
            parts.append(self.and_expr())
        if len(parts) == 1:
            return parts[0]
        return lambda o: any(p(o) for p in parts)

    def and_expr(self) -> Matcher:
        parts = [self.not_expr()]
        while (tok := self.peek()) is not None and tok.kind == "AND":
            self.take()
            parts.append(self.not_expr())
        if len(parts) == 1:
            return parts[0]
        return lambda o: all(p(o) for p in parts)

    def not_expr(self) -> Matcher:
        tok = self.peek()
        if tok is not None and tok.kind == "NOT":
            self.take()
            inner = self.not_expr()
            return lambda o: not inner(o)
        return self.primary()

    def primary(self) -> Matcher:
        if self.peek() is None:
            raise bad_request("Invalid search query: unexpected end.", 60513)
        tok = self.take()
        if tok.kind == "LP":
            m = self.or_expr()
            if self.peek() is None or self.take().kind != "RP":
                raise bad_request("Invalid search query: missing ')'.", 60513)
            return m
        if tok.kind != "TERM":
            raise bad_request(f"Invalid search query near {tok.kind}.", 60513)
        field, value, vesc = self._split(tok)
        if field is not None and value == "" and (nxt := self.peek()) is not None and nxt.kind == "LP":
            self.take()
            group = self._value_group()
            return lambda o: group(_values(o, field))
        pat = _pattern(value, vesc)
        if field is None:
            return lambda o: any(pat.fullmatch(text) for text in _bare_texts(o))
        return lambda o: any(pat.fullmatch(_as_text(v)) for v in _values(o, field))

    def _split(self, tok: Token) -> tuple[str | None, str, tuple[bool, ...]]:
        for i, ch in enumerate(tok.text):
            if ch == ":" and not tok.escaped[i]:
                name = tok.text[:i]
                if _FIELD.match(name):
                    return name, tok.text[i + 1 :], tok.escaped[i + 1 :]
                break
        return None, tok.text, tok.escaped

    def _value_group(self) -> Callable[[list[Any]], bool]:
        pats: list[re.Pattern[str]] = []
        mode = "OR"
        while True:
            tok = self.peek()
            if tok is None:
                raise bad_request("Invalid search query: missing ')'.", 60513)
            self.take()
            if tok.kind == "RP":
                break
            if tok.kind in ("AND", "OR"):
                mode = tok.kind
                continue
            if tok.kind != "TERM":
                raise bad_request("Invalid search query in a value group.", 60513)
            pats.append(_pattern(tok.text, tok.escaped))

        def match(values: list[Any]) -> bool:
            hits = [any(p.fullmatch(_as_text(v)) for v in values) for p in pats]
            return all(hits) if mode == "AND" else any(hits)

        return match


def compile_query(query: str) -> Matcher:
    return _Parser(query).parse()
