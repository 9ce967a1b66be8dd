"""API errors speak the caller's language."""

from tests.tickets.helpers import file_leak


def test_english_caller_gets_english_field_message(world, api):
    req = file_leak(world)
    client = api(world.carol)
    response = client.post(f"/api/v1/requests/{req.pk}/reject/", {"note": ""}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.data["note"] == ["Please give a reason for the rejection."]
