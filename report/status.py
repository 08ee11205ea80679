"""``tradewatch status``: latest figures and ranks, the last run, source health, what is pending.

``collect_status`` returns plain JSON-able data (``--json`` prints it as is);
``print_status`` renders the same data as rich tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from db.corroboration import counts as corroboration_counts
from report import data as q
from tradewatch.model import utcnow

if TYPE_CHECKING:
    from rich.console import Console

    from db import Database
    from tradewatch.config import Settings

__all__ = ["collect_status", "print_status"]


def _pairs(settings: Settings) -> list[tuple[str, str]]:
    return settings.pairs()


def collect_status(db: Database, settings: Settings) -> dict[str, Any]:
    """Everything ``tradewatch status`` shows, as JSON-able data."""
    with db.session() as s:
        figures = []
        for reporter, partner in _pairs(settings):
            ser = q.main_series(q.pair_series(s, reporter, partner))
            item: dict[str, Any] = {
                "pair": f"{reporter}-{partner}",
                "reporter": reporter,
                "partner": partner,
                "period": None,
                "period_kind": None,
                "source": None,
                **dict.fromkeys(q.FLOWS),
            }
            last_figure = ser.latest() if ser is not None else None
            if ser is not None and last_figure:
                period, values = last_figure
                item.update(period=period, period_kind=ser.kind, source=ser.source, **values)
            figures.append(item)

        ranks = []
        for reporter in settings.reporters:
            hist = q.ranking_history(s, reporter, flow="total", months=2, years=2)
            latest, previous = hist.latest, (hist.periods[-2] if len(hist.periods) > 1 else None)
            watched = []
            if latest:
                values = {p: v for _, p, v in hist.ranks[latest]}
                for p in settings.watched_partners:
                    if p == reporter:
                        continue
                    watched.append(
                        {
                            "partner": p,
                            "rank": hist.rank_of(p, latest),
                            "value_usd": values.get(p),
                            "previous_rank": hist.rank_of(p, previous) if previous else None,
                        }
                    )
                watched.sort(key=lambda w: (w["rank"] is None, w["rank"] or 0, w["partner"]))
            ranks.append(
                {
                    "reporter": reporter,
                    "flow": "total",
                    "period": latest,
                    "period_kind": hist.kind,
                    "previous_period": previous,
                    "source": hist.source,
                    "partners": watched,
                }
            )

        by_channel = q.deliveries_by_channel(s)
        out = {
            "generated_at": utcnow().isoformat(),
            "database": db.safe_url,
            "sample": q.any_sample(s),
            "figures_stored": q.observation_count(s),
            "latest_figures": figures,
            "ranks": ranks,
            "last_run": q.last_run(s),
            "sources": q.source_health(s, settings.sources),
            "deliveries": by_channel,
            "pending_deliveries": {
                ch: sum(n for st, n in states.items() if st in q.PENDING_DELIVERY) for ch, states in by_channel.items()
            },
            "failed_deliveries": {ch: states.get("failed", 0) for ch, states in by_channel.items()},
            "channel_errors": _channel_errors(s),
            "quarantine_pending": q.pending_quarantine(s),
            "release_figures": corroboration_counts(s),
            "failure_threshold": settings.source_failure_threshold,
        }
    return out


def _channel_errors(session) -> dict[str, dict[str, Any]]:
    """Per channel with deliveries waiting or failed: the newest error and since when it fails."""
    from sqlalchemy import func, select

    from db.models import DeliveryRow

    out: dict[str, dict[str, Any]] = {}
    rows = session.execute(
        select(DeliveryRow.channel, func.min(DeliveryRow.created_at), func.count())
        .where(DeliveryRow.state.in_(("pending", "sending", "failed")), DeliveryRow.last_error.is_not(None))
        .group_by(DeliveryRow.channel)
    ).all()
    for channel, since, n in rows:
        last = session.execute(
            select(DeliveryRow.last_error)
            .where(DeliveryRow.channel == channel, DeliveryRow.last_error.is_not(None))
            .where(DeliveryRow.state.in_(("pending", "sending", "failed")))
            .order_by(DeliveryRow.id.desc())
            .limit(1)
        ).scalar()
        out[channel] = {"error": last, "since": since.isoformat() if since else None, "deliveries": n}
    return out


def _bn(v: int | None, signed: bool = False) -> str:
    if v is None:
        return "–"
    return f"{v / 1e9:+,.2f}" if signed else f"{v / 1e9:,.2f}"


def _t(v: str | None) -> str:
    return v[:16].replace("T", " ") if v else "–"


def print_status(st: dict[str, Any], console: Console) -> None:
    """Render ``collect_status`` output as rich tables."""
    from rich.table import Table

    if st.get("sample"):
        console.print("[bold white on red] SAMPLE DATA — not official figures [/]")
    console.print(
        f"[bold]tradewatch status[/]  {st['database']}  ({st['figures_stored']:,} current figures)", highlight=False
    )

    t = Table(title="Latest figures (USD bn)", title_justify="left")
    for col in ("pair", "period", "source"):
        t.add_column(col)
    for col in ("exports", "imports", "balance", "total"):
        t.add_column(col, justify="right")
    for f in st["latest_figures"]:
        bal = f["balance"]
        bal_s = _bn(bal, signed=True)
        if bal is not None:
            bal_s = f"[{'red' if bal < 0 else 'green'}]{bal_s}[/]"
        t.add_row(
            f["pair"],
            f["period"] or "no data",
            f["source"] or "–",
            _bn(f["export"]),
            _bn(f["import"]),
            bal_s,
            _bn(f["total"]),
        )
    console.print(t)

    for r in st["ranks"]:
        title = f"{r['reporter']}: ranks of watched partners by total trade"
        if r["period"]:
            title += f", {r['period']} ({r['source']})"
        t = Table(title=title, title_justify="left")
        t.add_column("partner")
        t.add_column("rank", justify="right")
        t.add_column(f"previous ({r['previous_period'] or '–'})", justify="right")
        t.add_column("USD bn", justify="right")
        if not r["partners"]:
            t.add_row("no ranking data", "", "", "")
        for p in r["partners"]:
            rank, prev = p["rank"], p["previous_rank"]
            rank_s = f"#{rank}" if rank else "–"
            if rank and prev and rank != prev:
                rank_s += f" [{'green' if rank < prev else 'red'}]({'▲' if rank < prev else '▼'}{abs(prev - rank)})[/]"
            t.add_row(p["partner"], rank_s, f"#{prev}" if prev else "–", _bn(p["value_usd"]))
        console.print(t)

    run = st["last_run"]
    if run:
        c = run["counts"]
        colour = "green" if run["status"] == "ok" else "yellow" if run["status"] in ("degraded", "running") else "red"
        console.print(
            f"[bold]Last run[/]: {run['flow']} [{colour}]{run['status']}[/] started {_t(run['started_at'])}, finished {_t(run['finished_at'])}; "
            f"fetched {c['fetched']}, stored {c['stored']}, revised {c['revised']}, quarantined {c['quarantined']}, alerts {c['alerts']}"
            + (" [bold yellow](SAMPLE DATA)[/]" if run.get("sample") else ""),
            highlight=False,
        )
    else:
        console.print("[bold]Last run[/]: none yet")

    t = Table(title="Sources", title_justify="left")
    for col in ("source", "last run", "status", "failures in a row", "last success", "last error"):
        t.add_column(col)
    for h in st["sources"]:
        status = h["last_status"] or "never run"
        if h["last_status"] == "failed":
            status = f"[red]{status}[/]"
        elif h["last_status"] in ("ok", "empty"):
            status = f"[green]{status}[/]"
        n = h["consecutive_failures"]
        n_s = f"[red]{n}[/]" if n >= st.get("failure_threshold", 3) else str(n)
        t.add_row(
            h["source"], _t(h["last_run_at"]), status, n_s, _t(h["last_success_at"]), (h["last_error"] or "")[:80]
        )
    console.print(t)

    pending = st["pending_deliveries"]
    failed = st["failed_deliveries"]
    if pending or failed:
        parts = [
            f"{ch}: {pending.get(ch, 0)} pending, {failed.get(ch, 0)} failed"
            for ch in sorted(set(pending) | set(failed))
        ]
        console.print("[bold]Deliveries[/]: " + "; ".join(parts), highlight=False)
        for ch, e in sorted((st.get("channel_errors") or {}).items()):
            console.print(
                f"  [red]{ch} failing[/] since {_t(e['since'])} ({e['deliveries']} waiting): {(e['error'] or '')[:200]}",
                highlight=False,
            )
    else:
        console.print("[bold]Deliveries[/]: none")
    qs = st["quarantine_pending"]
    if qs:
        console.print(
            f"[bold yellow]Quarantine[/]: {len(qs)} batch(es) awaiting a decision: "
            + ", ".join(f"#{x['id']} {x['source']} {x['batch_key']}" for x in qs[:5])
            + (" …" if len(qs) > 5 else "")
            + "  (tradewatch quarantine list)",
            highlight=False,
        )
    else:
        console.print("[bold]Quarantine[/]: nothing pending")
    rf = st.get("release_figures") or {}
    if rf.get("corroborated") or rf.get("held_back"):
        console.print(
            f"[bold]Release figures[/]: {rf['corroborated']} corroborated by the official figures, "
            f"{rf['held_back']} held back for disagreeing ({rf['held_back_pending']} awaiting a decision)",
            highlight=False,
        )
