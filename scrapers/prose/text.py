"""Plain-text helpers: language detection, paragraphs and sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_VI_CHARS = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)
_LATIN = re.compile(r"[A-Za-z]")
_CJK_OTHER = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_EN_WORDS = re.compile(r"\b(?:the|and|of|to|in|is|was|with|for|that)\b", re.I)


def detect_language(text: str) -> str | None:
    """'ko', 'vi', 'en', or None for a text in none of them."""
    sample = text[:20000]
    hangul = len(_HANGUL.findall(sample))
    latin = len(_LATIN.findall(sample))
    vi = len(_VI_CHARS.findall(sample))
    cjk = len(_CJK_OTHER.findall(sample))
    if hangul and hangul >= 0.2 * (latin + hangul):
        return "ko"
    if cjk > max(hangul, latin):
        return None
    if latin == 0:
        return None
    if vi >= 0.03 * latin:
        return "vi"
    words = max(1, len(re.findall(r"[A-Za-z]+", sample)))
    if len(_EN_WORDS.findall(sample)) >= 0.05 * words:
        return "en"
    return None


@dataclass(frozen=True)
class Sentence:
    text: str
    paragraph: int
    index: int  # index within the document


_ABBREV = re.compile(
    r"(?:\b(?:U\.S|U\.K|Mr|Mrs|Ms|Dr|No|St|Co|Corp|Inc|Ltd|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|e\.g|i\.e|vs|approx|est|TP|ThS|TS|PGS)|\b[A-Z])\.$"
)
_SPLIT = re.compile(r"(?P<end>[.!?。](?:\[\d+\])*[\"”’)\]]?)\s+(?=[\"“(\[]?[A-ZÀ-ỸĐ\d\uac00-\ud7a3□○ㅇ◦▲■●•\-])")


# Sentences glued without a space by scraping: a Korean sentence end ("증가했다.같은 기간"), or a
# lower-case word's full stop right before a capitalised word ("in 2023.The ministry").
_GLUED = re.compile(
    r"(?<=[\uac00-\ud7a3][.!?])(?=[\"“‘'(\[]?[\uac00-\ud7a3A-Z])"
    r"|(?<=[a-zà-ỹ\d%)]{2}[.!?])(?=[A-ZÀ-ỸĐ][a-zà-ỹ])"
)


_URL_LINE = re.compile(r"^(?:(?:URL|Source|Link)\s*:\s*)?(?:https?://|www\.)\S+$", re.I)


def paragraphs(text: str) -> list[str]:
    """Non-empty lines: extracted HTML/PDF text keeps one block per line. A line that is only a web address (a page's
    "URL: …" header) is no text: the dates and words in its path are not the release's."""
    lines = (p.strip() for p in re.split(r"\n", text.replace("\r", "")))
    return [p for p in lines if p and not _URL_LINE.match(p)]


def sentences(text: str) -> list[Sentence]:
    out: list[Sentence] = []
    for pi, para in enumerate(paragraphs(text)):
        para = _GLUED.sub(" ", para)
        start = 0
        for m in _SPLIT.finditer(para):
            head = para[start : m.end("end")].rstrip('"”’)]')
            if _ABBREV.search(head):
                continue
            piece = para[start : m.end("end")].strip()
            if piece:
                out.append(Sentence(piece, pi, len(out)))
            start = m.end()
        piece = para[start:].strip()
        if piece:
            out.append(Sentence(piece, pi, len(out)))
    return out


# Words run together by a crawl ("to theRoK", "toVietnam", "tradedeficit", "deficitwith"): split where English
# cannot join them (a function word glued to a capitalised name; a trade noun glued to the next word).
_GLUED_WORDS = [
    (re.compile(r"\b(the|to|with|from|of|and|in|for|by)(?=[A-Z][A-Za-z])"), r"\1 "),
    (re.compile(r"(deficit|surplus|exports?|imports?|value|turnover|volume)(with|to|from|of)\b", re.I), r"\1 \2"),
    (re.compile(r"\b(trade|exports?|imports?)(deficit|surplus|balance|value|turnover|volume)\b", re.I), r"\1 \2"),
]


def repair_glued_words(text: str) -> str:
    """English text with the words a crawl ran together set apart again."""
    for pat, repl in _GLUED_WORDS:
        text = pat.sub(repl, text)
    return text
