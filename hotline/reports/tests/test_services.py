"""Schemes versioned like deadline policies (R-AS-1), published periods, manual scores,
unit visibility (R-AS-2), report documents (R-DA-2, R-DA-1 numbering) and the public
results page (R-FB-5)."""

import datetime as dt
from io import BytesIO

import pytest
from django.test import Client

from hotline.core.dates import document_date
from hotline.core.errors import Conflict, DomainError
from hotline.reports import schemes, selectors, services
from hotline.reports.demo import build_demo_reports
from hotline.reports.models import Period, Scheme

pytestmark = pytest.mark.django_db
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


@pytest.fixture
def march(flow, people, at):
    at(2026, 3, 2, 9)
    flow.to("closed", lead="QX-ZJJ", assists=())
    flow.to("closed", lead="QX-CGJ", assists=())
    at(2026, 3, 28, 9)
    build_demo_reports()  # presets, facts, February published, a draft
    return people


def test_R_AS_1_presets_cite_their_clauses_and_validate():
    for code, preset in schemes.PRESETS.items():
        preset.validate()
        assert preset.source and all(w.citation for w in preset.weights), code
    assert "兰溪 实施细则 六" in schemes.LX.source
    assert "上饶" in schemes.SR.source and "昆明" in schemes.KM.source
    assert "第三十六条" in schemes.ZS.source
    data = schemes.to_dict(schemes.ZS)
    assert schemes.from_dict(data) == schemes.ZS


def test_R_AS_1_weights_must_sum_to_100():
    data = schemes.to_dict(schemes.ZS)
    data["weights"][0]["weight"] = 50
    with pytest.raises(schemes.SchemeError, match="100"):
        schemes.from_dict(data)


def test_R_AS_1_edit_adds_a_version_and_published_period_keeps_its_own(march):
    admin, supervisor = march["admin"], march["supervisor1"]
    period = services.period_publish(actor=supervisor, kind="month", start=MARCH[0], end=MARCH[1])
    zs = Scheme.objects.get(code="ZS")
    assert period.scheme_version.number == 1
    data = schemes.to_dict(schemes.ZS)
    data["weights"] = [{"rate": "satisfy_rate", "weight": 100, "citation": "试行"}]
    v2 = services.scheme_version_create(actor=admin, scheme=zs, data=data, note="只看满意率")
    assert v2.number == 2
    period.refresh_from_db()
    assert period.scheme_version.number == 1
    result = selectors.assessment(selectors.Span(*MARCH))
    assert result["version"].number == 1  # the published period's version
    with pytest.raises(Conflict):
        services.scheme_version_create(actor=admin, scheme=zs, data=data, note="x", based_on=1)
    with pytest.raises(Conflict):
        services.period_publish(actor=supervisor, kind="month", start=MARCH[0], end=MARCH[1])


def test_R_AS_1_copy_then_edit(march):
    copy = services.scheme_copy(
        actor=march["admin"], source=Scheme.objects.get(code="KM"), code="qx", name="青溪方案"
    )
    assert (
        copy.scheme.code == "QX" and copy.data["weights"] == schemes.to_dict(schemes.KM)["weights"]
    )
    with pytest.raises(DomainError):
        services.scheme_copy(actor=march["operator1"], source=copy.scheme, code="Y", name="y")


def test_R_AS_1_manual_score_outside_range_refused(march, units):
    supervisor = march["supervisor1"]
    args = dict(actor=supervisor, kind="month", start=MARCH[0], end=MARCH[1], unit=units["QX-ZJJ"])
    with pytest.raises(DomainError, match="0 至 3"):
        services.manual_score_set(**args, item="knowledge", score=4)
    services.manual_score_set(**args, item="knowledge", score=2.5)
    before = selectors.assessment(selectors.Span(*MARCH))
    row = next(r for r in before["rows"] if r["code"] == "QX-ZJJ")
    assert row["score"]["manual"] == {"knowledge": 2.5}
    services.period_publish(actor=supervisor, kind="month", start=MARCH[0], end=MARCH[1])
    with pytest.raises(Conflict):
        services.manual_score_set(**args, item="knowledge", score=1)


def test_R_AS_1_manual_score_for_a_period_outside_the_scheme_refused(march, units):
    """The scheme names its periods: a manual score for another (or an unknown) period
    is refused, and no period is left behind."""
    supervisor = march["supervisor1"]
    args = dict(actor=supervisor, start=MARCH[0], end=MARCH[1], unit=units["QX-ZJJ"])
    services.scheme_set_default(actor=march["admin"], scheme=Scheme.objects.get(code="LX"))
    with pytest.raises(DomainError, match="没有月度") as refused:
        services.manual_score_set(**args, kind="month", item="organisation", score=1)
    assert refused.value.code == "period_not_in_scheme"
    with pytest.raises(DomainError, match="考核周期") as unknown:
        services.manual_score_set(**args, kind="weekly", item="organisation", score=1)
    assert unknown.value.code == "unknown_period"
    assert not Period.objects.filter(start=MARCH[0], end=MARCH[1]).exists()
    services.manual_score_set(**args, kind="quarter", item="organisation", score=1)


def test_R_AS_2_ranked_within_unit_kind_and_change_against_previous(march):
    result = selectors.assessment(selectors.Span(*MARCH))
    by_code = {r["code"]: r for r in result["rows"]}
    assert by_code["QX-ZJJ"]["group"] == "department" and by_code["QX-CD"]["group"] == "local"
    ranked = [r for r in result["rows"] if r["group"] == "department" and r["rank"]]
    assert sorted(r["rank"] for r in ranked)[0] == 1
    assert by_code["QX-JYJ"]["rank"] is None  # nothing to assess: no rank, no score
    assert by_code["QX-ZJJ"]["change"] is None  # nothing in February


def test_R_AS_2_unit_sees_own_row_until_published_and_drill_is_scoped(march, units):
    clerk = march["zjj_clerk"]
    client = Client()
    client.force_login(clerk)
    body = client.get("/api/assessment?from=2026-03-01&to=2026-03-31").json()
    assert [u["code"] for u in body["units"]] == ["QX-ZJJ"]
    services.period_publish(actor=march["supervisor1"], kind="month", start=MARCH[0], end=MARCH[1])
    body = client.get("/api/assessment?from=2026-03-01&to=2026-03-31").json()
    assert len(body["units"]) > 1
    span = selectors.Span(*MARCH)
    theirs = selectors.tickets_behind(
        clerk, unit=units["QX-CGJ"], metric="received_lead", span=span
    )
    assert theirs.count() == 0  # another unit's tickets stay hidden
    mine = selectors.tickets_behind(clerk, unit=units["QX-ZJJ"], metric="received_lead", span=span)
    assert mine.count() == 1
    page = client.get(
        "/reports/tickets/?unit=QX-ZJJ&metric=satisfied&from=2026-03-01&to=2026-03-31"
    )
    assert page.status_code == 200 and mine.first().number in page.content.decode()


def test_R_DA_2_report_draft_edit_issue_numbered_and_exported(march):
    from docx import Document as Word
    from openpyxl import load_workbook

    analyst = march["analyst1"]
    doc = services.report_draft(actor=analyst, kind="briefing", start=MARCH[0], end=MARCH[1])
    assert "12345热线共受理群众诉求2件" in doc.body
    doc = services.report_edit(
        actor=analyst, document=doc, title=doc.title, body=doc.body + "\n\n补充。", version=0
    )
    with pytest.raises(Conflict):
        services.report_edit(actor=analyst, document=doc, title="x", body="y", version=0)
    doc = services.report_issue(actor=analyst, document=doc)
    assert doc.number == "青溪12345简〔2026〕1号"
    second = services.report_issue(
        actor=analyst,
        document=services.report_draft(
            actor=analyst, kind="briefing", start=MARCH[0], end=MARCH[1]
        ),
    )
    assert second.number == "青溪12345简〔2026〕2号"
    with pytest.raises(Conflict):
        services.report_edit(actor=analyst, document=doc, title="x", body="y", version=doc.version)
    client = Client()
    client.force_login(analyst)
    pdf = client.get(f"/reports/documents/{doc.pk}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    word = Word(BytesIO(client.get(f"/reports/documents/{doc.pk}.docx").content))
    # Issued in the one name of every document, dated as documents write dates
    # (issue 15 item 14).
    issuer = "青溪市12345政务服务便民热线中心"
    assert word.paragraphs[0].text == issuer and doc.number in word.paragraphs[1].text
    assert [p.text for p in word.paragraphs[-2:]] == [issuer, document_date(doc.issued_at)]
    assert "年" in word.paragraphs[-1].text
    book = load_workbook(BytesIO(client.get(f"/reports/documents/{doc.pk}.xlsx").content))
    assert (book.active["A1"].value, book.active["A2"].value) == (issuer, doc.number)


def test_R_FB_5_public_results_without_login_and_without_personal_data(march):
    services.period_publish(actor=march["supervisor1"], kind="month", start=MARCH[0], end=MARCH[1])
    page = Client().get("/results/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "市住房和城乡建设局" in text
    assert "13800001111" not in text and "电梯" not in text and "张三" not in text


def test_bad_period_on_pages_is_a_chinese_message(march):
    client = Client()
    client.force_login(march["analyst1"])
    page = client.get("/reports/assessment/?from=2026-03-31&to=2026-03-01", follow=True)
    assert "结束日期早于开始日期" in page.content.decode()
    assert Period.objects.count() >= 1


def test_R_SV_6_monthly_bulletin_gains_rates_and_ranking(march):
    from hotline.supervision.pdf import bulletin_pdf
    from hotline.supervision.selectors import bulletin

    b = bulletin(dt.date(2026, 3, 1))
    names = [r["unit"] for r in b["ranking"]]
    assert "市住房和城乡建设局" in names
    row = b["ranking"][names.index("市住房和城乡建设局")]
    rates = dict(row["rates"])
    assert row["rank"] >= 1 and rates["满意率"].display() == "100.0%"
    client = Client()
    client.force_login(march["analyst1"])
    page = client.get("/supervision/bulletin/?month=2026-03").content.decode()
    assert 'id="bulletin-ranking"' in page
    assert bulletin_pdf(b).startswith(b"%PDF")


def test_R_SV_6_bulletin_excel_has_the_ranking_as_safe_text(march):
    """The monthly bulletin's .xlsx carries the same rates and ranking as its page and
    PDF, written through the one safe writer (numbers stay numbers, text stays text)."""
    from openpyxl import load_workbook

    from hotline.reports import indicators
    from hotline.supervision.pdf import bulletin_xlsx
    from hotline.supervision.selectors import bulletin

    b = bulletin(dt.date(2026, 3, 1))
    book = load_workbook(BytesIO(bulletin_xlsx(b)))
    sheet = book["办理指标与排名"]  # "Rates and ranking", as the PDF's heading
    rows = list(sheet.values)
    assert list(rows[0][3:-1]) == [r.label for r in indicators.RATES]
    names = [r[2] for r in rows[1:]]
    assert names == [r["unit"] for r in b["ranking"]]
    zjj = rows[1 + names.index("市住房和城乡建设局")]
    assert isinstance(zjj[1], int) and zjj[1] >= 1
    assert zjj[3 + [r.key for r in indicators.RATES].index("satisfy_rate")] == "100.0%"


def test_R_FB_5_public_page_keeps_columns_of_a_period_published_before_a_new_rate(march):
    period = Period.objects.filter(published_at__isnull=False).first()
    for row in period.result["rows"]:
        row["rates"].pop("unit_satisfy_rate", None)  # as stored before the rate existed
    period.save()
    page = Client().get(f"/results/?period={period.pk}").content.decode()
    table = page[page.index('id="public-ranking"') :]
    first_row = table[table.index("<tbody>") : table.index("</tr>", table.index("<tbody>"))]
    from hotline.reports import indicators

    assert first_row.count('class="num"') == len(indicators.RATES) + 1  # rates + score


def test_R_AS_2_pages_say_in_chinese_what_is_wrong_with_the_filter(march):
    """Bad input on pages: a clear Chinese message, never a 404 or a 500."""
    client = Client()
    client.force_login(march["analyst1"])
    long = client.get("/reports/assessment/?from=2020-01-01&to=2026-03-31", follow=True)
    assert long.status_code == 200 and "统计期间不能超过 3 年" in long.content.decode()
    scheme = client.get("/reports/assessment/?scheme=NOPE", follow=True)
    assert scheme.status_code == 200 and "没有编码为 NOPE 的考核方案" in scheme.content.decode()
    unit = client.get("/reports/tickets/?unit=NOPE&metric=overdue")
    assert unit.status_code == 200 and "没有编码为 NOPE 的单位" in unit.content.decode()
    board = client.get("/reports/?unit=NOPE")
    assert board.status_code == 200 and "没有编码为 NOPE 的单位" in board.content.decode()
    metric = client.get("/reports/tickets/?metric=weather")
    assert metric.status_code == 200 and "未知的指标" in metric.content.decode()


def test_R_AS_1_published_period_keeps_its_figures_after_exclusion_and_scheme_edit(
    march, flow, units
):
    """Published: neither an exclusion approved afterwards nor a scheme edit changes the
    period's counts, score or rank on the assessment page and API (decision 0008)."""
    from hotline.reports import aggregate
    from hotline.tickets.models import Assignment
    from hotline.tickets.services import followup as f

    supervisor, admin = march["supervisor1"], march["admin"]
    services.period_publish(actor=supervisor, kind="month", start=MARCH[0], end=MARCH[1])
    before = {r["code"]: r for r in selectors.assessment(selectors.Span(*MARCH))["rows"]}
    assert before["QX-ZJJ"]["counts"]["received_lead"] >= 1
    lead = Assignment.objects.filter(
        unit=units["QX-ZJJ"], role="lead", dispatched_at__month=3
    ).first()
    req = f.exclusion_request(
        actor=flow.clerk(lead), assignment=lead, category="malicious", reason="恶意来电"
    )
    f.exclusion_decide(actor=march["dispatcher1"], request=req, approve=True)
    data = schemes.to_dict(schemes.ZS)
    data["weights"] = [{"rate": "satisfy_rate", "weight": 100, "citation": "试行"}]
    zs = Scheme.objects.get(code="ZS")
    services.scheme_version_create(actor=admin, scheme=zs, data=data, note="只看满意率")
    aggregate.refresh_pending()
    live = selectors.unit_counts(selectors.Span(*MARCH), [units["QX-ZJJ"]])[units["QX-ZJJ"].pk]
    assert live.get("received_lead", 0) < before["QX-ZJJ"]["counts"]["received_lead"]
    after = {r["code"]: r for r in selectors.assessment(selectors.Span(*MARCH))["rows"]}
    for code, row in before.items():
        assert after[code]["counts"] == row["counts"], code
        assert (after[code]["score"], after[code]["rank"]) == (row["score"], row["rank"])
