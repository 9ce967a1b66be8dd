"""Word search over requests: jieba's words through PostgreSQL full-text search or SQLite FTS5, the request number by
its id, a single character by substring; on both databases (run with DATABASE_URL for PostgreSQL)."""

import pytest
from django.db import connection
from django.test import Client

from tests.tickets.helpers import at
from tickets.models import ServiceRequest
from tickets.search import index_text, text_q, words
from tickets.services.requests import request_create

LIST = "/api/v1/requests/"


@pytest.fixture
def filed(world):
    def file(title, description="", by=None):
        return request_create(
            actor=by or world.alice,
            category=world.leak,
            room=world.room,
            title=title,
            description=description,
            now=at(2026, 3, 10, 9, 0),
        )

    return {
        "leak": file("三楼卫生间水龙头漏水", "洗手池下面一直滴水"),
        "aircon": file("会议室空调不制冷", "开了两个小时还是很热"),
        "projector": file("投影仪故障", "会议室的投影仪无法开机 HDMI 接口松动"),
        "erins": file("办公室漏水", "天花板渗水", by=world.erin),
    }


def _found(client, text):
    response = client.get(LIST, {"q": text})
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.data["results"]}


def test_words_are_cut_the_same_in_a_request_and_a_query():
    assert {"卫生间", "卫生", "水龙头", "漏水"} <= set(words("三楼卫生间水龙头漏水", for_index=True))
    assert words("卫生间 漏水！") == ["卫生间", "漏水"]
    assert index_text("HDMI 接口", "") == "hdmi 接口"


def test_two_character_words_find_the_requests_that_contain_them(world, api, filed):
    carol = api(world.carol)
    assert _found(carol, "漏水") == {filed["leak"].pk, filed["erins"].pk}
    assert _found(carol, "卫生间") == {filed["leak"].pk}
    assert _found(carol, "卫生") == {filed["leak"].pk}  # a word inside a longer one (search mode)
    assert _found(carol, "空调 制冷") == {filed["aircon"].pk}  # every word required
    assert _found(carol, "空调 漏水") == set()
    assert _found(carol, "会议室") == {filed["aircon"].pk, filed["projector"].pk}  # title or description
    assert _found(carol, "hdmi") == {filed["projector"].pk}  # Latin words, any case
    assert _found(carol, "电梯") == set()


def test_single_characters_and_numbers_still_work(world, api, filed):
    carol = api(world.carol)
    assert _found(carol, "热") == {filed["aircon"].pk}  # no word of two characters: substring match
    number = filed["projector"].number
    assert _found(carol, number) == {filed["projector"].pk}
    assert _found(carol, number.lower()) == {filed["projector"].pk}
    assert _found(carol, str(filed["projector"].pk)) >= {filed["projector"].pk}


def test_digits_that_are_not_a_number_find_nothing_rather_than_fail(world, api, filed):
    carol = api(world.carol)
    for text in ("SD²", "²", "SD" + "9" * 30):  # "²" passes str.isdigit(); 30 digits overflow 64 bits
        assert _found(carol, text) == set()
    page = Client()
    page.force_login(world.carol)
    assert page.get("/workbench/", {"q": "SD²"}).status_code == 200


def test_search_keeps_visibility(world, api, filed):
    assert _found(api(world.alice), "漏水") == {filed["leak"].pk}  # not Erin's
    assert _found(api(world.erin), "漏水") == {filed["erins"].pk}
    assert _found(api(world.zed), "漏水") == set()  # another contractor's worker


def test_the_index_follows_an_edit(world, api, filed):
    req = ServiceRequest.objects.get(pk=filed["projector"].pk)
    req.title = "电梯困人"
    req.save()  # the admin saves the whole row
    carol = api(world.carol)
    assert _found(carol, "电梯") == {req.pk}
    assert _found(carol, "投影仪") == {req.pk}  # still in the description
    req.description = "已处理"
    req.save(update_fields=["description"])
    assert _found(carol, "投影仪") == set()


def test_workbench_search_box(world, filed):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(world.bob)
    page = client.get("/workbench/", {"q": "空调"})
    assert page.status_code == 200
    text = page.content.decode()
    assert filed["aircon"].number in text
    assert filed["leak"].number not in text and filed["projector"].number not in text


def test_search_costs_one_query_through_the_index(world, filed, django_assert_num_queries):
    with django_assert_num_queries(1):
        ids = set(ServiceRequest.objects.filter(text_q("漏水")).values_list("pk", flat=True))
    assert ids == {filed["leak"].pk, filed["erins"].pk}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 triggers")
def test_sqlite_index_comes_back_after_a_table_rebuild(world, filed):
    """A migration that rebuilds the requests table on SQLite drops its triggers; after migrate they are back and
    the rows written meanwhile are indexed."""
    from tickets.search import ensure_sqlite_index

    with connection.cursor() as cursor:
        for name in ("tickets_request_fts_ai", "tickets_request_fts_ad", "tickets_request_fts_au"):
            cursor.execute(f"DROP TRIGGER {name}")
    late = request_create(
        actor=world.alice, category=world.leak, room=world.room, title="电梯停运", now=at(2026, 3, 10)
    )
    assert not ServiceRequest.objects.filter(text_q("电梯")).exists()
    ensure_sqlite_index()
    assert list(ServiceRequest.objects.filter(text_q("电梯")).values_list("pk", flat=True)) == [late.pk]


@pytest.mark.postgres
def test_postgresql_keeps_a_tsvector_with_a_gin_index(world, filed):
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector::text FROM tickets_servicerequest WHERE id = %s", [filed["leak"].pk])
        vector = cursor.fetchone()[0]
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'request_search_vector'")
        index = cursor.fetchone()[0]
    assert "'卫生间'" in vector and "'漏水'" in vector
    assert "gin" in index.lower()


def test_public_comments_are_found_and_internal_notes_are_not(world, api, filed):
    from tickets.services.comments import comment_add

    comment_add(service_request=filed["aircon"], actor=world.alice, body="压缩机有异响", now=at(2026, 3, 10, 9, 30))
    comment_add(
        service_request=filed["leak"], actor=world.bob, body="需要更换阀芯", internal=True, now=at(2026, 3, 10, 9, 40)
    )
    assert _found(api(world.carol), "压缩机") == {filed["aircon"].pk}
    assert _found(api(world.alice), "压缩") == {filed["aircon"].pk}
    assert _found(api(world.bob), "更换") == set()  # an internal note's words stay out of the index
    # Editing the title keeps the comment's words.
    req = ServiceRequest.objects.get(pk=filed["aircon"].pk)
    req.title = "会议室空调温度过高"
    req.save()
    assert _found(api(world.carol), "压缩机") == {filed["aircon"].pk}
    assert _found(api(world.carol), "温度") == {filed["aircon"].pk}
