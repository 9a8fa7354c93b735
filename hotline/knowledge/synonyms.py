"""Words callers and entries use for the same thing (R-KB: a standard, shared wording).

Each group is one concept; a query word in a group also searches the others (at a lower
weight, see `ranking.SYNONYM_WEIGHT`). Kept as data so the hotline can extend it.
"""

from __future__ import annotations

GROUPS: tuple[tuple[str, ...], ...] = (
    ("公积金", "住房公积金"),
    ("社保", "社会保险", "养老保险"),
    ("医保", "医疗保险", "医保卡"),
    ("停水", "断水", "没水", "供水", "自来水"),
    ("停电", "断电", "没电", "供电", "电力"),
    ("停气", "燃气", "煤气", "天然气"),
    ("断网", "网络", "宽带", "通信", "信号"),
    ("物业", "物业公司", "物业服务"),
    ("噪音", "噪声", "扰民"),
    ("占道", "占道经营", "摆摊", "流动摊贩"),
    ("违建", "违章建筑", "违法建设", "乱搭乱建"),
    ("拖欠工资", "欠薪", "讨薪", "工资"),
    ("学位", "入学", "招生", "报名"),
    ("户口", "户籍", "落户"),
    ("身份证", "居民身份证"),
    ("驾照", "驾驶证"),
    ("公交", "公交车", "公共汽车"),
    ("出租车", "的士", "网约车"),
    ("垃圾", "垃圾分类", "生活垃圾"),
    ("油烟", "餐饮油烟"),
    ("低保", "最低生活保障"),
    ("退休", "养老金", "退休金"),
    ("疫苗", "接种", "预防接种"),
    ("食品安全", "过期食品", "变质"),
    ("消费", "退款", "投诉商家", "消费者权益"),
)

_BY_WORD: dict[str, tuple[str, ...]] = {}
for _group in GROUPS:
    for _word in _group:
        _BY_WORD[_word] = tuple(w for w in _group if w != _word)


def expand(word: str) -> tuple[str, ...]:
    """The other words of `word`'s group (none if it is in no group)."""
    return _BY_WORD.get(word, ())
