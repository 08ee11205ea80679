"""Quarantine review in the Prefect UI: one ``review-quarantine`` flow run per quarantined batch.

The run that quarantined a batch starts its review run (``start_reviews``, through the
``review-quarantine`` deployment; one run per batch: the idempotency key names it). The
review run shows what failed as a markdown artifact (the expectations, the rows, the
stored values they would replace, the Data Docs page) and *suspends*, waiting for a
``ReviewDecision`` typed in the UI (decision, reason, reviewer). Resuming applies
``db.quarantine.decide`` — the very function ``tradewatch quarantine accept|reject``
calls. A batch decided from the command line meanwhile is closed here too (the CLI
cancels its suspended review run, ``close_reviews``; a resumed run whose batch is no
longer pending says so and decides nothing). An unanswered review times out after
``review_timeout_hours`` (default 7 days) and the batch stays quarantined.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from prefect import flow, get_run_logger
from prefect.input import RunInput
from pydantic import Field

from db import Database
from db.models import QuarantineRow, ValidationRunRow
from db.quarantine import QuarantineError, decide, get_quarantine, rows_to_batch
from flows.secrets import run_settings

log = logging.getLogger("tradewatch.review")

DEPLOYMENT = "review-quarantine/review-quarantine"
MAX_ROWS_SHOWN = 40


class ReviewDecision(RunInput):
    """The form the Prefect UI shows on a suspended review run."""

    decision: Literal["accept", "reject"] = Field(
        description="accept: store the batch as validated; reject: keep it out for good."
    )
    reason: str = Field(min_length=3, description="Why (kept with the decision, shown by `tradewatch quarantine`).")
    reviewer: str = Field(min_length=1, description="Who decides (your name or handle).")


def review_tag(qid: int) -> str:
    return f"quarantine-{qid}"


def _money(v: int | None) -> str:
    if v is None:
        return "–"
    return f"{v:,}"


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ")


def review_markdown(session, row: QuarantineRow, settings: Any = None) -> str:
    """What a reviewer needs to decide: what failed, the rows, what they would replace, the Data Docs page.

    The Data Docs page is linked through ``public_base_url`` when the settings have one, else by its path.
    """
    from db.store import load_current
    from flows.artifacts import file_link

    lines = [f"# Quarantined batch #{row.id}: `{row.batch_key}`", ""]
    lines += [
        f"- source: **{row.source}**, rows: **{row.n_rows}**, quarantined {row.created_at:%Y-%m-%d %H:%M} UTC"
        f" by run `{row.run_id or '?'}`",
        f"- state: **{row.state}**" + (f" (by {row.decided_by}: {_md(row.decision_note)})" if row.decided_by else ""),
        "",
        "## Failed expectations",
        "",
    ]
    vrun = session.get(ValidationRunRow, row.validation_run_id) if row.validation_run_id else None
    failed = (vrun.failed if vrun is not None else None) or []
    if failed:
        for f in failed:
            if isinstance(f, dict):
                name = f.get("expectation") or f.get("name") or "?"
                details = f.get("details") or ""
                lines.append(f"- **{_md(name)}**" + (f": {_md(details)}" if details else ""))
            else:
                lines.append(f"- {_md(f)}")
    else:
        lines += [f"- {_md(part.strip())}" for part in row.reason.split(";") if part.strip()]
    docs = vrun.data_docs if vrun is not None else None
    if docs and settings is not None:
        docs = file_link(settings, docs)
    if docs:
        lines += ["", f"Validation report (Great Expectations Data Docs): [{docs}]({docs})"]

    observations, claims = rows_to_batch(row.rows)
    current = load_current(session, observations)
    changed, new, same = [], [], 0
    for o in observations:
        c = current.get(o.key)
        if c is None:
            new.append((o, None))
        elif o.same_figure(c[1], c[2]):
            same += 1
        else:
            changed.append((o, c[1]))

    def rel(item) -> float:
        o, old = item
        return abs(o.value_usd - old) / max(abs(old), 1)

    changed.sort(key=rel, reverse=True)
    lines += [
        "",
        "## The rows",
        "",
        f"{len(changed)} would replace a stored value, {len(new)} are new, {same} equal what is stored"
        + (f"; {len(claims)} rank claim(s)" if claims else "")
        + f". Largest changes first (at most {MAX_ROWS_SHOWN} rows shown).",
        "",
        "| reporter | partner | flow | period | commodity | stored USD | this batch USD | change |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for o, old in (changed + new)[:MAX_ROWS_SHOWN]:
        change = f"{(o.value_usd - old) / old * 100:+.1f}%" if old else "new"
        lines.append(
            f"| {o.reporter} | {o.partner} | {getattr(o.flow, 'value', o.flow)} | {o.period} | {o.commodity} | "
            f"{_money(old)} | {_money(o.value_usd)} | {change} |"
        )
    lines += [
        "",
        "## Decide",
        "",
        "Resume this run (**Resume** in the run's page) and fill in *decision* (accept stores the batch,"
        " reject keeps it out), *reason* and *reviewer*. The same decision from a shell:"
        f" `tradewatch quarantine accept {row.id} -m WHY` or `tradewatch quarantine reject {row.id} -m WHY`.",
    ]
    return "\n".join(lines)


def _review_name() -> str:
    from prefect.runtime import flow_run

    return f"review quarantine #{flow_run.parameters.get('quarantine_id')}"


@flow(
    name="review-quarantine",
    flow_run_name=_review_name,
    log_prints=True,
    description="Show a quarantined batch and wait (suspended) for an analyst to accept or reject it.",
)
def review_quarantine(
    quarantine_id: int = Field(..., ge=1, description="The quarantined batch (tradewatch quarantine list)."),
    timeout_hours: float | None = Field(
        None, gt=0, description="How long to wait for a decision; empty = TRADEWATCH_REVIEW_TIMEOUT_HOURS (7 days)."
    ),
) -> dict[str, Any]:
    from prefect.artifacts import create_markdown_artifact
    from prefect.flow_runs import suspend_flow_run

    logger = get_run_logger()
    settings = run_settings()
    db = Database(settings.database_url)
    with db.session() as s:
        row = get_quarantine(s, quarantine_id)
        if row.state != "pending":
            logger.info("batch #%d is already %s by %s: nothing to review", row.id, row.state, row.decided_by)
            return {"quarantine_id": row.id, "state": row.state, "decided_by": row.decided_by}
        create_markdown_artifact(
            key=f"quarantine-{row.id}",
            markdown=review_markdown(s, row, settings),
            description=f"quarantined batch #{row.id} {row.batch_key}: what failed, the rows, what they would replace",
        )
    hours = timeout_hours or settings.review_timeout_hours
    # Suspends: the process is freed; resuming with input starts this function again,
    # and this call then returns the input at once (same key).
    answer = suspend_flow_run(wait_for_input=ReviewDecision, timeout=int(hours * 3600), key=f"review-{quarantine_id}")
    try:
        with db.transaction() as s:
            done = decide(s, quarantine_id, answer.decision, answer.reviewer, answer.reason)
            state, by = done.state, done.decided_by
    except QuarantineError as exc:  # decided meanwhile (the CLI, another review): nothing to do
        logger.warning("%s", exc)
        with db.session() as s:
            row = get_quarantine(s, quarantine_id)
            return {"quarantine_id": row.id, "state": row.state, "decided_by": row.decided_by, "note": str(exc)}
    logger.info("batch #%d %s by %s: %s", quarantine_id, state, by, answer.reason)
    return {"quarantine_id": quarantine_id, "state": state, "decided_by": by}


# --- the run that quarantined, and the command line ------------------------------------------------


def start_reviews(quarantined: list[dict[str, Any]]) -> dict[int, str]:
    """Start one review run per quarantined batch (idempotent: a batch never gets two); batch id -> run id.

    Needs the ``review-quarantine`` deployment on the API (``tradewatch serve``, or
    deploy/prefect.yaml); without it the batches wait for the command line, and the
    run says so in its log.
    """
    from prefect.deployments import run_deployment

    out: dict[int, str] = {}
    for q in quarantined:
        qid = int(q["id"])
        if qid in out:
            continue
        try:
            fr: Any = run_deployment(
                DEPLOYMENT,
                parameters={"quarantine_id": qid},
                timeout=0,
                as_subflow=False,
                tags=["tradewatch", "quarantine-review", review_tag(qid)],
                idempotency_key=f"tradewatch-review-quarantine-{qid}",
            )
        except Exception as exc:  # no deployment (ephemeral run from a shell): decide with the CLI
            log.warning("no review run for quarantined batch #%d (%s: %s)", qid, type(exc).__name__, exc)
            continue
        out[qid] = str(fr.id)
    return out


def close_reviews(qid: int, message: str) -> int:
    """Cancel the suspended review runs of batch ``qid`` (decided elsewhere); how many were closed."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
        FlowRunFilterTags,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.states import Cancelled

    closed = 0
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                tags=FlowRunFilterTags(all_=[review_tag(qid)]),
                state=FlowRunFilterState(
                    type=FlowRunFilterStateType(any_=[StateType.PAUSED, StateType.SCHEDULED, StateType.PENDING])
                ),
            )
        )
        for fr in runs:
            client.set_flow_run_state(fr.id, Cancelled(message=message), force=True)
            closed += 1
    return closed
