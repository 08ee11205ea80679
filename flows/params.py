"""Typed flow parameters: what the Prefect UI renders as the backfill form."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from scrapers import SOURCE_MODULES

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"

# An enum of the registered source ids: the UI shows a multi-select, and the API
# rejects an unknown id when the run is created, not when it starts.
if TYPE_CHECKING:
    SourceId = str  # for the type checker: callers pass the ids as strings, which the flows accept
else:
    SourceId = Enum("SourceId", {sid: sid for sid in SOURCE_MODULES}, type=str)

# The pattern is checked when a run is created (API/UI), not only when it starts.
Month = Annotated[str, Field(pattern=MONTH_PATTERN, examples=["2019-01"])]


def source_values(sources) -> list[str]:
    return [s.value if isinstance(s, Enum) else str(s) for s in (sources or [])]
