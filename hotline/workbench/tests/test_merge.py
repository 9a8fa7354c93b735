"""并单 (R-IN-4): "并入此工单" merges at once from the duplicates list; a duplicate of a
closed ticket is kept as a repeat of it instead of being merged into it (LX 三)."""

from hotline.tickets import services as s


def _duplicates(client, ticket):
    return client.get("/workbench/intake/duplicates/", {"ticket": ticket.number}).content.decode()


def test_r_in_4_merge_into_this_merges(client, people, flow):
    target = flow.to("handling", summary="幸福小区3号楼电梯停运两周")
    dup = flow.to("pending_dispatch", summary="幸福小区3号楼电梯停运两周没人修")
    client.force_login(people["dispatcher1"])
    html = _duplicates(client, dup)
    assert f'name="merge-into" value="{target.number}"' in html and 'value="merge"' in html
    response = client.post(
        f"/dispatch/?tab=pending&ticket={dup.number}",
        {
            "action": "merge",
            "ticket": dup.number,
            "merge-into": target.number,
            "merge-reason": f"与 {target.number} 为同一诉求",
        },
        follow=True,
    )
    dup.refresh_from_db()
    assert dup.status == "merged" and dup.merged_into == target
    assert "msg-success" in response.content.decode()


def test_r_in_4_duplicate_of_a_closed_ticket_is_kept_as_a_repeat(people, flow):
    closed = flow.to("closed")
    dup = flow.to("pending_dispatch")
    done = s.ticket_merge(actor=people["dispatcher1"], ticket=dup, into=closed, reason="同一诉求")
    assert (done.status, done.decline_reason, done.related_to) == ("declined", "repeat", closed)
    assert done.merged_into is None
    assert done.events.filter(kind="repeat_linked").exists()
