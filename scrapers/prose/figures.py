"""Trade figures out of one sentence: scope, flow, sides, period, change.

Each amount is read inside its *clause* (the text back to the previous comma,
semicolon, "while"... or the previous amount, and forward to the next one). The
clause's flow word, its country words and their roles, its period and its
percentage decide the figure; what the clause leaves open comes, in this order,
from the previous figure of the sentence, a rank claim of the sentence, the
paragraph's carried subject, an agency named in the sentence or the document, and
the caller's reporter hint. Anything still open is a Skip with its reason.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date

from scrapers.prose.mentions import Mention, agency_country, find_countries
from scrapers.prose.numbers import Amount, Percent, find_amounts, find_percents
from scrapers.prose.periods import PeriodMention, find_periods
from scrapers.prose.ranks import FOLLOWED_BY
from scrapers.prose.terms import find_flow, flow_patterns, last_match, terms, word_re
from tradewatch.model import WORLD, Flow, Period, PeriodKind, countries

REPORTERS = ("KOR", "VNM")
# Korean-language prose speaks from Korea's side ("대베트남 수출"), Vietnamese from Vietnam's
# ("nhập khẩu từ Hàn Quốc"): the last resort for a reporter, after agencies and the hint.
_LANGUAGE_SIDE = {"ko": "KOR", "vi": "VNM"}
_BOUNDARY = re.compile(
    r"[;:]\s|,\s|\s(?:while|whereas|but|trong khi|còn|trong đó|resulting in|bringing)\s|\s[–—]\s|\(|\)"
)


@dataclass
class Figure:
    reporter: str
    partner: str
    flow: Flow
    period: Period
    value_usd: int
    precision_usd: int
    commodity: str = "TOTAL"
    approximate: bool = False
    yoy_pct: float | None = None
    base: bool = False  # the year-earlier base of a comparison, not the sentence's own figure
    span: tuple[int, int] | None = None  # the amount's place in its sentence


@dataclass
class Carry:
    """What a sentence leaves to the next ones in its paragraph."""

    pair: tuple[str, str] | None = None
    period: Period | None = None
    last_year: int | None = None
    last_figure: Figure | None = None  # the previous sentence's last figure ("이는 1년 전(868억달러)보다…")
    inherited: bool = False  # last_figure comes from the previous paragraph
    rank_flow: str | None = None  # the measure of the paragraph's last ranking ("10대 무역적자 국가는 … 2위는 …")
    reporter: str | None = None  # the reporter of the paragraph's last figure
    rank_basis: str | None = None  # surplus / deficit of the paragraph's last balance ranking
    seen: set[str] = field(default_factory=set)  # the periods the paragraph's figures have stated
    subject: str | None = None  # the country the previous sentence spoke of, for "It …"
    last_period: Period | None = None  # the one period of the previous sentence's figures, in this paragraph
    stated: list[Figure] = field(default_factory=list)  # the page's figures so far
    listed: tuple | None = None  # (flows, reporter, partner) of the previous sentence's list of flows
    stated_periods: dict[str, Period] = field(default_factory=dict)  # the periods of the paragraph's figures

    @property
    def figure_period(self) -> Period | None:
        """The period a figure without its own takes: none once the paragraph has stated two (a year to date and
        its last month side by side leave "수입액은 …" unsettled), unless the sentence right before stated figures of one
        period only and this one names no flow: a list goes on ("대미 수출은 10개월 만에 623억 달러. 2위 중국은 376억
        달러로 …"), or the paragraph's figures went forward in time to this period ("2012년 217억달러 … 지난해 수출은
        278억달러였다. 수입은 98억달러였다": the latest period, apart from the others, is the one the text is at)."""
        if len(self.seen) <= 1:
            return self.period
        p = self.period
        others = [q for k, q in self.stated_periods.items() if p is not None and k != str(p)]
        if p is not None and others and all(q.end < p.start for q in others) and str(p) in self.stated_periods:
            return p
        return self.last_period


@dataclass
class SentenceResult:
    figures: list[Figure] = field(default_factory=list)
    skips: list[str] = field(default_factory=list)  # reasons, one per skipped amount
    listed: list[tuple] = field(default_factory=list)  # (flows, reporter, partner) of a list of flows, for the next


_LEFT_BOUNDARY = re.compile(
    r"[;:]\s|,\s|\s(?:while|whereas|but|trong khi|còn|trong đó|resulting in|bringing)\s|\s[–—]\s"
)
_RIGHT_BOUNDARY = re.compile(_LEFT_BOUNDARY.pattern + r"|\(|\)")


def _clause(sentence: str, a: Amount, prev_end: int, next_start: int) -> tuple[int, int]:
    start = prev_end
    for boundary in _LEFT_BOUNDARY.finditer(sentence, prev_end, a.start):
        start = boundary.end()
    opened = sentence.rfind("(", start, a.start)
    if opened >= 0 and sentence.find(")", opened, a.start) < 0:
        start = opened + 1  # the amount is inside a parenthesis
    end = next_start
    m = _RIGHT_BOUNDARY.search(sentence, a.end, next_start)
    if m:
        end = m.start()
        if m.group(0) == "(":  # "(up 9.1%)" belongs to the amount before it
            close = sentence.find(")", m.end(), next_start)
            end = close + 1 if close > 0 else next_start
    return start, end


def _sides(flow: str, ms: list[Mention]) -> tuple[str | None, str | None, list[str]]:
    rep_roles = {
        "export": ("poss", "subj", "demonym", "of", "from"),
        "import": ("poss", "subj", "demonym", "of", "to"),
        "balance": ("poss", "subj", "demonym"),
        "total": ("poss", "subj", "demonym"),
    }[flow]
    par_roles = {
        "export": ("to", "with", "market"),
        "import": ("from", "with", "market"),
        "balance": ("with", "to", "from", "market"),
        "total": ("with", "market", "to"),
    }[flow]
    reps = [m.code for m in ms if m.role in rep_roles]
    pars = [m.code for m in ms if m.role in par_roles]
    pair = [m.code for m in ms if m.role == "pair"]
    owner = [m.code for m in ms if m.role == "poss"]
    # "Việt Nam chiếm 32% tổng kim ngạch thương mại của Hàn Quốc với Trung Quốc (…)": the flow's owner, not the subject
    reporter = owner[0] if owner and len(set(owner)) == 1 and len(set(reps)) > 1 else (reps[0] if reps else None)
    partner = next((p for p in reversed(pars) if p != reporter), None)
    return reporter, partner, pair


def _fill(reporter, partner, pair: tuple[str, str] | None):
    if pair is None:
        return reporter, partner
    r0, p0 = pair
    if reporter is None and partner is None:
        return r0, p0
    if partner is None:
        return reporter, p0 if reporter == r0 else (r0 if reporter == p0 else None)
    if reporter is None:
        return (r0 if partner == p0 else (p0 if partner == r0 else None)), partner
    return reporter, partner


def _periods_for(
    a: Amount, clause: tuple[int, int], pms: list[PeriodMention], current: Period | None = None, sentence: str = ""
) -> tuple[Period | None, str | None]:
    # "$48.5 billion in 2019", "26,4 tỷ USD năm 2024": a period right after the amount is its own
    right_after = [
        p
        for p in pms
        if p.period is not None
        and not p.comparison
        and not p.deadline
        and not p.since
        and a.end <= p.start
        and re.fullmatch(r"\s*(?:in|during|for|vào|trong)?\s*", sentence[a.end : p.start], re.I)
    ]
    if sentence and right_after:
        return right_after[0].period, None
    # "since 2022", "재작년 4월 이후": a starting point, no figure's period
    usable = [p for p in pms if not p.comparison and not p.deadline and p.relative is None and not p.since]
    distinct = {str(p.period) for p in usable}
    earlier = [p for p in pms if p.relative == "earlier" and not p.comparison and clause[0] <= p.start < clause[1]]
    if earlier:  # "지난해 같은 기간 …의 적자액(179억 달러)": the sentence's (or paragraph's) period a year back
        base = usable[0].period if len(distinct) == 1 else (current if not usable else None)
        if base is None:
            return None, f"'{earlier[0].text}' of a period the text does not settle"
        return base.year_earlier(), None
    if not usable:
        return None, None
    if len(distinct) == 1:
        p = usable[0]
        if sentence and p.start >= a.end and _CONTRAST.search(sentence, a.end, p.start):
            # "The deficit … widened to $230 million, whereas last year …": the contrasted clause's period
            return None, f"the sentence's only period ({p.text!r}) is the contrasting clause's"
        return (p.period, None) if p.period else (None, f"period not resolvable: {p.text!r}")
    inside = [p for p in usable if clause[0] <= p.start < clause[1]]
    if len({str(p.period) for p in inside}) == 1:
        return (inside[0].period, None) if inside[0].period else (None, f"period not resolvable: {inside[0].text!r}")
    before = [p for p in usable if p.end <= a.start]
    if before and before[-1].period and len(inside) == 0:
        return before[-1].period, None
    return None, "several periods in the sentence: " + ", ".join(p.text for p in usable)


_CONTRAST = re.compile(r"[,;]\s*(?:whereas|while|trong\s+khi)\s", re.I)


def _yoy(a: Amount, percents: list[Percent], sentence: str, lang: str, owner: dict) -> float | None:
    for i, p in enumerate(percents):
        if owner.get(i) is not a:
            continue
        left = sentence[max(0, p.start - 40) : p.start]
        right = sentence[p.end : p.end + 24]
        if word_re("yoy.not_yoy").search(left + " " + right):
            continue
        sign = _sign(p, left, right, lang)
        if sign:
            return round(sign * p.value, 4)
    # "267억 달러로 전월 대비 1.7% 감소했지만 전년동기 대비 9.9% 증가": a change the text marks as year-on-year, in the clause
    nxt = min([b.start for b in _AMOUNTS_OF.get(id(sentence), []) if b.start > a.end] + [len(sentence)])
    for p in percents:
        marked = _YOY_MARKER[lang].search(sentence[max(a.end, p.start - 40) : p.start]) or _YOY_AFTER[lang].match(
            sentence[p.end : p.end + 30]
        )
        if a.end <= p.start < nxt and marked:
            left, right = sentence[max(0, p.start - 40) : p.start], sentence[p.end : p.end + 16]
            if lang == "vi" and re.search(r"\bbằng\s*$", left, re.I) and not p.sign:
                return round(p.value - 100, 4)  # "bằng 124,8% so với cùng kỳ": the level as a share of a year before
            sign = _sign(p, left, right, lang)
            if sign and not word_re("yoy.not_yoy").search(sentence[max(a.end, p.start - 16) : p.start]):
                return round(sign * p.value, 4)
    return None


_YOY_MARKER = {
    "ko": re.compile(r"(?:전년\s*동[기월]|전년|지난해\s*같은\s*기간|작년\s*같은\s*기간)\s*(?:대비|보다|에\s*비해)\s*$"),
    "en": re.compile(
        r"(?:year[- ]on[- ]year|from\s+a\s+year\s+(?:earlier|ago)|y/y|yoy)[\s,]*"
        r"(?:(?:increase|rise|growth|gain|jump|decrease|decline|drop|fall|contraction)\s+)?(?:by|of)?\s*$",
        re.I,
    ),
    "vi": re.compile(r"so\s+với\s+cùng\s+kỳ(?:\s+năm\s+(?:trước|ngoái))?[\s,]*$", re.I),
}
_YOY_AFTER = {
    "ko": re.compile(r"(?!x)x"),
    "en": re.compile(r"\s*(?:year[- ]on[- ]year|on[- ]year|from\s+a\s+year\s+(?:earlier|ago)|y/y)", re.I),
    "vi": re.compile(r"\s*so\s+với\s+cùng\s+kỳ", re.I),
}
_AMOUNTS_OF: dict[int, list[Amount]] = {}


def _sign(p: Percent, left: str, right: str, lang: str) -> int:
    sign = p.sign
    if sign == 0:
        up, down = last_match(word_re("yoy.up"), left), last_match(word_re("yoy.down"), left)
        if lang == "ko" or not (up or down):
            # "7.6% 증가", "6.4%(9.5억 달러) 증가", "7.6%가 늘었다"
            tail = right.lstrip()
            if lang == "ko":
                tail = re.sub(r"^(?:\s*,\s*[△▲+\-]?\d+(?:\.\d+)?\s?%)*", "", right)  # "1.9%, 22.0% 늘었다"
                tail = re.sub(r"^\s*(?:\([^)]*\))?\s*(?:가|이|나|로|의)?\s*", "", tail)
            up_r, down_r = word_re("yoy.up").match(tail), word_re("yoy.down").match(tail)
            if up_r or down_r:  # the verb right after the percentage decides ("…감소했지만 … 9.9% 증가")
                up, down = up_r, down_r
            else:
                up, down = up or up_r, down or down_r
        if up and (not down or up.end() > down.end()):
            sign = 1
        elif down:
            sign = -1
    return sign


_TO_AMOUNT = re.compile(
    r"\s*,?\s*(?:to|at|of|lên|đạt|còn|xuống|reaching|to reach)\s*(?:about|nearly|over|gần|hơn|khoảng)?\s*$", re.I
)
_AFTER_AMOUNT = re.compile(
    r"[\s,(;]*(?:[^\W\d_][\w\-]*[\s,]*){0,6}?[\s(]*"
    r"|\s*(?:로|으로)?\s*,?\s*(?:(?:1년\s*전|전년|지난해|작년)[\s가-힣]{0,8}?(?:대비|보다|에\s*비해|比))?\s*\(?",
    re.I,
)


def _assign_percents(amounts: list[Amount], percents: list[Percent], sentence: str) -> dict:
    """Each percentage belongs to the amount right before it ("$25.6 bn (up 9.1%)") or right
    after it ("rising 10.6% to $18.7 bn"); a flow word in between breaks the link."""
    owner: dict[int, Amount] = {}
    for i, p in enumerate(percents):
        prev = [a for a in amounts if a.end <= p.start]
        nxt = [a for a in amounts if a.start >= p.end]
        gap_next = sentence[p.end : nxt[0].start] if nxt else None
        gap_prev = sentence[prev[-1].end : p.start] if prev else None
        if gap_next is not None and _TO_AMOUNT.fullmatch(gap_next):
            owner[i] = nxt[0]
        elif gap_prev is not None and _AFTER_AMOUNT.fullmatch(gap_prev) and not find_flow(gap_prev):
            owner[i] = prev[-1]
        elif gap_next is not None and re.fullmatch(r"[^,;]{0,30}", gap_next) and not find_flow(gap_next):
            owner[i] = nxt[0]
    # "수출은 445억달러, 수입은 180억달러로, 각각 … 1.9%, 22.0% 늘었다": in order, when the counts agree
    resp = last_match(_RESPECTIVELY, sentence)
    if resp:
        last_amount = max((a.end for a in amounts if a.end <= resp.start()), default=0)
        free_p = [i for i, p in enumerate(percents) if p.start > last_amount]
        free_a = [a for a in amounts if a.end <= resp.start()][-len(free_p) :] if free_p else []
        after_a = [a for a in amounts if a.start > resp.end()]
        if len(free_p) == len(free_a) >= 2 and not after_a:
            owner.update(dict(zip(free_p, free_a, strict=True)))
    return owner


_RESPECTIVELY = re.compile(r"각각|respectively|lần lượt|tương ứng", re.I)


def _qualifier(left: str, a: Amount) -> tuple[bool, str | None]:
    """(approximate, reason to skip) from the words right before the amount."""
    tail = left[-40:]
    lead = r"(?:\s+(?:of|là|đạt|the|a|at|mức))?\s*$"
    if re.search(rf"(?:{word_re('qualifiers.under').pattern}){lead}", tail, re.I):
        return False, "a bound (under/up to), not a figure"
    if re.search(rf"(?:{word_re('qualifiers.over').pattern}){lead}", tail, re.I):
        return (True, None) if a.decimals else (False, "a bound (over a round number), not a figure")
    if re.search(rf"(?:{word_re('qualifiers.milestone').pattern})(?:\s+(?:the|a|mốc|ngưỡng|mức))?\s*$", tail, re.I):
        return False, "a milestone (exceeded/surpassed), not a figure"
    approx = bool(re.search(rf"(?:{word_re('qualifiers.approximate').pattern}){lead}", tail, re.I))
    return approx or a.approximate, None


def _change(left: str, right: str, lang: str) -> bool:
    if re.search(rf"(?:{word_re('changes.before').pattern})\s*$", left[-30:], re.I):
        return True
    if re.search(r"\d\s?(?:%|percent|per\s+cent)\s*\(\s*$", left) and re.match(r"\s*\)", right):
        return True  # "down 23.6% ($2.70 billion)", "6.4%(9.5억 달러)": the change in money
    return bool(
        lang == "ko"
        and re.match(r"\s*(?:이|가|를|을)?\s*(?:" + "|".join(terms()["changes"]["ko_after"]) + ")(?!자)", right)
    )


# A figure in parentheses right after "a year earlier" is the base of the comparison: the same figure a year before
# ("1년 전(868억달러)보다 9.0% 증가", "up from a year earlier ($86.8 bn)", "so với cùng kỳ năm trước (86,8 tỷ USD)").
_BASE_BEFORE = {
    "ko": re.compile(
        r"(?:1년\s*전|한\s*해\s*전|전년(?:\s*동기|\s*같은\s*기간)?|(?:지난해|작년)\s*같은\s*기간)(?:의)?\s*\(\s*$"
    ),
    "en": re.compile(
        r"(?:a\s+year\s+(?:earlier|ago|before)|the\s+(?:previous|prior)\s+year|the\s+same\s+period\s+(?:of\s+)?last\s+year)"
        r"\s*\(\s*$",
        re.I,
    ),
    "vi": re.compile(r"(?:cùng\s+kỳ(?:\s+năm\s+(?:trước|ngoái))?|năm\s+(?:trước|ngoái))\s*\(\s*$", re.I),
}
# "이는 지난해 같은 기간 391억 달러보다 …": the base of a comparison without parentheses
_BASE_PLAIN = {
    "ko": re.compile(r"(?:1년\s*전|전년(?:\s*동기|\s*같은\s*기간)?|(?:지난해|작년)\s*같은\s*기간)(?:의)?\s*$"),
    # "so với mức 53,5 tỷ USD của năm trước", "compared with $51.2 billion a year earlier"
    "vi": re.compile(r"so\s+với\s+(?:mức\s+|con\s+số\s+)?$", re.I),
    "en": re.compile(r"(?:compared\s+(?:with|to)|versus|against|from)\s+$", re.I),
}
_BASE_PLAIN_AFTER = {
    "ko": re.compile(r"\s*(?:보다|에\s*비해|대비)"),
    "vi": re.compile(r"\s*(?:của|trong)\s+(?:cùng\s+kỳ\s+)?năm\s+(?:trước|ngoái)(?:\s+đó)?", re.I),
    "en": re.compile(
        r"\s*(?:a\s+year\s+(?:earlier|ago|before)|in\s+the\s+same\s+period\s+(?:of\s+)?(?:last|the\s+previous)\s+year)",
        re.I,
    ),
}
_NO_BASE = re.compile(r"(?!x)x")
# A sentence that opens by pointing back at the previous one ("이는", "This", "Con số này"): its change is that figure's.
_BACK_REFERENCE = re.compile(r"^\s*(?:이는|이것은|이 수치는|This|That|Con số này|Mức này|Điều này)(?![\w])", re.I)


def _base_figure(
    sentence: str, a: Amount, prev_end: int, lang: str, res: SentenceResult, carry: Carry
) -> Figure | bool | None:
    """The year-earlier figure an amount in parentheses states; False when the amount is not one."""
    before = sentence[prev_end : a.start]
    parenthesised = _BASE_BEFORE[lang].search(before) and re.match(r"\s*\)", sentence[a.end :])
    compared = _BASE_PLAIN.get(lang, _NO_BASE).search(before) and _BASE_PLAIN_AFTER[lang].match(sentence[a.end :])
    if not (parenthesised or compared):
        return False
    own = [f for f in res.figures if not f.base]
    ref = own[-1] if own else carry.last_figure
    if not own and carry.inherited and not _BACK_REFERENCE.match(sentence):
        ref = None
    if ref is None:
        return None
    after = sentence[a.end : a.end + 40]
    after = after[: m.start()] if (m := re.search(r"[,;]", after)) else after
    flow = find_flow(sentence[prev_end : a.start]) or find_flow(after)
    if flow and flow[0] != ref.flow.value:
        return None
    stop = re.search(r"[,;]|\s(?:and|và)\s|(?:으며|하며|고)\s", sentence[a.end :])
    span = sentence[prev_end : a.end + (stop.start() if stop else len(sentence))]
    others = {m.code for m in find_countries(span, lang) if m.role not in ("other", "cmp")}
    if others - {ref.reporter, ref.partner}:
        return None
    value = a.value_usd if ref.value_usd >= 0 or ref.flow is not Flow.BALANCE else -(a.value_usd or 0)
    return Figure(
        ref.reporter,
        ref.partner,
        ref.flow,
        ref.period.year_earlier(),
        value or 0,
        a.precision_usd,
        ref.commodity,
        False,
        None,
        base=True,
    )


def read_sentence(
    sentence: str,
    lang: str,
    published: date | None,
    carry: Carry,
    *,
    rank_pair=None,
    rank_flow: str | None = None,
    claims: list | None = None,
    rank_basis: str | None = None,
    doc_agency: str | None = None,
    reporter_hint: str | None = None,
    doc_pair: bool = False,
    cont: tuple[str, tuple[str, str]] | None = None,
) -> SentenceResult:
    res = SentenceResult()
    amounts = find_amounts(sentence, lang)
    if not amounts:
        return res
    mentions = find_countries(sentence, lang)
    pms = find_periods(sentence, lang, published, year_hint=None)
    percents = find_percents(sentence, lang)
    owner = _assign_percents(amounts, percents, sentence)
    _AMOUNTS_OF.clear()
    _AMOUNTS_OF[id(sentence)] = amounts
    s_agency = agency_country(sentence)
    reg = countries()
    forced_sides: dict[int, tuple[str, str]] = {}
    forced_flow, forced_partner = _parallel(sentence, amounts, mentions, forced_sides, res.listed)
    back = carry.listed
    if back and _FIGURES_BACK.match(sentence) and len(amounts) == len(back[0]) and not find_flow(sentence):
        joined = all(_JOIN.fullmatch(sentence[x.end : y.start]) for x, y in itertools.pairwise(amounts))
        if joined:  # the previous sentence's flows, in order, between the same two countries
            forced_flow.update(dict(enumerate(back[0])))
            forced_sides.update(dict.fromkeys(range(len(amounts)), (back[1], back[2])))
    members = _ranked_members(sentence, lang, amounts, mentions, claims or [])
    spans = _from_to(sentence, amounts, pms, lang)
    after_ref: set[int] = set()  # amounts read as "after $X for <country>"
    for i, a in enumerate(amounts):
        _mark_spans(res, amounts[i - 1] if i else None)
        prev_end = amounts[i - 1].end if i else 0
        next_start = amounts[i + 1].start if i + 1 < len(amounts) else len(sentence)
        cs, ce = _clause(sentence, a, prev_end, next_start)
        left, right = sentence[cs : a.start], sentence[a.end : ce]
        near = left + " " + right
        if a.value_usd is None:
            res.skips.append(f"unreadable number {a.text!r}")
            continue
        # --- a comparison figure "Japan (76.68 billion USD)" ---------------------------
        cmp = re.search(r"(\S[^,(]{0,40}?)\s*\(\s*$", sentence[prev_end : a.start])
        cmp_code = None
        if cmp and re.match(r"\s*\)", sentence[a.end :]):
            names = [m for m in mentions if m.end <= a.start and sentence[m.end : a.start].strip() == "("]
            cmp_code = names[-1].code if names else None
        elif lang == "ko" and re.match(r"\s*(?:\([^)]{0,12}\))?\s*(?:보다|에\s*비해)", sentence[a.end :]):
            # "…223억달러(6위)로 일본 321억달러(3위)보다 98억달러 적었다": the country compared with, by the same measure
            names = [
                m
                for m in mentions
                if prev_end <= m.start and m.end <= a.start and not sentence[m.end : a.start].strip()
            ]
            cmp_code = names[-1].code if names else None
        base_fig = _base_figure(sentence, a, prev_end, lang, res, carry)
        if base_fig is None:
            res.skips.append(f"a comparison base whose figure the text does not settle: {a.text!r}")
            continue
        if base_fig:
            assert isinstance(base_fig, Figure)
            res.figures.append(base_fig)
            continue
        own_figs = [f for f in res.figures if not f.base]
        chained = not own_figs or (i - 1) in after_ref
        other = _ranked_after(sentence, lang, a, prev_end, mentions, carry) if chained else None
        if other is not None:  # "The total amount is third-highest after $79.25 billion for China and $39.66 bn for …"
            after_ref.add(i)
            ref = carry.last_figure
            assert ref is not None
            if reg.is_aggregate(other) or other in (ref.reporter, WORLD):
                res.skips.append(f"a figure compared with that names no partner of {ref.reporter}: {a.text!r}")
                continue
            res.figures.append(
                Figure(ref.reporter, other, ref.flow, ref.period, a.value_usd, a.precision_usd, ref.commodity)
            )
            continue
        if cmp_code and not own_figs and rank_pair and rank_flow and cmp_code != rank_pair[0]:
            # "중국(2천727억달러), 미국(1천962억달러)에 이어 세 번째로 큰 교역 규모": the ranking's own measure
            period, why = _periods_for(a, (prev_end, next_start), pms, carry.figure_period)
            period = period or (carry.figure_period if why is None else None)
            if period is None or reg.is_aggregate(cmp_code):
                res.skips.append(f"a ranked country's figure without a period or a country: {a.text!r}")
                continue
            res.figures.append(
                Figure(rank_pair[0], cmp_code, Flow(rank_flow), period, a.value_usd, a.precision_usd, "TOTAL")
            )
            continue
        if cmp_code and own_figs:
            base = own_figs[-1]
            if cmp_code == base.reporter or reg.is_aggregate(cmp_code):
                res.skips.append(f"comparison figure for {cmp_code}: not a partner of {base.reporter}")
                continue
            res.figures.append(
                Figure(
                    base.reporter,
                    cmp_code,
                    base.flow,
                    base.period,
                    a.value_usd,
                    a.precision_usd,
                    base.commodity,
                    False,
                    None,
                )
            )
            continue
        # --- scope ------------------------------------------------------------------------
        skip: str | None = None
        for key, excluded in (
            ("exclusions.investment", "investment"),
            ("exclusions.aid", "aid/ODA"),
            ("exclusions.tourism", "tourism"),
            ("exclusions.labour", "remittances"),
            ("exclusions.other_money", "not a trade amount"),
            ("exclusions.average", "an average per day"),
            ("exclusions.sector", "a sector of the economy, not the whole country"),
        ):
            if word_re(key).search(near):
                skip = excluded
                break
        wide = sentence[prev_end : a.start] + " " + right
        if not skip and word_re("exclusions.target").search(wide):
            skip = "a target"
        if not skip and word_re("exclusions.forecast").search(wide):
            skip = "a forecast"
        if not skip and any(p.deadline and a.end <= p.start < ce + 20 for p in pms):
            skip = "a target (deadline year)"
        if skip:
            res.skips.append(f"{skip}: {a.text!r}")
            continue
        approx, why = _qualifier(left, a)
        if not why and a.bound:
            why = "a bound (이상/돌파), not a figure"
        if not why and re.match(r"\s*(?:mark|milestone|threshold|mốc|ngưỡng)\b", right, re.I):
            why = "a milestone, not a figure"
        if i in spans:  # "from $0.5 bn in 1992 to $43.4 bn last year": both ends are levels
            why = None
        elif not why and re.search(r"\d\s?(?:%|percent|per\s+cent)\s*\(\s*$", sentence[: a.start]):
            why = "the change in money beside a percentage ('down 23.6% ($2.70 billion)')"
        base_level = None
        if not why and i not in spans and _change(left, right, lang):
            why = "an absolute change or a comparison base, not a level"
            base_level = _stated_base(sentence, a, lang, pms, published)
            if base_level is not None:  # "…, up from $78 billion last year": the level of that period
                why = None
        rel = _relative_flow(sentence, a, lang, mentions) if why and why.startswith("a milestone") else None
        if rel is not None:  # "vượt mức 15,48 tỷ USD mà Hàn Quốc xuất sang Nhật Bản": the amount passed is a figure
            period, why = _periods_for(a, (cs, ce), pms, carry.figure_period, sentence)
            period = period or (carry.figure_period if why is None else None)
            if period is None:
                res.skips.append(f"a figure passed without a period: {a.text!r}")
                continue
            res.figures.append(Figure(rel[1], rel[2], Flow(rel[0]), period, a.value_usd, a.precision_usd))
            continue
        if why:
            res.skips.append(f"{why}: {a.text!r}")
            continue
        if (
            i in members
        ):  # "…, followed by China with $50.5 bn, the EU with …, Japan with $18 bn": the ranking's measure
            code, c = members[i]
            if reg.is_aggregate(code) or code == c.reporter:
                res.skips.append(f"a ranked list's member that is no partner of {c.reporter} ({code}): {a.text!r}")
                continue
            period, why = _periods_for(a, (cs, ce), pms, carry.figure_period)
            period = period or (carry.figure_period if why is None else None)
            if period is None:
                res.skips.append(f"a ranked list's member without a period: {a.text!r}")
                continue
            yoy = _yoy(a, percents, sentence, lang, owner)
            res.figures.append(
                Figure(c.reporter, code, Flow(c.flow), period, a.value_usd, a.precision_usd, "TOTAL", approx, yoy)
            )
            continue
        # --- flow ---------------------------------------------------------------------------
        found: tuple[str, re.Match | None] | None = None
        flow_after: str | None = None  # the flow named right after the amount ("$5 billion trade deficit")
        verb = (
            re.match(
                r"\s*(?:\([^()]{0,24}\)\s*)?(?:어치)?(?:를|을|의)\s*(?:[가-힣]+(?:에|으로|로)\s*)?"
                r"(?=수출|수입|무역\s*흑자|무역\s*적자|흑자|적자)",
                sentence[a.end : a.end + 60],  # past a parenthesis: "187억 달러(약 20조원)의 무역흑자를"
            )
            if lang == "ko"
            else None
        )
        if verb:  # "609억달러를 베트남에 수출하고 267억달러를 수입했다": the verb after the object
            found = find_flow(sentence[a.end + verb.end() : a.end + verb.end() + 5])
            if found:
                found = (found[0], None)
                before = find_flow(left)
                if before:  # "…베트남에 수출하고": the words before belong to the previous amount's verb
                    cs += before[1].end()
                    left = sentence[cs : a.start]
        if i in forced_flow:
            found = (forced_flow[i], None)
        if i in spans:
            found = (spans[i][0], None)
            cs = min(cs, spans[i][2])
            left = sentence[cs : a.start]
        # "$10.7 billion in exports", "a $34.5 billion trade deficit with …", "22.5 billion USD import value from …":
        # a flow noun right after the amount is its own, before any flow word earlier in the clause
        noun_after = (
            re.match(
                r"\s*(?:(?:in|of|worth\s+of)\s+)?(?:(?!(?:and|or|while|but|with|và|trong)\b)\w+\s+){0,2}?"
                r"(?:exports?|imports?|shipments|trade|surplus|deficit)(?:\s+(?:surplus|deficit|balance|value|turnover|volume))?\b",
                right,
                re.I,
            )
            if lang != "ko" and not found
            else None
        )
        if noun_after and find_flow(noun_after.group(0)):
            found, flow_after = find_flow(noun_after.group(0)), noun_after.group(0)
            found = (found[0], None) if found else None
        if base_level is not None:  # the flow and sides of the figure it is compared with: the sentence's
            found = found or last_flow(sentence[: a.start])
            cs, left = 0, sentence[: a.start]
        found = found or find_flow(left)
        if not found and cont is not None and not find_flow(sentence):
            found = (cont[0], None)  # "이후 2010년 … 2012년 217억달러를 기록했다": the previous sentence's flow goes on
        if not found and find_flow(sentence[prev_end : a.start]):
            cs = prev_end  # "imports from Korea fell 3.1% month-on-month, reaching $4.6 bn": the flow is earlier
            left = sentence[cs : a.start]
            found = find_flow(left)
        continued_sign = 0
        own_period = [p for p in pms if cs <= p.start and p.end <= a.start and p.period is not None]
        bare_left = left
        for p in own_period:  # "…적자 규모는 2018년 296억 달러, 2019년 275억 달러, …": a period is all the clause adds
            bare_left = bare_left.replace(p.text, " ")
        if not found and i and res.figures and re.fullmatch(r"[\s,]*(?:(?:and|và|in|năm|vào)[\s,]*)*", bare_left, re.I):
            found = (res.figures[-1].flow.value, None)  # "…, $8.1 billion in Japan": the list goes on
            continued_sign = -1 if res.figures[-1].value_usd < 0 else 1
        if (
            not found
            and i
            and re.fullmatch(r"\s*(?:(?:from|từ)\s+[^,;$\d]{0,30}?\d{0,4}\s+)?(?:to|lên|xuống|còn)\s*", left, re.I)
        ):
            # "widened $2.1 billion to $31.0 billion": the level after a change takes the flow before the change
            pcs, _ = _clause(sentence, amounts[i - 1], amounts[i - 2].end if i > 1 else 0, a.start)
            before = find_flow(sentence[pcs : amounts[i - 1].start])
            if before:
                found, cs = (before[0], None), pcs
                left = sentence[cs : a.start]
        if not found and i and res.figures and _GREW_TO.fullmatch(left):
            # "…đạt 500 triệu USD, đến năm 2021 đã tăng gấp 161 lần lên 80,7 tỷ USD", "…, and by 2023 had grown to
            # $86 bn": the level the previous figure grew to, in the clause's own period
            found = (res.figures[-1].flow.value, None)
        ranked = [c for c in claims or [] if cs - 2 <= c.start < ce and c.partner != WORLD] or [
            c for c in claims or [] if ce <= c.start < ce + 12 and c.partner != WORLD
        ]
        named_here = {m.code for m in mentions if cs <= m.start < ce and m.role not in ("other", "cmp")}
        if (
            len(ranked) == 1
            and (not found or found[0] == ranked[0].flow)
            and named_here <= {ranked[0].partner, ranked[0].reporter}
        ):
            # "2위는 '사우디아라비아' 181억1300만달러", "'중국'은 289억달러로 2위": the ranking's measure and sides
            c = ranked[0]
            period, why = _periods_for(a, (cs, ce), pms, carry.figure_period)
            period = period or (carry.figure_period if why is None else None)
            if period is None:
                res.skips.append(f"a ranked partner's figure without a period: {a.text!r}")
                continue
            value = a.value_usd
            deficit = found is not None and found[1] is not None and word_re("flows.deficit").search(found[1].group(0))
            if c.flow == "balance" and (deficit or (found is None and rank_basis == "deficit")):
                value = -value
            res.figures.append(
                Figure(
                    c.reporter,
                    c.partner,
                    Flow(c.flow),
                    period,
                    value,
                    a.precision_usd,
                    "TOTAL",
                    approx,
                    _yoy(a, percents, sentence, lang, owner),
                )
            )
            continue
        if not found:
            res.skips.append(f"no trade flow named: {a.text!r}")
            continue
        flow = found[0]
        # --- commodity ------------------------------------------------------------------------
        commodity = "TOTAL"
        earlier = [
            m for m in word_re("commodities").finditer(sentence, 0, cs) if terms()["commodities"].get(m.group(0)) != ""
        ]
        if earlier and not word_re("world_markers.words").search(left):
            # "반도체는 한국의 대베트남 최대 수출 품목으로, 지난해 수출액은 247억달러": the sentence is about the commodity
            res.skips.append(f"a commodity ({earlier[-1].group(0)}) is the sentence's subject: {a.text!r}")
            continue
        # "무선통신기기, 의류 등을 중심으로 … 증가한 148억 달러", "led by phones and textiles": the goods that drove the
        # total, not the figure's commodity
        words = list(word_re("commodities").finditer(_LED_BY.sub(" ", left) + " " + _LED_BY.sub(" ", right)))
        if words:
            codes = {
                terms()["commodities"].get(
                    m.group(0).lower(), terms()["commodities"].get(re.sub(r"\s+", " ", m.group(0)), "")
                )
                for m in words
            }
            codes = set(codes)
            if "" in codes or len(codes) > 1:
                res.skips.append(
                    f"commodity without a single HS code ({', '.join(m.group(0) for m in words)}): {a.text!r}"
                )
                continue
            commodity = codes.pop()
        # --- sides ---------------------------------------------------------------------------
        clause_ms = [m for m in mentions if cs <= m.start < ce and m.role not in ("other", "cmp")]
        if (
            i and found[1] is not None
        ):  # "…$56.4 bn to Vietnam and imported $26.1 bn": "to Vietnam" is the previous figure's
            fpos = cs + found[1].start()
            clause_ms = [m for m in clause_ms if not (m.start < fpos and m.role in ("to", "from", "with", "market"))]
        if (
            rank_pair
            and clause_ms
            and {m.code for m in clause_ms} <= set(rank_pair)
            and all(m.role in ("subj", "poss") for m in clause_ms)
        ):
            clause_ms = []  # the names belong to the rank claim: "X is Y's third-largest partner with trade of $Z"
        if i in forced_partner:
            listed = set(forced_partner.values())
            clause_ms = [m for m in clause_ms if m.code not in listed and m.role in ("poss", "subj", "demonym")]
        reporter, partner, pair = _sides(flow, clause_ms)
        if i in forced_partner:
            partner, pair = forced_partner[i], []
        if i in forced_sides:
            (reporter, partner), pair = forced_sides[i], []
        if cont is not None and not clause_ms and not pair and reporter is None and partner is None:
            pair = list(cont[1])
        if reporter == WORLD:  # "của cả nước": the whole country speaks, against the world
            reporter, partner = ("VNM" if lang == "vi" else None), WORLD
        pointer = re.search(r"(?:con\s+số\s+này|this\s+figure|the\s+figure|이\s*수치)", left, re.I)
        if reporter is None and partner is None and not pair:
            if i and res.figures and (res.figures[-1].partner != WORLD or pointer):
                f0 = res.figures[-1]
                reporter, partner = f0.reporter, f0.partner
            elif rank_pair:
                reporter, partner = rank_pair
            else:
                seg = [m for m in mentions if prev_end <= m.start < a.start and m.role not in ("other", "cmp")]
                reporter, partner, pair = _sides(flow, seg)
                contrast = re.search(r"[,;]\s*(?:whereas|while)\s+[^,;]*$", sentence[prev_end : a.start], re.I)
                if reporter is None and partner is None and not pair and i and contrast:
                    # "Vietnam's imports from China topped $45 bn, …, whereas exports stood at $15.5 bn": the
                    # contrasted flow goes between the same two countries as the first clause's, whose amount
                    # itself was no figure
                    reporter, partner = _first_clause_sides(sentence, amounts[0], mentions)
        if pair and len(set(pair)) == 2:
            if reporter in pair:
                partner = next(p for p in pair if p != reporter)
            else:
                ctx = rank_pair or carry.pair
                r = s_agency or (ctx[0] if ctx and set(ctx) == set(pair) else None) or doc_agency or reporter_hint
                if r in pair:
                    reporter, partner = r, next(p for p in pair if p != r)
        if reporter is None or partner is None:
            ctx = (
                (res.figures[-1].reporter, res.figures[-1].partner)
                if res.figures and res.figures[-1].partner != WORLD
                else None
            )
            had_partner = partner is not None
            reporter, partner = _fill(reporter, partner, ctx or rank_pair or carry.pair)
            # "…, $8.1 billion in Japan", "a $5 bn deficit with Korea and a $10 bn surplus with Japan": the same side
            if reporter is None and partner is not None and res.figures and partner != res.figures[-1].reporter:
                reporter = res.figures[-1].reporter
            named = {
                m.code for m in mentions if cs <= m.start < ce and m.role not in ("other", "cmp", "to", "from", "with")
            }
            if not had_partner and partner is not None and named - {reporter, partner, WORLD}:
                # "수출 1~3위는 중국 791억달러…": a country of the clause's own stands by the amount
                res.skips.append(f"the clause names {', '.join(sorted(named))}, not the context's partner: {a.text!r}")
                continue
        mirrored = False
        if (
            s_agency
            and reporter
            and reporter != s_agency
            and partner == s_agency
            and flow in ("export", "import", "balance", "total")
        ):
            reporter, partner, mirrored = s_agency, reporter, True
            flow = {"export": "import", "import": "export"}.get(flow, flow)
        if reporter is None:
            reporter = s_agency or doc_agency or reporter_hint or _LANGUAGE_SIDE.get(lang)
            if reporter == partner:
                reporter = None
            if flow == "total" and partner is None and pair and reporter in pair and len(set(pair)) == 2:
                partner = next(p for p in pair if p != reporter)  # "한국과 베트남의 교역액": no side of its own
        if (
            partner is None
            and reporter
            and (
                word_re("world_markers.words").search(sentence)
                or (
                    not carry.pair
                    and not rank_pair
                    and not [m for m in mentions if m.code != reporter]
                    and not _BILATERAL.search(sentence)
                )
            )
        ):
            partner = WORLD
        if (
            flow == "total"
            and partner is None
            and doc_pair
            and _BILATERAL.search(sentence[cs:ce])
            and not {m.code for m in mentions} - {"KOR", "VNM"}
        ):
            # "Two-way trade increased … to $43.4 billion" on a page about Korea and Vietnam, its side settled by
            # an agency or the language
            side = s_agency or doc_agency or reporter_hint or _LANGUAGE_SIDE.get(lang)
            if side in REPORTERS:
                reporter, partner = side, next(c for c in REPORTERS if c != side)
        if reporter not in REPORTERS:
            res.skips.append(f"reporter is not Korea or Vietnam ({reporter or 'unknown'}): {a.text!r}")
            continue
        if partner is None or partner == reporter:
            res.skips.append(f"partner unknown: {a.text!r}")
            continue
        if commodity != "TOTAL" and partner not in {m.code for m in mentions if cs <= m.start < ce} | {WORLD}:
            res.skips.append(f"a commodity figure whose partner its clause does not name: {a.text!r}")
            continue
        if partner != WORLD and reg.is_aggregate(partner):
            res.skips.append(f"a bloc or region ({partner}), not a country: {a.text!r}")
            continue
        # --- period -------------------------------------------------------------------------------
        restated = False
        period, why = _periods_for(a, (cs, ce), pms, carry.figure_period, sentence)
        if i in spans:
            period, why = spans[i][1], None
        if base_level is not None:
            period, why = base_level, None
        if period is None and why is None:
            period = carry.figure_period
            if period is None and _SAME_PERIOD[lang].search(sentence) and carry.last_figure and not carry.inherited:
                period = carry.last_figure.period  # "during the same period", "같은 기간": the one just stated
            if period is None and _SAME_SPAN[lang].search(sentence):
                period = _the_span(carry)  # "작년 같은 기간에 비해": a span of months, not the month beside it
            restated = period is None and (period := _restated(carry.stated, reporter, partner, flow, a)) is not None
            if period is None:
                why = "no period in the sentence or its paragraph"
        if period is not None and _CONTRAST.search(sentence[max(0, cs - 12) : a.start]):
            # "The deficit in 11 months widened to $230 million, whereas last year Vietnam enjoyed a surplus of $2 bn":
            # a year set against a part of a year may be that year's same part
            parts = [f.period for f in res.figures if not f.base and f.period.kind is not PeriodKind.YEAR]
            if period.kind is PeriodKind.YEAR and any(p.start.year == period.start.year + 1 for p in parts):
                why, period = "a year contrasted with a part of the next (the same months, or the whole year?)", None
        if period is None:
            res.skips.append(f"{why}: {a.text!r}")
            continue
        # --- value and sign ---------------------------------------------------------------------
        value = a.value_usd
        if flow == "balance":
            words = list(word_re("flows.surplus").finditer(left)) + list(word_re("flows.deficit").finditer(left))
            if lang == "ko":
                words += list(re.finditer("흑자|적자", right))
            last = max(words, key=lambda m: m.end()) if words else None
            if flow_after:  # "$5 billion trade deficit with …": the noun after the amount names its sign
                after = word_re("flows.surplus").search(flow_after) or word_re("flows.deficit").search(flow_after)
                last = after or last
            negative = a.negative or bool(last and word_re("flows.deficit").fullmatch(last.group(0)))
            if continued_sign and not last:  # a list of balances goes on with the sign it started with
                negative = continued_sign < 0
            value = -value if negative else value
            if mirrored:
                value = -value
        elif a.negative:
            res.skips.append(f"a negative {flow}: {a.text!r}")
            continue
        fig = Figure(
            reporter,
            partner,
            Flow(flow),
            period,
            value,
            a.precision_usd,
            commodity,
            approx,
            _yoy(a, percents, sentence, lang, owner),
            # the "from" end of "from X to Y" is the starting point, not what the paragraph goes on about
            # (nor is a figure restated, which hands nothing on: it only merges with the figure it restates)
            base=(i in spans and i + 1 in spans and spans[i + 1][1] != spans[i][1]) or restated,
        )
        res.figures.append(fig)
    _mark_spans(res, amounts[-1])
    return res


_FROM = {"en": re.compile(r"\bfrom\s*$", re.I), "vi": re.compile(r"\btừ\s*(?:mức\s*)?$", re.I)}
_TO = {
    "en": re.compile(r"\bto\s*(?:about|nearly|some|almost)?\s*$", re.I),
    "vi": re.compile(r"\b(?:lên|đến|tới)\s*(?:đạt\s*)?(?:mức\s*)?(?:kỷ\s+lục\s*)?(?:gần|khoảng)?\s*$", re.I),
}


def _from_to(sentence: str, amounts: list[Amount], pms: list[PeriodMention], lang: str) -> dict:
    """ "from US$0.5 billion in 1992 to $43.4 billion last year", "từ 0,5 tỷ USD năm 1992 … lên 61,5 tỷ USD vào năm
    2017", "2014년 303억달러에서 올해 626억달러로": both ends are levels of the clause's flow, each in its own period.
    Index of the amount -> (flow, period, clause start)."""
    out: dict[int, tuple[str, Period, int]] = {}
    usable = [p for p in pms if p.period is not None and not p.deadline and p.relative is None and not p.since]
    for i in range(len(amounts) - 1):
        a, b = amounts[i], amounts[i + 1]
        gap = sentence[a.end : b.start]
        if len(gap) > 150:
            continue
        if lang == "ko":
            if not (
                re.match(r"\s*(?:에서|에서부터)(?![가-힣])", gap)
                and re.match(r"\s*(?:으로|로)(?![가-힣])", sentence[b.end :])
            ):
                continue
            start = amounts[i - 1].end if i else 0
            pa = [p for p in usable if start <= p.start and p.end <= a.start]
            pb = [p for p in usable if a.end <= p.start and p.end <= b.start]
        else:
            if not (_FROM[lang].search(sentence[max(0, a.start - 12) : a.start]) and _TO[lang].search(gap)):
                continue
            nxt = amounts[i + 2].start if i + 2 < len(amounts) else len(sentence)
            pa = [p for p in usable if a.end <= p.start < b.start]
            pb = [p for p in usable if b.end <= p.start < min(nxt, b.end + 40)]
        start = amounts[i - 1].end if i else 0
        head = sentence[start : a.start]
        cut = max((m.end() for m in _LEFT_BOUNDARY.finditer(head)), default=0)
        flow = find_flow(head[cut:])
        if not flow:  # "Kim ngạch thương mại Việt Nam – Hàn Quốc tăng từ …": the dash joins the pair
            flow, cut = find_flow(head), 0
        to_period = pb[0].period if pb else None
        if flow and to_period and not pa and lang != "ko" and re.search(r"\d{4}", sentence[a.end : b.start]):
            # "từ 500 triệu USD vào năm 1922 lên 80,6 tỷ USD năm 2021": a starting year that is no period (a typo)
            # leaves the "to" end its own
            out[i + 1] = (flow[0], to_period, start + cut)
            continue
        if not flow or not pa or not pb:
            continue
        period_a = pa[-1].period if lang == "ko" else pa[0].period
        period_b = pb[-1].period if lang == "ko" else pb[0].period
        if period_a is None or period_b is None or str(period_a) == str(period_b):
            continue
        out[i] = (flow[0], period_a, start + cut)
        out[i + 1] = (flow[0], period_b, start + cut)
    return out


# words that speak of two sides: a figure with them is never against the world
_BILATERAL = re.compile(
    r"양국|두\s*나라|쌍방|hai\s+nước|song\s+phương|hai\s+chiều|two-way|bilateral|the\s+two\s+countries", re.I
)
_JOIN = re.compile(r"\s*(?:,\s*)?(?:and|và|과|와|및|,)\s*", re.I)


def _parallel(
    sentence: str, amounts: list[Amount], mentions: list[Mention], sides: dict, heads: list
) -> tuple[dict, dict]:
    """ "exports and imports were $56.1 bn and $25.3 bn", "sang Trung Quốc và Hàn Quốc lần lượt là 13 tỷ USD và 6,6 tỷ
    USD": a run of amounts joined by "and" takes the flows or the countries listed before it, in order. A list of flows
    whose owner and other side the head names once fills ``sides`` (index -> (reporter, partner)) and ``heads``
    ((flows, reporter, partner) for a next sentence that points back, "The figures soared to $A and $B")."""
    flows: dict[int, str] = {}
    partners: dict[int, str] = {}
    i = 0
    while i < len(amounts):
        j = i
        while j + 1 < len(amounts) and _JOIN.fullmatch(sentence[amounts[j].end : amounts[j + 1].start]):
            j += 1
        k = j - i + 1
        if k >= 2:
            start = amounts[i - 1].end if i else 0
            head = sentence[start : amounts[i].start]
            cut = max((m.end() for m in re.finditer(r"[;:]\s|\.\s", head)), default=0)
            head_start = start + cut
            head = sentence[head_start : amounts[i].start]
            fl = _flow_list(head)
            names = [
                m
                for m in mentions
                if head_start <= m.start < amounts[i].start
                and m.role in ("pair", "to", "from", "market", "with", "subj")
            ]
            if len(fl) == k and len(set(fl)) == k:
                flows.update({i + n: f for n, f in enumerate(fl)})
                shared = _shared_sides(mentions, head_start, amounts[i].start)
                if shared is not None:  # "Korea's exports to and imports from Vietnam were $A and $B"
                    sides.update({i + n: shared for n in range(k)})
                    heads.append((fl, *shared))
            elif (
                len(names) == k
                and len({m.code for m in names}) == k
                and all(_JOIN.fullmatch(sentence[names[n].end : names[n + 1].start]) for n in range(k - 1))
            ):
                partners.update({i + n: m.code for n, m in enumerate(names)})
                one = find_flow(head)
                if one:
                    flows.update({i + n: one[0] for n in range(k)})
        i = j + 1
    return flows, partners


def _shared_sides(mentions: list[Mention], start: int, end: int) -> tuple[str, str] | None:
    """(reporter, partner) of a head naming one owner (Korea's / Vietnam's) and one other country."""
    ms = [m for m in mentions if start <= m.start < end and m.role not in ("other", "cmp")]
    owners = {m.code for m in ms if m.role in ("poss", "demonym")}
    others = {m.code for m in ms} - owners
    if len(owners) != 1 or len(others) != 1:
        return None
    reporter, partner = owners.pop(), others.pop()
    if reporter not in REPORTERS or partner == WORLD or countries().is_aggregate(partner):
        return None
    return reporter, partner


# "The figures soared to $48.6 bn and $19.6 bn last year": the previous sentence's list of flows, in order
_FIGURES_BACK = re.compile(
    r"^\s*(?:The|These|Those|Both)\s+(?:two\s+)?(?:figures|numbers|values|amounts)\b|^\s*They\s+(?!said)", re.I
)


def _flow_list(head: str) -> list[str]:
    """The flow words of a phrase in order, one per word, when they are joined by "and" ("exports and imports")."""
    found: list[str] = []
    pos = 0
    while True:
        m = None
        for name, pat in flow_patterns():
            for x in pat.finditer(head, pos):
                if m is None or x.start() < m[1].start() or (x.start() == m[1].start() and x.end() > m[1].end()):
                    m = (name, x)
                break
        if m is None:
            return found if len(found) >= 2 else []
        if found and not re.fullmatch(
            r"\s*(?:to|from|with|of)?\s*(?:\S+\s+){0,3}?(?:and|và|과|와|및|,)\s*", head[pos : m[1].start()], re.I
        ):
            return []
        found.append(m[0])
        pos = m[1].end()


def _mark_spans(res: SentenceResult, a: Amount | None) -> None:
    for f in res.figures:
        if f.span is None and a is not None:
            f.span = (a.start, a.end)


_MEMBER = {
    "en": re.compile(
        r"(?P<sep>[,;]\s*(?:and\s+)?|\band\s+|\bfollowed\s+by\s+|\btrailed\s+by\s+)(?:the\s+)?(?P<name>[^,;()$\d]{1,50}?)\s*(?:\([^)]{1,12}\))?\s+"
        r"with\s+(?:about\s+|nearly\s+|some\s+)?$",
        re.I,
    ),
    "vi": re.compile(
        r"(?P<sep>[,;]\s*(?:và\s+)?|\bvà\s+|tiếp\s+theo\s+là\s+|tiếp\s+đến\s+là\s+|theo\s+sau\s+là\s+|kế\s+đến\s+là\s+)(?P<name>[^,;()\d]{1,50}?)\s*"
        r"(?:\([^)]{1,12}\))?\s+(?:với|đạt)\s+(?:khoảng\s+|gần\s+)?$",
        re.I,
    ),
}


def _ranked_members(sentence: str, lang: str, amounts: list[Amount], mentions: list[Mention], claims: list) -> dict:
    """ "It was followed by China with $50.5 bn, up 16.8%, the EU with $35.7 bn, … and Japan with $18 bn": after
    "followed by", each "<country> with <amount>" is a member of the ranking a claim of the sentence set up, with that
    ranking's measure and owner (its rank is claimed only for the first member; blocs between members break the
    order). Index of the amount -> (country, the claim whose measure it takes)."""
    follow = FOLLOWED_BY.get(lang)
    pat = _MEMBER.get(lang)
    if follow is None or pat is None:
        return {}
    out: dict[int, tuple[str, object]] = {}
    head_list = _listed_head(sentence, lang, amounts, mentions, follow) if not claims else None
    if head_list is not None:  # "X was Vietnam's largest import market, with $98.5 bn, followed by Y with …"
        claims = [head_list]
        out[0] = (head_list.partner, head_list)
    for i, a in enumerate(amounts):
        f = list(follow.finditer(sentence, 0, a.start))
        ruling = [c for c in claims if c.start < a.start and c.partner != WORLD]
        if not ruling:
            continue
        prev_end = amounts[i - 1].end if i else 0
        m = pat.search(sentence, max([prev_end, ruling[-1].end] + [x.start() for x in f[-1:]]), a.start)
        if m is None or m.end() != a.start:
            continue
        # "Đứng thứ 2 là Hàn Quốc với 42,4 tỷ USD; Nhật Bản đạt 14,7 tỷ USD; …": without "followed by", only a list
        # run on with semicolons after the claim is the ranking's
        if not f and not (m.group("sep").startswith(";") and ";" in sentence[ruling[-1].end : m.start()]):
            continue
        named = [x for x in mentions if x.start == m.start("name") and x.end == m.end("name")]
        if len(named) == 1:
            out[i] = (named[0].code, ruling[-1])
    return out


# a sentence whose subject is the previous sentence's figure: "The total amount is …", "This is …", "It ranks …"
_BACK_SUBJECT = {
    "en": re.compile(
        r"^\s*(?:(?:The|This|That)\s+(?:total\s+)?(?:amount|figure|value|sum|level)|It|This|That)\s+"
        r"(?:is|was|ranks?|ranked|came|comes|stands?|stood)\b",
        re.I,
    ),
}
_AFTER_WORD = re.compile(
    r"\b(?:after|behind|trailing|following)\s+(?:only\s+)?$|^\s+(?:for|in|to)\s+[^$\d,;]{1,40}?(?:,\s*|\s+and\s+|,\s*and\s+)$",
    re.I,
)


def _ranked_after(
    sentence: str, lang: str, a: Amount, prev_end: int, mentions: list[Mention], carry: Carry
) -> str | None:
    """The country of "after $79.25 billion for China": in a sentence whose subject is the previous sentence's figure,
    an amount after "after"/"behind" (or joined to one by "and") that is "for <country>" is that country's figure by
    the same measure, reporter and period."""
    pat = _BACK_SUBJECT.get(lang)
    ref = carry.last_figure
    if pat is None or ref is None or ref.partner == WORLD or not pat.match(sentence):
        return None
    before = sentence[prev_end : a.start]
    if not _AFTER_WORD.search(before):
        return None
    m = re.match(r"\s+(?:for|in|to)\s+(?:the\s+)?", sentence[a.end :])
    if m is None:
        return None
    named = [x for x in mentions if a.end < x.start <= a.end + m.end()]  # "for the United States": the alias's "the"
    return named[0].code if named else None


_SAME_PERIOD = {
    "en": re.compile(
        r"\b(?:during|in|over|for)\s+(?:the\s+)?same\s+period\b(?!\s+(?:of\s+|in\s+)?(?:last|the\s+previous|the\s+prior|a\s+year))",
        re.I,
    ),
    "ko": re.compile(r"(?<!지난해 )(?<!작년 )(?<!전년 )(?:같은|이|동)\s*기간(?!\s*(?:대비|보다|에\s*비해))"),
    "vi": re.compile(r"(?:trong\s+)?(?:cùng\s+thời\s+gian\s+này|thời\s+gian\s+này|giai\s+đoạn\s+này)", re.I),
}


_GREW_TO = re.compile(
    r"\s*(?:(?:and\s+|và\s+)?(?:đến|tới|by|in)\s+(?:năm\s+)?(?:19|20)\d{2}\s*,?\s*)?(?:đã\s+|had\s+|has\s+|it\s+)?"
    r"(?:tăng|giảm|grown|grew|risen|rose|increased|fallen|fell|dropped|declined|surged|jumped|soared|climbed)\b"
    r"[^,;$\d]{0,20}?(?:\d{1,4}(?:[.,]\d+)?\s*(?:lần|-fold|times|fold)\s*)?(?:lên|xuống|còn|to)\s*(?:mức\s*)?",
    re.I,
)


_LED_BY = re.compile(
    r"[^,()]*(?:,\s*[^,()]+)*?\s*등?(?:을|를)\s*중심으로|\b(?:led|driven|boosted|dragged)\s+by\s+[^,;$\d]{1,60}?(?=,|$)",
    re.I,
)


# a comparison with "the same period" of last year: the figure's own period is a span of months, not one month
# (a month compares with "the same month": "전년 동월", "작년 같은 달")
_SAME_SPAN = {
    # only the plain words: "전년 동기" and English "the same period last year" are written of single months too
    "ko": re.compile(r"(?:지난해|작년)\s*같은\s*기간"),
    "en": re.compile(r"(?!x)x"),
    "vi": re.compile(r"(?!x)x"),
}


def _the_span(carry: Carry) -> Period | None:
    """Of the two periods a paragraph has stated, a month and a span of months that holds it, the span."""
    stated = {str(f.period): f.period for f in carry.stated if str(f.period) in carry.seen}
    if len(carry.seen) != 2 or len(stated) != 2:
        return None
    months = [p for p in stated.values() if p.kind is PeriodKind.MONTH]
    spans = [p for p in stated.values() if p.kind is not PeriodKind.MONTH]
    if len(months) != 1 or len(spans) != 1 or not (spans[0].start <= months[0].start and months[0].end <= spans[0].end):
        return None
    return spans[0]


def _restated(stated: list[Figure], reporter: str, partner: str, flow: str, a: Amount) -> Period | None:
    """The period of a figure the page stated before, restated without its period ("같은 기간 전체수입액은 2105억 달러다.
    … 수입액은 전년동기 대비 0.4% 증가한 2105억5000만 달러를 기록했다"): the same sides and flow, the same value within
    the rounding of the two, and one period only."""
    if a.value_usd is None:
        return None
    same = {
        str(f.period): f.period
        for f in stated
        if (f.reporter, f.partner, f.flow.value) == (reporter, partner, flow)
        and not f.base
        and abs(abs(f.value_usd) - a.value_usd) <= max(f.precision_usd, a.precision_usd) / 2
    }
    return next(iter(same.values())) if len(same) == 1 else None


_RELATIVE = {
    "en": re.compile(
        r"\s+(?:that|which)\s+(?P<a>[^,;$\d]{2,30}?)\s+(?P<verb>exported|shipped|sold|imported|bought)\s+"
        r"(?:to|from)\s+(?P<b>[^,;$\d]{2,30}?)(?=[\s,.;]|$)",
        re.I,
    ),
    "vi": re.compile(
        r"\s+mà\s+(?P<a>[^,;\d]{2,30}?)\s+(?P<verb>xuất\s+khẩu|xuất|nhập\s+khẩu|nhập)\s+(?:sang|tới|vào|từ)\s+"
        r"(?P<b>[^,;\d]{2,30}?)(?=[\s,.;]|$)",
        re.I,
    ),
}


def _relative_flow(sentence: str, a: Amount, lang: str, mentions: list[Mention]) -> tuple[str, str, str] | None:
    """(flow, reporter, partner) of an amount a relative clause describes ("surpassing the $15.48 billion that Korea
    shipped to Japan", "vượt mức 15,48 tỷ USD mà Hàn Quốc xuất sang Nhật Bản"): its own subject and object, both
    countries, and a flow verb; Korea or Vietnam as the subject."""
    pat = _RELATIVE.get(lang)
    m = pat.match(sentence, a.end) if pat else None
    if m is None:
        return None
    who = [x for x in mentions if x.start == m.start("a") and x.end == m.end("a")]
    other = [x for x in mentions if x.start == m.start("b")]
    if len(who) != 1 or len(other) != 1 or who[0].code not in REPORTERS or other[0].code in (who[0].code, WORLD):
        return None
    if countries().is_aggregate(other[0].code):
        return None
    verb = m.group("verb").lower()
    flow = "import" if verb.startswith(("nhập", "import", "bought")) else "export"
    return flow, who[0].code, other[0].code


_UP_FROM = {
    "en": re.compile(r"\b(?:up|down|rising|falling|increasing|decreasing|grew|rose|fell)\s+from\s*$", re.I),
    "vi": re.compile(r"\b(?:tăng|giảm)\s+(?:so\s+)?(?:với|từ)\s+(?:mức\s+)?$", re.I),
}


def _stated_base(sentence: str, a: Amount, lang: str, pms: list[PeriodMention], published: date | None):
    """The period of a comparison base that states its own, already past, period right after it ("…, up from $78
    billion last year", "down from $4.2 billion in 2023"): the base is that period's level."""
    pat = _UP_FROM.get(lang)
    if pat is None or not pat.search(sentence[max(0, a.start - 30) : a.start]):
        return None
    for p in pms:
        if p.start >= a.end and re.fullmatch(r"\s*(?:in|năm|vào\s+năm|of)?\s*", sentence[a.end : p.start], re.I):
            ok = p.period is not None and not p.deadline and (published is None or p.period.end <= published)
            return p.period if ok else None
    return None


def last_flow(text: str) -> tuple[str, re.Match] | None:
    """The last flow word of ``text``."""
    words = _flow_words(text)
    return max(words, key=lambda w: w[1].end()) if words else None


@dataclass(frozen=True)
class _ListHead:
    reporter: str
    partner: str
    flow: str
    start: int = 0
    end: int = 0


def _listed_head(sentence: str, lang: str, amounts: list[Amount], mentions: list[Mention], follow) -> _ListHead | None:
    """A ranked list without a rank word of its own: "China was Vietnam's main import market, with $98.5 bn, followed
    by Korea with $50.3 bn, …": the sentence opens (after an opening phrase and its comma) with the first member (a
    country, the subject), names one flow and
    its owner (Korea or Vietnam, a possessive) before the first amount, which follows ", with"; "followed by" comes
    after it. The list's flow and owner go to every member."""
    if not amounts:
        return None
    a = amounts[0]
    head = sentence[: a.start]
    if not re.search(r",\s*(?:with|với)\s+(?:about\s+|nearly\s+|some\s+|khoảng\s+|gần\s+)?$", head, re.I):
        return None
    if not follow.search(sentence, a.end, amounts[1].start if len(amounts) > 1 else len(sentence)):
        return None
    flows = {f for f, _ in _flow_words(head)}
    if len(flows) != 1:
        return None
    ms = [m for m in mentions if m.end <= a.start]
    subj = [m for m in ms if m.role == "subj"]
    owner = [m for m in ms if m.role == "poss" and m.code in REPORTERS]
    opening = re.fullmatch(r"(?:[^,]{0,60},\s*)?(?:the\s+)?", head[: subj[0].start], re.I) if subj else None
    if len(subj) != 1 or len(owner) != 1 or not opening or subj[0].code in (owner[0].code, WORLD):
        return None
    return _ListHead(owner[0].code, subj[0].code, flows.pop(), 0, len(head))


def _flow_words(text: str) -> list[tuple[str, re.Match]]:
    found = []
    for name, pat in flow_patterns():
        found += [(name, m) for m in pat.finditer(text)]
    return found


def _first_clause_sides(sentence: str, first: Amount, mentions: list[Mention]) -> tuple[str | None, str | None]:
    """The (reporter, partner) the sentence's first flow clause names before its first amount, by its own flow."""
    head = sentence[: first.start]
    found = find_flow(head)
    if not found:
        return None, None
    ms = [m for m in mentions if m.end <= first.start and m.role not in ("other", "cmp")]
    reporter, partner, pair = _sides(found[0], ms)
    if pair or reporter is None or partner is None or reporter == partner:
        return None, None
    return reporter, partner
