"""Smart form filling (智能填单, issue 18 part 2): suggestions with their source words,
one click to accept, never over what the operator typed."""

import html
import json
import re
from pathlib import Path

import pytest

from hotline.intelligence.fill import fill

TRANSCRIPT = (
    "您好，我是城东街道幸福小区3栋的住户，昨天晚上11点楼下餐馆又在排油烟，"
    "青溪市福满楼餐饮有限公司一直不装净化器，投诉了好几次都没人管，严重扰民。"
    "请城管局尽快查处。"
)
SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "teddy2020"


def test_every_field_is_suggested_with_its_source_words():
    found = fill(TRANSCRIPT, places_gazetteer=["城东街道"], units_gazetteer=["城管局"])
    assert "幸福小区3栋" in found["place"].value and found["place"].value in TRANSCRIPT
    assert found["time"].value.startswith("昨天")
    assert "福满楼餐饮有限公司" in found["people"].value
    assert found["request"].value.startswith("请城管局")
    assert found["summary"].value.startswith("我是城东街道")  # the greeting left out
    assert found["kind"].value == "complaint" and "投诉" in found["kind"].source
    assert fill("") == {} and "topic" not in found


def test_intake_panel_offers_accept_buttons_but_never_over_typed_fields(client, users):
    client.force_login(users["operator"])
    body = client.get("/intelligence/fill/", {"text": TRANSCRIPT}).content.decode()
    assert 'data-accept="place"' in body and 'data-accept="kind"' in body
    fills = re.findall(r"data-fill='([^']*)' data-accept=\"place\"", body)
    assert "幸福小区3栋" in json.loads(html.unescape(fills[0]))["#id_address"]
    typed = client.get(
        "/intelligence/fill/", {"text": TRANSCRIPT, "address": "操作员已填的地址"}
    ).content.decode()
    assert 'data-accept="place"' not in typed and "已填写" in typed
    client.force_login(users["unit_clerk"])
    assert client.get("/intelligence/fill/", {"text": TRANSCRIPT}).status_code == 403


def test_intake_page_includes_the_panel(client, users):
    client.force_login(users["operator"])
    assert 'id="fill-text"' in client.get("/intake/").content.decode()


def test_labelled_sample_beats_the_regex_baseline():
    """The 210 messages labelled by reading: recall of places, times and organisations
    above the regular-expression baseline (figures in bench/README.md)."""
    if not (SHARED / "unlabelled.csv").is_file():
        pytest.skip("Teddy Cup data not found (../shared is absent)")
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
    import fill as bench  # bench/fill.py

    labels = json.loads(bench.FIXTURE.read_text("utf-8"))["labels"]
    assert len(labels) >= 200
    corpus = bench.texts()
    ours, base = [0, 0, 0, 0], [0, 0, 0, 0]
    for label in labels[:80]:
        text = corpus[label["id"]]
        found = fill(text)
        gold = bench.gold_spans(text, label["place"])
        spans = found["place"].spans if "place" in found else []
        bench.score([(s.start, s.end) for s in spans], gold, ours)
        bench.score([m.span() for m in bench.BASELINE["place"].finditer(text)], gold, base)
    assert ours[2] / ours[3] > base[2] / base[3] + 0.2  # recall
    assert ours[0] / ours[1] > base[0] / base[1]  # precision


def test_lower_topic_levels_come_from_the_branch_evidence(users):
    """Part 4: below level 1, catalog keywords restricted to the chosen branch."""
    from hotline.directory.models import Topic
    from hotline.intelligence.selectors import deeper_topic

    environment = Topic.objects.get(code="02")
    topic, words = deeper_topic("楼下餐馆油烟直排", environment)
    assert topic.code == "020201" and "油烟" in words
    # the same words under another branch give nothing from that branch
    assert deeper_topic("楼下餐馆油烟直排", Topic.objects.get(code="03")) is None
    assert deeper_topic("", environment) is None
