"""Precision and recall of extracted figures and rank claims against a hand-annotated gold set.

Items are dicts in the ``to_json_lines`` form. A predicted figure matches a gold
figure with the same reporter, partner, flow, period and commodity whose value is
equal within the published rounding (half the larger precision, and at least 0.5%
of a gold figure without a precision). A rank claim matches on reporter, partner,
flow, period and rank. Each gold item is matched at most once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PR:
    precision: float
    recall: float
    true_positives: int
    false_positives: int
    false_negatives: int


@dataclass(frozen=True)
class Scores:
    figures: PR
    ranks: PR


def _key(item: dict) -> tuple:
    if item.get("kind") == "rank":
        return ("rank", item["reporter"], item["partner"], item["flow"], str(item["period"]), int(item["rank"]))
    return (
        "figure",
        item["reporter"],
        item["partner"],
        item["flow"],
        str(item["period"]),
        item.get("commodity", "TOTAL"),
    )


def _same_value(g: dict, p: dict) -> bool:
    if g.get("kind") == "rank":
        return True
    tol = max(g.get("precision_usd") or 0, p.get("precision_usd") or 0) / 2
    tol = max(tol, abs(g["value_usd"]) * 0.005 if not g.get("precision_usd") else tol, 0.5)
    return abs(g["value_usd"] - p["value_usd"]) <= tol


def _pr(gold: list[dict], predicted: list[dict]) -> PR:
    unmatched = list(gold)
    tp = 0
    for p in predicted:
        for i, g in enumerate(unmatched):
            if _key(g) == _key(p) and _same_value(g, p):
                tp += 1
                del unmatched[i]
                break
    fp, fn = len(predicted) - tp, len(unmatched)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return PR(precision, recall, tp, fp, fn)


def score(gold: list[dict], predicted: list[dict]) -> Scores:
    """Precision and recall for figures and for rank claims."""

    def pick(items, kind):
        return [x for x in items if x.get("kind", "figure") == kind]

    return Scores(
        _pr(pick(gold, "figure"), pick(predicted, "figure")), _pr(pick(gold, "rank"), pick(predicted, "rank"))
    )


def gold_items(figures: list[list], ranks: list[list]) -> list[dict]:
    """Gold rows written compactly ([reporter, partner, flow, period, commodity, value, yoy] and
    [reporter, partner, flow, period, rank]) as ``to_json_lines`` dicts."""
    out = [
        {
            "kind": "figure",
            "reporter": r,
            "partner": p,
            "flow": f,
            "period": per,
            "commodity": c,
            "value_usd": v,
            "yoy_pct": y,
        }
        for r, p, f, per, c, v, y in figures
    ]
    out += [
        {"kind": "rank", "reporter": r, "partner": p, "flow": f, "period": per, "rank": k} for r, p, f, per, k in ranks
    ]
    return out


# --- the real-release set (pages + expected.json, annotated by its README's conventions) -------------------------
#
# Different matching from ``score`` above: a fact matches an extraction with the same reporter, partner, flow and
# period whose value agrees within 0.1% (or 1 USD); where the annotation leaves the reporter open
# (``reporter_ambiguous``) or names the other side's statistics (``source_stats``), the mirror reading is accepted
# (VNM export = KOR import, VNM balance = -KOR balance). An extraction that overlaps an ``ignore`` passage is neither
# rewarded nor penalised unless the passage says ``penalize``. Year-on-year changes are judged on matched figures.


@dataclass
class LanguageScore:
    facts: int = 0
    found: int = 0
    wrong: int = 0
    ranks: int = 0
    ranks_found: int = 0
    ranks_wrong: int = 0
    yoy: int = 0
    yoy_right: int = 0

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return a / b if b else 0.0

    @property
    def figures_precision(self) -> float:
        return self._ratio(self.found, self.found + self.wrong)

    @property
    def figures_recall(self) -> float:
        return self._ratio(self.found, self.facts)

    @property
    def ranks_precision(self) -> float:
        return self._ratio(self.ranks_found, self.ranks_found + self.ranks_wrong)

    @property
    def ranks_recall(self) -> float:
        return self._ratio(self.ranks_found, self.ranks)

    @property
    def yoy_accuracy(self) -> float:
        return self._ratio(self.yoy_right, self.yoy)

    def add(self, other: LanguageScore) -> None:
        for k in self.__dataclass_fields__:
            setattr(self, k, getattr(self, k) + getattr(other, k))

    def line(self, name: str) -> str:
        return (
            f"{name:4} figures P {self.figures_precision:.3f} R {self.figures_recall:.3f} "
            f"({self.found}/{self.facts} found, {self.wrong} wrong); "
            f"ranks P {self.ranks_precision:.3f} R {self.ranks_recall:.3f} "
            f"({self.ranks_found}/{self.ranks} found, {self.ranks_wrong} wrong); "
            f"yoy right {self.yoy_right}/{self.yoy}"
        )


@dataclass
class SetScore:
    languages: dict[str, LanguageScore]
    misses: list[tuple]
    wrong: list[tuple]

    @property
    def overall(self) -> LanguageScore:
        out = LanguageScore()
        for s in self.languages.values():
            out.add(s)
        return out

    def table(self) -> str:
        rows = [s.line(n) for n, s in sorted(self.languages.items())]
        return "\n".join([*rows, self.overall.line("all")])


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= max(abs(b) * 0.001, 1)


def _is_total(x: dict) -> bool:
    return x.get("commodity", "TOTAL") in ("TOTAL", None)


def fact_matches(x: dict, f: dict) -> bool:
    """Does extraction ``x`` (``to_json_lines`` form) state the annotated fact ``f``?"""
    if str(x.get("period")) != f["period"] or not _is_total(x):
        return False
    try:
        v = float(x["value_usd"])
    except (KeyError, TypeError, ValueError):
        return False
    r, p, fl = x.get("reporter"), x.get("partner"), x.get("flow")
    if (r, p, fl) == (f["reporter"], f["partner"], f["flow"]) and _close(v, f["value_usd"]):
        return True
    mirror_ok = f.get("reporter_ambiguous") or (f.get("source_stats") and f["source_stats"] != f["reporter"])
    if not mirror_ok or (r, p) != (f["partner"], f["reporter"]):
        return False
    mirror_flow = {"export": "import", "import": "export"}.get(f["flow"], f["flow"])
    expected = -f["value_usd"] if f["flow"] == "balance" else f["value_usd"]
    return fl == mirror_flow and _close(v, expected)


def rank_matches(x: dict, k: dict) -> bool:
    return (x.get("reporter"), x.get("partner"), x.get("flow"), str(x.get("period")), x.get("rank")) == (
        k["reporter"],
        k["partner"],
        k["flow"],
        k["period"],
        k["rank"],
    )


def _words(s: str | None) -> set[str]:
    return set(re.findall(r"\w+", (s or "").lower()))


def _overlaps(quote: str, passage: str) -> bool:
    a, b = _words(quote), _words(passage)
    return bool(a and b) and len(a & b) / min(len(a), len(b)) >= 0.6


def _value_in(text: str, v) -> bool:
    try:
        v = float(v)
    except (TypeError, ValueError):
        return False
    digits = re.sub(r"\D", "", text)
    for scale in (1e9, 1e8, 1e6):
        s = f"{abs(v) / scale:.2f}".rstrip("0").rstrip(".").replace(".", "")
        if len(s) >= 2 and s in digits:
            return True
    return False


def _neutral(x: dict, entry: dict, is_rank: bool) -> bool:
    for g in entry.get("ignore", []):
        if _overlaps(x.get("quote") or "", g["quote"]) or (not is_rank and _value_in(g["quote"], x.get("value_usd"))):
            return not g.get("penalize")
    return False


def score_page(entry: dict, items: list[dict]) -> tuple[LanguageScore, list[tuple], list[tuple]]:
    """One page's score against its annotation, and its misses and wrong extractions."""
    t = LanguageScore()
    misses: list[tuple] = []
    wrong: list[tuple] = []
    figs = [x for x in items if x.get("kind") == "figure"]
    ranks = [x for x in items if x.get("kind") == "rank"]
    used: set[int] = set()
    for f in entry["facts"]:
        t.facts += 1
        hit = next((i for i, x in enumerate(figs) if i not in used and fact_matches(x, f)), None)
        if hit is None:
            misses.append(
                (
                    entry["file"],
                    "figure",
                    f["reporter"],
                    f["partner"],
                    f["flow"],
                    f["period"],
                    f["value_usd"],
                    f["quote"],
                )
            )
            continue
        used.add(hit)
        t.found += 1
        if f.get("yoy_pct") is not None:
            t.yoy += 1
            y = figs[hit].get("yoy_pct")
            t.yoy_right += y is not None and abs(float(y) - f["yoy_pct"]) < 0.051
    for i, x in enumerate(figs):
        if i not in used and _is_total(x) and not _neutral(x, entry, False):
            t.wrong += 1
            wrong.append((entry["file"], "figure", *_row(x, "value_usd")))
    used = set()
    for k in entry["ranks"]:
        t.ranks += 1
        hit = next((i for i, x in enumerate(ranks) if i not in used and rank_matches(x, k)), None)
        if hit is None:
            misses.append(
                (entry["file"], "rank", k["reporter"], k["partner"], k["flow"], k["period"], k["rank"], k["quote"])
            )
        else:
            used.add(hit)
            t.ranks_found += 1
    for i, x in enumerate(ranks):
        if i not in used and not _neutral(x, entry, True):
            t.ranks_wrong += 1
            wrong.append((entry["file"], "rank", *_row(x, "rank")))
    return t, misses, wrong


def _row(x: dict, value_key: str) -> tuple:
    return (x.get("reporter"), x.get("partner"), x.get("flow"), x.get("period"), x.get(value_key), x.get("quote") or "")


def page_text(raw: str) -> str:
    """A page file's text without its leading ``URL:`` line and blank lines (as the set's scorer feeds it)."""
    lines = raw.split("\n")
    while lines and (lines[0].startswith("URL:") or not lines[0].strip()):
        lines.pop(0)
    return "\n".join(lines)


def score_set(entries: list[dict], run: Callable[[dict], list[dict]]) -> SetScore:
    """Score ``run(entry) -> to_json_lines items`` on every page of the set, per language."""
    langs: dict[str, LanguageScore] = {}
    misses: list[tuple] = []
    wrong: list[tuple] = []
    for e in entries:
        t, m, w = score_page(e, run(e))
        langs.setdefault(e["language"], LanguageScore()).add(t)
        misses += m
        wrong += w
    return SetScore(langs, misses, wrong)


def extract_page(entry: dict, raw: str) -> list[dict]:
    """What ``tradewatch extract FILE --published DATE --json`` prints for one page of the set."""
    from datetime import date

    from scrapers.prose import extract, to_json_lines

    return to_json_lines(extract(page_text(raw), None, date.fromisoformat(entry["published"])))
