"""extract(text, language, published) -> Extraction: figures, rank claims and skips.

The document is read paragraph by paragraph, sentence by sentence (see
``figures.read_sentence`` and ``ranks.find_claims``). What one sentence establishes
(its period, the pair of countries it speaks of, the last year it names) carries to
the next sentences of the paragraph; a heading or a bulleted line passes it on to
the next paragraph. After the pass, rank claims that the text's own figures
contradict are withdrawn (the "largest trade partner" written about a surplus).

Reporter rule: an agency named in the sentence decides (KITA, MOTIE, KCS, 관세청,
산업통상자원부 -> KOR; Vietnam customs, GSO, MOIT, Bộ Công Thương -> VNM), turning a
mirror statement into the agency country's own flow; otherwise the side the sentence
speaks from (the possessor or subject of "exports to", "imports from", "a surplus
with"); for "bilateral trade between A and B" with no side, the paragraph's subject,
then an agency named anywhere in the document, then ``reporter_hint``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time

from scrapers.prose.figures import _BACK_REFERENCE, Carry, Figure, read_sentence
from scrapers.prose.mentions import agency_country, find_countries
from scrapers.prose.numbers import find_amounts, find_percents
from scrapers.prose.periods import find_periods
from scrapers.prose.ranks import (
    Claim,
    balance_basis,
    consecutive_years,
    find_claims,
    holds_position,
    ranking_flow,
    value_ranks,
)
from scrapers.prose.terms import HANGUL, find_flow, flow_patterns, word_re
from scrapers.prose.text import detect_language, repair_glued_words, sentences
from tradewatch.model import Flow, Observation, Period, PeriodKind, RankClaim

LANGUAGES = ("en", "vi", "ko")
_CONTINUES = re.compile(
    r"^\s*(?:Moreover|Furthermore|In addition|Additionally|Also|Meanwhile|Hơn nữa|Ngoài ra|Bên cạnh đó|Đồng thời|"
    r"또한|아울러|이와 함께|한편)[,\s]",
    re.I,
)
_BULLET = re.compile(r"^\s*(?:[□○ㅇ◦▲■●•\-–*]|\d+[.)]|[가-하][.)])\s*")


@dataclass(frozen=True)
class Skip:
    quote: str
    reason: str


@dataclass
class Extraction:
    figures: list[Observation] = field(default_factory=list)
    ranks: list[RankClaim] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    language: str | None = None


def _usable(pms):
    return [
        p
        for p in pms
        if p.period is not None
        and not p.comparison
        and not p.deadline
        and p.relative is None
        and not p.since
        and not p.since_event
    ]


_AS_OF = re.compile(r"\bas\s+of\s|기준|현재", re.I)
_KO_RANK = re.compile(r"\d\s?위")
UNSTATED = "unstated"  # a claim whose sentence and paragraph state no period at all
THIS_YEAR = "this year"  # a claim of "this year" (올해, năm nay) whose months the sentence leaves open
_THIS_YEAR = re.compile(r"올해|금년|this\s+year|năm\s+nay", re.I)


def _claim_period(
    claim: Claim,
    claims: list[Claim],
    sent: str,
    lang: str,
    pms,
    carry: Carry,
    ahead: list[Period],
    resolved: dict,
) -> Period | list[Period] | str | None:
    nxt = min([c.start for c in claims if c.start > claim.start] + [len(sent)])
    pms = [p for p in pms if not p.since_event and not p.deadline and (not p.comparison or p.since)]
    rel = [p for p in pms if claim.end <= p.start < nxt]
    if HANGUL.search(sent[claim.start : claim.end]):
        # Korean states the period before the claim; a later one belongs to the next clause, unless it is the "as of"
        # of a claim that states none before it ("중국에 이어 2위를 유지하고 있는데, … 올 10월말 현재 …")
        as_of = [
            p
            for p in pms
            if p.start >= claim.end
            and p.period is not None
            and "현재" in p.text
            and not _KO_RANK.search(sent, claim.end, p.start)  # another rank's "as of"
        ]
        before = [p for p in pms if p.end <= claim.start]
        rel = as_of[-1:] if as_of and not before else []
    # … but not across another rank: "2009년 이후 10년간 1위를 지킨 '중국'은 … 2위를 기록했다"
    rel += [p for p in pms if p.end <= claim.start and not _KO_RANK.search(sent, p.end, claim.start)][-1:]
    held = consecutive_years(sent, lang)
    for p in rel:
        if p.since and p.period is not None and held and held[0] == p.period.start.year:
            return [Period.year(y) for y in held]  # "for the third consecutive year since 2022"
        if p.since and p.period is not None and p.period.kind is PeriodKind.YEAR and p.end <= claim.start:
            # "2017년 이후 줄곧 … 3위를 유지하다가 2020~2021년 …": each year from the first to the next one stated
            first = p.period.start.year
            nxt_years = [
                q.years[0] if q.years else q.period.start.year
                for q in pms
                if q.start >= claim.end and (q.years or q.period)
            ]
            if nxt_years and nxt_years[0] > first:
                return [Period.year(y) for y in range(first, nxt_years[0])]
        if p.years:  # "2020~2021년 … 2위": the claim holds for each year of the run
            return [Period.year(y) for y in range(p.years[0], p.years[1] + 1)]
        if p.relative == "that" and carry.last_year:
            return Period.year(carry.last_year)
        if p.relative == "next":
            before = [resolved[id(c)] for c in claims if c.start < claim.start and id(c) in resolved]
            base = before[-1].start.year if before else carry.last_year
            return Period.year(base + 1) if base else None
        if (
            p.period is not None
            and p.period.kind is PeriodKind.MONTH
            and _AS_OF.search(sent[max(0, p.start - 6) : p.end + 4])
        ):
            # "올해 10월 기준 … 1위인 중국", "as of July": a standing as of a month is the year to that month
            return Period.months(Period.month(p.period.start.year, 1), p.period)
        if p.period is not None:
            return p.period
        if p.relative is None and _THIS_YEAR.fullmatch(p.text.strip()):
            return THIS_YEAR  # "올해 3.4%(7위)": this year's data, the page's latest period of this year
    usable = _usable(pms)
    if len({str(p.period) for p in usable}) == 1:
        return usable[0].period
    if usable:
        return None
    return carry.figure_period or (ahead[0] if ahead else UNSTATED)


def extract(
    text: str,
    language: str | None,
    published: date | None,
    *,
    source: str = "releases",
    source_url: str | None = None,
    reporter_hint: str | None = None,
) -> Extraction:
    """Trade figures and rank claims of Korea or Vietnam stated in ``text``."""
    lang = language if language in LANGUAGES else detect_language(text)
    out = Extraction(language=lang)
    if lang is None:
        out.skipped.append(Skip(text[:200], "language not English, Vietnamese or Korean"))
        return out
    if lang == "en":
        text = repair_glued_words(text)
    published_at = datetime.combine(published, time(), tzinfo=UTC) if published else None
    doc_agency = agency_country(text)
    named = {m.code for m in find_countries(text, lang)}
    doc_pair = {"KOR", "VNM"} <= named  # a page about Korea and Vietnam: its "bilateral trade" is theirs
    sents = sentences(text)
    pms_of = [find_periods(s.text, lang, published) for s in sents]
    carry = Carry()
    last_figure: Figure | None = None
    figure_quotes: list[tuple[Figure, str]] = []
    claim_quotes: list[tuple[Claim, Period, str, list[Figure]]] = []
    prev_para, prev_para_text = -1, ""
    prev_claim: Claim | None = None  # the last rank claim, for "It was followed by China …" in the next sentence
    prev_claim_para = -1
    page_claim: tuple[Claim, Period] | None = None  # the page's last rank claim, for "… kept this position"
    doc_periods: dict[str, Period] = {}  # the periods the page's figures and trade sentences have stated so far
    figure_periods: dict[str, Period] = {}  # the periods of the page's figures
    unstated: list[tuple[Claim, str, bool]] = []  # claims stated with no period (or "this year"): the latest one
    for i, s in enumerate(sents):
        if s.paragraph != prev_para:
            keep = (
                len(prev_para_text) < 120
                or _BULLET.match(s.text)
                or _BULLET.match(prev_para_text)
                or _CONTINUES.match(s.text)  # "Hơn nữa, …", "Moreover, …", "또한 …": the same subject goes on
            )
            old = carry
            # a page that has stated one trade period so far goes on about it ("in the period", a list of markets in
            # the next paragraph); once it has stated two, a paragraph must settle its own
            doc_period = next(iter(doc_periods.values())) if len(doc_periods) == 1 else None
            carry = Carry(carry.pair if keep else None, carry.period if keep else doc_period, carry.last_year)
            carry.seen = set(old.seen) if keep else ({str(carry.period)} if carry.period else set())
            carry.stated_periods = dict(old.stated_periods) if keep else {}
            carry.last_figure, carry.inherited = last_figure, True  # for a paragraph opening with "이는 …"
            if keep:  # a list continued in the next paragraph ("• … 1위에 올랐다." / "2위는 …")
                carry.rank_flow, carry.rank_basis, carry.reporter = old.rank_flow, old.rank_basis, old.reporter
            prev_para = s.paragraph
        prev_para_text = s.text if s.paragraph == prev_para else prev_para_text
        pms = pms_of[i]
        if find_flow(s.text):  # only a list that goes on without a flow word of its own ("2위 중국은 376억 달러로 …")
            carry.last_period = None  # takes the previous sentence's period; "수입액은 …" must settle its own
        ahead = [
            p.period for j in range(i + 1, len(sents)) if sents[j].paragraph == s.paragraph for p in _usable(pms_of[j])
        ]
        claims, rskips = find_claims(
            s.text,
            lang,
            carry.pair,
            carry.rank_flow,
            carry.reporter,
            carry.subject,
            agency_country(s.text) or doc_agency,
            lead=prev_claim if s.paragraph == prev_claim_para else None,
            page=page_claim[0] if page_claim else None,
        )
        subjects = [m.code for m in find_countries(s.text, lang) if m.role == "subj"]
        carry.subject = subjects[0] if subjects and s.text[:40].strip() else carry.subject
        ranking = ranking_flow(s.text, lang)
        if ranking:
            carry.rank_flow, carry.rank_basis = ranking
        if claims:
            carry.rank_flow, carry.reporter = claims[-1].flow, claims[-1].reporter
        elif lang == "ko" and (bare := re.search(r"\d{1,2}\s?위", s.text)):
            moved = find_flow(s.text[: bare.start()])  # "수입부문에서는 … 중국이 1위다": the measure moved on
            carry.rank_flow = moved[0] if moved else carry.rank_flow
        out.skipped += [Skip(s.text, r) for r in rskips]
        resolved: dict[int, Period] = {}
        multi_year: set[int] = set()
        runs: list[Claim] = []
        for c in claims:
            if c.listed:
                base = next((b for b in claims if not b.listed and b.start == c.start), None)
                if base is not None and id(base) in multi_year:
                    out.skipped.append(Skip(s.text, f"an ordered list for a run of years: rank {c.rank} {c.partner}"))
                elif base is not None and id(base) in resolved:
                    resolved[id(c)] = resolved[id(base)]
                elif base is not None and (u := next((u for u in unstated if u[0] is base), None)):
                    unstated.append((c, s.text, u[2]))
                continue
            p = _claim_period(c, claims, s.text, lang, pms, carry, ahead, resolved)
            if p in (UNSTATED, THIS_YEAR):  # "Vietnam has become Korea's fourth-largest trade partner": the page's
                unstated.append((c, s.text, p == THIS_YEAR))  # latest period
                continue
            if p is None:
                out.skipped.append(
                    Skip(s.text, f"rank claim without a period: rank {c.rank} {c.partner} of {c.reporter}")
                )
            elif isinstance(p, list):
                resolved[id(c)] = p[0]
                multi_year.add(id(c))  # its list's order is not stated year by year
                for later in p[1:]:
                    twin = replace(c)
                    resolved[id(twin)] = later
                    runs.append(twin)
            elif isinstance(p, Period):
                resolved[id(c)] = p
        claims += runs
        heads = [c for c in claims if not c.listed and id(c) in resolved]
        if heads:
            prev_claim, prev_claim_para = heads[-1], s.paragraph
            page_claim = (heads[-1], resolved[id(heads[-1])])
        elif (
            page_claim
            and (held := consecutive_years(s.text, lang))
            and holds_position(s.text, lang, page_claim[0])
            and page_claim[1].kind is PeriodKind.YEAR
            and page_claim[1].start.year == held[-1]
        ):
            # "… năm thứ ba liên tiếp Việt Nam duy trì vị trí này kể từ … năm 2022": the page's last claim, each year
            for y in held[:-1]:
                twin = replace(page_claim[0], start=0, end=len(s.text))
                resolved[id(twin)] = Period.year(y)
                claims.append(twin)
        lead = next((c for c in claims if not c.listed and not c.bare), None)
        rank_pair = (lead.reporter, lead.partner) if lead else None
        carry.stated = [f for f, _ in figure_quotes]
        res = read_sentence(
            s.text,
            lang,
            published,
            carry,
            rank_pair=rank_pair,
            rank_flow=lead.flow if lead else None,
            claims=[c for c in claims if not c.listed and id(c) in resolved],
            rank_basis=carry.rank_basis,
            doc_agency=doc_agency,
            doc_pair=doc_pair,
            reporter_hint=reporter_hint,
            cont=_continued(s.text, lang, sents[i - 1].text if i and sents[i - 1].paragraph == s.paragraph else None),
        )
        for c, vp in value_ranks(s.text, lang, res.figures, carry.last_figure):  # "… 다음으로 많았다"
            claim_quotes.append((c, vp, quote_of(s.text, (c.start, c.end)), res.figures))
        _back_reference(s.text, lang, res, carry)
        carry.listed = res.listed[-1] if res.listed else None
        _flow_changes(s.text, lang, pms, [f for f, _ in figure_quotes])
        carry.inherited = False
        out.skipped += [Skip(s.text, r) for r in res.skips]
        figure_quotes += [(f, quote_of(s.text, f.span)) for f in res.figures]
        for c in claims:
            c.basis = balance_basis(c, s.text, res.figures, carry.rank_basis)
            if id(c) in resolved:
                claim_quotes.append((c, resolved[id(c)], quote_of(s.text, (c.start, c.end)), res.figures))
        # --- what this sentence passes on ---------------------------------------------------
        usable = _usable(pms)
        own = [f for f in res.figures if not f.base]
        carry.last_period = own[0].period if len({str(f.period) for f in own}) == 1 else None
        if own:
            carry.last_figure = last_figure = own[-1]
            carry.reporter = own[-1].reporter
            carry.seen |= {str(f.period) for f in own}
            carry.stated_periods.update({str(f.period): f.period for f in own})
            carry.period = own[-1].period
            doc_periods.update({str(f.period): f.period for f in own})
            figure_periods.update({str(f.period): f.period for f in own})
            carry.pair = _subject_pair([(f.reporter, f.partner) for f in res.figures], carry.pair)
        elif (
            len({str(p.period) for p in usable}) == 1
            and (find_flow(s.text) or claims)
            # a market share's date ("수입시장 점유율도 10월 기준 22.3%") is no period of the page's figures
            and not (not find_amounts(s.text, lang) and word_re("yoy.shares").search(s.text))
        ):
            carry.period = usable[0].period  # a trade sentence's period ("In the first 10 months, …"), not any date
            background = any(carry.period.end <= d.start for d in doc_periods.values())
            # a forecast's or a bound's period ("forecast to log … this year") is no page period, nor an earlier year
            # a sentence without a figure looks back to ("Last year, the US had one of the highest growth rates …")
            if not res.skips and not background:
                doc_periods[str(carry.period)] = carry.period
        if rank_pair and not res.figures:
            carry.pair = _subject_pair([rank_pair], carry.pair)
        years = [
            p.period.start.year
            for p in pms
            if p.period is not None and p.period.kind is PeriodKind.YEAR and not p.deadline
        ]
        years += [resolved[k].start.year for k in resolved]
        if years:
            carry.last_year = years[-1]
    claim_quotes += _latest_period_claims(unstated, figure_periods, published, out.skipped)
    figs = _dedupe_figures(figure_quotes)
    out.figures = [_observation(f, q, source, source_url, published_at) for f, q in figs]
    ranks, rank_skips = _check_ranks(claim_quotes, [f for f, _ in figs])
    out.skipped += rank_skips
    out.ranks = [
        RankClaim(c.reporter, c.partner, Flow(c.flow), p, c.rank, source, source_url, None, published_at, q, c.basis)
        for c, p, q in ranks
    ]
    return out


def _latest_period_claims(unstated, doc_periods: dict[str, Period], published: date | None, skipped: list[Skip]):
    """A rank claim stated with no period ("has become Korea's fourth-largest trade partner", a headline) speaks of
    the latest period the page's figures state: the data the release is about (of a year to date
    and its last month, the year to date)."""
    ends = sorted({p.end for p in doc_periods.values()})
    latest = [p for p in doc_periods.values() if ends and p.end == ends[-1]]
    # a year to date and its last month end together: a ranking is of the cumulative period
    latest = [p for p in latest if p.start == min(x.start for x in latest)]
    out: list[tuple[Claim, Period, str, list[Figure]]] = []
    for c, sent, this_year in unstated:
        if len({str(p) for p in latest}) != 1 or (
            this_year and (published is None or latest[0].start.year != published.year)
        ):
            skipped.append(Skip(sent, f"rank claim without a period: rank {c.rank} {c.partner} of {c.reporter}"))
            continue
        out.append((c, latest[0], quote_of(sent, (c.start, c.end)), []))
    return out


QUOTE_MAX = 300
_CLAUSE_END = re.compile(r"[.;!?]\s|[,，]\s|\s[–—]\s")


def quote_of(sentence: str, span: tuple[int, int] | None) -> str:
    """The sentence, or for a sentence longer than QUOTE_MAX (a paragraph without full stops, a table run into
    text) the clauses around the amount, cut at clause ends and never longer than QUOTE_MAX."""
    if len(sentence) <= QUOTE_MAX or span is None:
        return sentence if len(sentence) <= QUOTE_MAX else sentence[: QUOTE_MAX - 1] + "…"
    start, end = span
    budget = QUOTE_MAX - (end - start)
    lo = max(0, start - budget // 2)
    hi = min(len(sentence), end + budget - (start - lo))
    left = [m.end() for m in _CLAUSE_END.finditer(sentence, lo, start)]
    right = [m.start() + 1 for m in _CLAUSE_END.finditer(sentence, end, hi)]
    a = left[0] if left else lo
    b = right[-1] if right else hi
    return ("…" if a > 0 else "") + sentence[a:b].strip() + ("…" if b < len(sentence) else "")


_NEVER = re.compile(r"(?!x)x")
_ELIDED = {
    "ko": re.compile(r"^\s*(?:전년|지난해|작년|1년\s*전)\s*(?:동기|같은\s*기간)?\s*(?:대비|보다|에\s*비해)"),
    "en": re.compile(r"^\s*(?:It|They)\s+(?:was|were|rose|fell|grew|increased|decreased|declined|jumped|dropped)\b"),
}


def _back_reference(sentence: str, lang: str, res, carry: Carry) -> None:
    """ "이는 1년 전(868억달러)보다 9.0% 증가한 수치다": the change of a sentence that points back belongs to the
    previous sentence's figure, when that figure has none of its own."""
    ref = carry.last_figure
    if ref is None or ref.yoy_pct is not None:
        return
    elided = (  # "…278억달러였다. 전년 대비 24.2% 증가했다.": the subject left out
        not carry.inherited
        and _ELIDED.get(lang, _NEVER).match(sentence)
        and not find_amounts(sentence, lang)
        and not find_flow(sentence)
    )
    if not (_BACK_REFERENCE.match(sentence) or elided):
        return
    pcts = find_percents(sentence, lang)
    amounts_after = [a for a in find_amounts(sentence, lang) if pcts and a.start > pcts[0].end]
    named = _NAMED_BACK.match(sentence)
    if named and pcts and amounts_after and _YOY_NEXT.match(sentence[pcts[0].end : pcts[0].end + 30]):
        # "That import value with strong growth at 51.2 percent year-on-year made the deficit … $15.99 bn": the
        # change right after the subject that points back is that figure's, before the sentence's own amounts
        if named.group("flow") and not ref.flow.value.startswith(named.group("flow").lower()[:5]):
            return
        pcts, amounts_after = pcts[:1], []
    if len(pcts) != 1 or amounts_after or word_re("yoy.not_yoy").search(sentence):
        return
    p = pcts[0]
    tail = sentence[p.end : p.end + 12]
    if named:  # "with strong growth at 51.2 percent": the direction is written before the percentage
        tail = sentence[max(0, p.start - 30) : p.start] + " " + tail
    up, down = word_re("yoy.up").search(tail), word_re("yoy.down").search(tail)
    sign = p.sign or (1 if up and not down else (-1 if down and not up else 0))
    if sign:
        ref.yoy_pct = round(sign * p.value, 4)


# "지난해도 전년과 비교해 수출은 7.5%, 수입은 11.5% 늘었다", "Exports rose 7.5% year-on-year and imports 11.5%",
# "xuất khẩu tăng 7,5% so với cùng kỳ": a sentence without amounts that gives each flow its change
_FLOW_PCT = {
    "ko": re.compile(r"(?P<flow>수출|수입|교역)(?:액|규모)?\s*(?:은|는|이|가|도)\s*(?P<pct>\d+(?:\.\d+)?)\s?%"),
    "en": re.compile(
        r"\b(?P<flow>exports|imports)\s+(?:(?:rose|grew|increased|were\s+up|jumped|climbed|fell|dropped|declined|decreased|"
        r"were\s+down)\s+(?:by\s+)?)?(?P<pct>\d+(?:\.\d+)?)\s?(?:%|percent|per\s+cent)",
        re.I,
    ),
    "vi": re.compile(
        r"(?P<flow>xuất\s+khẩu|nhập\s+khẩu)\s+(?:tăng|giảm)\s+(?P<pct>\d+(?:,\d+)?)\s?%",
        re.I,
    ),
}
_YOY_WORDS = {
    "ko": re.compile(r"전년(?:과\s*비교해|\s*대비|보다|에\s*비해|\s*동기)|(?:지난해|작년)(?:보다|에\s*비해|\s*대비)"),
    "en": re.compile(r"year[- ]on[- ]year|on[- ]year|from\s+a\s+year\s+(?:earlier|ago)|y/y", re.I),
    "vi": re.compile(r"so\s+với\s+(?:cùng\s+kỳ|năm\s+(?:trước|ngoái))", re.I),
}


def _flow_changes(sentence: str, lang: str, pms, figures: list[Figure]) -> None:
    """A sentence without amounts that states each flow's year-on-year change, for the one period it names: the change
    of the text's figure of that flow and period (the only one without a change of its own)."""
    pat = _FLOW_PCT.get(lang)
    if pat is None or find_amounts(sentence, lang) or not _YOY_WORDS[lang].search(sentence):
        return
    periods = {str(p.period) for p in _usable(pms)}
    if len(periods) != 1:
        return
    found = list(pat.finditer(sentence))
    if not found or word_re("yoy.not_yoy").search(sentence):
        return
    tail = sentence[found[-1].end() :]
    up, down = word_re("yoy.up").search(tail), word_re("yoy.down").search(tail)
    for m in found:
        own = sentence[m.start() : m.end()]
        o_up, o_down = word_re("yoy.up").search(own), word_re("yoy.down").search(own)
        u, d = (o_up, o_down) if (o_up or o_down) else (up, down)
        if bool(u) == bool(d):
            continue
        flow = find_flow(m.group("flow"))
        if not flow:
            continue
        cands = [f for f in figures if f.flow.value == flow[0] and str(f.period) in periods and not f.base]
        if len({(f.reporter, f.partner) for f in cands}) != 1 or any(f.yoy_pct is not None for f in cands):
            continue
        value = float(m.group("pct").replace(",", "."))
        for f in cands:
            f.yoy_pct = round(value if u else -value, 4)


# "이후 2010년 200억달러를 넘어선 뒤 2012년 217억달러를 기록했다", "Sau đó, …", "Then …": the story goes on
_GOES_ON = {
    "ko": re.compile(r"^\s*(?:이후|그\s*후|그\s*뒤|이어)(?:\s|,)"),
    "en": re.compile(r"^\s*(?:Then|Later|After\s+that|Subsequently|Afterwards)\b", re.I),
    "vi": re.compile(r"^\s*(?:Sau\s+đó|Tiếp\s+đó|Kế\s+đó)\b", re.I),
}


def _continued(sentence: str, lang: str, previous: str | None) -> tuple[str, tuple[str, str]] | None:
    """The flow and the two countries a sentence that goes on from the previous one ("이후 …", "Then …") takes,
    when it names neither and the previous sentence names one flow and the Korea–Vietnam pair."""
    if previous is None or not _GOES_ON[lang].match(sentence) or find_flow(sentence):
        return None
    if find_countries(sentence, lang):
        return None
    names = {m.code for m in find_countries(previous, lang)}
    flows = {name for name, pat in flow_patterns() if pat.search(previous)}
    if names != {"KOR", "VNM"} or len(flows) != 1:
        return None
    return flows.pop(), ("KOR", "VNM")


_NAMED_BACK = re.compile(
    r"^\s*(?:This|That|The)\s+(?:(?P<flow>import|export)s?\s*)?(?:value|figure|amount|turnover)\b", re.I
)
_YOY_NEXT = re.compile(r"\s*(?:year[- ]on[- ]year|on[- ]year|y/y|from\s+a\s+year\s+(?:earlier|ago))", re.I)


def _subject_pair(pairs: list[tuple[str, str]], current):
    """The pair a sentence hands on to the next ones: Korea–Vietnam only. A third country named in a sentence
    (a market breakdown, a comparison) is that sentence's own; the next sentence's figure without a partner is
    not about it."""
    own = [p for p in pairs if set(p) == {"KOR", "VNM"}]
    if len({frozenset(p) for p in pairs if "WLD" not in p}) > 1:  # a list of markets: Korea as one member is no subject
        return None
    if own:
        return own[-1]
    return None if pairs else current


def _dedupe_figures(items):
    out: list[tuple[Figure, str]] = []
    for f, q in items:
        key = (f.reporter, f.partner, f.flow, str(f.period), f.commodity)
        # the same figure stated again, rounded or not: "2105억 달러" … "2105억5000만 달러"
        same = next(
            (
                k
                for k, (g, _) in enumerate(out)
                if (g.reporter, g.partner, g.flow, str(g.period), g.commodity) == key
                and abs(g.value_usd - f.value_usd) <= max(g.precision_usd, f.precision_usd) / 2
            ),
            None,
        )
        if same is None:
            out.append((f, q))
            continue
        g = out[same][0]
        if f.precision_usd < g.precision_usd:  # the finer statement stands, with the change either gives
            f.yoy_pct = f.yoy_pct if f.yoy_pct is not None else g.yoy_pct
            out[same] = (f, q)
        elif g.yoy_pct is None and f.yoy_pct is not None:
            g.yoy_pct = f.yoy_pct  # "수입도 259억달러로 2.9% 줄었다": the change of a figure stated before
    return out


def _observation(f: Figure, quote: str, source, source_url, published_at) -> Observation:
    return Observation(
        reporter=f.reporter,
        partner=f.partner,
        flow=f.flow,
        period=f.period,
        value_usd=f.value_usd,
        source=source,
        commodity=f.commodity,
        precision_usd=f.precision_usd,
        source_url=source_url,
        published_at=published_at,
        approximate=f.approximate,
        yoy_pct=f.yoy_pct,
        maturity="preliminary" if f.period.kind is PeriodKind.DAYS else None,
        quote=quote,
    )


def _check_ranks(claims, figures: list[Figure]):
    """Drop duplicate claims and claims the text's own figures contradict."""
    values: dict[tuple, dict[str, Figure]] = defaultdict(dict)
    for f in figures:
        if f.commodity == "TOTAL" and f.partner != "WLD":
            values[(f.reporter, f.flow.value, str(f.period))].setdefault(f.partner, f)
    kept, skips, seen = [], [], set()
    for c, p, q, sent_figs in claims:
        key = (c.reporter, c.partner, c.flow, str(p), c.rank)
        if key in seen:
            continue
        if c.rank == 1 and c.flow == "total" and sent_figs and all(f.flow is Flow.BALANCE for f in sent_figs):
            skips.append(Skip(q, "'largest trade partner' stated about surplus figures: a total or a surplus rank?"))
            continue
        table = values.get((c.reporter, c.flow, str(p)), {})
        mine = table.get(c.partner)
        if mine is not None:
            tol = lambda a, b: max(a.precision_usd, b.precision_usd) / 2  # noqa: E731
            if c.flow == "balance":  # a surplus ranking orders surpluses, a deficit ranking deficits
                sign = 1 if mine.value_usd >= 0 else -1
                above = [
                    x
                    for x, f in table.items()
                    if x != c.partner
                    and f.value_usd * sign > 0
                    and abs(f.value_usd) - abs(mine.value_usd) > tol(f, mine)
                ]
            else:
                above = [x for x, f in table.items() if x != c.partner and f.value_usd - mine.value_usd > tol(f, mine)]
            if len(above) >= c.rank:
                skips.append(
                    Skip(
                        q,
                        f"rank {c.rank} of {c.partner} contradicted by the text's figures ({', '.join(above)} larger)",
                    )
                )
                continue
        seen.add(key)
        kept.append((c, p, q))
    return kept, skips
