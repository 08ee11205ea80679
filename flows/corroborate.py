"""Release figures checked, one by one, against the official figure of the same key.

Called by ``flows.pipeline._validate_and_store`` for a batch of kind ``release``, before
it is validated. Each new release figure whose key (reporter, partner, flow, period,
commodity) an official structured source has stored (KCS for Korea, Vietnam customs for
Vietnam; ``expectations.crosssource.find_references``) is:

* **corroborated** when it agrees within the roundings: recorded in ``corroborations``
  (``db.corroboration``), not stored as a figure — the official one stays the figure of
  record, so the release creates no revision and raises no alert of its own;
* **held back** when it disagrees: quarantined alone (``db.quarantine``, batch key
  ``held back: …``), the reason giving both values, the difference, the reference and
  the quote, with a quality alert; never stored, so no ranking or balance alert can come
  from it. The other figures of the release go on.

A figure with no stored reference is left to the batch, stored as a release figure; the
validation's notes say it is uncorroborated.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tradewatch.model import Observation

if TYPE_CHECKING:
    from expectations.crosssource import Reference
    from flows.pipeline import Run, SourceOutcome
    from scrapers.base import Source

log = logging.getLogger("tradewatch.corroborate")

DISAGREES = "cross-source: disagrees with the stored official figure beyond the roundings"


@dataclass
class Screen:
    """What the comparison made of a release batch's new figures."""

    rest: list[Observation] = field(default_factory=list)  # no reference stored: the batch stores them
    corroborated: list[tuple[Observation, Reference]] = field(default_factory=list)
    held_back: list[tuple[Observation, Reference]] = field(default_factory=list)
    already: int = 0  # corroborations recorded by an earlier run
    _out: set[int] = field(default_factory=set, repr=False)  # ids of the figures not left to the batch

    def keep(self, observations: Sequence[Observation]) -> list[Observation]:
        """``observations`` without the figures this screen corroborated, held back or found recorded."""
        return [o for o in observations if id(o) not in self._out]

    def to_validate(self, observations: Sequence[Observation]) -> list[Observation]:
        """The batch as validated: without its held-back figures (corroborated ones stay, for the identities)."""
        held = {id(o) for o, _ in self.held_back}
        return [o for o in observations if id(o) not in held]

    @property
    def to_record(self) -> bool:
        """Something to write besides the batch's figures: a corroboration or a held-back figure."""
        return bool(self.corroborated or self.held_back)


def screen_release(run: Run, changed: Sequence[Observation]) -> Screen:
    """Sort the batch's new figures: no reference (``rest``), corroborated, held back (reads only)."""
    from db.corroboration import is_recorded, recorded
    from expectations.crosssource import figure_row, find_references

    screen = Screen()
    with run.db.reading() as s:
        refs, _notes = find_references(s, [figure_row(o) for o in changed])
        done = recorded(s, [o for o, r in zip(changed, refs, strict=True) if r is not None and r.agrees])
    for o, ref in zip(changed, refs, strict=True):
        if ref is None:
            screen.rest.append(o)
            continue
        screen._out.add(id(o))
        if not ref.agrees:
            screen.held_back.append((o, ref))
        elif is_recorded(done, o):
            screen.already += 1
        else:
            screen.corroborated.append((o, ref))
    return screen


def hold_back(session, run: Run, source: Source, batch_key: str, screen: Screen, out: SourceOutcome) -> None:
    """Quarantine each disagreeing figure alone, with a quality alert (in the caller's transaction)."""
    if not screen.held_back:
        return
    from alerts import quality_alert
    from db.corroboration import HELD_BACK_PREFIX
    from db.quarantine import quarantine_batch
    from flows.pipeline import _write_alerts

    for o, ref in screen.held_back:
        key = f"{HELD_BACK_PREFIX}{batch_key}: {_key_text(o)}"[:128]
        q = quarantine_batch(session, _One(source.id, key, [o]), _Disagreement(o, ref), run.run_id)
        if q.run_id != run.run_id:  # held back by an earlier run (and perhaps decided): nothing new
            out.unchanged += 1
            continue
        out.quarantined += 1
        out.held_back += 1
        log.warning("%s: %s", key, _details(o, ref))
        run.summary.quarantined.append(
            {"id": q.id, "source": source.id, "batch": key, "failed": [DISAGREES], "data_docs": None}
        )
        _write_alerts(session, run, [quality_alert(source.id, key, [DISAGREES], None, run.run_id)])


def corroborate(session, run: Run, screen: Screen, out: SourceOutcome) -> None:
    """Record the agreeing figures (in the caller's transaction, with the batch's other figures)."""
    from db.corroboration import record

    n = record(session, screen.corroborated, run.run_id)
    out.corroborated += n
    out.unchanged += len(screen.corroborated) - n


# --- the quarantine row of one held-back figure -------------------------------------------------


def _key_text(o: Observation) -> str:
    com = "" if o.commodity == "TOTAL" else f" HS {o.commodity}"
    return f"{o.reporter} {o.flow.value} {o.partner} {o.period}{com}"


def _details(o: Observation, ref: Reference) -> str:
    about = "about " if o.approximate else ""
    quote = (o.quote or "").strip()
    if len(quote) > 300:
        quote = quote[:299] + "…"
    return (
        f"{_key_text(o)}: the release says {about}{o.value_usd:,} USD (published to {o.precision_usd:,}), "
        f"{ref.source} has {ref.value_usd:,} USD ({ref.basis}): difference {ref.difference_usd:+,} USD, "
        f"more than the ±{ref.tolerance_usd:,.0f} USD the roundings allow; "
        f"release {o.source}{' ' + o.source_url if o.source_url else ''}; quote: “{quote}”"
    )


@dataclass
class _Check:
    expectation: str
    details: str


class _Disagreement:
    """What ``quarantine_batch`` reads of a report: the failed check, with both values and the quote."""

    validation_run_id = None

    def __init__(self, o: Observation, ref: Reference):
        self.failed = [_Check(DISAGREES, _details(o, ref))]


@dataclass
class _One:
    """What ``quarantine_batch`` reads of a batch: one figure."""

    source: str
    key: str
    observations: list[Observation]
    rank_claims: list[Any] = field(default_factory=list)
