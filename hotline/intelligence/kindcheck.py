"""Kind check (质检): does the recorded kind (咨询 求助 投诉 举报 建议) agree with what the
citizen said? Hotline centres find complaints recorded as consultations (to dodge the
assessment of complaints) and reports recorded as suggestions. Pure: no ORM.

Each kind has cue words; a cue in the summary counts twice. The text's kind is the kind
with most cues; a ticket is flagged when that kind has at least `MIN_CUES` cues and the
recorded kind has none, and the reason names the words. Measured in `bench/kindcheck.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

CUES: dict[str, tuple[str, ...]] = {
    "report": ("举报", "非法", "违法", "违规", "偷排", "窝点", "传销", "赌博", "诈骗", "骗取"),
    "complaint": (
        "投诉", "扰民", "不作为", "拖欠", "态度恶劣", "态度差", "乱收费", "强制", "捆绑",
        "噪音", "油烟", "污染", "推诿", "坑害", "欺诈", "维权",
    ),
    "consult": (
        "咨询", "请问", "想了解", "想问", "如何办理", "怎么办理", "是否可以", "能否告知", "政策",
    ),
    "suggest": ("建议", "提议", "增设", "希望增加", "可否增加", "优化", "完善"),
    "help": ("求助", "救助", "帮帮", "帮助", "生活困难", "无力"),
}  # fmt: skip
MIN_CUES = 2


@dataclass(frozen=True)
class KindFinding:
    recorded: str
    text_kind: str
    words: tuple[str, ...]

    @property
    def reason(self) -> str:
        from django.utils.translation import gettext as _

        from hotline.tickets.models import KIND_CHOICES

        labels = dict(KIND_CHOICES)
        return _("The text reads as %(text)s (%(words)s), recorded as %(recorded)s.") % {
            "text": labels.get(self.text_kind, self.text_kind),
            "words": "、".join(self.words),
            "recorded": labels.get(self.recorded, self.recorded),
        }


def text_kind(summary: str, detail: str = "") -> tuple[str, int, dict[str, list[str]]]:
    """The kind the text reads as, its cue count, and the cue words found per kind."""
    found: dict[str, list[str]] = {}
    scores: dict[str, int] = {}
    for kind, cues in CUES.items():
        words = [c for c in cues if c in summary or c in detail]
        found[kind] = words
        scores[kind] = sum(2 if c in summary else 1 for c in words)
    best = max(scores, key=lambda k: scores[k])
    return best, scores[best], found


def check_kind(summary: str, detail: str, recorded: str) -> KindFinding | None:
    """A finding when the text clearly reads as another kind than `recorded`, else None."""
    kind, score, found = text_kind(summary, detail)
    if kind == recorded or score < MIN_CUES or found.get(recorded):
        return None
    return KindFinding(recorded=recorded, text_kind=kind, words=tuple(found[kind][:4]))
