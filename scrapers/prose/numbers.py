"""Amounts of money and percentages as each language writes them.

Precision rule (documented in the README): a figure's ``precision_usd`` is one unit
of its last *significant* written digit, times its scale. Digits after a decimal
mark are all significant ("25.60 bn" -> 10,000,000); trailing zeros of an integer
are not ("500 million" -> 100,000,000, "342억5000만" -> 10,000,000), because writers
round whole numbers and pad the last Korean group with zeros.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from scrapers.prose.terms import terms


@dataclass(frozen=True)
class Amount:
    start: int
    end: int
    value_usd: int | None  # None: unreadable ("25,,6 tỷ")
    precision_usd: int
    negative: bool = False
    decimals: bool = False  # written with a fractional part
    approximate: bool = False  # qualifier inside the amount (Korean 여, 가량)
    bound: bool = False  # Korean 이상/돌파 after the amount
    text: str = ""


@dataclass(frozen=True)
class Percent:
    start: int
    end: int
    value: float
    sign: int  # +1, -1, or 0 when the text gives no direction of its own


def _scales(lang: str) -> dict[str, int]:
    return terms()["scales"][lang]


def _alt(words) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s*") for w in sorted(words, key=len, reverse=True))


_EN_NUM = r"\d[\d,]*(?:\.\d+)?"
_EN_CUR = r"(?:U\.?S\.?\s?\$|(?<![A-Za-z])\$|USD|US\s?dollars?)"
_EN_SCALE = _alt(_scales("en"))
_EN_SUFFIX = r"(?:USD|US\s?dollars?|U\.S\.\s?dollars?|dollars?)"
EN_AMOUNT = re.compile(
    rf"(?P<neg>-|−)?(?:{_EN_CUR}\s?(?P<n1>{_EN_NUM})(?:\s?-?\s?(?P<s1>{_EN_SCALE})(?![A-Za-z]))?(?:\s{_EN_SUFFIX}(?!\w))?"
    rf"|(?P<n2>{_EN_NUM})\s?-?(?P<s2>{_EN_SCALE})(?![A-Za-z])\s?{_EN_SUFFIX}(?!\w))",
    re.IGNORECASE,
)
_VI_SCALE = _alt(_scales("vi"))
_VI_CUR = r"(?:USD|US\$|đô\s?la\s?Mỹ|đô-la\s?Mỹ|đô\s?la|đôla|\$)"
VI_AMOUNT = re.compile(rf"(?P<num>\d[\d.,]*)\s?(?P<scale>{_VI_SCALE})\s?{_VI_CUR}(?!\w)", re.IGNORECASE)
_KO_N = r"\d[\d,]*(?:\.\d+)?"
_KO_BODY = rf"{_KO_N}\s?[조억만천백](?:\s?(?:{_KO_N})?\s?[조억만천백])*\s?(?:\d[\d,]*\s?)?"
KO_AMOUNT = re.compile(
    rf"(?:(?P<neg>△|▽|-|−)\s?)?(?P<body>{_KO_BODY})(?P<approx>여|가량|정도)?\s?(?:달러|불(?![가-힣]))"
    rf"|(?:(?P<neg2>△|-)\s?)?(?:US\$|\$)\s?(?P<body2>{_KO_BODY})"
)
_VI_STRICT = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?|\d+\.\d{1,2}")
_EN_STRICT = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


def _precision(digits: str, unit: int) -> tuple[int, bool]:
    """Precision (USD) of a number written as ``digits`` (plain, '.' decimal) times ``unit``."""
    if "." in digits:
        frac = len(digits.split(".", 1)[1])
        return max(1, unit // 10**frac) if unit >= 10**frac else 1, True
    zeros = len(digits) - len(digits.rstrip("0")) if digits.strip("0") else 0
    return unit * 10**zeros, False


def parse_number(raw: str, lang: str) -> str | None:
    """A written number as a plain '1234.5' string, or None if it cannot be read."""
    raw = raw.strip()
    if lang == "vi":
        if not _VI_STRICT.fullmatch(raw):
            return None
        if re.fullmatch(r"\d+\.\d{1,2}", raw):  # "25.6 tỷ": a decimal point in Vietnamese text
            return raw
        return raw.replace(".", "").replace(",", ".")
    if not _EN_STRICT.fullmatch(raw):
        return None
    return raw.replace(",", "")


def _amount(m: re.Match, digits: str | None, unit: int, **kw) -> Amount:
    if digits is None:
        return Amount(m.start(), m.end(), None, 0, text=m.group(0), **kw)
    try:
        value = int(Decimal(digits) * unit)
    except InvalidOperation:
        return Amount(m.start(), m.end(), None, 0, text=m.group(0), **kw)
    prec, dec = _precision(digits, unit)
    return Amount(m.start(), m.end(), value, prec, decimals=dec, text=m.group(0), **kw)


def _ko_body(body: str) -> tuple[int, int, bool] | None:
    """(value, precision, has decimals) of "342억5000만" / "3천억" / "271억 600만"."""
    groups = {"조": 10**12, "억": 10**8, "만": 10**4}
    inner = {"천": 1000, "백": 100}
    total = Decimal(0)
    group = Decimal(0)
    last_digits, last_unit = None, 1
    for num, unit in re.findall(r"(\d[\d,]*(?:\.\d+)?)?\s?([조억만천백]|$)", body.replace(" ", "")):
        if not num and not unit:
            continue
        n = num.replace(",", "") if num else "1"
        if num and not _EN_STRICT.fullmatch(num):
            return None
        d = Decimal(n)
        if unit in inner:
            group += d * inner[unit]
            last_digits, last_unit = n, inner[unit]
        elif unit in groups:
            total += (group + (d if num else 0)) * groups[unit]
            if num:
                last_digits, last_unit = n, groups[unit]
            else:
                last_unit = last_unit * groups[unit]
            group = Decimal(0)
        else:
            total += group + d
            last_digits, last_unit = n, 1
            group = Decimal(0)
    total += group
    if last_digits is None:
        return None
    prec, dec = _precision(last_digits, last_unit)
    if last_unit in (1000, 100):  # "3천억": the inner unit multiplies the group unit
        prec, dec = _precision(last_digits, last_unit * _trailing_group(body))
    return int(total), prec, dec


def _trailing_group(body: str) -> int:
    m = re.search(r"천\s?([조억만])?\s*$|백\s?([조억만])?\s*$", body)
    unit = (m.group(1) or m.group(2)) if m else None
    return {"조": 10**12, "억": 10**8, "만": 10**4}.get(unit or "", 1)


def find_amounts(text: str, lang: str) -> list[Amount]:
    """Every USD amount in ``text``, in order (unreadable ones with ``value_usd=None``)."""
    out: list[Amount] = []
    if lang == "ko":
        for m in KO_AMOUNT.finditer(text):
            body = m.group("body") or m.group("body2")
            parsed = _ko_body(body)
            neg = bool(m.group("neg") or m.group("neg2"))
            if parsed is None:
                out.append(Amount(m.start(), m.end(), None, 0, text=m.group(0)))
                continue
            value, prec, dec = parsed
            after = text[m.end() : m.end() + 8]
            approx = bool(m.group("approx")) or bool(re.match(r"\s?(가량|정도|안팎|내외)", after))
            bound = bool(re.match(r"\s?(을|를)?\s?(이상|초과|미만|이하|넘|돌파|웃돌)", after))
            out.append(
                Amount(
                    m.start(),
                    m.end(),
                    value,
                    prec,
                    negative=neg,
                    decimals=dec,
                    approximate=approx,
                    bound=bound,
                    text=m.group(0),
                )
            )
    if lang in ("en", "ko", "vi"):
        for m in EN_AMOUNT.finditer(text):
            if any(a.start <= m.start() < a.end for a in out):
                continue
            raw = m.group("n1") or m.group("n2")
            scale = (m.group("s1") or m.group("s2") or "").lower()
            unit = _scales("en").get(scale, 1)
            if unit == 1 and lang == "vi":
                continue
            if unit == 1 and not re.fullmatch(r"\d{1,3}(?:,\d{3}){2,}", raw):
                continue  # "$5" without a scale is not a trade figure
            digits = parse_number(raw, "en")
            out.append(_amount(m, digits, unit, negative=bool(m.group("neg"))))
    if lang == "vi":
        for m in VI_AMOUNT.finditer(text):
            if any(a.start <= m.start() < a.end for a in out):
                continue
            scale = re.sub(r"\s+", " ", m.group("scale").lower())
            unit = _scales("vi").get(scale) or _scales("vi").get(scale.replace("tỉ", "tỷ"), 1)
            out.append(_amount(m, parse_number(m.group("num"), "vi"), unit))
    out.sort(key=lambda a: a.start)
    return out


_PCT = re.compile(
    r"(?P<sign>△|▽|▲|▼|\+|-|−)?\s?(?P<num>\d+(?:[.,]\d+)?)\s?(?P<unit>%p|%|percent|per cent|pct)(?!\w)", re.I
)


def find_percents(text: str, lang: str) -> list[Percent]:
    out = []
    for m in _PCT.finditer(text):
        if m.group("unit").lower() == "%p" or re.match(
            r"\s*(?:percentage points|points|điểm phần trăm)", text[m.end() :]
        ):
            continue
        raw = m.group("num")
        if lang == "vi" or (lang != "vi" and "," in raw and "." not in raw and len(raw.split(",")[1]) != 3):
            raw = raw.replace(",", ".")
        try:
            value = float(raw)
        except ValueError:
            continue
        s = m.group("sign") or ""
        sign = -1 if s in ("△", "▽", "▼", "-", "−") else (1 if s in ("▲", "+") else 0)
        out.append(Percent(m.start(), m.end(), value, sign))
    return out
