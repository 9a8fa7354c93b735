"""Hotspots (R-DA-3, R-DA-4): same problem, same place, within a time window."""

import json
from datetime import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from hotline.accounts.models import Role
from hotline.intelligence.hotspots import Message, find_hotspots, places

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "teddy2020"
HOTSPOTS_CSV = SHARED / "hotspots.csv"


def m(id, subject, detail, day, likes=0, user=""):
    return Message(id, subject, detail, datetime(2019, 11, day, 10), likes, 0, user or id)


SMALL = [
    m("1", "丽发新城附近建搅拌站噪音扰民", "A2区丽发新城小区旁边新建搅拌站，日夜施工噪音扰民。", 1),
    m("2", "丽发新城小区旁搅拌站扰民", "丽发新城小区附近的搅拌站噪音大、粉尘多，严重扰民。", 3, 10),
    m("3", "投诉丽发新城搅拌站污染", "A2区丽发新城边上的混凝土搅拌站噪音粉尘污染严重。", 9),
    m(
        "4",
        "魅力之城小区临街门面油烟扰民",
        "魅力之城小区一楼门面餐馆油烟直排，楼上住户苦不堪言。",
        2,
    ),
    m("5", "魅力之城油烟直排扰民", "魅力之城小区临街餐馆油烟直排，严重影响居民生活。", 4),
    m("6", "魅力之城楼板墙面开裂", "万科魅力之城近百户房屋楼板开裂、墙面开裂，请政府督促维修。", 5),
    m("7", "魅力之城房屋楼板开裂", "魅力之城小区房屋楼板严重开裂，墙面也有裂缝。", 6),
    m("8", "学区划分咨询", "孩子明年上小学，想了解城西片区的学区划分。", 7),
]


def groups(found):
    return [set(h.member_ids) for h in found]


def test_places_are_read_without_district_prefixes():
    assert "丽发新城" in places("投诉A2区丽发新城附近建搅拌站")
    assert places("A市伊景园滨河苑捆绑销售车位") == {"伊景园", "滨河苑"}


def test_same_problem_same_place_is_one_hotspot_other_problems_apart():
    found = find_hotspots(SMALL)
    assert groups(found) == [{"1", "2", "3"}, {"4", "5"}, {"6", "7"}] or set(
        map(frozenset, groups(found))
    ) == {frozenset({"1", "2", "3"}), frozenset({"4", "5"}), frozenset({"6", "7"})}
    hottest = found[0]
    assert hottest.member_ids == ["1", "2", "3"]  # three citizens and ten likes
    assert "丽发新城" in hottest.place and "搅拌站" in hottest.title
    assert hottest.start < hottest.end


def test_messages_far_apart_in_time_are_not_grouped():
    far = [SMALL[0], Message("9", SMALL[1].subject, SMALL[1].detail, datetime(2020, 6, 1))]
    assert find_hotspots(far, window_days=30, place_window_days=30) == []


def test_command_prints_json_list_hottest_first(tmp_path):
    path = tmp_path / "h.csv"
    rows = ["id,user,subject,time,detail,against,likes"]
    for x in SMALL:
        rows.append(f"{x.id},{x.user},{x.subject},{x.at:%Y-%m-%d %H:%M:%S},{x.detail},0,{x.likes}")
    path.write_text("\n".join(rows), encoding="utf-8")
    out = StringIO()
    call_command("intelligence", "hotspots", "--csv", str(path), "--top", "2", stdout=out)
    result = json.loads(out.getvalue())
    assert len(result) == 2 and result[0]["heat"] >= result[1]["heat"]
    assert {"member_ids", "place", "start", "end", "heat", "title"} <= set(result[0])


def test_hotspot_page_for_analysts_only(client, users):
    client.force_login(users[Role.ANALYST])
    response = client.get("/intelligence/hotspots/?days=30")
    assert response.status_code == 200
    assert 'href="/intelligence/hotspots/"' in response.content.decode()  # in the top bar
    client.force_login(users[Role.DISPATCHER])
    assert client.get("/intelligence/hotspots/").status_code == 403


@pytest.fixture(scope="module")
def teddy_hotspots():
    if not HOTSPOTS_CSV.is_file():
        pytest.skip(f"Teddy Cup data not found at {HOTSPOTS_CSV} (../shared is absent)")
    from hotline.intelligence.hotspots import read_messages

    messages = read_messages(HOTSPOTS_CSV)
    return groups(find_hotspots(messages))


def group_of(found, id):
    return next((g for g in found if id in g), set())


def test_teddy_lifa_mixing_plant_noise_is_one_hotspot(teddy_hotspots):
    """丽发新城 搅拌站 (Nov 2019–Jan 2020), checked by reading hotspots.csv; the same
    estate's road (191943) and water cut-off (193091) complaints are other problems.
    The road's 扬尘 (191943) is a known false member since same-place links span months."""
    group = group_of(teddy_hotspots, "188809")
    ids = {"188809", "189950", "190108", "190523", "199379", "213464", "216824"}
    assert ids <= group
    assert "193091" not in group


def test_teddy_yijingyuan_parking_bundling_is_one_hotspot(teddy_hotspots):
    """伊景园滨河苑 捆绑销售车位 (Jul–Aug 2019)."""
    group = group_of(teddy_hotspots, "190337")
    assert {"190337", "191001", "196264", "205277", "205982", "223247"} <= group


def test_teddy_same_estate_different_problems_stay_apart(teddy_hotspots):
    """万科魅力之城: floors cracking (198084, 205168, 236303, 233338) is not the
    ground-floor restaurants' cooking fumes (195095)."""
    cracks = group_of(teddy_hotspots, "198084")
    assert {"198084", "205168", "236303", "233338"} <= cracks
    assert "195095" not in cracks


def test_place_names_are_normalised_and_organisations_count():
    """R-DA-3: 万科魅力之城 = 魅力之城小区; a case or a school is a "place" too."""
    assert places("万科魅力之城小区一楼商铺") == places("魅力之城小区临街门面") == {"魅力之城"}
    assert "58车贷" in places("请书记关注A市A4区58车贷案")
    assert any("经济学院" in p for p in places("A市涉外经济学院强制学生实习"))


def test_heat_weighs_citizens_votes_recency_and_burst():
    from hotline.intelligence.hotspots import heat_index

    base = heat_index(5, 0, 5, 10)
    assert heat_index(6, 0, 5, 10) > base  # one more citizen
    assert heat_index(5, 500, 5, 10) > heat_index(5, 5, 5, 10) > base  # attention
    assert heat_index(5, 0, 5, 10, age_days=180) < base  # older
    assert heat_index(5, 0, 5, 300) < base  # spread thin over months


@pytest.fixture(scope="module")
def labelled_groups():
    path = Path(__file__).parent / "fixtures" / "hotspot_groups.json"
    return {g["label"]: g["ids"] for g in json.loads(path.read_text("utf-8"))["groups"]}


def test_teddy_reader_groups_recovered_in_the_top_20(labelled_groups):
    """R-DA-3, R-DA-4: the 17 groups a reader made of hotspots.csv (fixture), scored on the
    first 20 hotspots: a group is recovered when one of them holds at least half of it
    and at least three quarters of that hotspot is the group. Measured: 11 of 17."""
    if not HOTSPOTS_CSV.is_file():
        pytest.skip(f"Teddy Cup data not found at {HOTSPOTS_CSV}")
    from hotline.intelligence.hotspots import read_messages, score_groups

    found = find_hotspots(read_messages(HOTSPOTS_CSV))
    scores = score_groups(found, labelled_groups, top=20)
    recovered = [k for k, v in scores.items() if v["recall"] >= 0.5 and v["purity"] >= 0.75]
    assert len(labelled_groups) >= 15
    assert len(recovered) >= 11, scores
    for label in ("伊景园滨河苑 捆绑销售车位", "丽发新城 旁建搅拌站 噪音粉尘", "58车贷 案件 进展"):
        assert scores[label]["rank"] <= 5 and scores[label]["recall"] >= 0.9, scores[label]
    fumes = set(labelled_groups["魅力之城 底层商铺 油烟 深夜噪音"])
    cracks = set(labelled_groups["万科魅力之城 楼板墙面开裂"])
    assert not any(fumes & set(h.member_ids) and cracks & set(h.member_ids) for h in found)
