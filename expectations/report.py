"""What a validation says: the batch it looked at, the checks that failed, and a summary page.

These are plain dataclasses (no pandas, no Great Expectations), so the flows, the
CLI and the quarantine can hold and print a report without the heavy imports.
The HTML summary is a small self-contained page (no CDN), written beside Great
Expectations' Data Docs, which load their styles from the network and render
unstyled offline.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from tradewatch.model import Observation, RankClaim

KINDS = ("all_partners", "structured", "release", "mirror")


@dataclass
class Batch:
    """The figures one source produced for one window, validated and stored as a whole.

    ``kind`` says which suite applies: ``all_partners`` (KCS nationtrade, every
    partner for some months), ``structured`` (other exact API rows), ``release``
    (figures read out of prose, rounded as published), ``mirror`` (Comtrade: both
    reporters' views, compared and reported).
    """

    source: str
    key: str
    kind: str
    observations: list[Observation]
    rank_claims: Sequence[RankClaim] = ()
    today: date | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown batch kind {self.kind!r}; known: {', '.join(KINDS)}")


@dataclass
class FailedCheck:
    """One expectation that failed, named so a person knows what to look at."""

    expectation: str  # "baseline: yoy log change within band (expect_column_values_to_be_between)"
    column: str | None
    details: str
    sample_rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The human name alone ("baseline: yoy log change within band")."""
        return self.expectation.split(" (expect_", 1)[0]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ValidationReport:
    success: bool
    failed: list[FailedCheck]
    n_rows: int
    seconds: float
    statistics: dict[str, Any]
    result: dict[str, Any]
    data_docs_path: str | None = None
    notes: list[str] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)  # every check: name, success, observed
    batch_key: str | None = None
    source: str | None = None
    kind: str | None = None
    validation_run_id: int | None = None  # set by record_validation

    @property
    def failed_names(self) -> list[str]:
        return [f.expectation for f in self.failed]

    def reason(self) -> str:
        """One line: which expectations failed (for the quarantine and the alert)."""
        if self.success:
            return "passed"
        return "; ".join(f"{f.expectation}: {f.details}" for f in self.failed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "success": self.success,
            "batch_key": self.batch_key,
            "source": self.source,
            "kind": self.kind,
            "n_rows": self.n_rows,
            "seconds": self.seconds,
            "failed": [f.to_dict() for f in self.failed],
            "checks": self.checks,
            "notes": self.notes,
            "statistics": self.statistics,
            "data_docs_path": self.data_docs_path,
        }


# --- the self-contained summary page ---------------------------------------------------------

_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>tradewatch validation: {{ r.batch_key }}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2em;color:#222;max-width:80em}
h1{font-size:1.3em} h2{font-size:1.1em;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0} td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3} .pass{color:#176f2c;font-weight:600} .fail{color:#b00020;font-weight:600}
.banner{padding:.6em 1em;border-radius:4px;display:inline-block} .banner.pass{background:#e3f5e7} .banner.fail{background:#fde7ea}
code{background:#f6f6f6;padding:0 .2em} small{color:#666}
</style></head><body>
<h1>Validation of <code>{{ r.batch_key }}</code></h1>
<p class="banner {{ 'pass' if r.success else 'fail' }}">{{ 'PASSED' if r.success else 'FAILED: nothing of this batch is stored; it waits in quarantine for a person to decide' }}</p>
<p>source <code>{{ r.source }}</code> · kind <code>{{ r.kind }}</code> · {{ r.n_rows }} rows · {{ '%.3f'|format(r.seconds) }} s · {{ created }}
{% if gx_page %}<br>Great Expectations Data Docs page: <a href="{{ gx_page }}">{{ gx_page }}</a> <small>(loads its styles from a CDN; unstyled offline)</small>{% endif %}</p>
<h2>Expectations</h2>
<table><tr><th>check</th><th>result</th><th>observed</th></tr>
{% for c in r.checks %}<tr><td>{{ c.name }}<br><small>{{ c.type }}{% if c.column %} on <code>{{ c.column }}</code>{% endif %}</small></td>
<td class="{{ 'pass' if c.success else 'fail' }}">{{ 'pass' if c.success else 'FAIL' }}</td><td>{{ c.observed }}</td></tr>
{% endfor %}</table>
{% for f in r.failed %}<h2 class="fail">{{ f.expectation }}</h2><p>{{ f.details }}</p>
{% if f.sample_rows %}<table><tr>{% for k in f.sample_rows[0].keys() %}<th>{{ k }}</th>{% endfor %}</tr>
{% for row in f.sample_rows %}<tr>{% for v in row.values() %}<td>{{ v }}</td>{% endfor %}</tr>{% endfor %}</table>{% endif %}
{% endfor %}
{% if r.notes %}<h2>Notes (reported, not failed)</h2><ul>{% for n in r.notes %}<li>{{ n }}</li>{% endfor %}</ul>{% endif %}
</body></html>
"""

_INDEX = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tradewatch validations</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:2em} td,th{padding:.2em .6em;text-align:left} .fail{color:#b00020}</style>
</head><body><h1>tradewatch validations</h1><table><tr><th>page</th><th>modified (UTC)</th></tr>
{% for name, when, failed in pages %}<tr><td><a href="summaries/{{ name }}" class="{{ 'fail' if failed else '' }}">{{ name }}</a></td><td>{{ when }}</td></tr>{% endfor %}
</table></body></html>
"""

_SLUG_RE = re.compile(r"[^A-Za-z0-9._-]+")


def slug(text: str, limit: int = 90) -> str:
    s = _SLUG_RE.sub("-", text).strip("-.")
    return (s or "batch")[:limit]


def render_summary(report: ValidationReport, path: Path, *, gx_page: str | None = None) -> Path:
    """Write the self-contained HTML summary of ``report`` to ``path``."""
    created = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
    page = _template("summary").render(r=report, gx_page=gx_page, created=created)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    _render_index(path.parent.parent)
    return path


_TEMPLATES: dict[str, Any] = {}


def _template(name: str):
    """The compiled Jinja2 template (compiled once per process)."""
    t = _TEMPLATES.get(name)
    if t is None:
        import jinja2

        env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
        t = _TEMPLATES[name] = env.from_string(_TEMPLATE if name == "summary" else _INDEX)
    return t


def _render_index(docs_dir: Path, limit: int = 500) -> None:

    summaries = docs_dir / "summaries"
    entries = []
    for p in summaries.glob("*.html"):
        st = p.stat()
        entries.append((st.st_mtime, p.name))
    entries.sort(reverse=True)
    pages = [
        (name, datetime.fromtimestamp(mtime, UTC).strftime("%Y-%m-%d %H:%M:%S"), ".FAILED" in name)
        for mtime, name in entries[:limit]
    ]
    (docs_dir / "index.html").write_text(_template("index").render(pages=pages), encoding="utf-8")


def describe_value(v: Any) -> str:
    """A short printable form of an observed value for the summary table."""
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, (list, tuple)):
        shown = ", ".join(describe_value(x) for x in list(v)[:8])
        return f"[{shown}{', …' if len(v) > 8 else ''}]"
    return html.unescape(str(v))
