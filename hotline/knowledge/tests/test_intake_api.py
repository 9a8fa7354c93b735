"""Search at intake, answer now from an entry (R-HM-1), the API, import and figures."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hotline.directory.models import Topic
from hotline.knowledge import selectors
from hotline.knowledge.models import Entry, EntryUse, Kind
from hotline.tickets.models import IntakeOutcome, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client, people):
    client.force_login(people["operator1"])
    return client


def intake_topic() -> int:
    """The topic (诉求分类) the intake form requires."""
    return Topic.objects.filter(children__isnull=True).order_by("code").first().pk


def test_R_HM_1_search_ranks_the_matching_entry_first_and_highlights(people, publish):
    publish()
    publish(title="小学一年级招生报名", answer="6月10日至6月20日网上报名。", keywords="入学、招生")
    hits = selectors.search(
        people["operator1"], "请问住房公积金怎么提取？买房用", on=dt.date(2025, 6, 1)
    )
    assert hits[0].version.title == "住房公积金提取条件"
    assert "<mark>公积金</mark>" in hits[0].title_html
    # A synonym the entry does not use still finds it.
    assert selectors.search(people["operator1"], "孩子学位报名", on=dt.date(2025, 6, 1))


@pytest.mark.parametrize("question", ["公", "。。。！！？", "", "公积金" * 170])
def test_R_HM_1_odd_questions_answer_sensibly(operator_client, publish, question):
    publish()
    response = operator_client.get("/knowledge/intake/", {"summary": question})
    assert response.status_code == 200
    hits = selectors.search(None, question)
    if len(question) > 100:
        assert hits  # a 510-character question is cut, not refused
    else:
        assert hits == []


def test_R_HM_1_answer_now_takes_the_entry_and_links_its_version(operator_client, publish):
    entry = publish()
    version = entry.published_version
    page = operator_client.get("/knowledge/intake/", {"summary": "公积金提取需要什么材料"})
    assert f'data-kb-use="{version.pk}"' in page.content.decode()
    form = {
        "phone": "13900001111",
        "name": "王先生",
        "channel": "phone",
        "kind": "consult",
        "summary": "咨询公积金提取",
        "urgency": "normal",
        "topic": intake_topic(),
        "handling": IntakeOutcome.ANSWER_NOW,
        "answer": version.answer,
        "knowledge_version": version.pk,
    }
    response = operator_client.post("/intake/", form)
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.answer == version.answer
    use = EntryUse.objects.get(ticket=ticket)
    assert use.version == version
    detail = operator_client.get(f"/tickets/{ticket.number}/")
    assert f"/knowledge/version/{version.pk}/" in detail.content.decode()


def test_R_HM_1_a_stale_choice_saves_neither_ticket_nor_link(operator_client, people, publish):
    from hotline.knowledge import services
    from hotline.knowledge.tests.conftest import content

    entry = publish()
    old = entry.published_version
    services.entry_edit(actor=people["zjj_clerk"], entry=entry, content=content(answer="新"))
    services.entry_submit(actor=people["zjj_clerk"], entry=entry)
    services.entry_approve(actor=people["supervisor1"], entry=entry)
    form = {
        "phone": "13900001111",
        "channel": "phone",
        "kind": "consult",
        "summary": "咨询公积金",
        "urgency": "normal",
        "topic": intake_topic(),
        "handling": IntakeOutcome.ANSWER_NOW,
        "answer": old.answer,
        "knowledge_version": old.pk,
    }
    response = operator_client.post("/intake/", form)
    assert response.status_code == 409
    assert Ticket.objects.count() == 0 and EntryUse.objects.count() == 0


def test_R_KB_works_notice_shows_first_at_intake(operator_client, units, publish, at):
    at(2025, 9, 15, 10)
    start = dt.datetime(2025, 9, 15, 1, tzinfo=dt.UTC)
    publish(
        kind=Kind.WORKS,
        owner="QX-SW",
        by="supervisor1",
        title="滨江路停水",
        answer="今日09:00—17:00滨江路一带停水",
        works_kind="water",
        works_region=units["QX-JB"],
        works_places="滨江路",
        works_start=start,
        works_end=start + dt.timedelta(hours=8),
    )
    publish()
    page = operator_client.get(
        "/knowledge/intake/", {"summary": "家里没水了", "address": "滨江路18号"}
    ).content.decode()
    assert "kb-notice" in page
    assert page.index("kb-notice") < page.index("kb-result") if "kb-result" in page else True


def test_api_search_and_crud(client, people, units, publish):
    publish()
    client.force_login(people["operator1"])
    hits = client.get("/api/knowledge/search", {"q": "公积金提取", "on": "2025-06-01"}).json()
    assert hits[0]["title"] == "住房公积金提取条件" and hits[0]["version"] == 1
    assert {"entry_id", "version_id", "snippet", "score"} <= set(hits[0])
    assert client.get("/api/knowledge/search", {"q": "x" * 1001}).status_code == 400
    assert client.get("/api/knowledge/search", {"q": "公积金", "on": "bad"}).status_code == 422

    client.force_login(people["zjj_clerk"])
    body = {"kind": "qa", "owner": "QX-ZJJ", "title": "房屋维修资金", "answer": "可申请使用"}
    refused = client.post("/api/knowledge/entries", body, content_type="application/json")
    assert refused.status_code == 400
    assert "生效日期" in refused.json()["error"]["message"]
    body["effective"] = "2025-01-01"
    made = client.post("/api/knowledge/entries", body, content_type="application/json")
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    body["answer"] = "可申请使用专项维修资金"
    body["submit"] = True
    changed = client.put(f"/api/knowledge/entries/{pk}", body, content_type="application/json")
    assert changed.json()["version"] == 2 and changed.json()["status"] == "submitted"
    client.force_login(people["supervisor1"])
    approved = client.post(f"/api/knowledge/entries/{pk}/approve")
    assert approved.json()["published_version_id"] == approved.json()["version_id"]
    client.force_login(people["cgj_clerk"])
    assert client.delete(f"/api/knowledge/entries/{pk}").status_code == 403
    assert client.get("/api/knowledge/entries/999999").status_code == 404
    figures = client.get("/api/knowledge/figures").json()
    assert {"answered_now_rate", "topics", "entries_used", "units"} <= set(figures)


CSV_HEADER = "title,body,kind,owner,topic,keywords,effective,expires\n"


def test_R_KB_import_all_or_nothing_with_row_errors(client, people, tmp_path):
    client.force_login(people["supervisor1"])
    bad = CSV_HEADER + (
        "公积金提取,可以提取,问答,QX-ZJJ,,公积金,2025-01-01,\n"
        "缺单位,内容,问答,NOPE,,,2025-01-01,\n"
        "日期错,内容,问答,QX-ZJJ,,,2025-02-01,2025-01-01\n"
        '不安全,"<script>x</script>",问答,QX-ZJJ,,,2025-01-01,\n'
    )
    path = tmp_path / "kb.csv"
    path.write_text(bad, encoding="utf-8")
    with open(path, "rb") as handle:
        response = client.post("/knowledge/import/", {"file": handle})
    assert response.status_code == 400
    text = response.content.decode()
    assert "NOPE" in text and "早于生效日期" in text and "不安全" in text
    assert Entry.objects.count() == 0
    with pytest.raises(CommandError):
        call_command("knowledge", "import", "--csv", str(path))
    assert Entry.objects.count() == 0

    path.write_text(CSV_HEADER + "公积金提取,可以提取,问答,QX-ZJJ,0101,公积金,2025-01-01,\n")
    out = []
    call_command(
        "knowledge", "import", "--csv", str(path), stdout=type("W", (), {"write": out.append})()
    )
    assert "Imported 1 entries." in "".join(out)
    entry = Entry.objects.get()
    assert entry.published_version is not None and entry.current.topic.code == "0101"


def test_R_AS_2_figures_count_answered_now_and_entry_use(operator_client, publish):
    entry = publish()
    version = entry.published_version
    base = {
        "phone": "13900001111",
        "channel": "phone",
        "kind": "consult",
        "urgency": "normal",
        "topic": intake_topic(),
    }
    operator_client.post(
        "/intake/",
        {
            **base,
            "summary": "公积金",
            "handling": IntakeOutcome.ANSWER_NOW,
            "answer": version.answer,
            "knowledge_version": version.pk,
        },
    )
    operator_client.post("/intake/", {**base, "summary": "路灯坏了", "handling": "dispatch"})
    today = selectors.today()
    data = selectors.figures(since=today, until=today)
    assert data["answered_now_rate"] == 0.5
    assert data["entries_used"][0]["uses"] == 1
    page = operator_client.get("/knowledge/figures/", {"format": "json"})
    assert json.loads(page.content)["answered_now_rate"] == 0.5


def test_R_KB_overdue_corrections_on_the_supervisor_board(client, people, publish, at):
    from hotline.knowledge import services

    at(2025, 9, 1, 10)
    entry = publish()
    services.error_report(actor=people["operator1"], entry=entry, reason="电话号码已停用")
    client.force_login(people["supervisor1"])
    assert (
        'hx-get="/knowledge/corrections/overdue/"' in client.get("/supervision/").content.decode()
    )
    assert "电话号码已停用" not in client.get("/knowledge/corrections/overdue/").content.decode()
    at(2025, 9, 15, 10)
    client.force_login(people["supervisor1"])  # the session does not outlive the jump
    assert "电话号码已停用" in client.get("/knowledge/corrections/overdue/").content.decode()
    client.force_login(people["zjj_clerk"])
    assert client.get("/knowledge/corrections/overdue/").status_code == 403


@pytest.mark.parametrize("username", ["operator1", "zjj_clerk", "supervisor1", "admin"])
def test_knowledge_pages_open_for_each_role(client, people, publish, username):
    entry = publish(review_by=dt.date(2025, 2, 1))
    client.force_login(people[username])
    for url in [
        "/knowledge/",
        "/knowledge/?q=公积金",
        "/knowledge/?q=公",
        "/knowledge/review/",
        "/knowledge/figures/",
        f"/knowledge/{entry.pk}/",
        f"/knowledge/version/{entry.published_version_id}/",
    ]:
        assert client.get(url).status_code == 200, url
    may_edit = username in ("zjj_clerk", "supervisor1", "admin")
    assert client.get("/knowledge/new/").status_code == (200 if may_edit else 403)
    bad = client.post(f"/knowledge/{entry.pk}/nonsense/")
    assert bad.status_code == 404
