"""Precision and recall of extracted figures and rank claims against a hand-annotated gold set.

Items are dicts in the ``to_json_lines`` form. A predicted figure matches a gold
figure with the same reporter, partner, flow, period and commodity whose value is
equal within the published rounding (half the larger precision, and at least 0.5%
of a gold figure without a precision). A rank claim matches on reporter, partner,
flow, period and rank. Each gold item is matched at most once.
"""

from __future__ import annotations

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
