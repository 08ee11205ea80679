"""Run artifacts for the Prefect UI: a markdown summary and the current partner rankings."""

from __future__ import annotations

from typing import Any

from flows.pipeline import Run, RunSummary


def summary_markdown(summary: RunSummary) -> str:
    d = summary.to_dict()
    lines = [f"# tradewatch {summary.flow} run `{summary.run_id}`", ""]
    if summary.sample:
        lines += ["> **SAMPLE DATA** — replayed from the bundled sample archive, not official figures.", ""]
    lines += [
        f"- status: **{d['status']}**",
        f"- new figures: **{d['new_figures']}**, revisions: **{d['revisions']}**",
        f"- quarantined batches: **{len(summary.quarantined)}**",
        f"- alerts raised: **{len(summary.alerts)}**",
        "",
        "| source | status | requested | fetched | not modified | parsed | stored | revised | unchanged | quarantined | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for sid, o in d["sources"].items():
        lines.append(
            f"| {sid} | {o['status']} | {o['requested']} | {o['fetched']} | {o['not_modified']} | {o['parsed']} | "
            f"{o['stored']} | {o['revised']} | {o['unchanged']} | {o['quarantined']} | {len(o['errors'])} |"
        )
    errors = [(sid, e) for sid, o in d["sources"].items() for e in o["errors"]]
    if errors:
        lines += ["", "## Source errors", ""] + [f"- **{sid}**: {_md(e)}" for sid, e in errors[:20]]
    if summary.quarantined:
        lines += ["", "## Quarantined batches", ""]
        for q in summary.quarantined:
            docs = q.get("data_docs")
            link = f" — [validation report]({docs})" if docs else ""
            lines.append(
                f"- #{q['id']} `{q['batch']}`: failed {', '.join(q['failed'])}{link} (decide with `tradewatch quarantine show {q['id']}`)"
            )
    if summary.alerts:
        lines += ["", "## Alerts", ""]
        for a in summary.alerts:
            state = "recorded, not sent (backfill)" if a.get("suppressed") else "queued"
            lines.append(f"- [{a['severity']}] {_md(a['title'])} — {state}")
    if summary.deliveries:
        lines += ["", "## Delivery", "", f"```\n{summary.deliveries}\n```"]
    return "\n".join(lines)


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def ranking_tables(run: Run) -> dict[str, list[dict[str, Any]]]:
    """The newest monthly total-trade ranking of each reporter, from what is stored."""
    from sqlalchemy import func, select

    from db.models import ObservationRow
    from tradewatch.model import rank_partners

    out: dict[str, list[dict[str, Any]]] = {}
    with run.db.session() as s:
        for reporter in run.settings.reporters:
            latest = s.execute(
                select(func.max(ObservationRow.period)).where(
                    ObservationRow.reporter == reporter,
                    ObservationRow.flow == "total",
                    ObservationRow.period_kind == "month",
                    ObservationRow.commodity == "TOTAL",
                    ObservationRow.is_current.is_(True),
                )
            ).scalar()
            if not latest:
                continue
            rows = s.execute(
                select(ObservationRow.partner, ObservationRow.value_usd, ObservationRow.source).where(
                    ObservationRow.reporter == reporter,
                    ObservationRow.flow == "total",
                    ObservationRow.period == latest,
                    ObservationRow.commodity == "TOTAL",
                    ObservationRow.is_current.is_(True),
                )
            ).all()
            by_source: dict[str, dict[str, int]] = {}
            for p, v, src in rows:
                by_source.setdefault(src, {})[p] = v
            src, values = max(by_source.items(), key=lambda kv: len(kv[1]))
            out[reporter] = [
                {
                    "rank": r,
                    "partner": p,
                    "value_usd": v,
                    "value_bn": round(v / 1e9, 3),
                    "period": latest,
                    "source": src,
                }
                for r, p, v in rank_partners(values)[: run.settings.top_n]
            ]
    return out


def publish(run: Run, summary: RunSummary) -> None:
    """Create the artifacts in the current Prefect run (no-op outside one)."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    create_markdown_artifact(
        key=f"{summary.flow}-summary",
        markdown=summary_markdown(summary),
        description=f"tradewatch {summary.flow}: what was fetched, stored, quarantined and alerted",
    )
    for reporter, table in ranking_tables(run).items():
        create_table_artifact(
            key=f"ranking-{reporter.lower()}",
            table=table,
            description=f"{reporter}: partner ranking by total trade, {table[0]['period'] if table else ''}"
            + (" (SAMPLE DATA)" if summary.sample else ""),
        )
