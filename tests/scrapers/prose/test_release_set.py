"""The extractor on the real-release set (52 pages as published, three languages): no regression below the floors.

The figures are printed per language (run with ``-s`` to see them; ``python tests/scrapers/prose/release_set.py show``
lists every miss and every wrong extraction). The floors are the scores this extractor reached; raise them when it
improves, never lower them to let a change through.
"""

from __future__ import annotations

import pytest
from release_set import entries, run_set

# language: (figures P, figures R, ranks P, ranks R, yoy accuracy)
FLOORS = {
    "en": (1.000, 0.966, 1.000, 1.000, 1.000),
    "vi": (0.980, 0.980, 1.000, 1.000, 1.000),
    "ko": (1.000, 0.977, 0.973, 0.960, 0.967),
    "all": (0.995, 0.974, 0.986, 0.979, 0.987),
}


@pytest.fixture(scope="module")
def scored():
    s = run_set()
    print("\n" + s.table())
    return s


def test_the_set_is_the_full_real_set():
    es = entries()
    assert len(es) == 52
    assert {e["language"] for e in es} == {"en", "vi", "ko"}
    assert sum(len(e["facts"]) for e in es) == 198 and sum(len(e["ranks"]) for e in es) == 144


@pytest.mark.parametrize("language", sorted(FLOORS))
def test_no_regression_below_the_floors(scored, language):
    s = scored.overall if language == "all" else scored.languages[language]
    got = (s.figures_precision, s.figures_recall, s.ranks_precision, s.ranks_recall, s.yoy_accuracy)
    names = ("figures P", "figures R", "ranks P", "ranks R", "yoy right")
    for name, value, floor in zip(names, got, FLOORS[language], strict=True):
        assert round(value, 3) >= floor, f"{language} {name} {value:.3f} fell below {floor:.3f}\n{scored.table()}"
