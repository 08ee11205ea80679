"""Periods as the text writes them, resolved against the publication date.

``find_periods`` returns every period expression of a sentence, longest first and
never overlapping, each marked as a *comparison* ("compared to 2022", "so với cùng
kỳ", "전년 대비": the base of a change, not the figure's period) or a *deadline*
("by 2030": a target). A month or range written without its year takes the latest
year for which it has ended by the publication date; without a publication date it
stays unresolved (``period=None``) and a figure that needs it is skipped.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from tradewatch.errors import InvalidPeriod
from tradewatch.model import Period


@dataclass(frozen=True)
class PeriodMention:
    start: int
    end: int
    period: Period | None
    comparison: bool = False
    deadline: bool = False
    relative: str | None = None  # "that" / "next": a year relative to an earlier one
    text: str = ""
    since: bool = False  # "since 2022", "2022년 이후": the first year of a run
    years: tuple[int, int] | None = None  # "2020~2021년", "2019-2021": a run of whole years
    since_event: bool = False  # "since relations were established in 1992": an event's year


_EN_MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_WORD_NUM = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twenty": 20,
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
}
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
M = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
D = r"(?:-|–|—|~|∼|to|through|and)"
YE = r"(?:\d{4}|this year|last year|the year|the same year)"
YV = r"(?:\d{4}|nay|ngoái|trước)"
YK = r"(?:\d{4}년|올해|금년|지난해|작년)"

# (regex, kind). Kinds: days, days_first_n, months, first_n, half, quarter, month, year, multi_year, relative
_EN = [
    (
        r"(?:the\s+)?(?P<d1>\d{1,2})(?:st|nd|rd|th)\s*(?:to|through|-|–)\s*(?:the\s+)?(?P<d2>\d{1,2})(?:st|nd|rd|th)\s+of\s+this\s+month",
        "days",
    ),
    (
        rf"(?:[Uu]ntil|[Uu]p\s+to|[Tt]hrough)\s+the\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)\s+of\s+(?P<m>{M})(?:,?\s+(?P<y>\d{{4}}))?",
        "days_to",
    ),
    (
        r"(?:the\s+)?same\s+(?:period|time|months?)\s+(?:of\s+|in\s+)?(?:last|the\s+previous|the\s+prior)\s+year",
        "rel_earlier",
    ),
    (
        rf"(?P<m>{M})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s*{D}\s*(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y>\d{{4}}))?",
        "days",
    ),
    (
        rf"(?<!\d)(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s*{D}\s*(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{M})(?:,?\s+(?P<y>\d{{4}}))?",
        "days",
    ),
    (
        rf"[Tt]he\s+first\s+(?P<n>10|20|15|ten|twenty|fifteen)\s+days\s+of\s+(?P<m>{M})(?:,?\s+(?P<y>\d{{4}}))?",
        "days_first_n",
    ),
    (
        rf"(?:[Ff]rom\s+)?(?P<m1>{M})\s*(?:-|–|—|to|through|until)\s*(?P<m2>{M})(?:,?\s+(?:of\s+)?(?P<y>{YE}))?",
        "months",
    ),
    (
        rf"(?:[Tt]he\s+)?first\s+(?P<n>\d{{1,2}}|two|three|four|five|six|seven|eight|nine|ten|eleven)\s+months(?:\s+of\s+(?P<y>{YE}))?",
        "first_n",
    ),
    # "the seven months leading up to August": the months before that month
    (
        rf"(?:[Tt]he\s+)?(?P<n>\d{{1,2}}|two|three|four|five|six|seven|eight|nine|ten|eleven)\s+months\s+"
        rf"(?:leading\s+up\s+to|before|prior\s+to)\s+(?P<m>{M})(?:,?\s+(?P<y>\d{{4}}))?",
        "n_before_month",
    ),
    # "in 11 months", "during the seven months", "in the 11-month period": the year's first N months up to
    # publication; never "the highest in 11 months", "the last 11 months", "11 months ago"
    (
        r"(?<!highest )(?<!lowest )(?<!first )(?<!time )(?<!biggest )(?<!largest )(?<!record )"
        r"\b(?:[Ii]n|[Dd]uring|[Oo]ver|[Ff]or)\s+(?:the\s+)?(?P<n>[1-9]|1[01]|two|three|four|five|six|seven|eight|nine|ten|"
        r"eleven)(?:\s+months|-month\s+period)(?!\s+(?:ago|later|earlier|before|after|of|in\s+a\s+row|straight|running))",
        "n_months",
    ),
    (rf"(?:[Tt]he\s+)?(?P<h>first|second)\s+half(?:\s+of)?(?:\s+(?P<y>{YE}))?", "half"),
    (r"(?<!\w)(?P<h>H1|H2)(?:\s*(?:of\s+)?(?P<y>\d{4}))?(?!\w)", "half"),
    (rf"(?:[Tt]he\s+)?(?P<q>first|second|third|fourth)\s+quarter(?:\s+of)?(?:\s+(?P<y>{YE}))?", "quarter"),
    (r"(?<!\w)Q(?P<q>[1-4])(?:\s*/?\s*(?P<y>\d{4}))?(?!\w)", "quarter"),
    (rf"(?P<m>{M})\s+(?P<y>\d{{4}})(?!\d)", "month"),
    (rf"\b(?:in|In|for|For|of|during|During)\s+(?P<m>{M})(?!\s+\d)(?:\s+(?P<y>this year|last year))?", "month"),
    (r"(?<!\d)(?:19|20)\d{2}\s*[-–/]\s*(?:19|20)?\d{2}(?!\d)", "multi_year"),
    (r"(?<![\d.,$])(?P<y>(?:19|20)\d{2})(?![\d%])", "year"),
    (r"(?P<y>[Ll]ast year|[Tt]he past year|[Tt]he previous year|[Tt]his year)", "year"),
    (r"(?:in\s+)?that\s+year", "rel_that"),
    (r"the\s+(?:following|next|subsequent)\s+year|a\s+year\s+later", "rel_next"),
]
_VI = [
    (
        r"(?:[Tt]ính\s+)?(?:đến|tới)\s+(?:hết\s+)?ngày\s+(?P<d2>\d{1,2})/(?P<m>\d{1,2})(?:/(?P<y>\d{4}))?",
        "days_to",
    ),
    # "Tính tới tháng 11/2022": the year to the end of that month
    (r"[Tt]ính\s+(?:đến|tới)\s+(?:hết\s+)?tháng\s+(?P<n>\d{1,2})(?:\s*(?:/|năm)\s*(?P<y>\d{4}))?", "first_n"),
    (r"(?<=con số này )(?:trong\s+|của\s+)?(?:cùng\s+kỳ\s+)?năm\s+(?:ngoái|trước)", "rel_earlier"),
    (r"cùng\s+kỳ\s+năm\s+(?:trước|ngoái)", "rel_earlier"),
    (
        rf"(?P<n>10|15|20)\s+ngày\s+đầu\s+(?:của\s+)?tháng\s+(?P<m>\d{{1,2}})(?:\s*(?:/|năm)\s*(?P<y>{YV}))?",
        "days_first_n",
    ),
    (
        rf"(?P<h>nửa đầu|kỳ 1|kỳ I|nửa cuối|nửa sau|kỳ 2|kỳ II)\s+(?:của\s+)?tháng\s+(?P<m>\d{{1,2}})(?:\s*(?:/|năm)\s*(?P<y>{YV}))?",
        "half_month",
    ),
    (
        r"từ\s+(?:ngày\s+)?(?P<d1>\d{1,2})(?:/\d{1,2})?\s+(?:đến|tới)\s+(?:ngày\s+)?(?P<d2>\d{1,2})/(?P<m>\d{1,2})(?:/(?P<y>\d{4}))?",
        "days",
    ),
    (
        rf"(?P<n>\d{{1,2}})\s+tháng\s+(?:đầu\s+năm|đầu\s+năm\s+(?P<y>{YV})|năm\s+(?P<y2>\d{{4}}))(?:\s+(?P<y3>nay|\d{{4}}))?",
        "first_n",
    ),
    (
        rf"(?:từ\s+)?tháng\s+(?P<m1>\d{{1,2}})\s*(?:-|–|đến|tới)\s*(?:tháng\s+)?(?P<m2>\d{{1,2}})(?:\s*(?:/|năm)\s*(?P<y>{YV}))?",
        "months",
    ),
    (rf"(?P<h>nửa đầu năm|nửa cuối năm|6 tháng cuối năm)(?:\s+(?P<y>{YV}))?", "half"),
    (r"tháng\s+(?:vừa\s+qua|vừa\s+rồi)", "last_month"),  # "trong tháng vừa qua": the month before publication
    (rf"quý\s+(?P<q>IV|I{{1,3}}|[1-4])(?:\s*(?:/|năm)\s*(?P<y>{YV}))?", "quarter"),
    (rf"tháng\s+(?P<m>\d{{1,2}})(?!\d)(?:\s*(?:/|năm)\s*(?P<y>{YV}))?", "month"),
    # "nhập khẩu … 11 tháng là 42,5 tỷ USD": the year's first N months up to publication; never "sau 3 tháng",
    # "3 tháng liên tiếp", "3 tháng trước"
    (
        r"(?<!sau )(?<!trước )(?<!hơn )(?<!gần )(?<!mất )(?<![\d.,])(?P<n>[1-9]|1[01])\s+tháng"
        r"(?!\s*(?:đầu|cuối|trước|qua|tới|sau|liên|nữa|gần|vừa|\d|/))",
        "n_months",
    ),
    (r"(?<!\d)(?:19|20)\d{2}\s*[-–]\s*(?:19|20)?\d{2}(?!\d)", "multi_year"),
    (r"(?:năm\s+)?(?<![\d.,])(?P<y>(?:19|20)\d{2})(?![\d%])", "year"),
    (r"(?P<y>năm\s+ngoái|năm\s+trước|năm\s+nay)", "year"),
]
_KO = [
    (r"(?:지난해|작년|전년)\s*(?:같은|동)\s*기간|전년\s*동기", "rel_earlier"),
    (r"(?:지난\s*)?(?P<m1>\d{1,2})월부터\s*(?:지난\s*달|지난달)까지", "months_to_last"),
    (r"지난\s*달(?!\s*\d)", "last_month"),
    (rf"(?:(?P<y>{YK})\s*)?(?P<m>\d{{1,2}})월\s*(?P<d1>\d{{1,2}})일?\s*[~∼\-–]\s*(?P<d2>\d{{1,2}})일", "days"),
    (rf"(?:(?P<y>{YK})\s*)?(?P<m>\d{{1,2}})월\s*(?P<d1>\d{{1,2}})일부터\s*(?P<d2>\d{{1,2}})일까지", "days"),
    (r"(?:이달|이번\s?달|당월)?\s*(?<![\d월])(?P<d1>1)일?\s*[~∼\-–]\s*(?P<d2>10|15|20)일", "days"),
    (r"(?:이달|이번\s?달|당월)\s*(?P<d1>1)일부터\s*(?P<d2>10|15|20)일까지", "days"),
    (rf"(?:(?P<y>{YK})\s*)?(?P<m1>\d{{1,2}})\s*[~∼\-–]\s*(?P<m2>\d{{1,2}})월", "months"),
    (rf"(?:(?P<y>{YK})\s*)?(?P<h>상|하)반기", "half"),
    (rf"(?:(?P<y>{YK})\s*)?(?P<q>[1-4])분기", "quarter"),
    # "(올) 11월말 기준", "6월 말 현재", "(지난) 7월까지": the year to the end of that month
    (
        rf"(?:(?P<y>{YK}|올)\s*)?(?:들어\s*)?(?:지난\s*)?(?P<n>\d{{1,2}})월\s*(?:말\s*(?:기준|현재|까지)|까지)",
        "first_n",
    ),
    # "지난 10개월 동안/사이", "10개월 만에 … 623억 달러": the year's first N months up to publication; never "14개월 만에
    # 반등" (the first rise in N months)
    (
        r"(?:지난\s*|올해\s*|올\s*)?(?<!\d)(?P<n>[1-9]|1[01])\s*개월\s*(?:동안|간|사이|만에(?!\s*(?:처음|최대|최고|최저|"
        r"반등|전환|증가|감소|늘|줄|상승|하락|흑자|적자|플러스|마이너스|최소)))",
        "n_months",
    ),
    (rf"(?:(?P<y>{YK})\s*)?(?P<m>\d{{1,2}})월(?!\s*\d{{1,2}}일)", "month"),
    (r"(?<!\d)(?:19|20)\d{2}\s*[~∼\-–]\s*(?:19|20)?\d{2}년", "multi_year"),
    (r"(?P<y>(?:19|20)\d{2})년", "year"),
    (r"(?P<y>지난해|작년|올해|금년)(?!\s*\d{1,2}\s*(?:월|분기|~|∼|-))", "year"),
]
# Vietnamese sentences begin with a capital ("Tháng 2/2025", "Quý I"): its words match in either case
_COMPILED = {
    lang: [(re.compile(p, re.I if lang == "vi" else 0), k) for p, k in table]
    for lang, table in (("en", _EN), ("vi", _VI), ("ko", _KO))
}

_CMP_BEFORE = {
    "en": re.compile(
        r"(?<![\w-])(?:compared\s+(?:to|with)|versus|vs\.?|than(?:\s+in)?|from|since|over|against|relative\s+to|same\s+period\s+(?:of|in)|same\s+month\s+of|year\s+earlier\s+in)\s+(?:the\s+same\s+period\s+(?:of|in)\s+)?(?:the\s+year\s+)?(?:in\s+)?$",
        re.I,
    ),
    "vi": re.compile(
        r"(?:(?:so\s+với|hơn)(?:\s+(?:mức|con\s+số|kết\s+quả|giảm|tăng|của|cùng\s+kỳ|năm|trong)){0,3}|cùng\s+kỳ|từ|kể\s+từ)"
        r"\s+(?:cùng\s+kỳ\s+)?(?:năm\s+)?$",
        re.I,
    ),
    "ko": re.compile(r"(?:전년\s*동[월기]|전년)\s*$"),
}
# "since 2022": the first year of a run ("for the third consecutive year since 2022" claims that year too);
# "since diplomatic relations were established in 1992": the year of an event, no period of a rank claim.
_SINCE = {
    "en": re.compile(r"\bsince\s+(?:the\s+)?$", re.I),
    "vi": re.compile(r"(?:kể\s+)?từ\s+(?:năm\s+)?$", re.I),
    "ko": re.compile(r"(?!x)x"),
}
# "2015년 이후", "2004년 191억6300만달러 이후": the year a run starts from
_KO_SINCE_AFTER = re.compile(
    r"\s*(?:년\s*)?(?:[\d,.]+\s?[조억만천](?:\s?[\d,.]+\s?[조억만천])*\s?달러\s*)?(?:이후|이래|부터)"
)
_SINCE_EVENT = {
    "en": re.compile(r"\bsince\s+[^,.;$\d]{2,60}\s(?:in\s+)?$", re.I),
    "vi": re.compile(r"kể\s+từ\s+(?:khi\s+)?[^,.;\d]{2,60}\s(?:năm\s+)?$", re.I),
    "ko": re.compile(r"(?!x)x"),
}
_DEADLINE_BEFORE = {
    "en": re.compile(r"(?:by|until|till|through|before)\s+(?:the\s+end\s+of\s+)?(?:the\s+year\s+)?$", re.I),
    "vi": re.compile(r"(?:đến|tới|trước)\s+(?:năm\s+)?$", re.I),
    "ko": re.compile(r"(?!x)x"),
}
_KO_AFTER_CMP = re.compile(r"^\s*(?:년\s*)?(?:대비|보다|에\s*비해|比)")
_KO_AFTER_DEADLINE = re.compile(r"^\s*(?:년\s*)?까지")


def _year(spec: str | None, published: date | None, year_hint: int | None) -> int | None:
    if spec:
        s = re.sub(r"(?<=\d)년$", "", spec.strip().lower())  # "2014년" (never the 년 of 작년)
        if s.isdigit():
            return int(s)
        if s in ("this year", "nay", "năm nay", "올해", "올", "금년", "the year", "the same year"):
            return (
                year_hint
                if s in ("the year", "the same year") and year_hint
                else (published.year if published else None)
            )
        if s in (
            "last year",
            "the past year",
            "the previous year",
            "ngoái",
            "trước",
            "năm ngoái",
            "năm trước",
            "지난해",
            "작년",
        ):
            return published.year - 1 if published else None
    return year_hint


def _latest(build, published: date | None):
    """The latest year for which ``build(year)`` has ended by ``published``."""
    if published is None:
        return None
    for y in (published.year, published.year - 1):
        p = build(y)
        if p.end <= published or (p.start <= published and p.kind.value == "days"):
            return p
    return build(published.year - 1)


def _month_no(text: str) -> int:
    return _EN_MONTHS[text.lower().rstrip(".")]


def _num(text: str) -> int:
    return int(text) if text.isdigit() else _WORD_NUM.get(text.lower(), _ROMAN.get(text.upper(), 0))


def _build(kind: str, g: dict, lang: str):
    """A function year -> Period for the match's groups."""
    if kind == "days":
        m = _month_no(g["m"]) if g.get("m") and not g["m"].isdigit() else (int(g["m"]) if g.get("m") else None)
        d1, d2 = int(g["d1"]), int(g["d2"])
        return lambda y, mm=None: Period.days(date(y, m or mm, d1), date(y, m or mm, d2))
    if kind == "days_to":  # "until the 10th of August", "tính đến ngày 10/1": from the month's first day
        m = _month_no(g["m"]) if not g["m"].isdigit() else int(g["m"])
        d2 = int(g["d2"])
        return lambda y: Period.days(date(y, m, 1), date(y, m, d2))
    if kind == "days_first_n":
        m = int(g["m"]) if g["m"].isdigit() else _month_no(g["m"])
        n = _num(g["n"]) if not g["n"].isdigit() else int(g["n"])
        return lambda y: Period.days(date(y, m, 1), date(y, m, n))
    if kind == "half_month":
        m = int(g["m"])
        first = g["h"] in ("nửa đầu", "kỳ 1", "kỳ I")
        return lambda y: Period.days(
            date(y, m, 1 if first else 16), date(y, m, 15 if first else calendar.monthrange(y, m)[1])
        )
    if kind == "months":
        m1 = int(g["m1"]) if g["m1"].isdigit() else _month_no(g["m1"])
        m2 = int(g["m2"]) if g["m2"].isdigit() else _month_no(g["m2"])
        return lambda y: Period.months(Period.month(y, m1), Period.month(y, m2))
    if kind == "n_before_month":
        n, last = _num(g["n"]), _month_no(g["m"]) - 1
        if not 1 <= n <= last:
            return None  # a window that reaches into the year before: not a period we write
        return lambda y: Period.months(Period.month(y, last - n + 1), Period.month(y, last))
    if kind == "first_n":
        n = _num(g["n"])
        return lambda y: Period.year_to_date(y, n) if n < 12 else Period.year(y)
    if kind == "half":
        first = g["h"] in ("first", "H1", "상", "nửa đầu năm")
        return lambda y: Period.months(Period.month(y, 1 if first else 7), Period.month(y, 6 if first else 12))
    if kind == "quarter":
        q = _num(g["q"])
        return lambda y: Period.months(Period.month(y, 3 * q - 2), Period.month(y, 3 * q))
    if kind == "month":
        m = int(g["m"]) if g["m"].isdigit() else _month_no(g["m"])
        return lambda y: Period.month(y, m)
    return None


def find_periods(text: str, lang: str, published: date | None, year_hint: int | None = None) -> list[PeriodMention]:
    from scrapers.prose.numbers import find_amounts

    # a number inside an amount is no year ("410억2000만달러", "$2,019 million")
    taken: list[tuple[int, int]] = [(a.start, a.end) for a in find_amounts(text, lang)]
    out: list[PeriodMention] = []
    for pat, kind in _COMPILED.get(lang, _COMPILED["en"]) + (_COMPILED["en"][-4:] if lang != "en" else []):
        for m in pat.finditer(text):
            s, e = m.span()
            while s < e and text[s].isspace():
                s += 1
            if s >= e or any(s < te and ts < e for ts, te in taken):
                continue
            taken.append((s, e))
            out.append(_mention(m, s, e, kind, text, lang, published, year_hint))
    out.sort(key=lambda p: p.start)
    return out


def _mention(m, s, e, kind, text, lang, published, year_hint) -> PeriodMention:
    g = dict(m.groupdict().items())
    before = text[max(0, s - 40) : s]
    after = text[e : e + 12]
    comparison = bool(_CMP_BEFORE[lang].search(before)) or (lang == "ko" and bool(_KO_AFTER_CMP.match(after)))
    # "since diplomatic relations were established in 1992", "kể từ khi … năm 1992", "1992년 수교 이후": a starting point
    since_event = bool(_SINCE_EVENT[lang].search(text[max(0, s - 80) : s])) or (
        lang == "ko" and bool(re.match(r"[^.,]{0,40}?(?:된|한|던)\s*(?:이후|이래|뒤|후)", text[e : e + 48]))
    )
    since = bool(_SINCE[lang].search(before)) or (lang == "ko" and bool(_KO_SINCE_AFTER.match(text[e : e + 30])))
    deadline = (
        (
            bool(_DEADLINE_BEFORE[lang].search(before))
            # "đến năm 2021 đã tăng gấp 161 lần", "by 2021 trade had grown": what happened by then, not a target
            and not re.match(r"\s*,?\s*(?:[^,.;]{0,24}?\s)?(?:đã|had|has)\b", text[e : e + 40], re.I)
        )
        or (lang == "ko" and bool(_KO_AFTER_DEADLINE.match(after)) and kind == "year")
    )
    if comparison and kind not in ("year", "month", "rel_earlier") and re.search(r"(?:from|từ)\s+$", before, re.I):
        comparison = False  # "from August 1-20", "từ tháng 1 đến tháng 7": a range, not a base
    if lang == "vi" and kind == "year" and re.search(r"(?:so\s+với\s+)?cùng\s+kỳ\s+$", before, re.I):
        comparison = True
    # "(bằng 57% của cả năm 2021)", "(60% of the 2021 total)": the period a share is taken of
    if re.search(r"\d\s?%\s+(?:của|of)\s+(?:cả\s+|the\s+(?:whole\s+|entire\s+|full\s+)?)?(?:năm\s+)?$", before, re.I):
        comparison = True
    if kind == "rel_that":
        return PeriodMention(s, e, None, relative="that", text=m.group(0))
    if kind == "rel_next":
        return PeriodMention(s, e, None, relative="next", text=m.group(0))
    if kind == "rel_earlier":  # "the same period last year": the period of the figure it compares with, a year back
        if lang == "ko" and re.match(r"\s*(?:[가-힣]+\s*)?(?:대비|보다|에\s*비해|比)", text[e : e + 16]):
            comparison = True  # "전년 동기 (일평균)에 비해"
        return PeriodMention(s, e, None, comparison, relative="earlier", text=m.group(0))
    if kind == "last_month":  # "지난달 수출": the month before publication
        if published is None:
            return PeriodMention(s, e, None, comparison, text=m.group(0))
        y, mo = (published.year, published.month - 1) if published.month > 1 else (published.year - 1, 12)
        return PeriodMention(s, e, Period.month(y, mo), comparison, text=m.group(0))
    if kind == "months_to_last":  # "1월부터 지난달까지": from that month to the month before publication
        if published is None or published.month == 1 or int(g["m1"]) > published.month - 1:
            return PeriodMention(s, e, None, comparison, text=m.group(0))
        span = Period.months(
            Period.month(published.year, int(g["m1"])), Period.month(published.year, published.month - 1)
        )
        return PeriodMention(s, e, span, comparison, text=m.group(0))
    if kind == "n_months":  # "N months" alone: the year's first N months only when they end at publication
        n, period = _num(g["n"]), None
        if published is not None and 1 <= n < 12 and n in (published.month - 1, published.month):
            ytd = Period.year_to_date(published.year, n)
            period = ytd if ytd.end <= published else None
        return PeriodMention(s, e, period, comparison, deadline, text=m.group(0), since=since, since_event=since_event)
    period = None
    try:
        if kind == "multi_year":
            period = None
        elif kind == "year":
            spec = g.get("y") or ""
            if spec.lower() in ("this year", "năm nay", "올해", "금년"):
                period = None  # "this year" alone: a year not yet complete, no figure for it
            else:
                y = (
                    _year(re.sub(r"^năm\s+", "", spec, flags=re.I), published, None)
                    if not spec.isdigit()
                    else int(spec)
                )
                period = Period.year(y) if y else None
        else:
            build = _build(kind, g, lang)
            spec = g.get("y") or g.get("y2") or g.get("y3")
            y = _year(spec, published, year_hint) if spec else year_hint
            if kind == "days" and not g.get("m"):  # Korean "1~20일": this month's days
                period = _latest(lambda yy: build(yy, published.month), published) if published else None
            elif y:
                period = build(y)
            else:
                period = _latest(build, published)
    except (InvalidPeriod, ValueError, KeyError, TypeError):
        period = None
    if period is not None and period.start.year < 1950:  # "năm 1922" for 1992: a typo, no period of trade statistics
        period = None
    years = None
    if kind == "multi_year":
        ys = re.findall(r"\d{2,4}", m.group(0))
        y1, y2 = int(ys[0]), int(ys[1]) if len(ys[1]) == 4 else int(ys[0][:2] + ys[1])
        years = (y1, y2) if 0 < y2 - y1 <= 5 else None
    return PeriodMention(
        s, e, period, comparison, deadline, text=m.group(0), since=since, since_event=since_event, years=years
    )
