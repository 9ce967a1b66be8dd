"""The rows of the list pages (the queue, my tasks, my requests, the console's lists), written as HTML in Python.

A row is a dozen values and two links; as a template included once per row, a page of 50 spent 20–40 ms of CPU
resolving ~1,200 template variables and tags, as this function about 1 ms (bench/perf_bench.py). The markup is
the one the templates had; `tickets/_queue.html` and the other list templates output the rows as they are.
Every value that comes from the database or a translation is escaped here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _


class _Links:
    """URLs of a row, built from one reverse() per name: the pattern with a placeholder, then str.replace."""

    MARK = "987654321"

    def __init__(self) -> None:
        self.detail = reverse("request-detail", args=[self.MARK])
        self.action = reverse("request-action", args=[self.MARK, "ACTION"])

    def detail_of(self, pk: int) -> str:
        return self.detail.replace(self.MARK, str(pk))

    def action_of(self, pk: int, action: str) -> str:
        return self.action.replace(self.MARK, str(pk)).replace("ACTION", action)


def _place(r: Any) -> str:
    parts = [escape(r.compound.name)]
    if r.building_id:
        parts.append(escape(r.building.name))
    if getattr(r, "room_number", None):
        parts.append(escape(r.room_number))
    return " ".join(parts)


def _due(r: Any) -> str:
    if not r.due_at:
        return ""
    paused = " data-paused" if r.paused_at else ""
    return (
        f'<span class="row-due"><span class="sla-tag">{escape(r.sla_label)}</span> {escape(r.due_target)} '
        f'{r.due_text} · <time class="countdown" datetime="{r.due_iso}"{paused}>{escape(r.countdown)}</time></span>'
    )


def queue_rows(rows: list[Any], *, csrf_token: str, back_url: str, message: str = "") -> list[SafeString]:
    """The workbench's rows (decorated, with `quick` actions): a link to the request and one-tap action buttons."""
    links = _Links()
    unassigned, unrouted = escape(_("未派单")), escape(_("待分派"))
    hidden = (
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">'
        f'<input type="hidden" name="row" value="1"><input type="hidden" name="next" value="{escape(back_url)}">'
    )
    out = []
    for r in rows:
        who = escape(r.assignee_name) if getattr(r, "assignee_name", None) else unassigned
        meta = f"{_place(r)} · {who}" + ("" if r.contractor_id else f" · {unrouted}")
        buttons = ""
        if r.quick:
            forms = "".join(
                f'<form method="post" action="{url}" hx-post="{url}" hx-target="#row-{r.pk}" hx-swap="outerHTML" '
                f'class="inline">{hidden}<button type="submit" class="btn small primary">{escape(text)}</button>'
                "</form>"
                for url, text in ((links.action_of(r.pk, a), label) for a, label in r.quick)
            )
            buttons = f'<div class="row-actions">{forms}</div>'
        note = f'<p class="msg msg-success small" role="status">{escape(message)}</p>' if message else ""
        out.append(
            mark_safe(  # noqa: S308 (every value above is escaped)
                f'<li class="row sla-{r.sla}" id="row-{r.pk}"><a class="row-main" href="{links.detail_of(r.pk)}">'
                f'<span class="row-top"><span class="num">{r.number}</span> '
                f'<span class="status st-{escape(r.status)}">{escape(r.status_label)}</span> '
                f'<span class="urg urg-{escape(r.urgency)}">{escape(r.urgency_label)}</span></span>'
                f'<span class="row-title">{escape(r.title)}</span><span class="row-meta">{meta}</span>{_due(r)}</a>'
                f"{buttons}{note}</li>"
            )
        )
    return out


def request_cards(
    rows: list[Any], href_of: Callable[[int], str | None] | None = None, with_requester: bool = False
) -> list[SafeString]:
    """A requester's or the console's rows (decorated): number, status, title, category and place, deadline.
    ``href_of(pk)`` may give a row another link than the request's page (a module's own page); ``with_requester``
    names who asked and for which unit (rows annotated with ``requester_name`` and ``unit_name``: an approver's)."""
    links = _Links()
    return [
        mark_safe(  # noqa: S308 (every value is escaped)
            f'<li class="row sla-{r.sla}"><a class="row-main" '
            f'href="{escape((href_of and href_of(r.pk)) or links.detail_of(r.pk))}">'
            f'<span class="row-top"><span class="num">{r.number}</span> '
            f'<span class="status st-{escape(r.status)}">{escape(r.status_label)}</span></span>'
            f'<span class="row-title">{escape(r.title)}</span>'
            + (
                f'<span class="row-meta">{escape(r.requester_name or "")} · {escape(r.unit_name or "")}</span>'
                if with_requester
                else ""
            )
            + f'<span class="row-meta">{escape(r.category.name)} · {_place(r)}</span>{_due(r)}</a></li>'
        )
        for r in rows
    ]
