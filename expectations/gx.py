"""The one module that imports Great Expectations, and only inside its functions.

One ephemeral GX context per process, built on first use (the import costs ~3-4 s
and ~220 MB, so it stays off the CLI's start-up path). Usage statistics are off
(``GX_ANALYTICS_ENABLED=false`` before the import), progress bars are off, and
nothing is sent anywhere. Each kind of batch has one suite, built once per process
from its list of ``Check``; values that change per run are suite parameters.

Data Docs: one GX site per Data Docs directory (``settings.data_docs_dir``), written
with ``build_data_docs`` for the one validation result (and its suite); the site's
index page is not rebuilt, because an ephemeral context would prune every page of
earlier processes from it. ``report.py`` writes a self-contained index and summary.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from expectations.checks import Check

log = logging.getLogger(__name__)

DATASOURCE = "tradewatch"
SAMPLE_ROWS = 10
_LOCK = threading.RLock()
_STATE: dict[str, Any] = {"ctx": None, "suites": {}, "sites": {}, "suite_pages": set()}


@dataclass
class CheckResult:
    check: Check
    success: bool
    result: dict[str, Any]
    exception: str | None = None


@dataclass
class GxRun:
    success: bool
    results: list[CheckResult]
    result: dict[str, Any]  # the whole GX result, JSON-able
    statistics: dict[str, Any]
    page: str | None = None  # the Data Docs page of this validation
    seconds_validate: float = 0.0
    seconds_docs: float = 0.0


def _quiet_environment() -> None:
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    # great_expectations.data_context.types.base sets its own logger to INFO when it is
    # imported (it then announces each ephemeral docs directory): this runs again after
    # the import to quiet it.
    for name in (
        "great_expectations",
        "great_expectations.core",
        "great_expectations.data_context",
        "great_expectations.data_context.types.base",
    ):
        logging.getLogger(name).setLevel(logging.WARNING)


def context():
    """The process's GX context (ephemeral, progress bars off), created on first use."""
    with _LOCK:
        if _STATE["ctx"] is None:
            _quiet_environment()
            import great_expectations as gx
            from great_expectations.data_context.types.base import ProgressBarsConfig

            _quiet_environment()
            ctx = gx.get_context(mode="ephemeral")
            ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
            ctx.data_sources.add_pandas(DATASOURCE)
            _STATE["ctx"] = ctx
        return _STATE["ctx"]


def is_loaded() -> bool:
    return _STATE["ctx"] is not None


def _validation_definition(kind: str, checks: Sequence[Check]):
    """The suite and validation definition of ``kind``, built once per process."""
    sig = tuple((c.name, c.gx_type, repr(sorted(c.kwargs.items()))) for c in checks)
    with _LOCK:
        cached = _STATE["suites"].get((kind, sig))
        if cached is not None:
            return cached
        import great_expectations as gx
        import great_expectations.expectations as gxe

        ctx = context()
        # the first suite of a kind keeps the plain name; another set of checks for the
        # same kind (a test, a changed setting) gets a versioned one
        taken = any(k == kind for k, _ in _STATE["suites"])
        suffix = "." + hashlib.sha1(repr(sig).encode()).hexdigest()[:8] if taken else ""
        name = f"tradewatch.{kind}{suffix}"
        suite = gx.ExpectationSuite(name=name, meta={"tradewatch_kind": kind})
        for c in checks:
            cls = getattr(gxe, c.gx_type)
            suite.add_expectation(cls(**c.kwargs, meta={"tradewatch_check": c.name}, description=c.name))
        suite = ctx.suites.add(suite)
        ds = ctx.data_sources.get(DATASOURCE)
        asset_name = f"{kind}{suffix}"
        asset = ds.add_dataframe_asset(asset_name)
        bd = asset.add_batch_definition_whole_dataframe("whole batch")
        vd = ctx.validation_definitions.add(gx.ValidationDefinition(name=f"{name}.validation", data=bd, suite=suite))
        entry = (vd, suite, f"{DATASOURCE}-{asset_name}")
        _STATE["suites"][(kind, sig)] = entry
        return entry


def _site(docs_dir: Path) -> str:
    key = str(docs_dir.resolve())
    with _LOCK:
        name = _STATE["sites"].get(key)
        if name:
            return name
        name = "tradewatch_" + hashlib.sha1(key.encode()).hexdigest()[:10]
        docs_dir.mkdir(parents=True, exist_ok=True)
        context().add_data_docs_site(
            name,
            {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": key},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder", "show_how_to_buttons": False},
            },
        )
        _STATE["sites"][key] = name
        return name


def _jsonable(obj: Any) -> Any:
    """GX results hold numpy scalars and timestamps; make them plain JSON."""
    import numpy as np

    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        f = float(obj)
        return None if f != f else f
    if isinstance(obj, float):
        return None if obj != obj else obj
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    if isinstance(obj, (str, int, bool)) or obj is None:
        return obj
    return str(obj)


def run_checks(
    kind: str,
    checks: Sequence[Check],
    frame,
    parameters: dict[str, Any],
    *,
    docs_dir: Path | None = None,
    run_name: str | None = None,
    every_index: bool = False,
) -> GxRun:
    """Validate ``frame`` (one pandas DataFrame) against the suite of ``kind``.

    ``every_index``: each failing check lists every unexpected row's index
    (``unexpected_index_list``), not only a sample, so that the rows of several
    batches validated together can be traced back to their batch.
    """
    import time

    from great_expectations.core.run_identifier import RunIdentifier

    vd, suite, batch_id = _validation_definition(kind, checks)
    run_id = RunIdentifier(run_name=run_name, run_time=datetime.now(UTC))
    result_format: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_ROWS}
    if every_index:
        result_format = {"result_format": "COMPLETE", "partial_unexpected_count": SAMPLE_ROWS}
    t0 = time.perf_counter()
    with _LOCK:
        res, active_batch, stored = _validate(vd, frame, parameters, result_format, run_id)
        batch_id = active_batch or batch_id
    t1 = time.perf_counter()
    by_name = {c.name: c for c in checks}
    results: list[CheckResult] = []
    for r in res.results:
        cfg = r.expectation_config
        name = (cfg.meta or {}).get("tradewatch_check")
        check = by_name.get(str(name)) if name else None
        if check is None:
            continue
        exc = None
        info = r.exception_info or {}
        if info.get("raised_exception"):
            exc = str(info.get("exception_message"))
        results.append(CheckResult(check, bool(r.success), dict(r.result or {}), exc))
    order = {c.name: i for i, c in enumerate(checks)}
    results.sort(key=lambda cr: order[cr.check.name])  # the suite's order, not GX's
    page = None
    if docs_dir is not None:
        try:
            page = _build_docs(res, suite, batch_id, run_id, docs_dir, stored=stored)
        except Exception as exc:  # Data Docs are a convenience: never fail a validation on them
            log.warning("Data Docs for %s not written: %s: %s", kind, type(exc).__name__, exc)
    t2 = time.perf_counter()
    return GxRun(
        success=bool(res.success),
        results=results,
        result=_jsonable(res.to_json_dict()),
        statistics=_jsonable(dict(res.statistics)),
        page=page,
        seconds_validate=t1 - t0,
        seconds_docs=t2 - t1,
    )


def _validate(vd, frame, parameters: dict[str, Any], result_format: dict[str, Any], run_id):
    """What ``ValidationDefinition.run`` does, minus writing the result to the (in-memory)
    results store, which only Data Docs need (``_build_docs`` stores it then)."""
    try:
        from great_expectations.validator.v1_validator import Validator
    except ImportError:  # another GX layout: the public path
        res = vd.run(
            batch_parameters={"dataframe": frame},
            expectation_parameters=parameters,
            result_format=result_format,
            run_id=run_id,
        )
        return res, None, True
    validator = Validator(
        batch_definition=vd.batch_definition, batch_parameters={"dataframe": frame}, result_format=result_format
    )
    with _configurations_built_once():
        res = validator.validate_expectation_suite(vd.suite, parameters)
    res.meta["validation_id"] = vd.id
    res.meta["checkpoint_id"] = None
    res.meta["run_id"] = run_id
    res.meta["validation_time"] = run_id.run_time
    res.meta["batch_parameters"] = {"dataframe": "<DATAFRAME>"}
    return res, validator.active_batch_id, False


@contextlib.contextmanager
def _configurations_built_once():
    """While one suite runs, each expectation's ``configuration`` is built once, not at every read.

    GX rebuilds it (a pydantic ``.dict()`` of the expectation, deep-copied) each time
    the property is read — ~2,500 times per suite run, about 40 % of a run's framework
    time. The expectations are not changed during a run (GX makes them from the
    suite's configurations as it starts, and copies a configuration before altering
    it). Only our validations use GX, under ``_LOCK``; the property is restored after.
    """
    try:
        from great_expectations.expectations.expectation import Expectation
    except ImportError:
        yield
        return
    prop = Expectation.__dict__.get("configuration")
    if not isinstance(prop, property) or prop.fget is None:
        yield
        return
    build = prop.fget
    memo: dict[int, tuple[Any, Any]] = {}  # id -> (expectation, configuration): the id stays its own

    def configuration(self):
        hit = memo.get(id(self))
        if hit is None or hit[0] is not self:
            hit = memo[id(self)] = (self, build(self))
        return hit[1]

    with _LOCK:
        Expectation.configuration = property(configuration, doc=prop.__doc__)  # type: ignore[method-assign,assignment]
        try:
            yield
        finally:
            Expectation.configuration = prop  # type: ignore[method-assign,assignment]


def _build_docs(res, suite, batch_id: str, run_id, docs_dir: Path, *, stored: bool) -> str | None:
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    ctx = context()
    site = _site(docs_dir)
    suite_id = ExpectationSuiteIdentifier(name=suite.name)
    vr_id = ValidationResultIdentifier(expectation_suite_identifier=suite_id, run_id=run_id, batch_identifier=batch_id)
    store = ctx.validation_results_store
    with _LOCK:
        try:
            if not stored:
                store.store_validation_results(
                    suite_validation_result=res,
                    suite_validation_result_identifier=vr_id,
                    expectation_suite_identifier=suite_id,
                )
            # the suite's own page once per site and process; the validation page every time
            resources: list[Any] = [vr_id]
            if (site, suite.name) not in _STATE["suite_pages"]:
                resources.append(suite_id)
            ctx.build_data_docs(site_names=[site], resource_identifiers=resources, build_index=False)
            _STATE["suite_pages"].add((site, suite.name))
            urls = ctx.get_docs_sites_urls(resource_identifier=vr_id, site_names=[site], only_if_exists=True)
        finally:
            with contextlib.suppress(Exception):  # the page is written; the in-memory result need not outlive it
                store.remove_key(vr_id)
    for u in urls or []:
        url = u.get("site_url")
        if url and url.startswith("file://"):
            path = Path(unquote(urlsplit(url).path))
            if path.is_file():
                return str(path)
    return None
