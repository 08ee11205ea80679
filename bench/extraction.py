"""Benchmark 4: articles per second of the release extractor.

Texts come from the annotated cases under ``tests/scrapers/prose/data/`` (JSON
cases with ``text``/``language``/``published`` or ``body``; plain ``.txt``/``.md``
files otherwise), and a few hundred variants are generated from them: numbers
scaled, years shifted, partner names swapped for others in the same language.
Each variant goes through ``scrapers.prose.extract(text, language,
published)`` once; the figure is variants per second (warm: one pass first).
"""

from __future__ import annotations

import json
import random
import re
import time
from datetime import date, datetime
from pathlib import Path

from bench.common import ROOT, Figure

DATA = ROOT / "tests" / "scrapers" / "prose" / "data"
N_TEXTS = 300
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_VI = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:[.,]\d+)?)(?![\w])")
_YEAR = re.compile(r"\b(19[89]\d|20[0-3]\d)\b")


def language_of(text: str) -> str:
    if len(_HANGUL.findall(text)) > 20:
        return "ko"
    if len(_VI.findall(text)) > 20:
        return "vi"
    return "en"


def _published(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            pass
    return date(2024, 1, 15)


def load_cases(data: Path = DATA) -> list[tuple[str, str, date]]:
    """(text, language, published) of every case found.

    ``*.jsonl`` gold files either name a text file (``file``, a whole article) or carry
    the annotated sentence itself (``text``, with ``lang``); ``*.json`` cases carry their
    ``text``; other ``.txt`` files are read as they are.
    """
    out: list[tuple[str, str, date]] = []
    if not data.is_dir():
        return out
    named: set[Path] = set()
    for gold in sorted(data.rglob("*.jsonl")):
        for line in gold.read_text(encoding="utf-8").splitlines():
            try:
                case = json.loads(line)
            except ValueError:
                continue
            if not isinstance(case, dict):
                continue
            name = case.get("file")
            if not name:
                text = case.get("text")
                if isinstance(text, str) and text.strip():
                    lang = case.get("language") or case.get("lang") or language_of(text)
                    out.append((text, lang, _published(case.get("published"))))
                continue
            hits = [p for p in gold.parent.rglob(name) if p.is_file()]
            if hits:
                named.add(hits[0])
                text = hits[0].read_text(encoding="utf-8", errors="replace")
                out.append((text, case.get("language") or language_of(text), _published(case.get("published"))))
    for path in sorted(data.rglob("*")):
        if not path.is_file() or path in named:
            continue
        if path.suffix == ".json":
            try:
                doc = json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError):
                continue
            for case in doc if isinstance(doc, list) else [doc]:
                if not isinstance(case, dict):
                    continue
                text = case.get("text") or case.get("body")
                if not isinstance(text, str) or len(text) < 40:
                    continue
                lang = case.get("language") or case.get("lang") or language_of(text)
                out.append((text, lang, _published(case.get("published") or case.get("published_at"))))
        elif path.suffix in (".txt", ".md") and not path.name.endswith((".source.txt", ".expected.txt")):
            text = path.read_text(encoding="utf-8", errors="replace")
            if len(text) >= 40:
                out.append((text, language_of(text), _published(None)))
    return out


SENTENCES_PER_RELEASE = 14
ARTICLE_CHARS = 1500  # a case this long is a whole article; shorter ones are annotated sentences
_FILLER = {
    "en": "The ministry said the figures are preliminary and will be revised next month.",
    "vi": "Số liệu trên là sơ bộ và sẽ được điều chỉnh trong tháng tới.",
    "ko": "이 수치는 잠정치이며 다음 달에 수정될 수 있다.",
}


def releases(cases: list[tuple[str, str, date]], seed: int = 7) -> list[tuple[str, str, date]]:
    """Release-sized texts: the whole articles as they are, and, per language, the
    annotated sentences composed into releases of ``SENTENCES_PER_RELEASE`` sentences
    (paragraphs, with a line of the usual boilerplate between them)."""
    rnd = random.Random(seed)
    out: list[tuple[str, str, date]] = []
    short: dict[str, list[tuple[str, str, date]]] = {}
    for c in cases:
        if len(c[0]) >= ARTICLE_CHARS:
            out.append(c)
        else:
            short.setdefault(c[1], []).append(c)
    for lang, pool in sorted(short.items()):
        pool = pool[:]
        rnd.shuffle(pool)
        for i in range(0, len(pool), SENTENCES_PER_RELEASE):
            chunk = pool[i : i + SENTENCES_PER_RELEASE]
            paragraphs = []
            for j, (text, _lang, _pub) in enumerate(chunk):
                paragraphs.append(text)
                if j % 3 == 2:
                    paragraphs.append(_FILLER.get(lang, _FILLER["en"]))
            out.append(("\n\n".join(paragraphs), lang, max(c[2] for c in chunk)))
    return out


def variants(cases: list[tuple[str, str, date]], n: int = N_TEXTS, seed: int = 7) -> list[tuple[str, str, date]]:
    """``n`` texts made from the release-sized texts: numbers scaled, years shifted, partners swapped."""
    cases = releases(cases, seed)
    from tradewatch.model import countries

    rnd = random.Random(seed)
    names: dict[str, list[str]] = {}
    for name, _a3, lang in countries().aliases():
        if len(name) >= 4:
            names.setdefault(lang, []).append(name)
    watched = {
        "ko": ["베트남", "중국", "미국", "일본"],
        "en": ["Vietnam", "China", "Japan", "the United States"],
        "vi": ["Hàn Quốc", "Trung Quốc", "Nhật Bản", "Hoa Kỳ"],
    }
    out = []
    for i in range(n):
        text, lang, published = cases[i % len(cases)]
        factor = rnd.uniform(0.6, 1.5)
        shift = rnd.randint(-6, 2)

        def num(m: re.Match, factor: float = factor) -> str:
            s = m.group(1)
            sep = "," if "," in s else "."
            if sep in s:
                whole, frac = s.split(sep)
                v = float(f"{whole}.{frac}") * factor
                return f"{v:.{len(frac)}f}".replace(".", sep)
            return str(max(1, int(round(int(s) * factor)))) if not (1980 <= int(s) <= 2039) else s

        t = _NUMBER.sub(num, text)
        t = _YEAR.sub(lambda m, shift=shift: str(int(m.group(1)) + shift), t)
        pool = [w for w in watched.get(lang, []) if w in t]
        if pool and names.get(lang):
            t = t.replace(rnd.choice(pool), rnd.choice(names[lang][:200]))
        try:
            pub = published.replace(year=published.year + shift)
        except ValueError:
            pub = published
        out.append((t, lang, pub))
    return out


def run(log=print) -> tuple[list[Figure], dict]:
    log("extraction: the release extractor over generated release texts ...")
    try:
        from scrapers.prose import extract
    except ImportError as exc:
        return [
            Figure(
                "extraction.articles_per_s",
                None,
                "articles/s",
                note=f"skipped: the release extractor is not importable ({exc})",
            )
        ], {}
    cases = load_cases()
    if not cases:
        return [
            Figure(
                "extraction.articles_per_s",
                None,
                "articles/s",
                note=f"skipped: no annotated cases under {DATA.relative_to(ROOT)}",
            )
        ], {}
    texts = variants(cases)
    errors = figures = 0

    def one(text, lang, pub) -> int:
        nonlocal errors
        try:
            res = extract(text, lang, pub)
        except Exception:
            errors += 1
            return 0
        return len(getattr(res, "figures", ()) or ()) + len(getattr(res, "ranks", ()) or ())

    for text, lang, pub in texts[: min(20, len(texts))]:  # warm-up: imports, compiled patterns
        one(text, lang, pub)
    errors = 0
    t = time.perf_counter()
    for text, lang, pub in texts:
        figures += one(text, lang, pub)
    secs = time.perf_counter() - t
    chars = sum(len(x[0]) for x in texts)
    langs = {lg: sum(1 for x in texts if x[1] == lg) for lg in sorted({x[1] for x in texts})}
    return [
        Figure(
            "extraction.articles_per_s",
            len(texts) / secs,
            "articles/s",
            note=(
                f"{len(texts)} texts from {len(cases)} annotated cases ({', '.join(f'{k} {v}' for k, v in langs.items())}), "
                f"{chars / len(texts):.0f} chars on average, {figures} figures and rank claims extracted, {errors} raised"
            ),
        )
    ], {"texts": len(texts), "cases": len(cases), "seconds": secs, "figures": figures, "errors": errors}


if __name__ == "__main__":
    for f in run()[0]:
        print(f.to_json())
