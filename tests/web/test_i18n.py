"""Every page, as every role: in Chinese no English word shows through; in English no Chinese does, apart from
data (names of people, places, categories, titles) which is what the users typed."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.assessment.data import build_checklist
from tickets.models import (
    Building,
    BusinessCalendar,
    Category,
    Compound,
    Contract,
    Contractor,
    Event,
    Notification,
    ServiceRequest,
    SlaPolicy,
    Unit,
    User,
)
from tickets.services.feedback import feedback_submit
from tickets.services.transitions import transition

pytestmark = pytest.mark.django_db

# Words that are not English prose: acronyms, file types, the language switch's own name, request numbers.
ALLOWED_ASCII = {"SLA", "QR", "API", "ID", "PDF", "JPEG", "PNG", "WebP", "XLSX", "CSV", "MB", "English", "SD"}
ATTRS = ("placeholder", "aria-label", "title", "alt")


class VisibleText(HTMLParser):
    """The text a user sees or hears: element text and the labelling attributes, not scripts, styles or SVG."""

    SKIP = {"script", "style", "svg", "title"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        for name, value in attrs:
            if name in ATTRS and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def data_strings() -> set[str]:
    """Text the users and the bureau entered: shown as typed, in whatever language it was typed."""
    values: set[str] = set()
    for model, fields in (
        (User, ("full_name", "username")),
        (Compound, ("name",)),
        (Building, ("name",)),
        (Unit, ("name",)),
        (Contractor, ("name",)),
        (Category, ("name",)),
        (SlaPolicy, ("name", "code")),
        (BusinessCalendar, ("name",)),
        (Contract, ("name",)),
        (ServiceRequest, ("title", "description", "location_detail")),
        (Event, ("note", "on_behalf_of")),
        (Notification, ("title", "body")),
    ):
        for row in model.objects.values_list(*fields):
            values.update(v for v in row if v)
    from tickets.models import Comment, Complaint

    values.update(Comment.objects.values_list("body", flat=True))
    values.update(Complaint.objects.values_list("summary", flat=True))
    values.update(Complaint.objects.exclude(callback_note="").values_list("callback_note", flat=True))
    return values


@pytest.fixture
def pages(world, file_request):
    """(user, url) for every page, with requests in the states that show each form."""
    submitted = file_request(title="走廊灯不亮")
    working = file_request(title="空调不制冷")
    transition(service_request=working, action="assign", actor=world.bob, assignee=world.wang)
    transition(service_request=working, action="accept", actor=world.wang)
    transition(service_request=working, action="start", actor=world.wang)
    resolved = file_request(title="门锁损坏")
    transition(service_request=resolved, action="accept", actor=world.wang)
    transition(service_request=resolved, action="resolve", actor=world.wang, note="已更换门锁")
    complained = file_request(title="水龙头漏水")
    transition(service_request=complained, action="accept", actor=world.wang)
    transition(service_request=complained, action="resolve", actor=world.wang, note="已修")
    feedback_submit(service_request=complained, actor=world.alice, rating=1, comment="还在漏")
    unrouted = file_request(title="楼道保洁", category=world.cleaning, room=None, compound=world.compound)
    detail = lambda r: reverse("request-detail", args=[r.pk])  # noqa: E731
    new = reverse("request-new")
    return [
        (None, reverse("login")),
        (world.alice, reverse("home")),
        (world.alice, new),
        (world.alice, new + "?line=property&root=repair"),
        (world.alice, new + "?root=complaint"),
        (world.alice, new + "?line=office_space"),
        (world.alice, f"{new}?category={world.leak.pk}"),
        (world.alice, f"{new}?category={world.leak.pk}&compound={world.compound.pk}&building={world.building.pk}"),
        (world.alice, f"{new}?category={world.leak.pk}&room={world.room.pk}"),
        (world.alice, reverse("request-list")),
        (world.alice, reverse("request-list") + "?state=all"),
        (world.alice, detail(submitted)),
        (world.alice, detail(resolved)),
        (world.alice, detail(complained)),
        (world.alice, reverse("notifications")),
        (world.uma, reverse("awaiting-approval")),
        (world.alice, reverse("request-detail", args=[999999])),  # 404 page
        (world.alice, reverse("workbench")),  # 403 page
        (world.bob, reverse("workbench")),
        (world.bob, reverse("workbench") + "?status=submitted&who=unassigned&sla=overdue"),
        (world.bob, detail(submitted)),
        (world.bob, reverse("qr-index")),
        (world.bob, reverse("qr-sheet", args=[world.building.pk])),
        (world.bob, reverse("notifications")),
        (world.wang, reverse("my-tasks")),
        (world.wang, detail(working)),
        (world.wang, reverse("notifications")),
        (world.carol, reverse("console")),
        (world.carol, reverse("complaints")),
        (world.carol, reverse("complaints") + "?state=all"),
        (world.carol, detail(unrouted)),
        (world.carol, detail(complained)),
        (world.carol, reverse("notifications")),
        (world.dave, reverse("console")),
        (world.uma, detail(submitted)),
    ]


# Forms posted with mistakes, so the error messages are checked too.
def bad_posts(world):
    return [
        (world.alice, f"{reverse('request-new')}?category={world.leak.pk}&scan={world.room.pk}", {"title": ""}),
        (world.alice, reverse("login"), {"username": "alice", "password": "wrong"}),
    ]


def _get(as_user, user, url, language):
    client = as_user(user, language=language)
    response = client.get(url)
    assert response.status_code in (200, 403, 404), (url, response.status_code)
    return response.content.decode()


def test_every_page_in_chinese_has_no_english_word(world, as_user, pages):
    data = data_strings()
    for user, url in pages:
        html = _get(as_user, user, url, "zh-hans")
        _assert_no_english(html, data, user, url)
    for user, url, form in bad_posts(world):
        html = as_user(user if url != reverse("login") else None).post(url, form).content.decode()
        _assert_no_english(html, data, user, url)


def _assert_no_english(html, data, user, url):
    text = visible_text(html)
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    words = set(re.findall(r"[A-Za-z]{2,}", text))
    stray = words - ALLOWED_ASCII
    assert not stray, f"{user} {url}: untranslated {sorted(stray)}"


def test_every_page_in_english_has_no_chinese_outside_the_data(world, as_user, pages):
    data = data_strings()
    for user, url in pages:
        html = _get(as_user, user, url, "en")
        text = visible_text(html)
        for value in sorted(data, key=len, reverse=True):
            text = text.replace(value, " ")
        text = text.replace("简体中文", " ")  # the language switch names each language in itself
        chinese = re.findall(r"[\u3400-\u9fff\uff08\uff09\uff0c\uff1a\u3001\u3002]+", text)
        assert not chinese, f"{user} {url}: not translated {chinese}"


# --- the assessment pages (inspections, scorecards, appeals) -------------------------------------------------


def assessment_data_strings() -> set[str]:
    """What the bureau and the contractor typed on the assessment pages: checklists, notes, reasons, appeals."""
    from tickets.models import (
        ChecklistItem,
        ChecklistTemplate,
        Inspection,
        InspectionResult,
        PenaltyEvent,
        Scorecard,
        ScorecardAdjustment,
        ScorecardAppeal,
    )

    values: set[str] = set()
    for model, fields in (
        (ChecklistTemplate, ("name",)),
        (ChecklistItem, ("text", "unit")),
        (Inspection, ("note",)),
        (InspectionResult, ("note",)),
        (PenaltyEvent, ("description",)),
        (Scorecard, ("reason",)),
        (ScorecardAdjustment, ("reason",)),
        (ScorecardAppeal, ("text", "answer")),
        (Contract, ("code",)),
    ):
        for row in model.objects.values_list(*fields):
            values.update(v for v in row if v)
    return values


@pytest.fixture
def assessment_pages(world):
    """(user, url) for the inspection and scorecard pages in the states that show each form, and bad posts."""
    from datetime import date, timedelta

    from django.utils import timezone

    from tickets.assessment import schemes
    from tickets.assessment import scorecards as sc
    from tickets.assessment.inspections import ItemInput, inspection_record

    template, floor, dust, tidy = build_checklist(world)
    inspection = inspection_record(
        actor=world.carol,
        template=template,
        contract=world.contract,
        compound=world.compound,
        building=world.building,
        results=[
            ItemInput(item=floor.pk, passed=False, note="卫生间积水"),
            ItemInput(item=dust.pk, measured="0.8"),
            ItemInput(item=tidy.pk, score="15"),
        ],
        note="三月抽检",
    )
    indicators = [
        {"indicator": "response_on_time", "method": "weight", "weight": 50},
        {"indicator": "satisfaction", "method": "weight", "weight": 50},
        {"indicator": "complaints", "method": "deduction", "per_unit": 2},
    ]
    schemes.scheme_save(actor=world.carol, contract=world.contract, indicators=indicators)
    feb = sc.scorecard_draft(contract=world.contract, month=date(2026, 2, 1))
    sc.penalty_record(
        actor=world.carol, contract=world.contract, month=date(2026, 2, 1), severity="major", description="消防通道堵塞"
    )
    sc.scorecard_adjust(scorecard=feb, line=feb.lines.first(), points="45", reason="回访记录不全", actor=world.carol)
    feb = sc.scorecard_sign(scorecard=feb, actor=world.carol)
    sc.appeal_submit(scorecard=feb, actor=world.bob, text="停水期间超时不应计入")
    march = sc.scorecard_sign(
        scorecard=sc.scorecard_draft(contract=world.contract, month=date(2026, 3, 1)),
        actor=world.carol,
        now=timezone.now() - timedelta(days=10),
    )
    feb_v2 = sc.scorecard_revise(scorecard=feb, actor=world.carol, reason="核实申诉")
    april = sc.scorecard_sign(
        scorecard=sc.scorecard_draft(contract=world.contract, month=date(2026, 4, 1)), actor=world.carol
    )
    new = reverse("assessment:inspection-new")
    step_two = f"{new}?contract={world.contract.pk}&template={template.pk}"
    card = lambda c: reverse("assessment:scorecard-page", args=[c.pk])  # noqa: E731
    act = lambda c, a: reverse("assessment:scorecard-action", args=[c.pk, a])  # noqa: E731
    detail = reverse("assessment:inspection-page", args=[inspection.pk])
    rollup = reverse("assessment:rollup-page", args=[world.contract.pk])
    pages = [
        (world.carol, reverse("assessment:inspections-page")),
        (world.carol, reverse("assessment:inspections-page") + "?failed=1"),
        (world.carol, new),
        (world.carol, step_two),
        (world.carol, detail),
        (world.carol, reverse("assessment:scorecards-page")),
        (world.carol, card(feb)),
        (world.carol, card(feb_v2)),
        (world.carol, card(april)),
        (world.bob, reverse("assessment:inspections-page")),
        (world.bob, detail),
        (world.bob, reverse("assessment:scorecards-page")),
        (world.bob, card(feb)),
        (world.bob, card(march)),
        (world.bob, card(april)),
        (world.alice, reverse("assessment:inspections-page")),  # 403 page
        (world.carol, f"{rollup}?year=2026&quarter=1"),  # signed months, February's revision in progress
        (world.carol, f"{rollup}?year=2026&quarter=2"),  # April signed, May and June without a scorecard
        (world.carol, f"{rollup}?year=2026"),
        (world.carol, f"{rollup}?year=2026&quarter=9"),  # the period form with its error (400)
        (world.bob, f"{rollup}?year=2026&quarter=1"),
        (world.bob, f"{rollup}?year=2026"),
    ]
    bad = [
        (world.carol, step_two, {f"item_{dust.pk}": "abc", f"item_{tidy.pk}": "25"}),
        (world.carol, act(feb_v2, "adjust"), {"adjust-line": "", "adjust-points": "", "adjust-reason": ""}),
        (world.carol, act(feb_v2, "penalty"), {}),
        (
            world.carol,
            act(feb, "adjust"),
            {"adjust-line": feb.lines.first().pk, "adjust-points": "1", "adjust-reason": "核对"},
        ),
        (world.bob, act(feb, "appeal"), {"appeal-text": "再申诉"}),
        (world.bob, act(march, "appeal"), {"appeal-text": "晚了"}),
        (world.bob, act(april, "appeal"), {"appeal-text": ""}),
    ]
    return pages, bad


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_assessment_pages_are_translated(world, as_user, assessment_pages, language):
    pages, bad = assessment_pages
    data = data_strings() | assessment_data_strings()
    data |= {str(v) for _user, _url, form in bad for v in form.values() if v}  # what the user typed, shown again
    responses = [(user, url, as_user(user, language=language).get(url)) for user, url in pages]
    responses += [(user, url, as_user(user, language=language).post(url, form)) for user, url, form in bad]
    for user, url, response in responses:
        assert response.status_code in (200, 400, 403, 404, 409), (user, url, response.status_code)
        html = response.content.decode()
        if language == "zh-hans":
            _assert_no_english(html, data, user, url)
            continue
        text = visible_text(html)
        for value in sorted(data, key=len, reverse=True):
            text = text.replace(value, " ")
        text = text.replace("简体中文", " ")
        chinese = re.findall(r"[\u3400-\u9fff\uff08\uff09\uff0c\uff1a\u3001\u3002]+", text)
        assert not chinese, f"{user} {url}: not translated {chinese}"
