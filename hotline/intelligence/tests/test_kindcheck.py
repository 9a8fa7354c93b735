"""Kind check (质检): a ticket whose recorded kind disagrees with its text is flagged
with the reason, for the dispatcher and the supervisors' review (issue 18 part 3)."""

from hotline.intelligence.kindcheck import check_kind, text_kind
from hotline.tickets.models import Ticket


def test_complaint_recorded_as_consultation_is_flagged_with_words():
    finding = check_kind("投诉楼下餐馆油烟扰民", "油烟直排，严重扰民", "consult")
    assert finding is not None and finding.text_kind == "complaint"
    assert "扰民" in finding.words and "投诉" in finding.reason


def test_agreeing_or_unclear_text_is_not_flagged():
    assert check_kind("投诉楼下餐馆油烟扰民", "", "complaint") is None
    assert check_kind("小区电梯坏了", "物业不修", "help") is None  # no clear cue
    assert check_kind("咨询并投诉", "请问投诉怎么处理", "consult") is None  # recorded kind has cues
    assert text_kind("举报非法传销窝点", "")[0] == "report"


def test_dispatcher_sees_the_warning_and_supervisors_the_review(client, users):
    from hotline.tickets import services as s

    ticket = s.ticket_create(
        actor=users["operator"],
        phone="13900004444",
        summary="投诉工地夜间施工噪音扰民",
        detail="每晚施工到凌晨，噪音扰民",
        kind="consult",
    )
    client.force_login(users["dispatcher"])
    body = client.get(f"/dispatch/?tab=pending&ticket={ticket.number}").content.decode()
    assert "kind-check" in body
    client.force_login(users["supervisor"])
    page = client.get("/intelligence/kind-review/").content.decode()
    assert ticket.number in page and "扰民" in page
    client.force_login(users["unit_clerk"])
    assert client.get("/intelligence/kind-review/").status_code == 403
    assert Ticket.objects.count() == 1
