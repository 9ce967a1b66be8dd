"""Run in a fresh interpreter: migrate, then visit every page the home page and the header link to, as each role.

Prints one JSON object: the tiles and links each role saw, any link that leads nowhere (404, or an error) and any
that answers 403 (a module offering a page to a role its page refuses: the module's audience to fix)."""

import json
import os
import re

os.environ["DJANGO_SETTINGS_MODULE"] = "tests.without_fleet.settings"

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from tests.factories import build_world  # noqa: E402
from tickets.registry import all_kinds  # noqa: E402

setup_test_environment()
call_command("migrate", verbosity=0)
world = build_world()
seen: dict[str, dict[str, list[str]]] = {}
broken: list[str] = []
refused: list[str] = []
for name in ("alice", "uma", "carol", "vic", "dave"):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(getattr(world, name))
    html = client.get("/", follow=True).content.decode()  # the bureau's home is its console
    hrefs = sorted(set(re.findall(r'href="(/[^"#]*)"', html)))
    seen[name] = {"tiles": re.findall(r'<span class="tile-label">([^<]*)</span>', html), "links": hrefs}
    for href in hrefs:
        status = client.get(href.replace("&amp;", "&")).status_code
        if status == 403:
            refused.append(f"{name} {href}")
        elif status not in (200, 302):
            broken.append(f"{name} {href} {status}")
kinds = [k.key for k in all_kinds()]
print(json.dumps({"seen": seen, "broken": broken, "refused": refused, "kinds": kinds}, ensure_ascii=False))
