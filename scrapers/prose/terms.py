"""The extractor's vocabulary, loaded once from ``terms.toml`` beside it.

Words live in the data file; this module only turns word lists into regular
expressions. English and Vietnamese words match case-insensitively on word
boundaries; Korean words match as written (Korean attaches particles to words,
so there is no word boundary to anchor on).
"""

from __future__ import annotations

import functools
import re
import tomllib
from importlib import resources

HANGUL = re.compile(r"[\uac00-\ud7a3]")


@functools.cache
def terms() -> dict:
    text = resources.files("scrapers.prose").joinpath("terms.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _alt(words) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(words), key=len, reverse=True))


@functools.cache
def word_re(key: str) -> re.Pattern:
    """A regex for a word list named by a dotted path ("exclusions.investment")."""
    node = terms()
    for part in key.split("."):
        node = node[part]
    words = list(node.keys()) if isinstance(node, dict) else list(node)
    return compile_words(tuple(words))


@functools.cache
def compile_words(words: tuple[str, ...]) -> re.Pattern:
    latin = [w for w in words if not HANGUL.search(w)]
    korean = [w for w in words if HANGUL.search(w)]
    parts = []
    if latin:
        parts.append(rf"(?<![\w$])(?:{_alt(latin)})(?!\w)")
    if korean:
        parts.append(rf"(?:{_alt(korean)})")
    return re.compile("|".join(parts) or r"(?!x)x", re.IGNORECASE)


def find_any(key: str, text: str) -> re.Match | None:
    return word_re(key).search(text)


def last_match(pattern: re.Pattern, text: str) -> re.Match | None:
    found = None
    for m in pattern.finditer(text):
        found = m
    return found


@functools.cache
def flow_patterns() -> list[tuple[str, re.Pattern]]:
    flows = terms()["flows"]
    out = [(name, compile_words(tuple(flows[name]))) for name in ("balance", "total", "export", "import")]
    out.append(
        (
            "total",
            re.compile(
                r"(?<!\w)trade(?!\w)(?!\s+(?:surplus|deficit|balance|agreement|partner|ministry|minister|association|"
                r"agency|office|promotion|fair|union|center|centre|talks|deal|pact|war|policy|negotiations?|body|"
                r"representative|delegation|mission|expo|zone|organization|organisation|commissioner|official))",
                re.I,
            ),
        )
    )
    return out


def find_flow(text: str, *, last: bool = True) -> tuple[str, re.Match] | None:
    """The flow word nearest the end (or the start) of ``text``; the longest wins a tie."""
    best = None
    for name, pat in flow_patterns():
        for m in pat.finditer(text):
            key = (m.end(), m.end() - m.start()) if last else (-m.start(), m.end() - m.start())
            if best is None or key > best[0]:
                best = (key, name, m)
    return (best[1], best[2]) if best else None


@functools.cache
def commodity_map() -> dict[str, str]:
    return {k.casefold(): v for k, v in terms()["commodities"].items()}


def find_commodity(text: str) -> tuple[str, str] | None:
    """(word, HS code or "") of the commodity named in ``text``, if any."""
    m = last_match(word_re("commodities"), text)
    if not m:
        return None
    word = re.sub(r"\s+", " ", m.group(0)).casefold()
    return word, commodity_map().get(word, "")
