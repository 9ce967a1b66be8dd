from datetime import datetime
from zoneinfo import ZoneInfo

from tickets.services.requests import request_create

SH = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


def file_leak(world, *, now=None, by=None, urgency=None, title="漏水"):
    return request_create(
        actor=by or world.alice,
        category=world.leak,
        room=world.room,
        title=title,
        urgency=urgency,
        now=now or at(2026, 3, 10, 9, 0),
    )
