"""Countries and agencies named in a sentence, with the role the words around them give.

Roles: ``poss`` (Korea's / của Việt Nam / 한국의: whose figure), ``subj`` (a bare
name before the verb), ``to`` / ``from`` / ``with`` (the other side), ``pair``
(between A and B / 한·베 / A-B trade), ``market`` (thị trường X), ``cmp`` (X (amount):
a comparison figure), ``demonym`` (Korean exports).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from scrapers.prose.terms import HANGUL, terms
from tradewatch.model import countries


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    code: str
    role: str
    text: str


_KO_PARTICLE = "은는이가을를의에와과로으도만향산측간및발과"
_VI_SINGLE_OK_AFTER_CAP = ("Việt", "Hàn", "Trung", "Hoa")


@functools.cache
def _alias_table(lang: str) -> list[tuple[str, str]]:
    reg = countries()
    pairs: dict[str, str] = {}
    for name, code, alang in reg.aliases():
        if lang == "ko" and alang != "ko" and not name.isascii():
            continue
        if lang != "ko" and HANGUL.search(name):
            continue
        pairs.setdefault(name, code)
        if name.isascii() and any(c.islower() for c in name):
            pairs.setdefault(name.upper(), code)
    for code, names in terms()["countries"]["extra"].items():
        for n in names:
            pairs.setdefault(n, code)
    bad = {"조선", "인도" if lang != "ko" else "", "Total", "TOTAL", "Korea Rep.", "Georgia"}
    return sorted(((n, c) for n, c in pairs.items() if n not in bad and len(n) > 1), key=lambda t: -len(t[0]))


@functools.cache
def _alias_re(lang: str) -> re.Pattern:
    alts = "|".join(re.escape(n) for n, _ in _alias_table(lang))
    return re.compile(rf"(?<![\w.])(?:{alts})(?![\w$])" if lang != "ko" else rf"(?:{alts})(?![$])")


@functools.cache
def _code_of(lang: str) -> dict[str, str]:
    return dict(_alias_table(lang))


@functools.cache
def _agency_re() -> list[tuple[re.Pattern, str]]:
    out = []
    for code, names in terms()["agencies"].items():
        for n in sorted(names, key=len, reverse=True):
            flags = 0 if n.isupper() else re.I
            out.append(
                (re.compile(rf"(?<!\w){re.escape(n)}(?!\w)" if not HANGUL.search(n) else re.escape(n), flags), code)
            )
    return out


def find_agencies(text: str) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    for pat, code in _agency_re():
        for m in pat.finditer(text):
            if not any(s <= m.start() < e for s, e, _ in found):
                found.append((m.start(), m.end(), code))
    return sorted(found)


def agency_country(text: str) -> str | None:
    codes = {c for _, _, c in find_agencies(text)}
    return codes.pop() if len(codes) == 1 else None


def _ok_korean(text: str, s: int, e: int) -> bool:
    nxt = text[e : e + 1]
    return not nxt or not HANGUL.match(nxt) or nxt in _KO_PARTICLE


def find_countries(text: str, lang: str) -> list[Mention]:
    """Country mentions in ``text`` with their roles (agency names are not countries)."""
    agencies = find_agencies(text)
    raw: list[tuple[int, int, str]] = []
    table = _code_of(lang)
    for m in _alias_re(lang).finditer(text):
        s, e = m.span()
        if any(a <= s < b for a, b, _ in agencies):
            continue
        name = m.group(0)
        if lang == "ko" and HANGUL.search(name) and not _ok_korean(text, s, e):
            continue
        if lang == "vi" and " " not in name and name not in ("Mỹ",) and _after_capitalised(text, s):
            continue
        raw.append((s, e, table[name]))
    if lang == "vi":  # "thương mại Hàn - Việt", "Việt – Hàn": the two short names of one pair
        for m in re.finditer(r"(?<!\w)(?:Hàn\s*[-–]\s*Việt|Việt\s*[-–]\s*Hàn)(?!\w)", text):
            raw = [r for r in raw if not (m.start() <= r[0] < m.end())]
            raw.append((m.start(), m.end(), "PAIR:KOR,VNM"))
    if lang == "ko":
        for word, codes in terms()["countries"]["ko_pairs"].items():
            for m in re.finditer(re.escape(word), text):
                raw = [r for r in raw if not (m.start() <= r[0] < m.end())]
                raw.append((m.start(), m.end(), "PAIR:" + ",".join(codes)))
        for word, code in sorted(terms()["countries"]["ko_prefixed"].items(), key=lambda t: -len(t[0])):
            for m in re.finditer(re.escape(word) + r"(?=\s|[은는이가을를의에]|수출|수입|교역|무역|$)", text):
                if any(a <= m.start() < b for a, b, _ in raw if not _.startswith("PAIR")) and word not in (
                    "대베트남",
                    "대중국",
                    "대한국",
                ):
                    continue
                raw = [r for r in raw if not (m.start() <= r[0] < m.end())]
                raw.append((m.start(), m.end(), "VS:" + code))
    raw.sort()
    out: list[Mention] = []
    for _i, (s, e, code) in enumerate(raw):
        # "the Republic of Korea (RoK)": the parenthesised alias is the same mention
        if out and out[-1].code == code and re.fullmatch(r"\s*\(\s*", text[out[-1].end : s]) and text[e : e + 1] == ")":
            continue
        if code.startswith("PAIR:"):
            a, b = code[5:].split(",")
            out.append(Mention(s, e, a, "pair", text[s:e]))
            out.append(Mention(s, e, b, "pair", text[s:e]))
            continue
        if code.startswith("VS:"):  # 대베트남: the other side, whatever the flow
            out.append(Mention(s, e, code[3:], "with", text[s:e]))
            continue
        role = role_of(text, s, e, lang)
        if role == "bare_flow":
            role = "poss" if code == "KOR" else "with"
        out.append(Mention(s, e, code, role, text[s:e]))
    out.extend(_demonyms(text, lang, out))
    return sorted(_pairs(text, out, lang), key=lambda m: m.start)


def _after_capitalised(text: str, s: int) -> bool:
    before = text[:s].rstrip()
    if not before or before[-1] in '.,;:!?(-–"“':
        return False
    word = re.search(r"(\w+)$", before)
    return bool(
        word
        and word.group(1)[0].isupper()
        and word.group(1) not in _VI_SINGLE_OK_AFTER_CAP
        and not re.search(r"[.!?]\s*\w+$", before)
        and before.count(" ") > 0
        and word.start() > 0
    )


_EN_BEFORE = [
    # "$16.3 billion in China, $8.1 billion in Japan": the market an amount went to or came from
    (re.compile(r"(?:billion|million|trillion|bn|mn|USD|dollars?)\s+(?:in|for)\s+(?:the\s+)?$", re.I), "market"),
    (re.compile(r"\b(?:to|into|towards|for)\s+(?:the\s+)?(?:market\s+of\s+)?$", re.I), "to"),
    (re.compile(r"\bfrom\s+(?:the\s+)?$", re.I), "from"),
    (re.compile(r"\bwith\s+(?:the\s+)?$", re.I), "with"),
    (re.compile(r"\bbetween\s+(?:the\s+)?$", re.I), "pair"),
    (re.compile(r"\b(?:of|by)\s+(?:the\s+)?$", re.I), "of"),
    (
        re.compile(
            r"\b(?:after|following|behind|than|surpass(?:ed|ing)?|overtak(?:e|en|ing)|overtook|outpac(?:e|ed|ing)|ahead\s+of|like|including)\s+(?:the\s+)?$",
            re.I,
        ),
        "other",
    ),
]
_VI_BEFORE = [
    (re.compile(r"(?:sang|tới|đến|vào)\s+(?:thị\s+trường\s+)?$", re.I), "to"),
    (re.compile(r"từ\s+(?:thị\s+trường\s+)?$", re.I), "from"),
    (re.compile(r"với\s+(?:thị\s+trường\s+)?$", re.I), "with"),
    (re.compile(r"giữa\s+$", re.I), "pair"),
    (re.compile(r"của\s+$", re.I), "poss"),
    (re.compile(r"thị\s+trường\s+$", re.I), "market"),
    (re.compile(r"(?:sau|vượt|vượt\s+qua|hơn|như|gồm|trừ)\s+$", re.I), "other"),
]


def role_of(text: str, s: int, e: int, lang: str) -> str:
    before, after = text[max(0, s - 40) : s], text[e : e + 24]
    if lang == "ko":
        if re.match(r"(?:에\s*대한|에\s*대해|으?로의|향|[을를]\s*향한|에\s*수출|으?로\s*수출|에\s*\S*\s*수출)", after):
            return "to"
        if re.match(r"(?:으?로부터|에서|산)", after):
            return "from"
        if re.match(r"(?:과|와)\s*의", after):
            return "with"
        if re.match(r"의", after):
            return "poss"
        if re.match(r"(?:에\s*이어|보다|을\s*제치|를\s*제치|\s*다음(?:으로|가|이)?(?![가-힣]))", after):
            return "other"
        if re.match(r"(?:\s*[·,]\s*|과\s|와\s)", after):
            return "pairable"
        if re.match(r"(?:은|는|이|가)(?![가-힣])", after):
            return "subj"
        if re.match(r"\s?(?:수출|수입|교역|무역)", after):
            return "bare_flow"  # "베트남 수출": the other side (Korea's own "한국 수출" is the reporter)
        return "bare"
    if lang == "en" and re.match(r"\s*(?:'s|’s|')(?!\w)", after):
        # "South Korea's trade ministry said …": the country owns a speaker, not the figure
        if re.match(
            r"\s*(?:'s|’s|')\s+(?:[\w-]+\s+){0,2}?(?:ministry|ministries|government|president|minister|agency|office|"
            r"embassy|officials?|leader|leaders|premier|authorities|customs\s+(?:office|agency))\b",
            text[e : e + 60],
            re.I,
        ):
            return "other"
        return "poss"
    if (
        lang == "vi"
        and re.search(r"nhập\s+khẩu\s+(?:hàng\s+(?:hóa|hoá)\s+|hàng\s+)?$", before, re.I)
        and re.match(r"\s+vào\s+", after)
    ):
        return "from"  # "nhập khẩu Hàn Quốc vào Việt Nam": the goods of Korea brought into Vietnam
    table = _EN_BEFORE if lang == "en" else _VI_BEFORE
    for pat, role in table:
        if pat.search(before):
            return role
    if re.match(r"\s*\(\s*$", text[e - 0 : e] or "") or (
        re.match(r"\s*\(", after) and re.match(r"\s*\(\s*[\d$US]", after)
    ):
        return "cmp"
    if lang == "en" and re.match(r"\s*[-–]\s*[A-Z]", after):
        return "pairable"
    if lang == "vi" and re.match(r"\s*[-–]\s*[A-ZĐ]", after):
        return "pairable"
    return "subj"


def _pairs(text: str, ms: list[Mention], lang: str) -> list[Mention]:
    """between A and B, A-B, A và B, A과 B: both become ``pair``."""
    out = list(ms)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        gap = text[a.end : b.start]
        joined = re.fullmatch(r"\s*(?:and|và|과|와|·|-|–|/|,)\s*(?:the\s+)?", gap, re.I)
        if (
            joined
            and lang == "ko"
            and b.role == "other"
            and (a.role == "pairable" or re.fullmatch(r"\s*(?:과|와|,|·)\s*", gap))
        ):
            # "중국과 홍콩 다음으로", "중국, 미국에 이어": the whole list is the comparison, not the figure's side
            out[i] = Mention(a.start, a.end, a.code, "other", a.text)
            continue
        if joined and (a.role in ("pair", "pairable") or (re.fullmatch(r"\s*[-–/·]\s*", gap))):
            out[i] = Mention(a.start, a.end, a.code, "pair", a.text)
            out[i + 1] = Mention(b.start, b.end, b.code, "pair", b.text)
    return [m if m.role != "pairable" else Mention(m.start, m.end, m.code, "subj", m.text) for m in out]


@functools.cache
def _demonym_re() -> list[tuple[re.Pattern, str]]:
    out = []
    for code, words in terms()["countries"]["demonyms"].items():
        for w in words:
            out.append((re.compile(rf"(?<!\w){re.escape(w)}(?!\w)"), code))
    return out


def demonym_code(word: str) -> str | None:
    """The country an English demonym names ("Vietnamese" -> VNM), or None."""
    return next((code for pat, code in _demonym_re() if pat.fullmatch(word.strip())), None)


def _demonyms(text: str, lang: str, known: list[Mention]) -> list[Mention]:
    if lang != "en":
        return []
    out = []
    for pat, code in _demonym_re():
        for m in pat.finditer(text):
            if any(k.start <= m.start() < k.end for k in known):
                continue
            if re.match(r"\s+(?:\w+\s+){0,2}?(?:exports?|imports?|shipments?|trade)\b", text[m.end() :], re.I):
                out.append(Mention(m.start(), m.end(), code, "demonym", m.group(0)))
    return out
