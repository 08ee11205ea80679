"""Run artifacts for the Prefect UI: a markdown summary and the current partner rankings."""

from __future__ import annotations

from typing import Any

from flows.pipeline import Run, RunSummary


def run_title(summary: RunSummary) -> str:
    """What a finished run did, as its name in the UI: ``nightly kcs: 956 new, 1 quarantined, 3 alerts``."""
    sources = ",".join(sorted(summary.sources)) or ",".join(summary.params.get("sources") or []) or "no source"
    what = f"{summary.flow} {sources}"
    if summary.flow == "backfill" and summary.params.get("start"):
        what += f" {summary.params['start']}..{summary.params.get('end')}"
    parts = [f"{summary.new_figures:,} new"]
    if summary.revisions:
        parts.append(f"{summary.revisions:,} revised")
    parts.append(f"{len(summary.quarantined)} quarantined")
    parts.append(f"{len(summary.alerts)} alert" + ("" if len(summary.alerts) == 1 else "s"))
    failed = [sid for sid, o in summary.sources.items() if o.status == "failed"]
    if failed:
        parts.append(f"{','.join(sorted(failed))} failed")
    title = f"{what}: {', '.join(parts)}"
    if summary.sample:
        title += " (SAMPLE DATA)"
    return title


def ui_url(path: str) -> str | None:
    """A page of the Prefect UI (``runs/flow-run/<id>``), when the UI's address is known."""
    try:
        from prefect.settings import PREFECT_UI_URL

        base = PREFECT_UI_URL.value()
    except Exception:  # no UI configured: an id is still shown
        return None
    return f"{str(base).rstrip('/')}/{path}" if base else None


def file_link(run_or_settings: Any, path: str | None) -> str | None:
    """A link to a file under the data directory: through ``public_base_url`` when set, else the path."""
    if not path:
        return None
    settings = getattr(run_or_settings, "settings", run_or_settings)
    base = getattr(settings, "public_base_url", None)
    if base:
        from pathlib import Path

        try:
            rel = Path(path).resolve().relative_to(Path(settings.data_dir).resolve())
            return f"{base.rstrip('/')}/{rel.as_posix()}"
        except ValueError:
            pass
    return str(path)


def summary_markdown(
    summary: RunSummary, reviews: dict[int, str] | None = None, report: str | None = None, links: Any = None
) -> str:
    d = summary.to_dict()
    reviews = reviews or {}
    lines = [f"# tradewatch {summary.flow} run `{summary.run_id}`", "", f"**{_md(run_title(summary))}**", ""]
    if summary.sample:
        lines += ["> **SAMPLE DATA** — replayed from the bundled sample archive, not official figures.", ""]
    lines += [
        f"- status: **{d['status']}**",
        f"- new figures: **{d['new_figures']}**, revisions: **{d['revisions']}**",
        f"- quarantined batches: **{len(summary.quarantined)}**",
        f"- alerts raised: **{len(summary.alerts)}**",
    ]
    corroborated = sum(o.corroborated for o in summary.sources.values())
    held_back = sum(o.held_back for o in summary.sources.values())
    if corroborated or held_back:
        lines.append(
            f"- release figures: **{corroborated}** corroborated by the official figures, **{held_back}** held back"
            " for disagreeing with them (quarantined)"
        )
    lines += [
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
            docs = file_link(links, q.get("data_docs")) if links is not None else q.get("data_docs")
            link = f" — [validation report (Data Docs)]({docs})" if docs else ""
            rid = reviews.get(int(q["id"]))
            if rid:
                url = ui_url(f"runs/flow-run/{rid}")
                review = f"[review run]({url})" if url else f"review run `{rid}`"
                decide = f"decide in its {review} or with `tradewatch quarantine accept|reject {q['id']} -m WHY`"
            else:
                decide = f"decide with `tradewatch quarantine show {q['id']}`"
            lines.append(f"- #{q['id']} `{q['batch']}`: failed {', '.join(q['failed'])}{link} ({decide})")
    if summary.alerts:
        lines += ["", "## Alerts", ""]
        for a in summary.alerts:
            state = "recorded, not sent (backfill)" if a.get("suppressed") else "queued"
            lines.append(f"- [{a['severity']}] {_md(a['title'])} — {state}")
    if summary.deliveries:
        lines += ["", "## Delivery", "", f"```\n{summary.deliveries}\n```"]
    lines += ["", "## Report", ""]
    lines.append(
        f"[The report]({report}) (as of its last `tradewatch report`)"
        if report
        else "Write the report with `tradewatch report` (charts of the balance and the partner ranking)."
    )
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


def publish(run: Run, summary: RunSummary, reviews: dict[int, str] | None = None) -> None:
    """Create the artifacts in the current Prefect run (no-op outside one)."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    report_file = run.settings.data_dir / "report.html"
    report = file_link(run, str(report_file)) if report_file.is_file() else None
    create_markdown_artifact(
        key=f"{summary.flow}-summary",
        markdown=summary_markdown(summary, reviews, report, links=run),
        description=f"tradewatch {summary.flow}: what was fetched, stored, quarantined and alerted",
    )
    for reporter, table in ranking_tables(run).items():
        create_table_artifact(
            key=f"ranking-{reporter.lower()}",
            table=table,
            description=f"{reporter}: partner ranking by total trade, {table[0]['period'] if table else ''}"
            + (" (SAMPLE DATA)" if summary.sample else ""),
        )


def publish_summary(summary: RunSummary, reviews: dict[int, str] | None = None) -> None:
    """The markdown summary alone (a release poll: no ranking tables)."""
    from prefect.artifacts import create_markdown_artifact

    create_markdown_artifact(
        key=f"{summary.flow}-summary",
        markdown=summary_markdown(summary, reviews),
        description=f"tradewatch {summary.flow}: what was fetched, stored, quarantined and alerted",
    )
