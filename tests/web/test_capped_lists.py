"""Long lists count at most a cap of rows (issue #17): exact below it, "more than" above it, and the pages still
reach every row."""

from __future__ import annotations

import pytest
from django.core.paginator import EmptyPage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.tickets.helpers import file_leak
from tickets.models import ServiceRequest
from tickets.pagination import CappedPaginator

pytestmark = pytest.mark.django_db


@pytest.fixture
def cap(settings):
    def set_cap(n: int) -> None:
        settings.SERVICEDESK = {**settings.SERVICEDESK, "LIST_COUNT_CAP": n}

    return set_cap


@pytest.fixture
def seven(world):
    return [file_leak(world, title=f"漏水{i}") for i in range(7)]


def test_below_the_cap_the_count_is_exact(world, seven):
    paginator = CappedPaginator(ServiceRequest.objects.order_by("id"), 3, cap=7)
    assert (paginator.count, paginator.count_exact, paginator.num_pages) == (7, True, 3)
    assert [r.title for r in paginator.page(3)] == ["漏水6"]


def test_above_the_cap_the_pages_go_on_until_the_rows_end(world, seven):
    paginator = CappedPaginator(ServiceRequest.objects.order_by("id"), 3, cap=4)
    assert (paginator.count, paginator.count_exact, paginator.count_capped) == (4, False, True)
    pages = [paginator.page(n) for n in (1, 2, 3)]
    titles = [[r.title for r in p] for p in pages]
    assert titles == [["漏水0", "漏水1", "漏水2"], ["漏水3", "漏水4", "漏水5"], ["漏水6"]]
    assert [p.has_next() for p in pages] == [True, True, False]
    assert (pages[2].start_index(), pages[2].end_index()) == (7, 7)
    with pytest.raises(EmptyPage):
        paginator.page(4)
    with pytest.raises(EmptyPage):
        paginator.page(0)


def test_the_count_reads_at_most_cap_plus_one_rows_and_only_their_keys(world, seven):
    from tickets.selectors import request_page_rows

    # The page's rows carry names as scalar subqueries: the count must not compute them for every counted row.
    paginator = CappedPaginator(request_page_rows(user=world.carol).order_by("-created_at"), 3, cap=2)
    with CaptureQueriesContext(connection) as queries:
        assert paginator.count == 2
    assert len(queries) == 1
    sql = queries[0]["sql"].upper()
    assert "LIMIT 3" in sql and "ORDER BY" not in sql
    assert "TICKETS_ROOM" not in sql and "TICKETS_CATEGORY" not in sql


def test_api_list_says_when_its_count_is_the_cap(world, seven, api, cap):
    cap(5)
    body = api(world.carol).get("/api/v1/requests/").json()
    assert (body["count"], body["count_exact"], len(body["results"])) == (5, False, 7)
    cap(7)
    body = api(world.carol).get("/api/v1/requests/").json()
    assert (body["count"], body["count_exact"]) == (7, True)


def test_api_pages_past_the_cap(world, api, cap):
    cap(2)
    for i in range(51):
        file_leak(world, title=f"漏水{i}")
    client = api(world.carol)
    first = client.get("/api/v1/requests/").json()
    assert (first["count"], first["count_exact"], len(first["results"])) == (2, False, 50)
    second = client.get(first["next"]).json()
    assert (len(second["results"]), second["next"]) == (1, None)
    assert client.get("/api/v1/requests/?page=3").status_code == 404


def test_workbench_says_more_than_the_cap(world, seven, as_user, cap):
    cap(5)
    html = as_user(world.bob).get(reverse("workbench")).content.decode()
    assert "超过5件，按时限排序" in html
    assert html.count('class="row') >= 7
    cap(10_000)
    assert "共7件，按时限排序" in as_user(world.bob).get(reverse("workbench")).content.decode()


def test_request_list_pages_past_the_cap(world, as_user, cap):
    cap(3)
    for i in range(31):
        file_leak(world, title=f"漏水{i}")
    client = as_user(world.alice)
    html = client.get(reverse("request-list")).content.decode()
    assert "第1页" in html and "共" not in html.split('class="pager"')[1] and "page=2" in html
    html = client.get(reverse("request-list") + "?page=2").content.decode()
    assert "漏水0" in html and "page=3" not in html
