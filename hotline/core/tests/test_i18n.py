"""The interface is Chinese through Django i18n: every message has a translation."""

from pathlib import Path

import hotline

PO = Path(hotline.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def entries(text: str):
    block: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.strip():
            block.append(line)
        elif block:
            yield block
            block = []


def test_every_chinese_message_is_translated():
    untranslated = []
    for block in list(entries(PO.read_text(encoding="utf-8")))[1:]:  # [0] is the header
        if any(line.startswith("#, fuzzy") for line in block):
            untranslated.append(block)
            continue
        msgid = [line for line in block if line.startswith("msgid ")]
        strs = [i for i, line in enumerate(block) if line.startswith("msgstr")]
        values = []
        for i in strs:
            value = block[i].split(" ", 1)[1]
            j = i + 1
            while j < len(block) and block[j].startswith('"'):
                value += block[j]
                j += 1
            values.append(value.replace('"', ""))
        if not all(values):
            untranslated.append(msgid)
    assert untranslated == []
