"""Helpers of the prose extractor's tests: the annotated sets."""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).parent / "data"


def load_jsonl(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]
