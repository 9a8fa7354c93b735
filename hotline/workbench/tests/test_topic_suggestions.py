"""The intake form shows the likely topics as the operator types, and works without a model
(R-IN-3, issue 8)."""

from io import StringIO

from django.core.management import call_command

from hotline.intelligence.selectors import forget_served_model
from hotline.intelligence.tests.test_topics import write_raw


def test_intake_suggestions_with_and_without_a_model(client, users, tmp_path, settings):
    settings.DATA_DIR = tmp_path
    settings.HOTLINE_MODEL_CHECK_SECONDS = 0
    forget_served_model()
    client.force_login(users["operator"])
    url = "/workbench/suggest/"
    params = {"summary": "小区电梯又坏了", "detail": "物业不来维修"}
    response = client.get(url, params)
    assert response.status_code == 200 and "可能的分类" not in response.content.decode()
    call_command(
        "intelligence", "train", "--csv", str(write_raw(tmp_path / "t.csv")), stdout=StringIO()
    )
    body = client.get(url, params).content.decode()
    assert "可能的分类" in body and "城乡建设" in body
    forget_served_model()
