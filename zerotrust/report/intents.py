"""Intent results as the report reads them: a small JSON format any checker can write.

``[{"intent": "pod:shop/frontend -> vm:orders-db tcp/5432 allow", "owner": "app:shop",
"expected": "ALLOW", "actual": "DROP", "ok": false, "witness": "<flow>", "chain": ["..."]}]``
``witness`` and ``chain`` (the decision chain, a list of lines or one string) only matter for
broken intents. The report does not compute intents; it shows what it is given.
"""

from __future__ import annotations

import json

from pydantic import BaseModel, ConfigDict, TypeAdapter


class IntentResult(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    intent: str
    owner: str = ""
    expected: str = ""
    actual: str = ""
    ok: bool
    witness: str | None = None
    chain: list[str] | str | None = None

    def chain_lines(self) -> list[str]:
        if self.chain is None:
            return []
        return self.chain.splitlines() if isinstance(self.chain, str) else list(self.chain)


_RESULTS = TypeAdapter(list[IntentResult])


def parse_intents(text: str) -> list[IntentResult]:
    return _RESULTS.validate_python(json.loads(text))
