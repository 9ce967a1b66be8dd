"""Input no view can use answers 400 in the user's language, never 500 (#12 §5, §6): bodies beyond the cap refused
before they are read, files stopped at the cap while they arrive, hostile JSON, NUL bytes, decompression bombs,
typed page parameters, over-long derived text and integers beyond PostgreSQL's columns."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.reliability.test_page_fuzz import bomb_png
from tests.tickets.helpers import file_leak
from tickets.models import Attachment, Notification


class CountingStream(io.BytesIO):
    """The request body as the server reads it, counting what the application took."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk

    def readline(self, size: int | None = -1) -> bytes:
        chunk = super().readline(size)
        self.taken += len(chunk)
        return chunk


def client_for(user=None, language: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client


def multipart(field: str, name: str, content: bytes, boundary: str = "BOUNDARY") -> bytes:
    return (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )


# --- bodies beyond the cap ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language, words", [("zh-hans", "上限"), ("en", "limit")])
def test_a_30_mb_json_body_is_a_json_400_and_is_not_read(world, language, words):
    req = file_leak(world)
    stream = CountingStream(b'{"body": "x"}')
    response = client_for(world.alice, language).generic(
        "POST",
        f"/api/v1/requests/{req.pk}/comments/",
        b"",
        **{"wsgi.input": stream, "CONTENT_LENGTH": str(30 * 1024 * 1024), "CONTENT_TYPE": "application/json"},
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "too_large" and words in response.json()["detail"]
    assert stream.taken == 0


@pytest.mark.django_db
def test_a_500_mb_upload_to_a_page_is_refused_from_its_length_with_the_400_page(world):
    req = file_leak(world)
    stream = CountingStream(multipart("photos", "big.png", b"\0" * 1024, boundary="B"))
    response = client_for(world.alice).generic(
        "POST",
        f"/requests/{req.pk}/comment/",
        b"",
        **{
            "wsgi.input": stream,
            "CONTENT_LENGTH": str(500 * 1024 * 1024),
            "CONTENT_TYPE": "multipart/form-data; boundary=B",
        },
    )
    assert response.status_code == 400
    assert "text/html" in response["Content-Type"]
    assert "上限" in response.content.decode()
    assert stream.taken == 0


@pytest.mark.django_db
@pytest.mark.parametrize("path_kind", ["api", "page"])
def test_a_file_beyond_the_cap_is_stopped_while_it_arrives(world, settings, path_kind):
    """The body's declared length is within the request's cap (six files), but its one file is larger than a
    file may be: reading stops a chunk past the file cap, not at the end of the body."""
    settings.UPLOAD_MAX_BYTES = 256 * 1024
    settings.REQUEST_MAX_BYTES = 6 * 256 * 1024 + 1024 * 1024
    req = file_leak(world)
    body = multipart("file", "big.png", b"\x89PNG" + b"\0" * (2 * 1024 * 1024))
    stream = CountingStream(body)
    path = f"/api/v1/requests/{req.pk}/attachments/" if path_kind == "api" else f"/requests/{req.pk}/comment/"
    response = client_for(world.alice, "en").generic(
        "POST",
        path,
        b"",
        **{
            "wsgi.input": stream,
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "multipart/form-data; boundary=BOUNDARY",
        },
    )
    assert response.status_code == 400
    assert stream.taken < 512 * 1024 < len(body)
    if path_kind == "api":
        assert response.json()["code"] == "too_large" and "1 MB" in response.json()["file"][0]
    else:
        assert "MB" in response.content.decode()
    assert not Attachment.objects.exists()


# --- JSON no one can store ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        "[" * 5000 + "]" * 5000,  # nested 5,000 deep: Python's parser runs out of stack
        '{"body": ' + "[" * 40 + '"x"' + "]" * 40 + "}",  # deeper than we accept
        '{"body": 1e400}',  # infinity in disguise
        '{"body": NaN}',
        '{"body": "a\\u0000b"}',  # PostgreSQL cannot store a NUL
        '{"body": "\xff',
    ],
    ids=["5000-deep", "40-deep", "1e400", "NaN", "NUL", "broken"],
)
def test_hostile_json_is_a_json_400(world, body):
    req = file_leak(world)
    response = client_for(world.alice).generic(
        "POST", f"/api/v1/requests/{req.pk}/comments/", body.encode(), content_type="application/json"
    )
    assert response.status_code == 400, response.content[:200]
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


@pytest.mark.django_db
def test_json_within_the_limits_still_works(world):
    req = file_leak(world)
    response = client_for(world.alice).generic(
        "POST",
        f"/api/v1/requests/{req.pk}/comments/",
        json.dumps({"body": "楼上又漏了", "internal": False}).encode(),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content


# --- NUL bytes ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/api/v1/rooms/by-qr/a%00b/", "/qr/r/a%00b/", "/requests/?q=a%00b", "/requests/new/?scan=1%00"],
)
def test_a_nul_byte_in_the_address_is_a_400(world, path):
    response = client_for(world.alice).get(path)
    assert response.status_code == 400
    text = response.content.decode()
    assert "NUL" in text


@pytest.mark.django_db
def test_a_nul_byte_in_a_form_is_a_400_and_nothing_is_written(world):
    req = file_leak(world)
    response = client_for(world.alice).post(f"/requests/{req.pk}/comment/", {"body": "a\x00b"})
    assert response.status_code == 400 and "NUL" in response.content.decode()
    assert not req.comments.exists()


# --- decompression bombs ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_decompression_bomb_attachment_is_refused_with_a_message(world, api):
    req = file_leak(world)
    response = api(world.alice).post(
        f"/api/v1/requests/{req.pk}/attachments/",
        {"file": SimpleUploadedFile("bomb.png", bomb_png(), "image/png")},
        format="multipart",
    )
    assert response.status_code == 400
    assert "像素" in response.data["file"][0]
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_a_decompression_bomb_photo_on_the_filing_page_is_refused(world):
    from tickets.models import ServiceRequest

    client = client_for(world.alice, "en")
    response = client.post(
        f"/requests/new/?line=property&category={world.leak.pk}&scan={world.room.pk}",
        {
            "title": "漏水",
            "description": "天花板漏水",
            "urgency": "normal",
            "idempotency_key": "bomb-1",
            "photos": SimpleUploadedFile("bomb.png", bomb_png(), "image/png"),
        },
    )
    assert response.status_code == 400
    assert "megapixels" in response.content.decode()
    assert not ServiceRequest.objects.exists() and not Attachment.objects.exists()


# --- typed page parameters -------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path, user",
    [
        ("/requests/new/?category=%C2%B2", "alice"),
        ("/requests/new/?scan=99999999999999999999", "alice"),
        ("/fleet/board/?date=9999-12-31", "vic"),
        ("/fleet/board/?date=2026-13-01", "vic"),
        ("/fleet/reports/?start=0001-01-01&end=0001-01-01&format=xlsx", "vic"),
        ("/fleet/reports/?start=2000-01-01&end=2026-01-01", "vic"),  # a report covers five years at most
    ],
)
def test_a_bad_page_parameter_is_a_400_with_its_message(world, path, user):
    response = client_for(getattr(world, user)).get(path)
    assert response.status_code == 400, response.status_code
    assert "请求无效" in response.content.decode() or "errorlist" in response.content.decode()


@pytest.mark.django_db
def test_an_id_beyond_64_bits_in_a_page_address_is_a_404(world):
    response = client_for(world.dave).get("/offices/by-request/99999999999999999999/")
    assert response.status_code == 404


@pytest.mark.django_db
def test_an_action_whose_next_is_not_a_path_goes_back_to_the_request(world):
    """redirect() reads a bare word as a view's name: "²" answered 500."""
    req = file_leak(world)
    response = client_for(world.bob).post(f"/requests/{req.pk}/do/accept/", {"next": "²"})
    assert response.status_code == 302 and response["Location"] == f"/requests/{req.pk}/"


@pytest.mark.django_db
def test_the_400_page_speaks_english_to_an_english_reader(world):
    response = client_for(world.alice, "en").get("/requests/new/?category=%C2%B2")
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()


@pytest.mark.django_db
def test_search_with_non_ascii_digits_or_a_huge_number_answers(world, api):
    file_leak(world)
    for q in ("²", "SD99999999999999999999999", "٣"):
        assert api(world.alice).get("/api/v1/requests/", {"q": q}).status_code == 200
        assert client_for(world.bob).get("/workbench/", {"q": q}).status_code == 200


@pytest.mark.django_db
def test_mark_read_with_ids_beyond_64_bits_is_a_400(world, api):
    response = api(world.alice).post(
        "/api/v1/notifications/mark-read/", {"ids": [99999999999999999999999]}, format="json"
    )
    assert response.status_code == 400 and "ids" in response.data


# --- text and numbers that do not fit PostgreSQL's columns --------------------------------------------------------


@pytest.mark.django_db
def test_a_200_character_title_fits_its_notifications(world):
    """The dispatcher's notification is "新请求 SD…：<title>": the title's 200 characters plus the prefix would
    overflow the notification's 200 on PostgreSQL. It is cut with an ellipsis."""
    req = file_leak(world, title="漏" * 200)
    note = Notification.objects.filter(request=req).first()
    assert note is not None and len(note.title) == 200 and note.title.endswith("…")


@pytest.mark.django_db
def test_a_300_character_user_name_at_log_in_is_a_failed_log_in(world):
    """django-axes records the name tried in 255 characters; PostgreSQL refused a longer one (found by the fuzz)."""
    response = Client().post("/accounts/login/", {"username": "长" * 300, "password": "x"})
    assert response.status_code == 200 and response.context["form"].errors


@pytest.mark.django_db
@pytest.mark.postgres
def test_over_long_and_over_large_input_on_postgresql_is_a_400(world, api):
    req = file_leak(world, title="漏" * 200)
    assert Notification.objects.filter(request=req).exists()
    response = api(world.alice).post(
        "/api/v1/requests/",
        {"category": world.leak.pk, "room": world.room.pk, "title": "长" * 201},
        format="json",
    )
    assert response.status_code == 400 and "title" in response.data
