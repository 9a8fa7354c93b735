"""Topic classifier (R-IN-3): training from CSVs, versions, serving, the command line.

Small fixtures of our own: nothing here needs ../shared.
"""

import csv
import gzip
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hotline.intelligence import selectors, services
from hotline.intelligence.models import ModelVersion
from hotline.intelligence.text import read_examples, tokens_text

MESSAGES = {
    "城乡建设": [
        ("小区电梯频繁故障", "物业维修拖延，电梯一个月坏了四次，老人上下楼困难。"),
        ("道路井盖缺失", "路口井盖缺失，夜间行人车辆存在安全隐患。"),
        ("小区物业乱收费", "物业公司擅自提高物业费，业主不满。"),
        ("楼房墙面开裂", "新交房的楼房墙面开裂漏水，开发商不维修。"),
        ("路灯不亮", "小区外道路路灯长期不亮，晚上出行不便。"),
        ("违章搭建", "小区一楼住户违章搭建占用绿地。"),
    ],
    "劳动和社会保障": [
        ("拖欠农民工工资", "工地老板拖欠工资三个月，请求帮助讨薪。"),
        ("社保转移接续", "养老保险关系如何转移接续，需要哪些材料。"),
        ("公司不签劳动合同", "公司不与员工签订劳动合同，也不缴纳社保。"),
        ("失业保险金申领", "失业后如何申领失业保险金。"),
        ("工伤认定咨询", "工作时受伤，公司不给申请工伤认定。"),
        ("退休工资计算", "退休养老金计算有误，请社保局核实。"),
    ],
    "教育文体": [
        ("学区划分咨询", "孩子明年上小学，想了解学区划分和报名时间。"),
        ("学校乱收费", "学校向学生收取资料费补课费。"),
        ("幼儿园入园难", "公办幼儿园学位不足，孩子无法入园。"),
        ("教师有偿补课", "班主任在校外办班有偿补课。"),
        ("体育馆开放时间", "体育馆何时免费向市民开放。"),
        ("中学食堂卫生", "中学食堂卫生差，学生吃坏肚子。"),
    ],
}


def write_raw(path, messages=MESSAGES):
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "user", "subject", "time", "detail", "label"])
        n = 0
        for label, rows in messages.items():
            for subject, detail in rows:
                n += 1
                writer.writerow([n, "u", subject, "2020-01-01 10:00:00", detail, label])
    return path


def write_tokens_gz(path, stopwords=frozenset({"的", "了"})):
    with gzip.open(path, "wt", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["seq", "tokens", "label", "train_id"])
        n = 0
        for label, rows in MESSAGES.items():
            for subject, detail in rows:
                writer.writerow([n, tokens_text(subject + detail, stopwords), label, ""])
                n += 1
    return path


def test_no_model_means_no_suggestions_and_the_form_still_works(db):
    assert selectors.suggest_topics("小区电梯坏了") == []
    assert selectors.suggest_topics("") == []


def test_reads_raw_and_tokenised_csvs(tmp_path):
    raw = read_examples(write_raw(tmp_path / "train.csv"))
    tokenised = read_examples(write_tokens_gz(tmp_path / "annex.csv.gz"))
    assert len(raw) == len(tokenised) == 18
    assert raw[0].tokens is None and raw[0].text.startswith("小区电梯")
    assert tokenised[0].tokens and "电梯" in tokenised[0].tokens.split()


def test_train_command_stores_a_version_and_suggestions_follow(db, tmp_path, settings):
    out = StringIO()
    call_command("intelligence", "train", "--csv", str(write_raw(tmp_path / "t.csv")), stdout=out)
    version = ModelVersion.objects.get()
    assert version.number == 1 and version.active
    assert (settings.DATA_DIR / "models" / version.file).stat().st_size == version.size
    assert json.loads(out.getvalue())["model_bytes"] == version.size
    assert set(version.labels) == set(MESSAGES)

    top = selectors.suggest_topics("我们小区的电梯又坏了，物业不来维修", k=3)
    assert top[0][0] == "城乡建设"
    assert len(top) == 3
    assert all(0 <= p <= 1 for _, p in top) and top[0][1] >= top[1][1] >= top[2][1]
    assert sum(p for _, p in selectors.suggest_topics("工资", k=10)) == pytest.approx(1)


def test_a_newer_version_is_served_without_restart_and_rollback_works(db, tmp_path):
    first = services.topic_model_train(
        examples=read_examples(write_raw(tmp_path / "a.csv")), source="a"
    )
    assert len(selectors.suggest_topics("电梯故障")) == 3
    two = {k: MESSAGES[k] for k in ("城乡建设", "劳动和社会保障")}
    second = services.topic_model_train(
        examples=read_examples(write_raw(tmp_path / "b.csv", two)), source="b"
    )
    assert second.number == 2
    assert {label for label, _ in selectors.suggest_topics("电梯故障")} == set(two)
    services.model_activate(version=second, active=False)
    assert len(selectors.suggest_topics("电梯故障")) == 3
    assert first.active


def test_an_altered_model_file_is_not_loaded(db, tmp_path, settings):
    version = services.topic_model_train(
        examples=read_examples(write_raw(tmp_path / "a.csv")), source="a"
    )
    (settings.DATA_DIR / "models" / version.file).write_bytes(b"not a model")
    assert selectors.suggest_topics("电梯故障") == []


def test_evaluate_prints_one_json_object_last(db, tmp_path):
    annex = write_tokens_gz(tmp_path / "annex.csv.gz")
    (tmp_path / "stopwords.txt").write_text("的\n了\n", encoding="utf-8")
    test = write_raw(tmp_path / "test.csv")
    out = StringIO()
    call_command("intelligence", "evaluate", "--train", str(annex), "--test", str(test), stdout=out)
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert {"macro_f1", "accuracy", "ms_per_message", "train_seconds", "model_bytes"} <= set(result)
    assert result["accuracy"] > 0.9  # the test messages are the training messages, raw
    assert result["accuracy"] <= result["top3_accuracy"] <= 1  # R-IN-3: the picker's top 3
    assert not ModelVersion.objects.exists()  # evaluate stores nothing


def test_too_few_messages_is_a_clear_error(db, tmp_path):
    one = {"城乡建设": MESSAGES["城乡建设"][:2], "教育文体": MESSAGES["教育文体"][:2]}
    with pytest.raises(CommandError, match="at least two topics"):
        call_command("intelligence", "train", "--csv", str(write_raw(tmp_path / "x.csv", one)))
