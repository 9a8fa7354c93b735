"""Reply check (R-UN-5): does a unit's reply answer the citizen?

R-UN-5 asks that every point is answered without omission or evasion, that a long-term
matter states its measures and an expected completion date, and (by the hotlines' rules)
that a reply is not a form letter. `check_reply(question, reply)` looks for the usual ways
a reply falls short and returns findings the unit leader (before approval) and the
hotline's reviewer (before completion) see beside the reply. It advises; it never blocks.

How it reads a reply:
- Boilerplate is cut out first: the greeting (您好, 网友“UU…”), 来信收悉 / 现回复如下,
  "passed on to X for handling" without a result, thanks and closings, signature dates
  and telephone numbers. What is left is the content.
- `template_only`: little content is left (a greeting, "received", "passed on", thanks).
- `too_short`: the whole reply is very short.
- `no_measure`: the content names no action, result or rule (已/将/经核实/整改/依据…).
- `no_deadline`: the content announces future work (正在/计划/将/逐步/纳入…) but gives
  no date or time limit for it.
- `points_missed`: a point of the citizen's message (a question or a request: sentences
  with ？/请问/能否/何时/是否/要求/希望…) shares too few character bigrams with the reply.
- `no_subject`: the reply shares no key word with the message's subject (its place or
  matter), a sign of a reply pasted to the wrong ticket or a generic answer.

Score = 100 − 40 per error − 15 per warning (not below 0). A reply is flagged when it
has an error or its score is below `FLAG_BELOW` (four warnings). Thresholds were set on
one half of the hand-labelled Teddy Cup replies and measured on the other
(`bench/replies.py`: F1 0.85 against 0.81 for a reply-length threshold).

"Pure" here means no ORM and no settings of its own (messages go through gettext); no
jieba (character bigrams), so it is cheap in a template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

ERROR = "error"
WARNING = "warning"
INFO = "info"
PENALTY = {ERROR: 40, WARNING: 15, INFO: 0}

FLAG_BELOW = 50  # a score under this flags the reply even without an error
MIN_REPLY_CHARS = 40  # whole reply, letters and digits only
MIN_CONTENT_CHARS = 30  # what is left after boilerplate is removed
POINT_COVERED = 0.05  # a point is missed when the reply has (almost) none of its key bigrams
MAX_POINTS = 8

# --- boilerplate -------------------------------------------------------------------------

_END = r"[。！!；;，,.…]*"
_SENTENCE = r"[^。！!？?；;\n]*"
BOILERPLATE = [
    # addressee and greeting
    r"(尊敬的|亲爱的)?(网友|市民|群众|朋友|先生|女士|同志)?(朋友)?[“\"'‘]?(UU|A)\d+[”\"'’]?(网友)?[：:，,]?",
    r"(尊敬的|亲爱的)?(网友|市民|群众|朋友|先生|女士|同志)(朋友)?[：:，,]",
    r"(尊敬的|亲爱的)?(网友|市民|群众|朋友|先生|女士|同志)?[：:，,\s]*(您|你)好" + _END + r"[：:]?",
    # received / here is our answer
    r"(关于)?(您|你)?(的|所|通过)?" + r"[^。！!，,]{0,24}?(反映|咨询|留言|来信|帖文|信件|提出|来电)"
    r"(的)?(问题|诉求|事项|情况|内容)?(我们|我局|我办|我委|本局)?(已|已经|均)?(收悉|收到|知悉)"
    + _END,
    r"(来信|来函|留言|帖文|信件|来电)(已)?(收悉|收到|阅|阅悉)" + _END,
    r"(我局|我们|我办|我委|本局)?(现)?(回复|答复)如下" + _END + r"[：:]?",
    r"现(将|就)?[^。！!]{0,30}(回复|答复|回答|说明)如下" + _END + r"[：:]?",
    r"(首先)?(非常|十分)?感谢(您|你)?(对|的)[^。！!]{0,30}?(信任|支持|关心|关注|理解|监督|留言|来信)"
    r"[^。！!]{0,20}" + _END,
    # passed on, without saying what came of it
    r"(我们|我局|我办|我委|我单位)?(已|已经|现已|将|将会|会)(于" + r"[^，,。]{0,12})?"
    r"(按[^。！!，,]{0,8})?(第一时间|及时)?(将(其|此|该|您的)?[^。！!，,]{0,12})?"
    r"(?<![递提移上])(转交|转至|转给|转到|转由|转|交由|交给|交)(至|给)?[^。！!]{0,40}?"
    r"(调查核处|调查核实|调查处理|调查处置|核查|核实|核处|处理|处置|办理|办复|答复|回复|研究|参考|关注|落实)"
    r"([、，,和及并]*(调查|核查|核实|核处|处理|处置|办理|办复|答复|回复|研究|反馈))*" + _END,
    r"(如有|若有|待有)?(相关|新的|进一步的?)?(情况|结果|进展)?(将|会)?(及时)?(给您|向您)?(反馈|答复|回复)"
    + _END,
    r"请(您)?耐心等待" + _END,
    # thanks, wishes, closings
    r"(再次|非常|十分|衷心)?(感谢|谢谢)(您|你)?(的)?(对|对于)?[^。！!]{0,30}?"
    r"(关心|关注|支持|理解|监督|信任|留言|来信|参与)[^。！!]{0,12}" + _END,
    r"(多谢|谢谢|感谢)(您|你)?(的)?(关注|支持|来信|留言)?" + _END,
    r"(祝|敬祝)(您|你)[^。！!]{0,16}" + _END,
    r"(给您|给你)带来的不便[^。！!]{0,10}" + _END,
    r"(欢迎|敬请)[^。！!]{0,20}(监督|来电|咨询|关注|批评指正)" + _END,
    r"如(您|你)?(还有|仍有|有)(疑问|不明|问题|其他问题|不清楚)" + _SENTENCE + r"[。！!]?",
    # signatures: dates, telephone numbers, anonymised numbers
    r"\d{4}\s*[年.\-/]\s*\d{1,2}\s*[月.\-/]\s*\d{1,2}\s*日?",
    r"[（(]?(电话|联系电话|咨询电话)?[:：]?\d{3,4}[-—\s]*[\d\-—]{5,}[)）]?",
    r"\d{7,}",
]
BOILERPLATE_RE = re.compile("|".join(f"(?:{p})" for p in BOILERPLATE))
# An organisation's name standing alone at the end, after the content: "L3县委网宣办".
SIGNATURE_RE = re.compile(
    r"[\u4e00-\u9fffA-Z\d]{2,20}(办公室|网宣办|政府|委员会|局|办|中心|公司|大队|支队|街道办事处)\s*$"
)

# --- what a reply should contain ----------------------------------------------------------

MEASURE_RE = re.compile(
    r"已|将|经|目前|现在|正在|安排|组织|整改|约谈|处罚|罚款|查处|责令|督促|要求|拆除|清理|维修|修复|"
    r"更换|恢复|解决|落实|办理|检查|核实|核查|调查|调解|协调|通知|告知|答复|回复|规定|依据|根据|"
    r"按照|可以|可向|可到|可在|需要|应当|不能|不属于|无法|建议|计划|开展|实施|完成|启动|制定|"
    r"出台|纳入|列入|受理|立案|退还|补发|支付|发放|施工|建设|改造|硬化|铺设|安装|设置|开通|取缔|"
    r"关停|停业|暂停|告诫|教育|批评|警告|执法|巡查|监管|监测|审批|审核|批复|同意|不同意|符合|不符合"
)
LONG_TERM_RE = re.compile(
    r"正在|计划|将会|将于|将在|将(?=[\u4e00-\u9fff]{1,4}(实施|推进|建设|改造|完成|启动|安排|纳入|解决))|"
    r"逐步|纳入|列入|拟|待[^。！!]{0,10}(后|时)|争取|下一步|下阶段|今后|近期|尽快|分步|分期|前期"
)
DATE_RE = re.compile(
    r"\d{4}\s*年|\d{1,2}\s*月|[一二三四五六七八九十]{1,2}月|月底|月初|月中|年底|年初|年内|年前|"
    r"年末|上半年|下半年|季度|\d+\s*(个)?(工作日|日内|天内|天|周|个月|年内)|"
    r"[一二三四五六七八九十两]+(个)?(工作日|日内|天内|天|周|个月)|春节前|节前|汛期前|开学前"
)
QUESTION_RE = re.compile(
    r"[？?]|请问|能否|能不能|可否|可不可以|是否|是不是|何时|什么时候|何日|多久|为什么|为何|怎么|如何|"
    r"哪里|哪些|多少|有没有|要求|希望|恳请|请求|请相关|请有关|请政府|请领导|呼吁|建议|望|盼"
)
SENTENCE_SPLIT_RE = re.compile(r"[。！!？?；;\n]+")
_KEEP_RE = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
# Bigrams that say nothing about the matter: question words, courtesy, "the problem".
_GENERIC_WORDS = (
    "问题 反映 请问 您好 你好 我们 你们 他们 相关 部门 情况 是否 什么 时候 能否 希望 要求 请求 "
    "为什么 如何 怎么 领导 市民 网友 政府 关于 一下 这个 那个 没有 已经 现在 可以 不是 就是 "
    "还是 但是 因为 所以 如果 恳请 谢谢 感谢 解决 处理 请求 咨询 投诉 举报 建议 何时 能不能 "
    "有关 以及 进行 我们的 一个 这些 那些 自己 不能 这样 怎样 多少 哪里 有没有 能够 需要 "
    "尽快 及时 严重 强烈 呼吁"
)
GENERIC = frozenset(_GENERIC_WORDS.split())
_GENERIC_BIGRAMS = frozenset(w[i : i + 2] for w in GENERIC for i in range(len(w) - 1))
# Anonymised district codes of the data set and the pronouns: not key words.
_CODE_RE = re.compile(r"[A-Z]\d{0,2}[市区县]?")


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    severity: str = WARNING
    detail: str = ""  # e.g. the citizen's point that was not answered

    @property
    def penalty(self) -> int:
        return PENALTY.get(self.severity, 0)


@dataclass
class ReplyCheck:
    findings: list[Finding] = field(default_factory=list)
    score: int = 100
    content: str = ""  # the reply without its boilerplate
    points: list[str] = field(default_factory=list)  # the citizen's points found
    missed: list[str] = field(default_factory=list)  # …and those the reply does not answer

    @property
    def flagged(self) -> bool:
        return self.score < FLAG_BELOW or any(f.severity == ERROR for f in self.findings)

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.findings]


def _chars(text: str) -> str:
    """Letters, digits and Chinese characters only."""
    return "".join(_KEEP_RE.findall(text))


def strip_boilerplate(reply: str) -> str:
    """The reply without greetings, "received", "passed on", thanks, dates, phone numbers
    and a closing signature; the sentences that carry its content."""
    text = re.sub(r"[\s\u3000]+", " ", reply or "").strip()
    text = BOILERPLATE_RE.sub(" ", text)
    text = SIGNATURE_RE.sub("", text.rstrip(" 。！!，,"))
    return re.sub(r"\s+", " ", text).strip(" 。！!，,；;：:")


def _bigrams(text: str) -> set[str]:
    chars = _CODE_RE.sub("|", text)
    out: set[str] = set()
    for run in re.findall(r"[\u4e00-\u9fff]+|[A-Za-z0-9]+", chars):
        if len(run) == 1:
            continue
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out - _GENERIC_BIGRAMS


def citizen_points(question: str) -> list[str]:
    """The sentences of the citizen's message that ask or request something, in order,
    at most `MAX_POINTS` (the first line, the subject, is always a point)."""
    sentences = [s.strip(" ，,：:") for s in SENTENCE_SPLIT_RE.split(question or "")]
    sentences = [s for s in sentences if len(_chars(s)) >= 4]
    if not sentences:
        return []
    points = [sentences[0]]
    for s in sentences[1:]:
        if QUESTION_RE.search(s) and s not in points:
            points.append(s)
        if len(points) >= MAX_POINTS:
            break
    return points


def coverage(point: str, reply_bigrams: set[str]) -> float:
    """Share of the point's key bigrams that the reply also has (1.0 if it has none)."""
    own = _bigrams(point)
    if not own:
        return 1.0
    return len(own & reply_bigrams) / len(own)


def _clip(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def check_reply(question: str, reply: str, *, subject: str = "") -> ReplyCheck:
    """Check `reply` against the citizen's `question` (summary and detail of the ticket;
    `subject` the summary alone if it is known separately, else the first sentence)."""
    result = ReplyCheck()
    whole = _chars(reply)
    content = strip_boilerplate(reply)
    result.content = content
    content_chars = len(_chars(content))
    findings = result.findings

    if len(whole) < MIN_REPLY_CHARS:
        findings.append(
            Finding("too_short", _("The reply is very short for a citizen's matter."), ERROR)
        )
    # "Set phrases" when some were removed or next to nothing is said ("已处理。"); a short
    # reply that is all content ("已约谈物业公司，电梯已修复") is only short.
    if content_chars < MIN_CONTENT_CHARS and (content_chars < len(whole) or content_chars < 10):
        findings.append(
            Finding(
                "template_only",
                _(
                    "The reply is mostly set phrases (greeting, received, passed on, thanks): "
                    "it does not say what was found or done."
                ),
                ERROR,
            )
        )
    if content_chars and not MEASURE_RE.search(content):
        findings.append(
            Finding("no_measure", _("The reply names no measure, result or rule."), WARNING)
        )
    if LONG_TERM_RE.search(content) and not DATE_RE.search(content):
        findings.append(
            Finding(
                "no_deadline",
                _("The matter will take time, but the reply gives no expected completion date."),
                WARNING,
            )
        )

    reply_bigrams = _bigrams(reply)
    points = citizen_points(question)
    if subject:
        points = [subject] + [p for p in points if p != subject and not subject.startswith(p)]
    result.points = points
    if points:
        head = points[0]
        if _bigrams(head) and not (_bigrams(head) & reply_bigrams):
            findings.append(
                Finding(
                    "no_subject",
                    _("The reply does not mention the place or matter of the ticket."),
                    WARNING,
                    _clip(head),
                )
            )
        result.missed = [p for p in points[1:] if coverage(p, reply_bigrams) < POINT_COVERED]
        if result.missed:
            findings.append(
                Finding(
                    "points_missed",
                    _("Some of the citizen's points seem unanswered."),
                    WARNING,
                    "；".join(_clip(p) for p in result.missed),
                )
            )
    result.score = max(0, 100 - sum(f.penalty for f in findings))
    return result
