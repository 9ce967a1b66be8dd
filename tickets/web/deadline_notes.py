"""The SLA clock's notes on an event (``changes["deadline_notes"]``) in words a requester reads on the timeline.

The clock explains every deadline it computes (``tickets.sla.clock.Note``); an event that moved a deadline carries
those notes. The same holiday or pause usually explains several targets, so each is said once. A plain weekend is
not worth a line; a 调休 Saturday worked, a holiday, a pause and a year without a notice are.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from tickets.models import HoldReason


def _day(value: str | None) -> str:
    if not value:
        return ""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    return _("%(m)d月%(d)d日") % {"m": day.month, "d": day.day}


def _minutes(n: int) -> str:
    hours, minutes = divmod(int(n), 60)
    if hours and minutes:
        return _("%(h)d小时%(m)d分钟") % {"h": hours, "m": minutes}
    if hours:
        return _("%(h)d小时") % {"h": hours}
    return _("%(m)d分钟") % {"m": minutes}


def describe(notes: list[dict[str, Any]] | None) -> list[str]:
    """One sentence per distinct reason, in the order the clock met them."""
    seen: set[tuple[Any, ...]] = set()
    lines: list[str] = []
    for note in notes or []:
        kind, name, day = note.get("kind"), note.get("name") or "", note.get("day")
        key = (kind, name, day, note.get("minutes"))
        if key in seen:
            continue
        seen.add(key)
        if kind == "holiday":
            text = _("%(day)s是法定节假日（%(name)s），不计入时限。") % {"day": _day(day), "name": name}
        elif kind == "workday":
            text = _("%(day)s是调休上班日（%(name)s），按工作日计时。") % {"day": _day(day), "name": name}
        elif kind == "pause":
            labels = dict(HoldReason.choices)
            reason = "；".join(str(labels.get(r, r)) for r in name.split("；")) if name else _("挂起")
            if note.get("minutes"):
                text = _("%(day)s暂停计时%(t)s（%(reason)s），时限相应顺延。") % {
                    "day": _day(day),
                    "t": _minutes(note["minutes"]),
                    "reason": reason,
                }
            else:
                text = _("%(day)s起暂停计时（%(reason)s），恢复后重新计算时限。") % {"day": _day(day), "reason": reason}
        elif kind == "incomplete":
            text = _("%(year)s年的节假日安排尚未录入，时限按普通周末估算，仅供参考。") % {"year": name}
        else:
            continue
        lines.append(text)
    return lines
