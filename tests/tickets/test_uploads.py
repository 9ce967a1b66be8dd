"""Photos are checked by content and size, stored under a random name, served only to those who may see."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.tickets.helpers import file_leak
from tickets.models import Attachment, Event


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "PNG")
    return buf.getvalue()


def upload(client, req, name, content, content_type="image/png"):
    return client.post(
        f"/api/v1/requests/{req.pk}/attachments/",
        {"file": SimpleUploadedFile(name, content, content_type=content_type)},
        format="multipart",
    )


def test_photo_accepted_and_served_as_download_only_to_those_who_see(world, api):
    req = file_leak(world)
    response = upload(api(world.alice), req, "../../漏水<现场>.png", png_bytes())
    assert response.status_code == 201, response.data
    att = Attachment.objects.get()
    assert att.original_name == "漏水现场.png"
    assert att.stored_name.endswith(".png") and "漏水" not in att.file.name
    assert Event.objects.filter(request=req, kind="attachment").count() == 1
    url = response.data["url"]
    got = api(world.wang).get(url)
    assert got.status_code == 200
    assert got["Content-Disposition"].startswith("attachment")
    assert got["Content-Type"] == "image/png"
    assert api(world.erin).get(url).status_code == 404
    assert api(world.zed).get(url).status_code == 404


def test_html_disguised_as_image_is_refused_and_nothing_stored(world, api):
    req = file_leak(world)
    response = upload(api(world.alice), req, "photo.png", b"<html><script>alert(1)</script></html>")
    assert response.status_code == 400
    assert response.data["file"] == ["只能上传 JPEG、PNG、WebP 图片或 PDF 文件。"]
    assert not Attachment.objects.exists()


def test_svg_is_refused(world, api):
    req = file_leak(world)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert upload(api(world.alice), req, "x.svg", svg, "image/svg+xml").status_code == 400


def test_too_large_is_refused(world, api, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    req = file_leak(world)
    response = upload(api(world.alice), req, "big.png", png_bytes() + b"\0" * 2048)
    assert response.status_code == 400
    assert "MB" in response.json()["file"][0]  # stopped by the upload handler at the cap, before the view
    assert not Attachment.objects.exists()


def test_other_requester_cannot_upload(world, api):
    req = file_leak(world)
    assert upload(api(world.erin), req, "x.png", png_bytes()).status_code == 404
