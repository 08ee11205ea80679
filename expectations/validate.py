"""validate_batch: one batch, one DataFrame, one GX suite run against the stored baseline.

Steps: build the frame (one row per Observation) → read the stored figures the batch
touches (one query per source) → compute the parameter columns (identities, bands,
stored values, completeness, reference figures) with whole-array operations → run
the kind's suite once → turn GX's result into named failures with sample rows →
write the summary page (and GX's Data Docs page).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from expectations import crosssource, kcs_month, releases, structured, vn_customs
from expectations.checks import KEY_COLUMNS, Check
from expectations.report import Batch, FailedCheck, ValidationReport, describe_value, render_summary, slug
from tradewatch.model import countries, utcnow

SUITES = {
    "all_partners": kcs_month.checks,
    "structured": structured.checks,
    "release": releases.checks,
    "mirror": structured.mirror_checks,
}
_SAMPLE_BASE = (*KEY_COLUMNS, "value_usd", "precision_usd")


def suite_parameters(settings, today) -> dict:
    """The suites' run-time parameters: known reporters and partners, the last publishable day, the tolerances."""
    from expectations.frame import last_publishable_day

    alpha3 = sorted(c.alpha3 for c in countries())
    return {
        "reporters": sorted(set(settings.reporters) | set(alpha3)),
        "partners": alpha3,
        "last_publishable_day": last_publishable_day(today),
        "revision_tolerance_pct": float(settings.revision_tolerance_pct),
        "min_partners": int(settings.min_partners),
    }


def plain(obj: Any) -> Any:
    """JSON-safe: numpy scalars to Python, NaN/inf to None (PostgreSQL's JSON has no NaN)."""
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set)):
        return [plain(v) for v in obj]
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, int):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    item = getattr(obj, "item", None)  # numpy scalar
    if callable(item):
        try:
            return plain(item())
        except Exception:
            pass
    if isinstance(obj, (date, datetime)):
        return obj.isoformat()
    return str(obj)


def _months_back(d: date, months: int) -> date:
    idx = d.year * 12 + d.month - 1 - months
    return date(idx // 12, idx % 12 + 1, 1)


def _ymd(n: int) -> date:
    return date(n // 10000, n // 100 % 100, n % 100)


def _stored_query(df, settings) -> dict[str, Any] | None:
    """What ``_load_stored`` reads for ``df``: sources, reporters, commodities, partners (None: all) and the
    period starts ``since..until``; None if ``df`` has no valid period."""
    valid = df["period_start"] > 0
    if not valid.any():
        return None
    first = _ymd(int(df.loc[valid, "period_start"].min()))
    last = _ymd(int(df.loc[valid, "period_start"].max()))
    # months: a window of baseline_months year-on-year changes needs 12 more; other
    # periods are compared year by year (baseline_months // 12 changes, one year more)
    months = settings.baseline_months + 12
    if set(df["period_kind"].unique()) - {"month"}:
        months = max(months, 12 * (max(1, settings.baseline_months // 12) + 1))

    def distinct(col: str) -> set:
        return {v for v in df[col].unique() if isinstance(v, str)}

    partners = distinct("partner")
    return {
        "sources": distinct("source"),
        "reporters": distinct("reporter"),
        "commodities": distinct("commodity"),
        "partners": partners if len(partners) <= 50 else None,
        "since": _months_back(first, months),
        "until": last,
    }


def _load_stored(session, df, settings, pending: Sequence[Any] = (), read: StoredRows | None = None) -> dict[str, list]:
    """The stored figures ``df`` is judged against (see ``db.baseline_queries``).

    ``pending``: frames of figures that batches validated before this one, in the same
    run, will have stored by the time this one is stored (``validate_together``); they
    count as stored, over the database's rows of the same key. ``read``: the database's
    rows for several batches, read once (``StoredRows``), instead of a query here.
    """
    q = _stored_query(df, settings)
    if q is None:
        return {}
    if read is not None:
        merged = read.select(q)
    else:
        from db.baseline_queries import stored_series

        merged = {}
        for source in sorted(q["sources"]):
            part = stored_series(
                session,
                source=source,
                reporters=q["reporters"],
                commodities=q["commodities"],
                since=q["since"],
                until=q["until"],
                partners=q["partners"],
            )
            for k, v in part.items():
                merged.setdefault(k, []).extend(v)
    if pending:
        merged = _overlay(merged, pending, df, q["since"], q["until"], q["partners"])
    return merged


class StoredRows:
    """The database's rows that several batches' ``_load_stored`` would read, read in one query per source.

    ``select(q)`` gives what the query ``q`` of one batch would have given (the same rows, grouped by
    source in the same order), filtered in memory. The database must not change in between
    (``validate_together`` reads before any of its batches is stored).
    """

    def __init__(self, session, queries: Sequence[dict[str, Any]]):
        import numpy as np

        from db.baseline_queries import COLUMNS, stored_series
        from expectations.frame import _period_info

        self.columns: dict[str, Any] = {}
        if not queries:
            return
        partners: set[str] | None = set()
        for q in queries:
            if q["partners"] is None or partners is None:
                partners = None
            else:
                partners |= q["partners"]
        union: dict[str, list] = {c: [] for c in COLUMNS}
        for source in sorted(set().union(*(q["sources"] for q in queries))):
            part = stored_series(
                session,
                source=source,
                reporters=set().union(*(q["reporters"] for q in queries)),
                commodities=set().union(*(q["commodities"] for q in queries)),
                since=min(q["since"] for q in queries),
                until=max(q["until"] for q in queries),
                partners=partners,
            )
            for k, v in part.items():
                union[k].extend(v)
        for c in COLUMNS:
            arr = np.empty(len(union[c]), dtype=object)
            arr[:] = union[c]
            self.columns[c] = arr
        cache: dict = {}
        self.start = np.fromiter(
            (_period_info(p, cache)[2] for p in union["period"]), dtype=np.int64, count=len(union["period"])
        )

    def select(self, q: dict[str, Any]) -> dict[str, list]:
        import numpy as np
        import pandas as pd

        from db.baseline_queries import COLUMNS

        if not q["sources"]:
            return {}
        if not self.columns or not len(self.start):
            return {c: [] for c in COLUMNS} if self.columns else {}
        lo = q["since"].year * 10000 + q["since"].month * 100 + q["since"].day
        hi = q["until"].year * 10000 + q["until"].month * 100 + q["until"].day
        keep = (self.start >= lo) & (self.start <= hi)

        def among(col: str, values) -> Any:
            return pd.Series(self.columns[col], copy=False).isin(sorted(values)).to_numpy()

        keep &= among("reporter", q["reporters"]) & among("commodity", q["commodities"])
        if q["partners"] is not None:
            keep &= among("partner", q["partners"])
        out: dict[str, list] = {c: [] for c in COLUMNS}
        source = self.columns["source"]
        for src in sorted(q["sources"]):
            rows = np.flatnonzero(keep & (source == src))
            for c in COLUMNS:
                out[c].extend(self.columns[c][rows].tolist())
        return out


def _overlay(merged: dict[str, list], pending: Sequence[Any], df, since: date, last: date, partners) -> dict[str, list]:
    """``merged`` with the rows of ``pending`` frames that the same query would have read."""
    import pandas as pd

    from db.baseline_queries import COLUMNS

    lo, hi = since.year * 10000 + since.month * 100 + since.day, last.year * 10000 + last.month * 100 + last.day
    sources = {v for v in df["source"].unique() if isinstance(v, str)}
    reporters = {v for v in df["reporter"].unique() if isinstance(v, str)}
    commodities = {v for v in df["commodity"].unique() if isinstance(v, str)}
    parts = []
    for frame in pending:
        if not len(frame):
            continue
        ps = frame["period_start"]
        if int(ps.max()) < lo or int(ps.min()) > hi:
            continue
        keep = (ps >= lo) & (ps <= hi) & frame["source"].isin(sources)
        keep &= frame["reporter"].isin(reporters) & frame["commodity"].isin(commodities)
        if partners is not None:
            keep &= frame["partner"].isin(partners)
        if keep.any():
            parts.append(frame.loc[keep, list(COLUMNS)])
    if not parts:
        return merged
    frames = [pd.DataFrame({c: merged.get(c, []) for c in COLUMNS}), *parts] if merged else parts
    both = pd.concat(frames, ignore_index=True)
    # the latest write of a key is the stored one: a pending figure over the database's
    both = both.drop_duplicates(subset=list(KEY_COLUMNS), keep="last")
    return {c: both[c].tolist() for c in COLUMNS}


def _sample_rows(df, check: Check, result: dict[str, Any]) -> list[dict[str, Any]]:
    idx = result.get("partial_unexpected_index_list") or []
    rows: list[int] = []
    for i in idx:
        if isinstance(i, dict):  # {"index": ...} forms
            i = i.get("index", next(iter(i.values()), None))
        if isinstance(i, (int,)) or hasattr(i, "item"):
            rows.append(int(i))
    if not rows:
        return []
    cols = [c for c in (*_SAMPLE_BASE, *_check_columns(check), *check.show) if c in df.columns]
    cols = list(dict.fromkeys(cols))
    sample = df.loc[[r for r in rows if r in df.index], cols]
    return [plain(dict(zip(cols, rec, strict=True))) for rec in sample.itertuples(index=False, name=None)]


def _check_columns(check: Check) -> list[str]:
    kw = check.kwargs
    return [c for c in (kw.get("column"), kw.get("column_A"), kw.get("column_B")) if c] + list(
        kw.get("column_list") or []
    )


def _row_text(row: dict[str, Any]) -> str:
    per = row.get("period")
    com = row.get("commodity")
    return f"{row.get('reporter')} {row.get('flow')} {row.get('partner')} {per}{'' if com in (None, 'TOTAL') else ' HS ' + str(com)}"


def _details(check: Check, result: dict[str, Any], sample: list[dict[str, Any]], exception: str | None) -> str:
    if exception:
        return f"the check could not run: {exception}"
    parts = []
    if "unexpected_count" in result and result.get("element_count") is not None:
        parts.append(f"{result['unexpected_count']:,} of {result['element_count']:,} rows unexpected")
    elif "observed_value" in result:
        parts.append(f"observed {describe_value(result['observed_value'])}")
    col = check.kwargs.get("column")
    examples = []
    for row in sample[:3]:
        try:
            examples.append(_example(check, col, row))
        except (TypeError, ValueError):  # a value missing from the row: say it plainly
            examples.append(f"{_row_text(row)} ({', '.join(f'{k}={row.get(k)}' for k in _check_columns(check))})")
    if not examples and result.get("partial_unexpected_list"):
        examples.append("e.g. " + describe_value(result["partial_unexpected_list"]))
    return "; ".join(parts + examples) if examples or parts else "failed"


def _example(check: Check, col: str | None, row: dict[str, Any]) -> str:
    """One failing row as a sentence."""
    g = row.get
    where = f"{g('reporter')} {g('period')} ({g('source')})"
    if col == "baseline_z":
        return (
            f"{_row_text(row)} = {g('value_usd'):,} vs {g('year_earlier_usd'):,.0f} a year earlier: "
            f"yoy log change {g('yoy_log'):+.2f} outside the band [{g('band_lo'):+.2f}, {g('band_hi'):+.2f}] "
            f"({int(g('band_history') or 0)} changes of history)"
        )
    if col == "revision_pct":
        return f"{_row_text(row)}: stored {g('stored_usd'):,.0f}, new {g('value_usd'):,} ({g('revision_pct'):.1f} %)"
    if col == "missing_watched":
        return f"{where} lacks {g('missing_watched')}"
    if col == "lost_partners":
        return f"{where} loses {g('lost_partners')}"
    if col == "month_partners":
        return f"{where} has {int(g('month_partners') or 0)} partners"
    if col == "reference_gap_roundings":
        return f"{_row_text(row)} = {g('value_usd'):,} vs {g('reference_usd'):,.0f} stored (±{g('reference_tol_usd'):,.0f})"
    if col in ("balance_gap_roundings", "total_gap_roundings"):
        expected = g("balance_expected") if col == "balance_gap_roundings" else g("total_expected")
        return f"{_row_text(row)} = {g('value_usd'):,} vs {expected:,.0f} (±{g('identity_tol_usd'):,.0f})"
    if check.kwargs.get("column_B") in ("balance_expected", "total_expected"):
        return f"{_row_text(row)} = {g('value_usd'):,} but export {g('export_usd'):,.0f}, import {g('import_usd'):,.0f}"
    if col == "period_end":
        return f"{_row_text(row)} ends {g('period_end')}"
    return f"{_row_text(row)} ({', '.join(f'{k}={g(k)}' for k in _check_columns(check))})"


def validate_batch(
    session, batch: Batch, settings, *, run_id: str | None = None, data_docs: bool = True
) -> ValidationReport:
    """Validate ``batch`` against the stored figures, before it is stored.

    ``session`` is only read from. The report says which expectations failed, with
    sample rows; ``data_docs_path`` is the Data Docs page (GX's, or the
    self-contained summary when GX's was not written).
    """
    from expectations import gx
    from expectations.baseline import add_history_columns
    from expectations.frame import add_identity_columns, add_value_columns, build_frame

    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    today = batch.today or settings.run_today()
    df = build_frame(batch.observations)
    add_identity_columns(df)
    add_value_columns(df)
    timings["frame"] = time.perf_counter() - t0

    t = time.perf_counter()
    stored = _load_stored(session, df, settings) if len(df) else {}
    timings["query"] = time.perf_counter() - t
    t = time.perf_counter()
    bstats = add_history_columns(df, stored, baseline_months=settings.baseline_months, k=settings.baseline_k)
    extra: dict[str, Any] = {}
    notes: list[str] = []
    if batch.kind == "all_partners":
        extra["completeness"] = kcs_month.add_completeness_columns(
            df, stored, watched=list(settings.watched_partners), min_partners=settings.min_partners
        )
    if batch.kind == "release":
        ref = crosssource.add_reference_columns(df, session)
        notes.extend(ref.pop("notes"))
        extra["cross_source"] = ref
    timings["baseline"] = time.perf_counter() - t

    parameters = suite_parameters(settings, today)
    checks = SUITES[batch.kind]()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    run_name = slug(f"{batch.key}" + (f" {run_id}" if run_id else ""))
    docs_dir = Path(settings.data_docs_dir) if data_docs else None
    gxrun = gx.run_checks(batch.kind, checks, df, parameters, docs_dir=docs_dir, run_name=run_name)
    timings["gx_validate"] = gxrun.seconds_validate
    timings["gx_data_docs"] = gxrun.seconds_docs

    t = time.perf_counter()
    failed: list[FailedCheck] = []
    summary_checks: list[dict[str, Any]] = []
    for cr in gxrun.results:
        c = cr.check
        gx_name = _snake(c.gx_type)
        observed = _observed(cr.result)
        summary_checks.append(
            {"name": c.name, "type": gx_name, "column": c.column, "success": cr.success, "observed": observed}
        )
        if cr.success:
            continue
        sample = _sample_rows(df, c, cr.result)
        failed.append(
            FailedCheck(f"{c.name} ({gx_name})", c.column, _details(c, cr.result, sample, cr.exception), sample)
        )

    if batch.kind == "mirror":
        mnotes, mrows = crosssource.mirror_differences(df, session, reporters=list(settings.reporters))
        notes.extend(mnotes)
        extra["mirror"] = mrows
    if batch.source == vn_customs.SOURCE:  # the bulletin against the headline table: reported, not failed
        notes.extend(vn_customs.bulletin_vs_headline(df, session))
    if not len(df):
        notes.append("empty batch: nothing to validate")
    timings["report"] = time.perf_counter() - t

    statistics: dict[str, Any] = {
        "gx": gxrun.statistics,
        "rows_by_flow": plain(df["flow"].value_counts().to_dict()) if len(df) else {},
        "periods": sorted(str(p) for p in df["period"].unique()) if len(df) else [],
        "baseline": vars(bstats),
        "stored_rows_read": len(stored.get("value_usd", [])) if stored else 0,
        "timings": timings,
        "gx_data_docs_page": gxrun.page,
        **extra,
    }
    if len(statistics["periods"]) > 60:
        statistics["periods"] = [*statistics["periods"][:3], "…", *statistics["periods"][-3:]]
    report = ValidationReport(
        success=bool(gxrun.success) and not failed,
        failed=failed,
        n_rows=len(df),
        seconds=0.0,
        statistics={},
        result=gxrun.result,
        data_docs_path=gxrun.page,
        notes=notes,
        checks=summary_checks,
        batch_key=batch.key,
        source=batch.source,
        kind=batch.kind,
    )
    report.statistics = plain(statistics)
    report.seconds = time.perf_counter() - t0
    if data_docs:
        mark = "" if report.success else ".FAILED"
        path = Path(settings.data_docs_dir) / "summaries" / f"{stamp}-{slug(batch.key, 60)}{mark}.html"
        gx_page = None
        if gxrun.page:
            try:
                gx_page = Path(gxrun.page).resolve().relative_to(path.parent.parent.resolve()).as_posix()
                gx_page = "../" + gx_page
            except ValueError:
                gx_page = Path(gxrun.page).as_uri()
        report.statistics["summary_html"] = str(path)
        render_summary(report, path, gx_page=gx_page)
        if not report.data_docs_path:
            report.data_docs_path = str(path)
        report.seconds = time.perf_counter() - t0
    report.statistics["timings"]["total"] = report.seconds
    return report


# Kinds whose suite reads nothing but the batch and its own series' stored history:
# batches of these kinds can be validated together (``validate_together``).
TOGETHER_KINDS = ("all_partners", "structured")


def validate_together(
    session,
    batches: Sequence[Batch],
    settings,
    *,
    stores: Sequence[Sequence[Any]] | None = None,
    run_id: str | None = None,
) -> list[ValidationReport | None]:
    """Validate several batches with one Great Expectations run per kind.

    The batches are judged as if validated and stored one after the other, in order:
    each batch's parameter columns (bands, stored values, completeness) are computed
    from the database plus ``stores[j]`` of every batch ``j`` before it (the figures
    batch ``j`` will store if it passes; default its observations). Their frames are
    then checked together, and every unexpected row is traced back to its batch.

    Returns, per batch, its passing report, or ``None`` where a check found something
    in its rows (or could not say whose rows): validate that batch alone with
    ``validate_batch``, at its turn, which names the failure and writes the Data Docs
    page. A batch validated alone that fails is not stored: the batches after it were
    screened with its figures as history, so screen them again without them.
    """
    import bisect

    import numpy as np
    import pandas as pd

    from db.baseline_queries import COLUMNS
    from expectations import gx
    from expectations.baseline import add_history_columns
    from expectations.frame import add_identity_columns, add_value_columns, build_frame

    if not batches:
        return []
    kinds = {b.kind for b in batches}
    if not kinds <= set(TOGETHER_KINDS):
        raise ValueError(f"validate_together takes batches of the kinds {TOGETHER_KINDS}, not {sorted(kinds)}")
    today = batches[0].today or settings.run_today()
    t_all = time.perf_counter()
    frames: list[Any] = []  # each batch's frame, until its kind's joint frame is built
    pending: list[Any] = []
    prepared: list[dict[str, Any]] = []
    built: list[Any] = []
    for batch in batches:
        t0 = time.perf_counter()
        df = build_frame(batch.observations)
        add_identity_columns(df)
        add_value_columns(df)
        built.append((df, time.perf_counter() - t0))
    # the database's rows every batch is judged against, read once for all of them
    read = StoredRows(session, [q for df, _ in built if len(df) and (q := _stored_query(df, settings)) is not None])
    for i, batch in enumerate(batches):
        df, seconds = built[i]
        built[i] = None
        t0 = time.perf_counter() - seconds
        stored = _load_stored(session, df, settings, pending, read) if len(df) else {}
        bstats = add_history_columns(df, stored, baseline_months=settings.baseline_months, k=settings.baseline_k)
        extra: dict[str, Any] = {}
        if batch.kind == "all_partners":
            extra["completeness"] = kcs_month.add_completeness_columns(
                df, stored, watched=list(settings.watched_partners), min_partners=settings.min_partners
            )
        # what this batch stores if it passes: history for the batches after it
        if stores is None:
            will = np.ones(len(df), dtype=bool)
        else:
            ids = {id(o) for o in stores[i]}
            will = np.fromiter((id(o) in ids for o in batch.observations), dtype=bool, count=len(df))
        pending.append(df.loc[will, [*COLUMNS, "period_start"]])
        frames.append(df)
        prepared.append(
            {
                "n_rows": len(df),
                "rows_by_flow": plain(df["flow"].value_counts().to_dict()) if len(df) else {},
                "periods": sorted(str(p) for p in df["period"].unique()) if len(df) else [],
                "baseline": vars(bstats),
                "extra": extra,
                "stored_rows_read": len(stored.get("value_usd", [])) if stored else 0,
                "seconds": time.perf_counter() - t0,
            }
        )
        del stored
    parameters = suite_parameters(settings, today)
    # one Great Expectations run per kind (each kind has its suite)
    flagged: set[int] = set()
    runs: dict[str, Any] = {}
    shared: dict[str, dict[str, Any]] = {}
    for kind in sorted(kinds):
        members = [i for i, b in enumerate(batches) if b.kind == kind]
        parts = [frames[i] for i in members]
        offsets = np.cumsum([0, *(len(f) for f in parts)]).tolist()
        combined = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        for i in members:  # the joint frame holds them now
            frames[i] = None
        del parts
        run_name = slug(f"{len(members)} batches {batches[members[0]].key}" + (f" {run_id}" if run_id else ""))
        gxrun = gx.run_checks(
            kind, SUITES[kind](), combined, parameters, docs_dir=None, run_name=run_name, every_index=True
        )
        n_combined = len(combined)
        del combined
        runs[kind] = gxrun
        found: set[int] = set()
        for cr in gxrun.results:
            if cr.success:
                continue
            rows = _every_index(cr.result) if not cr.exception else None
            if rows is None:  # a table-level check, or no index: whose rows cannot be said
                found = set(range(len(members)))
                break
            found.update(bisect.bisect_right(offsets, r) - 1 for r in rows)
        if not gxrun.success and not found:
            found = set(range(len(members)))
        flagged.update(members[k] for k in found)
        shared[kind] = {
            "batches": len(members),
            "rows": n_combined,
            "gx_validate_seconds": round(gxrun.seconds_validate, 3),
        }
    seconds_all = round(time.perf_counter() - t_all, 3)
    out: list[ValidationReport | None] = []
    for i, (batch, prep) in enumerate(zip(batches, prepared, strict=True)):
        if i in flagged:
            out.append(None)
            continue
        gxrun = runs[batch.kind]
        together = {**shared[batch.kind], "seconds": seconds_all}
        summary_checks = []
        for cr in gxrun.results:
            c = cr.check
            observed = (
                f"0 of {prep['n_rows']:,} unexpected" if "unexpected_count" in cr.result else _observed(cr.result)
            )
            summary_checks.append(
                {"name": c.name, "type": _snake(c.gx_type), "column": c.column, "success": True, "observed": observed}
            )
        seconds = prep["seconds"] + gxrun.seconds_validate * prep["n_rows"] / max(1, together["rows"])
        statistics: dict[str, Any] = {
            "rows_by_flow": prep["rows_by_flow"],
            "periods": prep["periods"],
            "baseline": prep["baseline"],
            "stored_rows_read": prep["stored_rows_read"],
            "validated_together": together,
            **prep["extra"],
        }
        if len(statistics["periods"]) > 60:
            statistics["periods"] = [*statistics["periods"][:3], "…", *statistics["periods"][-3:]]
        report = ValidationReport(
            success=True,
            failed=[],
            n_rows=prep["n_rows"],
            seconds=seconds,
            statistics=plain(statistics),
            result={"success": True, "validated_together": together, "statistics": gxrun.statistics},
            data_docs_path=None,
            notes=[] if prep["n_rows"] else ["empty batch: nothing to validate"],
            checks=summary_checks,
            batch_key=batch.key,
            source=batch.source,
            kind=batch.kind,
        )
        out.append(report)
    return out


def _every_index(result: dict[str, Any]) -> list[int] | None:
    """Every unexpected row's index in a COMPLETE result, or None if it has none."""
    idx = result.get("unexpected_index_list")
    if idx is None:
        return None
    rows: list[int] = []
    for i in idx:
        if isinstance(i, dict):
            i = i.get("index", next(iter(i.values()), None))
        if isinstance(i, bool) or not (isinstance(i, int) or hasattr(i, "item")):
            return None
        rows.append(int(i))
    if result.get("unexpected_count") and len(rows) < int(result["unexpected_count"]):
        return None
    return rows


def _snake(name: str) -> str:
    out: list[str] = []
    for ch in name:
        if ch.isupper() and out:
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


def _observed(result: dict[str, Any]) -> str:
    if "unexpected_count" in result:
        n = result.get("unexpected_count") or 0
        total = result.get("element_count") or 0
        s = f"{n:,} of {total:,} unexpected"
        if n and result.get("partial_unexpected_list"):
            s += ": " + describe_value(result["partial_unexpected_list"][:5])
        return s
    if "observed_value" in result:
        return describe_value(result["observed_value"])
    return ""


def record_validation(session, batch: Batch, report: ValidationReport, run_id: str | None):
    """Write the report to ``validation_runs`` (in the caller's transaction) and return the row."""
    from db.models import ValidationRunRow

    body = plain(report.to_dict())
    body["result"] = plain(report.result)
    row = ValidationRunRow(
        run_id=run_id,
        source=batch.source,
        batch_key=batch.key[:128],
        created_at=utcnow(),
        success=bool(report.success),
        n_rows=int(report.n_rows),
        failed=plain([f.to_dict() for f in report.failed]),
        report=body,
        data_docs=report.data_docs_path,
        seconds=float(report.seconds),
    )
    session.add(row)
    session.flush()
    report.validation_run_id = row.id
    return row
