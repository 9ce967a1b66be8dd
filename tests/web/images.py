"""Small real images for uploads (kept apart from conftest so the browser harness can import them)."""

import io

from PIL import Image


def png_bytes(color=(200, 30, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (24, 24), color).save(buf, format="PNG")
    return buf.getvalue()
