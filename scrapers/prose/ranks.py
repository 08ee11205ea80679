"""Rank claims: "Vietnam is the RoK's third-largest trading partner".

A claim needs an ordinal, a *trade* noun right after it (trading partner, export
market, import market, source of trade surplus: investor, tourists, labour market
and ODA are not trade ranks), the ranked country (the sentence's subject) and the
country whose ranking it is (the possessor). An ordered list ("third, after China
and the US") ranks the partners it names when its length fits the rank.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass

from scrapers.prose.mentions import Mention, demonym_code, find_countries
from scrapers.prose.numbers import find_amounts
from scrapers.prose.terms import compile_words, find_commodity, find_flow, terms, word_re
from tradewatch.model import Period, countries


@dataclass
class Claim:
    reporter: str
    partner: str
    flow: str
    rank: int
    start: int
    end: int
    listed: bool = False  # ranked by an ordered list, not named as the subject
    bare: bool = False  # a bare "2위는 X": a member of a ranking, not the paragraph's subject
    basis: str | None = None  # of a balance ranking: surplus or deficit


@functools.cache
def _nouns() -> list[tuple[str, str]]:
    out = []
    for flow, words in terms()["ranks"]["nouns"].items():
        if flow == "balance_modifiers":
            continue
        out += [(w, flow) for w in words]
    return sorted(out, key=lambda t: -len(t[0]))


@functools.cache
def _noun_alt() -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w, _ in _nouns())


_EN_ORD = r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d{1,2}(?:st|nd|rd|th))"


@functools.cache
def _patterns(lang: str) -> list[re.Pattern]:
    n = _noun_alt()
    if lang == "en":
        return [
            re.compile(
                rf"(?P<ord>{_EN_ORD})[\s-]*(?:largest|biggest)\s+(?:(?:foreign|overseas|bilateral)\s+)?(?P<noun>{n})",
                re.I,
            ),
            re.compile(
                rf"(?<!one of )(?<!among )(?:the\s+|'s\s+|’s\s+|\bits\s+|\btheir\s+)(?P<ord>largest|biggest|top|No\.?\s?1|number\s+one)\s+(?:(?:foreign|overseas|bilateral)\s+)?(?P<noun>{n})(?!s\b)",
                re.I,
            ),
            re.compile(rf"(?:No\.?\s?|number\s+)(?P<ord>\d{{1,2}}|two|three|four|five)\s+(?P<noun>{n})", re.I),
            re.compile(
                rf"rank(?:s|ed)?\s+(?P<ord>{_EN_ORD})\s+(?:among|in)\s+(?P<poss>[^,.;]{{0,40}}?)(?P<noun>{n})", re.I
            ),
            # "Japan … fell to sixth place as of July": the page's last ranking goes on (its measure and owner)
            re.compile(
                r"\b(?:fell|dropped|slipped|slid|sank|rose|climbed|jumped|advanced|moved\s+(?:up|down))\s+to\s+(?:the\s+)?"
                rf"(?P<ord>{_EN_ORD})\s+(?:place|position|spot)(?P<moved>)",
                re.I,
            ),
            re.compile(rf"(?:the\s+)?(?P<ord>{_EN_ORD})\s+(?:position|place|spot)(?P<carry>)", re.I),
            # "China was Vietnam's import market, with US$98.5 billion, …, followed by the RoK with US$50.3 billion": the
            # head of a ranking by amounts (checked: the head's amount is the larger)
            re.compile(
                r"\b(?:was|is|remained|remains)\s+(?P<poss>[\w.]+(?:\s+[\w.]+)?)['’]s\s+(?P<ord>)"
                rf"(?P<noun>{n})(?P<lead>)(?=\s*,?\s*with\s+(?:US)?\$(?:[^.;]|\.(?=\d))*?\bfollowed\s+by\b)",
                re.I,
            ),
            # "the largest importer of Vietnamese goods": the buyer of a country's goods is its export market (the
            # goods named, so that "importer of Vietnamese rice" stays a commodity's rank, never a total's)
            re.compile(
                rf"(?<!one of )(?<!among )(?:the\s+|'s\s+|’s\s+)(?:(?P<ord>{_EN_ORD})[\s-]+)?(?:largest|biggest)\s+"
                r"(?P<buyer>importer|buyer|purchaser)\s+of\s+(?P<poss>[\w’']+(?:\s+[\w’']+)?)\s+"
                r"(?:goods|products|merchandise|exports)\b",
                re.I,
            ),
        ]
    if lang == "vi":
        vo = r"\d{1,2}|nhất|nhì|hai|ba|tư|bốn|năm|sáu|bảy|tám|chín|mười"
        return [
            re.compile(rf"(?P<noun>{n})\s+(?:lớn\s+)?thứ\s+(?P<ord>{vo})(?!\w)", re.I),
            re.compile(rf"(?P<noun>{n})\s+lớn\s+(?P<ord>nhất)(?!\w)", re.I),
            re.compile(rf"(?:đứng\s+)?thứ\s+(?P<ord>{vo})\s+(?:trong\s+(?:số\s+)?)?(?:các\s+)?(?P<noun>{n})", re.I),
            # "thị trường nước ngoài lớn thứ tư đối với các mặt hàng xuất khẩu của Hàn Quốc": a country's export market
            re.compile(
                rf"thị\s+trường\s+(?:nước\s+ngoài\s+)?(?:lớn\s+)?thứ\s+(?P<ord>{vo})\s+(?:đối\s+với|cho)\s+(?:các\s+)?"
                r"(?:mặt\s+)?hàng(?:\s+hóa|\s+hoá)?\s+(?P<xk>xuất\s+khẩu)(?=\s+của\s)",
                re.I,
            ),
            # "quốc gia mang lại thặng dư thương mại lớn nhất cho Hàn Quốc": a source of surplus
            re.compile(
                r"(?:quốc\s+gia|nước|thị\s+trường|đối\s+tác)\s+(?:mang\s+lại|đem\s+lại|tạo\s+ra)\s+(?:mức\s+)?"
                rf"(?P<bal>thặng\s+dư|xuất\s+siêu)(?:\s+thương\s+mại)?\s+lớn\s+(?:thứ\s+)?(?P<ord>{vo})(?=\s+cho\s)",
                re.I,
            ),
            # "Đứng thứ 2 là Hàn Quốc với 42,4 tỷ USD": a bare rank in the paragraph's ranking
            re.compile(rf"đứng\s+(?:ở\s+)?(?:vị\s+trí\s+)?thứ\s+(?P<ord>{vo})(?!\w)(?P<bare>)", re.I),
        ]
    return [
        re.compile(rf"제?\s?(?P<ord>\d{{1,2}})\s?위\s?(?:의\s?)?(?P<noun>{n})"),
        re.compile(
            rf"(?P<ord>최대|첫\s?번째|두\s?번째|세\s?번째|네\s?번째|다섯\s?번째)\s?(?:로\s?큰\s?)?(?P<noun>{n})"
        ),
        re.compile(rf"(?P<noun>{n})\s?(?:중\s?|가운데\s?)?(?:제\s?)?(?P<ord>\d{{1,2}})\s?위"),
        # "중국, 미국에 이어 3대 교역국": "the top three" is a rank only after an ordered list of the two before it
        re.compile(rf"(?<![\d.])(?P<ord>\d)\s?대\s?(?P<noun>{n})(?P<top>)"),
        # "1위는 중국", "'중국'은 289억달러로 2위를 기록했다": a bare rank; the measure comes from the clause or paragraph
        re.compile(r"(?<![\d~∼.\-])(?P<ord>\d{1,2})\s?위(?![가-힣]*(?:권|안\b))(?P<bare>)"),
    ]


def _ordinal(text: str) -> int | None:
    t = re.sub(r"\s+", " ", text.strip().lower())
    if m := re.match(r"(?:no\.?\s?)?(\d{1,2})", t):
        return int(m.group(1))
    ords = {k.lower(): v for k, v in terms()["ranks"]["ordinals"].items()}
    ords.update({"no. 1": 1, "no.1": 1, "no 1": 1, "number one": 1, "two": 2, "three": 3, "four": 4, "five": 5})
    return ords.get(t) or ords.get(t.replace(" ", ""))


def _flow_of(noun: str, tail: str) -> str:
    key = re.sub(r"\s+", " ", noun.lower())
    flow = next(f for w, f in _nouns() if w.lower() == key)
    if flow == "total" and compile_words(tuple(terms()["ranks"]["nouns"]["balance_modifiers"])).match(
        tail.lstrip(" ,")
    ):
        return "balance"
    return flow


def _possessor(sentence: str, m: re.Match, ms: list[Mention], lang: str) -> str | None:
    s, e = m.start(), m.end()
    if lang == "en":
        if m.groupdict().get("poss"):
            inner = [x for x in ms if m.start("poss") <= x.start < m.end("poss")]
            if not inner and m.groupdict().get("buyer"):  # "of Vietnamese goods": the goods' demonym
                return demonym_code(m.group("poss"))
            return inner[0].code if inner else None
        before = [x for x in ms if x.end <= s and re.fullmatch(r"\s*(?:'s|’s|')?\s*(?:the\s+)?", sentence[x.end : s])]
        if before:
            return before[-1].code
        after = [
            x
            for x in ms
            if x.start >= e and re.fullmatch(r"\s*(?:of|for|to|among)\s+(?:the\s+)?", sentence[e : x.start], re.I)
        ]
        if after:
            return after[0].code
        # a list sharing one possessor: "Vietnam's top investor, ..., third-largest trading partner"
        earlier = [x for x in ms if x.end <= s]
        if earlier and earlier[-1].role == "poss" and not re.search(r"[.;]", sentence[earlier[-1].end : s]):
            return earlier[-1].code
        return None
    if lang == "vi":
        after = [
            x
            for x in ms
            if x.start >= e
            and re.fullmatch(
                r"\s*(?:lớn\s+nhất\s+)?(?:và\s+[^,.;]{0,60}?\s+)?(?:của|với|đối\s+với|cho)\s+",
                sentence[e : x.start],
                re.I,
            )
        ]
        return after[0].code if after else None
    before = [x for x in ms if x.end <= s and re.fullmatch(r"\s*(?:의)?\s*", sentence[x.end : s])]
    return before[-1].code if before else None


def _subject(
    sentence: str,
    m: re.Match,
    ms: list[Mention],
    exclude: set[int],
    poss: str | None,
    lang: str,
    after_pos: int | None = None,
) -> str | None:
    cands = [
        x
        for x in ms
        if x.start < m.start()
        and id(x) not in exclude
        and x.code != poss
        and x.role not in ("other", "to", "from", "with", "of", "cmp")
    ]
    if lang == "ko":
        tail = sentence[m.end() :]
        # "교역규모 1위는 중국으로", "1위 흑자국이던 중국은": the ranked country follows the rank
        follows = re.match(r"\s*(?:이었던|였던|이던|은|는|인|이|가)?\s*['‘’\"“”]?", tail)
        nxt = [x for x in ms if follows and x.start == m.end() + follows.end()]
        if nxt:
            return nxt[0].code if nxt[0].code != poss else None
        if re.match(r"\s*(?:인|이던|였던|이었던)\s", tail):
            return None  # attributive: the rank describes the noun after it, which is no country
    if lang == "ko":
        # "일본(5위)을 따돌리고": an object is not the ranked country
        cands = [x for x in cands if not re.match(r"\s*(?:\([^()]*\))?\s*(?:을|를)(?![가-힣])", sentence[x.end :])]
        if not cands:  # "베트남 수출액은 … 수출 상대국 4위에 올랐다": the flow's other side is the topic
            topic = [
                x
                for x in ms
                if x.end <= m.start()
                and x.role in ("with", "to")
                and x.code != poss
                and re.match(r"\s?(?:수출|수입|교역)액?\s?(?:은|는|이|가)(?![가-힣])", sentence[x.end :])
            ]
            return topic[0].code if len(topic) == 1 else None
    if after_pos is not None and [x for x in cands if x.start >= after_pos and x.role == "subj"]:
        cands = [x for x in cands if x.start >= after_pos and x.role == "subj"]
    if lang == "en" and not cands:
        # "… imports from the RoK and that country became the second-largest goods supplier": the country just named
        that = list(re.finditer(r"\b(?:that|this|the\s+latter)\s+country\b", sentence[: m.start()], re.I))
        named = [x for x in ms if that and x.end <= that[-1].start() and x.code != poss]
        if named:
            return named[-1].code
    if lang == "en":
        after = re.match(
            r"\s+(?:is|was|remains|remained|has\s+been)\s+(?:the\s+)?(\w[\w\s]{0,20}?)(?=[,.]|$)", sentence[m.end() :]
        )
        if not cands and after:
            found = [x for x in ms if x.start >= m.end() and x.start <= m.end() + after.end()]
            return found[0].code if found else None
    return cands[0].code if cands else None


def _ordered_list(sentence: str, m: re.Match, ms: list[Mention], lang: str) -> list[Mention]:
    if lang == "ko":
        # figures in parentheses inside the list ("중국(2천727억달러), 미국(1천962억달러)에 이어") are blanked out
        masked = re.sub(r"\([^()]*\)", lambda g: " " * len(g.group(0)), sentence[: m.start()])
        found = list(re.finditer(r"((?:[가-힣A-Za-z]+\s*(?:,|·|과|와)?\s*){1,4})(?:에\s?이어|다음으로)", masked))
        if not found or masked[found[-1].end() :].count(",") > 1:
            return []
        nearest = found[-1]  # the list nearest the "에 이어"
        return [
            x
            for x in ms
            if nearest.start(1) <= x.start < nearest.end(1)
            and x.role not in ("to", "from", "with")
            and not re.match(r"(?:은|는|이|가)(?![가-힣])", sentence[x.end : x.end + 2])  # the subject, not a member
        ]
    word = r"(?:after|following|behind|trailing)" if lang == "en" else r"(?:chỉ\s+)?(?:đứng\s+)?sau"
    start = m.end()
    poss_after = [
        x
        for x in ms
        if x.start >= start and re.fullmatch(r"\s*(?:of|for|của)\s+(?:the\s+)?", sentence[start : x.start], re.I)
    ]
    if poss_after:
        start = poss_after[0].end
        close = re.match(r"\s*\([^)]{1,12}\)", sentence[start:])
        start += close.end() if close else 0
    tail = sentence[start:]
    lm = re.match(
        rf"(?:\s+(?:in|năm)\s+\d{{4}})?\s*[,(]?\s*(?:only\s+)?{word}\s+((?:[^,;.)]+?)(?:\s*(?:,|and|và)\s*[^,;.)]+?){{0,3}})(?=[);.]|,\s|$|\s+(?:in|with|and\s+become))",
        tail,
        re.I,
    )
    if not lm:
        return []
    lo, hi = start + lm.start(1), start + lm.end(1)
    return [x for x in ms if lo <= x.start < hi]


_NOT_A_VALUE_RANK = re.compile(r"증가율|감소율|성장률|증가폭|growth\s+rate", re.I)


def _bare_flow(sentence: str, m: re.Match, context_flow: str | None) -> str | None:
    """The measure of a bare Korean rank: the flow word of its clause, else the paragraph's ranking."""
    head = sentence[: m.start()]
    cut = max((x.end() for x in re.finditer(r"[.;]\s|,\s", head)), default=0)
    found = find_flow(head[cut:]) or find_flow(head)
    if found:
        return found[0]
    named = ranking_flow(sentence, "ko")  # "9위를 기록한 '폴란드'는 … 10대 무역흑자 국가에 진입했다"
    return named[0] if named else context_flow


_KO_SHARE_OF_MARKET = re.compile(
    r"(?P<x>[가-힣A-Za-z]+)의\s?(?P<y>[가-힣A-Za-z]+?)\s?(?:내수\s?|수입\s?)?시장\s?(?:에서의?\s?|내\s?)?점유율"
)


def _market_share(sentence: str, m: re.Match) -> tuple[str, str] | None:
    """ "베트남의 한국 시장 점유율은 … 7위", "한국의 베트남 수입시장 점유율 … 1위인 중국": a rank by share of a country's
    (import) market is a rank of that country's imports; (the market's country, the seller) when the clause says so."""
    head = sentence[: m.start()]
    cut = max((b.end() for b in re.finditer(r"[.;]\s", head)), default=0)
    found = list(_KO_SHARE_OF_MARKET.finditer(head, cut))
    if not found:
        return None
    x, y = (find_countries(found[-1].group(g), "ko") for g in ("x", "y"))
    if len(x) == 1 == len(y) and x[0].code != y[0].code and len(found[-1].group("y")) == y[0].end:
        return y[0].code, x[0].code
    return None


_KO_IN_MARKET = re.compile(r"(?P<x>[가-힣A-Za-z]+)\s?(?P<kind>수입|수출|내수)?\s?시장에서(?:는|도|의)?\s")


def _market_owner(sentence: str, m: re.Match) -> tuple[str, str] | None:
    """ "한국은 베트남 수입시장에서 중국에 이어 2위", "한국 시장에서 태국은 7위": the market's country owns the ranking
    (of its imports; of its exports for an export market); (owner, flow)."""
    head = sentence[: m.start()]
    cut = max((b.end() for b in re.finditer(r"[.;]\s|,\s", head)), default=0)
    found = list(_KO_IN_MARKET.finditer(head, cut))
    if not found:
        return None
    x = find_countries(found[-1].group("x"), "ko")
    if len(x) != 1 or x[0].end != len(found[-1].group("x")):
        return None
    return x[0].code, "export" if found[-1].group("kind") == "수출" else "import"


def _bare_subject(sentence: str, m: re.Match, ms: list[Mention], poss: str | None, lang: str = "ko") -> str | None:
    tail = sentence[m.end() :]
    if lang == "vi":  # "Đứng thứ 2 là Hàn Quốc", "Hàn Quốc đứng thứ 2"
        after = re.match(r"\s*(?:là|thuộc\s+về)\s+(?:thị\s+trường\s+)?", tail, re.I)
        nxt = [x for x in ms if after and x.start == m.end() + after.end()]
        prior = [
            x
            for x in ms
            if x.end <= m.start() and re.fullmatch(r"\s*(?:vẫn\s+|tiếp\s+tục\s+)?", sentence[x.end : m.start()])
        ]
        found = nxt or prior
        return found[0].code if found else None
    # "1위는 중국", "1위인 중국", "9위를 기록한 '폴란드'는"
    follows = re.match(r"\s*(?:는|은|가|이|인|[을를]\s?(?:기록한|차지한|지킨)\s)?\s*['‘’\"“”]?", tail)
    nxt = [x for x in ms if follows and x.start == m.end() + follows.end()]
    if nxt:
        return nxt[0].code
    before = sentence[: m.start()]
    paren = re.search(r"\(\s*$", before)
    if paren:  # "일본(5위)"
        named = [x for x in ms if x.end == paren.start()]
        if named:
            return named[0].code
        amount = re.search(rf"(?:{_KO_AMOUNT_TEXT})\s*$", before[: paren.start()])
        named = [
            x
            for x in ms
            if amount
            and x.end <= amount.start()
            and re.fullmatch(r"\s*(?:은|는|이|가|:)?\s*", before[x.end : amount.start()])
        ]
        if named:  # "일본 321억8378만8000달러(3위)": the country named right before the amount
            return named[-1].code
        if re.search(r"달러\s*$", before[: paren.start()]):  # "대 베트남 수출은 223억달러(6위)": the amount's partner
            clause_start = max((b.end() for b in re.finditer(r"[,.;]\s", before)), default=0)
            side = [x for x in ms if clause_start <= x.start < paren.start() and x.role in ("with", "to", "from")]
            return side[-1].code if len(side) == 1 else None
        return None
    subj = [
        x
        for x in ms
        if x.end <= m.start()
        and x.code != poss
        and re.match(r"['’\"”]?\s*(?:은|는|이|가)(?![가-힣])", sentence[x.end : x.end + 3])
    ]
    return subj[-1].code if subj else None


_KO_RANKING_AFTER = re.compile(
    r"\s+(?:\d+\s?대\s?)?(?:무역|수출|수입|교역)\s?(?:흑자|적자)?\s?(?:상대|대상)?\s?(?:국가|국|시장)"
)


_DEFICIT = re.compile(r"적자|deficit|nhập\s+siêu|thâm\s+hụt", re.I)


def ranking_flow(sentence: str, lang: str) -> tuple[str, str | None] | None:
    """The measure of the last ranking named in a sentence ("10대 무역적자 국가", "수출시장"), claim or not, and
    for a balance ranking its basis (surplus or deficit)."""
    found = None
    for m in re.finditer(rf"(?P<noun>{_noun_alt()})", sentence, 0 if lang == "ko" else re.I):
        found = m
    if not found:
        return None
    flow = _flow_of(found.group("noun"), sentence[found.end() :])
    basis = ("deficit" if _DEFICIT.search(found.group(0)) else "surplus") if flow == "balance" else None
    return flow, basis


_PRONOUN = re.compile(
    r"^\s*(?:It|The\s+country|The\s+nation|Nước\s+này|Quốc\s+gia\s+này|이\s*나라는|이\s*나라가)\b", re.I
)
_RUN_ITEM = re.compile(
    rf"(?P<ord>{_EN_ORD})(?:[\s-]+(?:largest|biggest|place))?\s+(?:(?:in|for)\s+)?(?:(?:19|20)\d{{2}}|last\s+year|this\s+year)",
    re.I,
)


def _ranking_run(sentence: str, ms: list[Mention], context: tuple[str, str] | None) -> list[Claim]:
    """ "Vietnam … ranking fifth in 2012, fourth in 2013, third in 2017 and second in 2020, before finishing in first
    last year": a run of ranks by year, of the sentence's subject, by the sentence's measure."""
    lead = re.search(
        rf"\b(?:rank(?:ing|ed|s)?|finish(?:ing|ed)?|placing|placed|(?:up|rising|climbing|moving)\s+from)\s+(?:in\s+)?"
        rf"(?={_EN_ORD})",
        sentence,
        re.I,
    )
    if not lead:
        return []
    items = []
    pos = lead.end()
    while True:
        m = _RUN_ITEM.match(sentence, pos)
        if not m:
            break
        items.append(m)
        gap = re.match(
            r"\s*,?\s*(?:and\s+|before\s+|then\s+)?(?:finish(?:ing|ed)?\s+|rank(?:ing|ed)?\s+|to\s+)?(?:in\s+)?",
            sentence[m.end() :],
            re.I,
        )
        if not gap or not gap.group(0):
            break
        pos = m.end() + gap.end()
    if len(items) < 2:
        return []
    flow = find_flow(sentence[: lead.start()])
    subj = [x for x in ms if x.end <= lead.start() and x.role == "subj"]
    owner = [
        x for x in ms if x.end <= lead.start() and x.role in ("to", "poss") and (not subj or x.code != subj[0].code)
    ]
    subject = subj[0].code if subj else None
    poss = owner[-1].code if owner else (context[0] if context and context[1] == subject else None)
    if not flow or subject is None or poss is None or subject == poss:
        return []
    head = sentence[: lead.start()]
    basis = ("deficit" if _DEFICIT.search(head) else "surplus") if flow[0] == "balance" else None
    out = []
    for m in items:
        rank = _ordinal(m.group("ord"))
        if rank:
            end = m.start("ord") + len(m.group("ord"))
            out.append(Claim(poss, subject, flow[0], rank, m.start(), end, basis=basis))
    return out


_RANGE = re.compile(r"(?<![\d.])(?P<a>\d{1,2})\s?[~∼\-]\s?(?P<b>\d{1,2})\s?위(?:는|은)?\s*")
_KO_AMOUNT_TEXT = r"[\d,.]+\s?[조억만천](?:\s?[\d,.]*\s?[조억만천])*\s?(?:[\d,]+\s?)?달러"


def _range_list(
    sentence: str,
    ms: list[Mention],
    context: tuple[str, str] | None,
    context_flow: str | None,
    default_reporter: str | None,
) -> list[Claim]:
    """ "수출 1~3위는 중국 791억달러, 미국 419억달러, 홍콩 168억달러": ranks a..b to the countries listed, in order."""
    m = _RANGE.search(sentence)
    if not m:
        return []
    first, last = int(m.group("a")), int(m.group("b"))
    names: list[Mention] = []
    pos = m.end()
    while len(names) < last - first + 1:
        nxt = [x for x in ms if x.start == pos + (len(sentence[pos:]) - len(sentence[pos:].lstrip(" '‘’\"“”")))]
        if not nxt:
            break
        names.append(nxt[0])
        rest = re.match(rf"['’\"”]?\s*(?:{_KO_AMOUNT_TEXT})?\s*(?:,|과|와|및)?\s*", sentence[nxt[0].end :])
        pos = nxt[0].end + (rest.end() if rest else 0)
    if len(names) != last - first + 1 or len({x.code for x in names}) != len(names):
        return []
    head = sentence[: m.start()]
    found = find_flow(head[max((b.end() for b in re.finditer(r"[,.;]\s", head)), default=0) :])
    flow = found[0] if found else context_flow
    poss = (context[0] if context else None) or default_reporter
    if flow is None or poss is None or poss in {x.code for x in names}:
        return []
    reg = countries()
    if not all(reg.rankable(x.code) for x in names):
        return []
    return [Claim(poss, x.code, flow, first + n, x.start, x.end, bare=True) for n, x in enumerate(names)]


_TOP_N = {
    "ko": re.compile(
        r"상위\s?(?P<n>\d)\s?(?:개\s?)?(?:국|개국|국가|대\s?(?:교역국|수출국|수입국|시장))\s?(?:인|은|는|으로는|:)?\s*"
    ),
    "en": re.compile(
        r"(?:\b(?:the|its|their)|['’]s)\s+top\s+(?P<n>two|three|four|five|\d)\s+(?:(?P<noun>export\s+markets|export\s+destinations|"
        r"import\s+markets|import\s+sources|trading\s+partners|trade\s+partners)|countries|markets)\s*(?:,|:|—|–|-|were|are)\s*",
        re.I,
    ),
}
_EN_TOP_NOUN = {"export": "export", "import": "import", "trading": "total", "trade": "total"}
_RESPECTIVELY = re.compile(
    rf"\(\s*(?:the\s+)?(?P<ords>{_EN_ORD}(?:\s*,\s*{_EN_ORD})*\s*,?\s*and\s+{_EN_ORD})\s+(?:largest|biggest)\s+"
    r"(?P<noun>export\s+markets|export\s+destinations|import\s+markets|import\s+sources|trading\s+partners|trade\s+partners)"
    r"\s*\)",
    re.I,
)


_KO_IN_ORDER = re.compile(r"\s*(?:등의?\s*)?순(?:이었다|이다|으로|이며|이고|을|서|이었고|이었으며)")
_KO_LIST_GAP = re.compile(r"\s*(?:\([^()]*\))?\s*(?:,|·|과|와)?\s*['‘’\"“”]?")


def _in_order(sentence: str, ms: list[Mention], poss: str | None) -> list[Claim]:
    """ "국가별 수출은 중국(1330억달러), 미국(1280억달러), 베트남(580억달러) 순이었다": the countries named, in order,
    hold ranks 1, 2, 3 of the clause's flow (a bloc or region in the list, or a rate, makes it no country ranking)."""
    end = _KO_IN_ORDER.search(sentence)
    if not end or poss is None or _RATE.search(sentence):
        return []
    members: list[Mention] = []
    pos = end.start()
    for x in reversed([x for x in ms if x.end <= end.start()]):
        if not _KO_LIST_GAP.fullmatch(sentence[x.end : pos]):
            break
        members.insert(0, x)
        pos = x.start
        pos -= len(sentence[:pos]) - len(sentence[:pos].rstrip(" '‘’\"“”"))
    codes = [x.code for x in members]
    reg = countries()
    if len(codes) < 2 or len(set(codes)) != len(codes) or poss in codes or not all(reg.rankable(c) for c in codes):
        return []
    found = find_flow(sentence[: members[0].start]) or find_flow(sentence[end.end() :])
    if not found or found[0] == "balance" or find_commodity(sentence[: members[0].start]):
        return []  # "반도체 수출은 중국, 미국, 베트남 순": a commodity's destinations, not the country's
    return [Claim(poss, x.code, found[0], r, x.start, x.end, bare=True) for r, x in enumerate(members, start=1)]


def _listed_after(sentence: str, pos: int, ms: list[Mention], n: int) -> list[Mention]:
    """The ``n`` countries listed from ``pos`` on ("중국, 미국, 베트남", "China, the US and Japan"), or []."""
    out: list[Mention] = []
    while len(out) < n:
        nxt = [x for x in ms if x.start == pos]
        if not nxt:
            return []
        out.append(nxt[0])
        gap = re.match(r"\s*(?:,|·|과|와|및|and)?\s*(?:,?\s*and\s+)?(?:the\s+)?", sentence[nxt[0].end :], re.I)
        pos = nxt[0].end + (gap.end() if gap else 0)
    return out


def _top_n_list(
    sentence: str, lang: str, ms: list[Mention], context: tuple[str, str] | None, default_reporter: str | None
) -> list[Claim]:
    """ "상위 3국인 중국, 미국, 베트남에 대한 수출 비중은", "its top three export markets, China, the US and Vietnam":
    the top n listed in order; "exports to China, the US and Japan (the first, second and fourth largest export
    markets)": each its stated rank, and where the sentence speaks "of the top four", the one other country named the
    rank left."""
    reg = countries()
    owner = [
        x
        for x in ms
        if re.search(
            r"(?:markets|partners|destinations|sources)\s+(?:for|of)\s+(?:the\s+)?$", sentence[: x.start], re.I
        )
    ]
    top = _TOP_N[lang].search(sentence) if lang in _TOP_N else None
    whose = [x for x in ms if top and lang == "en" and x.end == top.start()]  # "Korea's top three export markets"
    poss = (whose or owner)[0].code if (whose or owner) else (context[0] if context else default_reporter)
    if poss not in ("KOR", "VNM"):
        return []
    out: list[Claim] = []
    n = (_ordinal(top.group("n")) or 0) if top else 0
    resp = _RESPECTIVELY.search(sentence) if lang == "en" else None
    if resp:
        ranks = [_ordinal(o) for o in re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", resp.group("ords").strip())]
        members = [x for x in ms if x.end <= resp.start()][-len(ranks) :]
        joined = len(members) == len(ranks) and all(
            re.fullmatch(r"\s*(?:,|and|,\s*and)?\s*(?:the\s+)?", sentence[a.end : b.start], re.I)
            for a, b in itertools.pairwise(members)
        )
        flow = _EN_TOP_NOUN[resp.group("noun").split()[0].lower()]
        codes = [x.code for x in members]
        of_top = re.search(r"\bOf\s+(?:the|its)\s+top\s+(two|three|four|five|\d)\b", sentence, re.I)
        n_top = (_ordinal(of_top.group(1)) or 0) if of_top else 0
        missing = set(range(1, n_top + 1)) - {r for r in ranks if r}
        if joined and all(ranks) and len(set(codes)) == len(codes) and poss not in codes:
            out += [
                Claim(poss, x.code, flow, r, resp.start(), resp.end(), bare=True)
                for x, r in zip(members, ranks, strict=True)
                if r
            ]
            others = {x.code for x in ms if x.code not in codes and x.code != poss and reg.rankable(x.code)}
            if n_top and len(missing) == 1 and len(others) == 1:  # "Of the top four …, only exports to Vietnam grew"
                out.append(Claim(poss, others.pop(), flow, missing.pop(), resp.start(), resp.end(), bare=True))
        return [c for c in out if reg.rankable(c.partner)]
    if not top or not 2 <= n <= 10:
        return []
    members = _listed_after(sentence, top.end(), ms, n)
    if find_commodity(sentence[: top.start()]):
        return []  # "반도체 상위 3국인 …": a commodity's markets
    codes = [x.code for x in members]
    if len(codes) != n or len(set(codes)) != n or poss in codes or not all(reg.rankable(c) for c in codes):
        return []
    if lang == "en" and top.group("noun"):
        flow = _EN_TOP_NOUN[top.group("noun").split()[0].lower()]
    else:
        found = find_flow(sentence[members[-1].end :]) or find_flow(sentence[: top.start()])
        if not found:
            return []
        flow = found[0]
    return [Claim(poss, x.code, flow, r, top.start(), top.end(), bare=True) for r, x in enumerate(members, start=1)]


def find_claims(
    sentence: str,
    lang: str,
    context: tuple[str, str] | None = None,
    context_flow: str | None = None,
    default_reporter: str | None = None,
    pronoun_subject: str | None = None,
    agency: str | None = None,
    lead: Claim | None = None,
    page: Claim | None = None,
) -> tuple[list[Claim], list[str]]:
    """Claims of one sentence, and the reasons for phrases that were not claims.

    ``context`` is the pair the paragraph speaks of (reporter, partner): Korean drops the possessor and the subject
    a paragraph has already named ("미국에 이어 두 번째로 큰 흑자국이다"), so there they come from it. ``page`` is the
    page's last claim, whose ranking "X fell to sixth place" goes on."""
    ms = find_countries(sentence, lang)
    reg = countries()
    claims: list[Claim] = []
    skips: list[str] = []
    if word_re("exclusions.forecast").search(sentence) or word_re("exclusions.target").search(sentence):
        # "Việt Nam sẽ vượt Nhật Bản để trở thành đối tác thương mại lớn thứ ba" (dự kiến): a forecast is no claim
        if any(p.search(sentence) for p in _patterns(lang)):
            skips.append("a rank forecast or targeted, not stated")
        return [], skips
    matches = sorted(
        {(m.start(), m.end()): m for p in _patterns(lang) for m in p.finditer(sentence)}.values(),
        key=lambda m: m.start(),
    )
    if lang == "en":
        run = _ranking_run(sentence, ms, context)
        if run:
            return run, skips
    if lang == "ko":
        claims += _range_list(sentence, ms, context, context_flow, default_reporter or agency)
    claims += _top_n_list(sentence, lang, ms, context, default_reporter or agency)
    if lang == "ko":
        claims += _in_order(sentence, ms, (context[0] if context else None) or default_reporter or agency)
    prev: Claim | None = None
    listed_ids: set[int] = set()
    for m in matches:
        if prev and m.start() < prev.end:
            continue
        rank = _ordinal(m.group("ord") or "largest")
        if not rank:
            continue
        if m.groupdict().get("moved") is not None:
            subj = [x for x in ms if x.start < m.start() and x.role == "subj"]
            if page is None or not subj or subj[0].start > 0 or subj[0].code == page.reporter:
                skips.append(f"a move in a ranking the page has not named: {m.group(0)!r}")
                continue
            if not reg.rankable(subj[0].code):
                continue
            c = Claim(page.reporter, subj[0].code, page.flow, rank, m.start(), m.end(), basis=page.basis)
            claims.append(c)
            prev = c
            continue
        if m.groupdict().get("carry") is not None:
            if prev:
                claims.append(Claim(prev.reporter, prev.partner, prev.flow, rank, m.start(), m.end()))
            continue
        if m.groupdict().get("lead") is not None:
            amounts = [a.value_usd for a in find_amounts(sentence[m.end() :], lang)[:2]]
            if len(amounts) < 2 or None in amounts or not amounts[0] > amounts[1]:  # type: ignore[operator]
                skips.append(f"a 'followed by' ranking whose head is not the largest: {m.group(0)!r}")
                continue
        top = m.groupdict().get("top") is not None
        if lang == "ko" and not top and re.search(r"\d\s?대\s?$", sentence[max(0, m.start() - 3) : m.start() + 1]):
            continue
        bare = m.groupdict().get("bare") is not None
        share = _market_share(sentence, m) if bare and lang == "ko" else None
        market = _market_owner(sentence, m) if bare and lang == "ko" and not share else None
        if share:
            flow = "import"
        elif market:
            flow = market[1]
        elif bare:
            clause = sentence[max(0, m.start() - 40) : m.end() + 10]
            bare_flow = _bare_flow(sentence, m, context_flow)
            near = sentence[max(0, m.start() - 24) : m.start()]
            excluded = any(
                word_re(f"exclusions.{k}").search(near) for k in ("investment", "aid", "tourism", "other_money")
            )
            if bare_flow is None or excluded or _NOT_A_VALUE_RANK.search(clause):
                skips.append(f"a rank without its measure (or by growth or share): {m.group(0)!r}")
                continue
            if re.search(r"(?:연속|년간|년\s*동안)\s*$", sentence[: m.start()]):
                skips.append(f"a rank held for consecutive years, whose years the text does not list: {m.group(0)!r}")
                continue
            flow = bare_flow
        elif m.groupdict().get("buyer") or m.groupdict().get("xk"):
            flow = "export"
        elif m.groupdict().get("bal"):
            flow = "balance"
        else:
            flow = _flow_of(m.group("noun"), sentence[m.end() :])
        poss = (
            share[0]
            if share
            else market[0]
            if market
            else _possessor(sentence, m, ms, lang) or (prev.reporter if prev else None)
        )
        if poss is None and bare:  # "베트남은 한국의 수출은 3위": the possessor named earlier in the clause
            owners = [x for x in ms if x.end <= m.start() and x.role == "poss"]
            poss = owners[-1].code if owners else None
        if poss is None and lang == "ko" and context:
            poss = context[0]
        if poss is None and lang == "vi" and bare:  # the paragraph's ranking goes on: its owner
            poss = default_reporter or (context[0] if context else None) or agency
        if poss is None and lang == "ko":
            # "우리나라 10대 무역적자 국가는…": Korea or Vietnam named bare before the ranking, else the paragraph's reporter
            own = [
                x
                for x in ms
                if x.end <= m.start() and x.code in ("KOR", "VNM") and _KO_RANKING_AFTER.match(sentence[x.end :])
            ]
            # … else whose statistics the page cites (a Korean page citing KITA ranks Korea's partners)
            poss = own[0].code if own else (default_reporter or agency)
        listed = _ordered_list(sentence, m, ms, lang)
        if top and len(listed) != rank - 1:
            skips.append(f"'top {rank}' without the {rank - 1} partners before it: {m.group(0)!r}")
            continue
        listed_ids |= {id(x) for x in listed}
        if bare:
            subject = _bare_subject(sentence, m, ms, poss, lang)
            if share and (subject is None or subject == poss):
                subject = share[1]  # "베트남의 한국 시장 점유율은 2014년 1.5%(11위)"
            # "(베트남은) 중국과 미국에 이어 3위를 기록한 것이다": the country the paragraph speaks of
            spoken = (context[1] if context and context[0] == poss else None) or pronoun_subject
            if subject is None and listed and spoken and spoken != poss and spoken not in {x.code for x in listed}:
                subject = spoken
        else:
            subject = _subject(sentence, m, ms, listed_ids, poss, lang, prev.end if prev else None) or (
                prev.partner if prev else None
            )
        if lang in ("en", "vi") and (subject is None or poss is None):
            # "Xuất khẩu của Hàn Quốc sang Trung Quốc, thị trường xuất khẩu lớn nhất, …": an apposition
            comma = re.search(r",\s*(?:the\s+|its\s+)?$", sentence[: m.start()], re.I)
            named = [x for x in ms if comma and x.end == comma.start()] if comma else []
            owner = [x for x in ms if x.role == "poss" and x.end <= m.start() and named and x.code != named[0].code]
            if named and owner and re.search(r"^[^,.;]{0,12}(?:,|$)", sentence[m.end() :]):
                subject, poss = named[0].code, owner[0].code
        if subject is None and pronoun_subject and _PRONOUN.match(sentence) and pronoun_subject != poss:
            subject = pronoun_subject  # "Vietnam has emerged as … It became Korea's third-largest trading partner"
        if (
            subject is None
            and not bare
            and lang == "ko"
            and context
            and context[0] == poss
            and context[1] != poss
            and not re.match(r"\s*(?:인|이던|였던|이었던)\s", sentence[m.end() :])
        ):
            subject = context[1]
        if poss is None or subject is None or poss == subject:
            skips.append(f"rank without both sides: {m.group(0)!r}")
            continue
        if not reg.rankable(subject):
            skips.append(f"a bloc or region ranked ({subject}), not a country: {m.group(0)!r}")
            continue
        c = Claim(poss, subject, flow, rank, m.start(), m.end(), bare=bare)
        claims.append(c)
        prev = c
        codes = [x.code for x in listed]
        if codes:
            if (
                len(codes) == rank - 1
                and len(set(codes)) == len(codes)
                and poss not in codes
                and subject not in codes
                and all(reg.rankable(x) for x in codes)
            ):
                claims += [
                    Claim(poss, x, flow, r, m.start(), m.end(), listed=True) for r, x in enumerate(codes, start=1)
                ]
            else:
                skips.append(f"ordered list does not fit rank {rank}: {', '.join(codes)}")
    claims += _followed_by(sentence, lang, ms, claims, lead)
    return claims, skips


FOLLOWED_BY = {
    "en": re.compile(r"\b(?:followed\s+by|trailed\s+by)\s+(?:the\s+)?", re.I),
    "vi": re.compile(r"(?:tiếp\s+theo\s+là|tiếp\s+đến\s+là|theo\s+sau\s+là|kế\s+đến\s+là)\s+", re.I),
}
# "It was followed by China", "This was followed by …": the previous sentence's ranking goes on
_POINTS_BACK = re.compile(r"\s*(?:(?:It|This|That|They|Nó|Tiếp\s+sau)\s+(?:was|were|is|are|has\s+been)?\s*)?", re.I)


def _followed_by(sentence: str, lang: str, ms: list[Mention], claims: list[Claim], lead: Claim | None) -> list[Claim]:
    """ "X was Vietnam's largest export market …, followed by China": the country right after "followed by" holds the
    next rank of the same ranking (a bloc there ends it: nothing after a bloc is ranked)."""
    pat = FOLLOWED_BY.get(lang)
    if pat is None:
        return []
    out: list[Claim] = []
    for f in pat.finditer(sentence):
        before = [c for c in claims if not c.listed and c.end <= f.start()]
        base = before[-1] if before else (lead if _POINTS_BACK.fullmatch(sentence[: f.start()]) else None)
        if base is None or base.partner == "WLD":
            continue
        nxt = [x for x in ms if x.start == f.end()]
        if not nxt or not countries().rankable(nxt[0].code) or nxt[0].code in (base.reporter, base.partner):
            continue
        out.append(Claim(base.reporter, nxt[0].code, base.flow, base.rank + 1, nxt[0].start, nxt[0].end, bare=True))
    return out


_KO_NEXT_AFTER = re.compile(
    r"(?P<list>(?:[가-힣A-Za-z]+\s*(?:\([^()]*\))?\s*(?:,|·|과|와)\s*){0,3}[가-힣A-Za-z]+\s*(?:\([^()]*\))?)\s*"
    r"(?:에\s?이어|다음으로)\s?"
    r"(?:(?P<ord>두|세|네|다섯)\s?번째로\s?)?(?:많|크|높)"
)
_EN_NEXT_AFTER = re.compile(
    rf"(?P<ord>{_EN_ORD})[\s-]*(?:highest|largest|biggest)\s+(?:after|behind|following)\s+(?P<list>(?:[^.;]|\.(?=\d))+)",
    re.I,
)
_VI_NEXT_AFTER = re.compile(
    r"(?:mức|con\s+số|giá\s+trị|kim\s+ngạch)\s+[^\d,.;]{0,25}?(?:lớn|cao)\s+thứ\s+(?P<ord>\d{1,2}|hai|ba|tư|bốn|năm)\s+"
    r"(?:chỉ\s+)?(?:đứng\s+)?sau\s+(?P<list>[^.;]+)",
    re.I,
)
# "xuất khẩu sang Hàn Quốc đạt 25,6 tỷ USD, đứng thứ ba sau Mỹ và Trung Quốc": the figure ranks next after the list
_VI_STANDS_AFTER = re.compile(
    r",\s*(?:đứng|xếp)\s+(?:thứ|hạng)\s+(?P<ord>\d{1,2}|hai|ba|tư|bốn|năm)\s+(?:chỉ\s+)?sau\s+(?P<list>[^.;]+)", re.I
)
# "…, cao nhất trong số các nước", "the highest among all markets": the figure before ranks first
_HIGHEST_AMONG = {
    "vi": re.compile(r"(?:cao|lớn)\s+nhất\s+trong\s+(?:số\s+)?(?:các|những)\s+(?:nước|thị\s+trường|quốc\s+gia)", re.I),
    "en": re.compile(
        r"the\s+(?:highest|largest|biggest)\s+among\s+(?:all\s+)?(?:the\s+|its\s+|their\s+)?(?:countries|markets|partners)",
        re.I,
    ),
}
_GROWTH = re.compile(
    r"증가율|감소율|증가폭|성장률|증가세|growth|increase|rise|gain|jump|tăng|giảm|\bup\b|\bdown\b|rose|fell|grew|"
    r"tốc\s+độ",
    re.I,
)
_RATE = re.compile(r"증가율|감소율|증가폭|성장률|증가세|growth\s+rate|rate\s+of\s+growth|tốc\s+độ\s+tăng", re.I)
_CHANGE_BEFORE = re.compile(r"(?:tăng|giảm|up|down|by|rise\s+of|drop\s+of|증가|감소)\s*(?:thêm\s*|by\s*)?$", re.I)
_EN_REFERS_BACK = re.compile(r"^\s*(?:The|This|That)\s+(?:total\s+)?(?:amount|figure|value|sum)\b", re.I)
_KO_ORD = {"두": 2, "세": 3, "네": 4, "다섯": 5}


def value_ranks(sentence: str, lang: str, figures: list, last_figure=None) -> list[tuple[Claim, Period]]:
    """ "대베트남 무역흑자는 … 289억 달러로 중국과 홍콩 다음으로 많았다", "The total amount is third-highest after $79.25
    billion for China and $39.66 billion for the United States": a figure ranked after the countries listed (in order)
    ranks its partner next, in the figure's own reporter, flow and period; (claim, period) pairs, list members included."""
    pat = {"ko": _KO_NEXT_AFTER, "en": _EN_NEXT_AFTER, "vi": _VI_NEXT_AFTER}[lang]
    m = pat.search(sentence) or (_VI_STANDS_AFTER.search(sentence) if lang == "vi" else None)
    top = _HIGHEST_AMONG[lang].search(sentence) if not m and lang in _HIGHEST_AMONG else None
    if top:
        amounts = [a for a in find_amounts(sentence, lang) if a.end <= top.start()]
        last = (amounts[-1].start, amounts[-1].end) if amounts else None
        own = [f for f in figures if not f.base and f.span == last and f.partner != "WLD" and f.commodity == "TOTAL"]
        if (
            len(own) != 1
            or last is None
            or not countries().rankable(own[0].partner)
            or _GROWTH.search(sentence, last[1], top.start())
        ):
            return []  # "đạt 5 tỷ USD, tăng 30,2%, cao nhất …": the highest growth, not the highest value
        f = own[0]
        sign = ("surplus" if f.value_usd > 0 else "deficit") if f.flow.value == "balance" else None
        return [(Claim(f.reporter, f.partner, f.flow.value, 1, top.start(), top.end(), basis=sign), f.period)]
    if not m or _GROWTH.search(sentence[m.start() : m.end() + 12]):
        return []  # "증가율은 중국에 이어 두 번째로 높았다": a rank by growth
    amounts = [
        a
        for a in find_amounts(sentence, lang)
        if a.end <= m.start() and not _CHANGE_BEFORE.search(sentence[max(0, a.start - 16) : a.start])
    ]  # "thặng dư 29,9 tỷ USD, tăng 2,3 tỷ USD so với năm trước, trở thành …": the change is no figure
    own = [f for f in figures if not f.base and f.span and amounts and f.span == (amounts[-1].start, amounts[-1].end)]
    fig = own[-1] if own else None  # the amount right before the list
    if fig is None and not amounts and lang == "en" and _EN_REFERS_BACK.match(sentence):
        fig = last_figure  # "The total amount is third-highest after …": the previous sentence's figure
    if fig is None or fig.partner == "WLD" or fig.commodity != "TOTAL":
        return []
    if own and _RATE.search(sentence, own[-1].span[1] if own[-1].span else 0, m.end() + 12):
        return []  # "50억달러로 증가율은 중국에 이어 두 번째로 높았다": the rate is ranked, not the amount
    masked = re.sub(r"\([^()]*\)", lambda g: " " * len(g.group(0)), sentence)
    listed = masked[m.start("list") : m.end("list")]
    members = [  # "베트남은 중국에 이어": the topic is no member of the list
        x
        for x in find_countries(listed, lang)
        if not re.match(r"(?:은|는|이|가)(?![가-힣])", listed[x.end : x.end + 2])
    ]
    codes = [x.code for x in members]
    n = len(codes) + 1
    stated = m.group("ord")
    if stated and (_KO_ORD.get(stated) if lang == "ko" else _ordinal(stated.lower())) != n:
        return []
    reg = countries()
    if (
        not codes
        or len(set(codes)) != len(codes)
        or fig.partner in codes
        or fig.reporter in codes
        or not all(reg.rankable(c) for c in [*codes, fig.partner])
    ):
        return []
    basis = None
    if fig.flow.value == "balance":
        basis = "surplus" if fig.value_usd > 0 else "deficit"
    flow = fig.flow.value
    out = [(Claim(fig.reporter, fig.partner, flow, n, m.start(), m.end(), basis=basis), fig.period)]
    out += [
        (Claim(fig.reporter, c, flow, r, m.start(), m.end(), listed=True, basis=basis), fig.period)
        for r, c in enumerate(codes, start=1)
    ]
    return out


_CONSECUTIVE = {
    "en": re.compile(
        rf"(?P<n>{_EN_ORD})\s+(?:consecutive|straight|successive)\s+year\b[^.;]{{0,80}}?\bsince\s+(?:[^.;]{{0,60}}?\s)?"
        r"(?:in\s+)?(?P<y>(?:19|20)\d{2})\b",
        re.I,
    ),
    "vi": re.compile(
        r"năm\s+thứ\s+(?P<n>\d{1,2}|hai|ba|tư|bốn|năm|sáu|bảy|tám|chín|mười)\s+liên\s+tiếp[^.;]{0,80}?kể\s+từ\s+"
        r"(?:khi\s+[^.;]{0,60}?)?(?:vào\s+)?năm\s+(?P<y>(?:19|20)\d{2})\b",
        re.I,
    ),
    "ko": re.compile(r"(?P<y>(?:19|20)\d{2})년\s?(?:이후|부터)\s?[^.]{0,30}?(?P<n>\d{1,2})\s?년\s?(?:연속|째)"),
}
# "Việt Nam duy trì vị trí này", "held the position": the page's last rank claim goes on
_THIS_POSITION = re.compile(
    r"vị\s+trí\s+(?:này|đó)|(?:this|that|the)\s+(?:position|spot|place|ranking)|(?:이|그)\s?(?:자리|순위|지위)", re.I
)


def consecutive_years(sentence: str, lang: str) -> list[int]:
    """ "the third consecutive year since 2022", "năm thứ ba liên tiếp … kể từ … năm 2022", "2022년 이후 3년 연속": the
    years a rank was held (2022, 2023, 2024), or [] where the sentence does not state both the count and the first."""
    m = _CONSECUTIVE[lang].search(sentence)
    if not m:
        return []
    n = int(m.group("n")) if m.group("n").isdigit() else _ordinal(m.group("n"))
    first = int(m.group("y"))
    return list(range(first, first + n)) if n and 1 < n <= 30 else []


def holds_position(sentence: str, lang: str, claim: Claim) -> bool:
    """Does the sentence say that the ranked country of ``claim`` kept "this position"?"""
    pos = _THIS_POSITION.search(sentence)
    if not pos:
        return False
    named = [x for x in find_countries(sentence[: pos.start()], lang) if x.role in ("subj", "poss", "bare")]
    return bool(named) and named[-1].code == claim.partner


_SURPLUS = re.compile(r"흑자|surplus|xuất\s+siêu|thặng\s+dư", re.I)


def balance_basis(claim: Claim, sentence: str, figures: list, fallback: str | None) -> str | None:
    """Whether a balance ranking orders surpluses or deficits: the claim's own words ("무역 적자국 1위", "largest
    surplus"), else the sign of the sentence's figure for the ranked partner ("'사우디아라비아' -181억달러"), else the
    paragraph's ranking (``fallback``)."""
    if claim.flow != "balance":
        return None
    if claim.basis:
        return claim.basis
    span = sentence[claim.start : claim.end + 12]
    deficit, surplus = _DEFICIT.search(span), _SURPLUS.search(span)
    if bool(deficit) != bool(surplus):
        return "deficit" if deficit else "surplus"
    own = {f.value_usd > 0 for f in figures if f.flow.value == "balance" and f.partner == claim.partner}
    if len(own) == 1:
        return "surplus" if own.pop() else "deficit"
    return fallback
