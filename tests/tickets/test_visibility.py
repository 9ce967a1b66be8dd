"""Who sees what: requesters their own, approvers their unit's, contractors their contracts', the bureau its
lines; what one may not see answers 404."""

import pytest

from tests.tickets.helpers import file_leak

LIST = "/api/v1/requests/"


@pytest.fixture
def alices(world):
    return file_leak(world)


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("alice", True),  # her own
        ("erin", False),  # another requester
        ("uma", True),  # approver of Alice's unit
        ("bob", True),  # dispatcher of the contractor
        ("wang", True),  # worker of the contractor
        ("zed", False),  # worker of another contractor
        ("carol", True),  # property supervisor
        ("vic", False),  # vehicles supervisor
        ("dave", True),  # bureau admin
    ],
)
def test_list_and_detail_visibility(world, api, alices, who, sees):
    client = api(getattr(world, who))
    ids = [row["id"] for row in client.get(LIST).data["results"]]
    assert (alices.pk in ids) is sees
    detail = client.get(f"{LIST}{alices.pk}/")
    assert detail.status_code == (200 if sees else 404)


def test_anonymous_gets_nothing(world, api, alices):
    client = api()
    assert client.get(LIST).status_code in (401, 403)
    assert client.get(f"{LIST}{alices.pk}/").status_code in (401, 403)
    assert client.post(f"{LIST}{alices.pk}/accept/").status_code in (401, 403)


@pytest.mark.parametrize("who", ["erin", "zed", "vic"])
def test_transitions_on_invisible_request_answer_404(world, api, alices, who):
    response = api(getattr(world, who)).post(f"{LIST}{alices.pk}/accept/", format="json")
    assert response.status_code == 404


def test_internal_comments_hidden_from_requester(world, api, alices):
    api(world.bob).post(f"{LIST}{alices.pk}/comments/", {"body": "材料费待核", "internal": True}, format="json")
    api(world.bob).post(f"{LIST}{alices.pk}/comments/", {"body": "下午上门"}, format="json")
    mine = api(world.alice).get(f"{LIST}{alices.pk}/").data
    assert [c["body"] for c in mine["comments"]] == ["下午上门"]
    theirs = api(world.carol).get(f"{LIST}{alices.pk}/").data
    assert len(theirs["comments"]) == 2
    refused = api(world.alice).post(f"{LIST}{alices.pk}/comments/", {"body": "x", "internal": True}, format="json")
    assert refused.status_code == 403


def test_list_costs_fixed_queries_whatever_its_length(world, api, django_assert_max_num_queries):
    client = api(world.carol)
    for i in range(3):
        file_leak(world, title=f"a{i}")
    with django_assert_max_num_queries(6) as few:
        client.get(LIST)
    for i in range(30):
        file_leak(world, title=f"b{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST)
    assert response.data["count"] == 33


def test_filters(world, api):
    first = file_leak(world, title="会议室漏水")
    file_leak(world, title="走廊灯不亮")
    client = api(world.carol)
    assert [r["id"] for r in client.get(LIST, {"q": "会议室"}).data["results"]] == [first.pk]
    assert [r["id"] for r in client.get(LIST, {"q": first.number}).data["results"]] == [first.pk]
    assert client.get(LIST, {"status": "submitted", "building": world.building.pk}).data["count"] == 2
    assert client.get(LIST, {"contractor": world.other_contractor.pk}).data["count"] == 0
    bad = client.get(LIST, {"status": "nonsense"})
    assert bad.status_code == 400 and "status" in bad.data


def test_unknown_category_or_room_is_400_naming_it(world, api):
    response = api(world.alice).post(LIST, {"category": 99999, "room": 88888, "title": "x"}, format="json")
    assert response.status_code == 400
    assert set(response.data) >= {"category", "room"}
