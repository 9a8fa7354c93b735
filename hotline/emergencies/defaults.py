"""The default emergency keywords (R-IN-4, ZS 13(一)); the administrator edits the list.

Installed by migration 0002 and again, idempotently, by the demo city (a test database
flushed between browser tests loses what a data migration wrote)."""

DEFAULTS = {
    "110": [
        "抢劫",
        "抢夺",
        "持刀",
        "砍人",
        "杀人",
        "打架斗殴",
        "绑架",
        "劫持",
        "入室盗窃",
        "跳楼",
        "轻生",
        "自杀",
        "失踪",
        "走失",
        "家暴",
        "斗殴",
        "爆炸",
    ],
    "119": [
        "着火",
        "起火",
        "火灾",
        "失火",
        "冒烟",
        "燃气泄漏",
        "煤气泄漏",
        "天然气泄漏",
        "闻到煤气",
        "被困",
        "电梯困人",
        "落水",
        "溺水",
    ],
    "120": [
        "晕倒",
        "昏迷",
        "不省人事",
        "呼吸困难",
        "心脏病发",
        "大出血",
        "中毒",
        "抽搐",
        "受伤流血",
        "急救",
    ],
    "122": ["车祸", "交通事故", "撞车", "追尾", "撞人", "翻车"],
}


def install_default_keywords() -> int:
    """Add the default words that are missing; returns how many were added."""
    from hotline.emergencies.models import EmergencyKeyword

    added = 0
    for service, words in DEFAULTS.items():
        for word in words:
            _keyword, created = EmergencyKeyword.objects.get_or_create(
                word=word, defaults={"service": service}
            )
            added += created
    return added
