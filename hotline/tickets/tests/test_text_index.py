"""The text index behind word search (tickets.search, docs/decisions/0005-search.md)."""

import pytest
from django.db import connection

from hotline.tickets import search
from hotline.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_terms_are_ascii_bigrams_per_field_normalised():
    tokens = search.terms("小区噪音", "ＡＢc").split()
    # 小区 区噪 噪音 + ab bc: no bigram spans the two fields ("音a").
    assert len(tokens) == 5
    assert all(token.isascii() and token.isalnum() for token in tokens)
    assert search.terms("ab") == search.terms("ＡＢ") == search.terms("Ab")
    assert search.terms("A-B") == ""
    assert search.terms("a") == ""  # one character: no bigram


def test_punctuation_breaks_bigrams():
    assert search.terms("小，区") == ""
    assert search.terms("小区") != ""


@pytest.fixture
def texts(flow):
    made = {
        "noise": flow.create(summary="夜间施工噪音扰民", detail="工地每晚施工到凌晨"),
        "lift": flow.create(summary="小区电梯停运", detail="老人出行困难", address="青溪路8号"),
        "road": flow.create(summary="Road LAMP broken", detail="路灯不亮"),
    }
    return made


def _found(text):
    return set(search.matching(Ticket.objects.all(), text).values_list("summary", flat=True))


def test_two_character_words_in_summary_detail_and_place(texts):
    assert _found("噪音") == {"夜间施工噪音扰民"}
    assert _found("出行") == {"小区电梯停运"}
    assert _found("青溪路") == {"小区电梯停运"}  # the place is searched too
    assert _found("施工 凌晨") == {"夜间施工噪音扰民"}  # every word must match
    assert _found("噪音 电梯") == set()


def test_bigrams_present_but_not_adjacent_do_not_match(texts):
    # 电梯 and 停运 are both in the lift ticket, but "梯停运" is, "梯运" is not.
    assert _found("梯停运") == {"小区电梯停运"}
    assert _found("梯运") == set()


def test_latin_words_are_case_and_width_insensitive_and_one_character_scans(texts):
    assert _found("lamp") == {"Road LAMP broken"}
    assert _found("ＬＡＭＰ") == {"Road LAMP broken"}
    assert _found("灯") == {"Road LAMP broken"}  # no bigram: plain scan, same answer


def test_editing_the_text_updates_the_index(texts):
    ticket = texts["noise"]
    ticket.summary = "夜间广场舞音响扰民"
    ticket.save(update_fields=["summary"])
    assert _found("广场舞") == {"夜间广场舞音响扰民"}
    ticket.detail = "已经停工"
    ticket.save(update_fields=["detail"])
    assert _found("凌晨") == set()
    ticket.delete()
    assert _found("广场舞") == set()


def test_search_uses_the_index(texts):
    sql, params = search.matching(Ticket.objects.all(), "噪音").query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A three-row table: without these the planner may as well scan it, or walk the
            # received_at index for the ORDER BY. GIN is only reached by a bitmap scan.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert search.PG_INDEX in plan
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert search.FTS_TABLE in plan and "VIRTUAL TABLE INDEX" in plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite triggers")
def test_lost_triggers_are_restored_and_the_index_refilled(texts):
    """A later migration that rebuilds the tickets table on SQLite drops its triggers."""
    with connection.cursor() as cursor:
        for event in ("insert", "update", "delete"):
            cursor.execute(f"DROP TRIGGER {search.FTS_TABLE}_{event}")
        cursor.execute(f"DELETE FROM {search.FTS_TABLE}")
    assert _found("噪音") == set()
    assert search.ensure_index() is True
    assert _found("噪音") == {"夜间施工噪音扰民"}
    assert search.ensure_index() is False
