from hotline.tickets import services as s


def test_list_is_scoped_and_searchable(client, flow, people):
    mine = flow.to("dispatched", assists=())
    flow.create(summary="别的诉求")
    client.force_login(people["zjj_clerk"])
    body = client.get("/tickets/").content.decode()
    assert mine.number in body and "别的诉求" not in body
    client.force_login(people["supervisor1"])
    assert "别的诉求" in client.get("/tickets/", {"q": "别的"}).content.decode()
    assert mine.number not in client.get("/tickets/", {"q": "别的"}).content.decode()


def test_detail_shows_deadline_explanation_and_timeline(client, flow, people):
    ticket = flow.to("handling", assists=())
    s.ticket_annotate(actor=people["supervisor1"], ticket=ticket, text="请加快")
    client.force_login(people["zjj_clerk"])
    body = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "受理当日不计入" in body and "开江 预警机制 二(一)" in body
    assert "请加快" in body and "13800001111" in body
    client.force_login(people["cgj_clerk"])
    assert client.get(f"/tickets/{ticket.number}/").status_code == 404


def test_confidential_caller_hidden_on_the_unit_page(client, flow, people):
    ticket = flow.create(confidential=True)
    flow.dispatch(ticket)
    client.force_login(people["zjj_clerk"])
    body = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "13800001111" not in body and "保密" in body
