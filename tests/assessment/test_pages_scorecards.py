"""The scorecard page as its users work it: Carol adjusts with reasons, records penalties, signs and revises;
Bob (the contractor's dispatcher) appeals once in time; Carol answers. Every refusal reads as a message."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from tickets.assessment import schemes
from tickets.assessment import scorecards as sc
from tickets.models import PenaltyEvent, Role, Scorecard, ScorecardAppeal

pytestmark = pytest.mark.django_db
MARCH = date(2026, 3, 1)
INDICATORS = [
    {"indicator": "response_on_time", "method": "weight", "weight": 50},
    {"indicator": "satisfaction", "method": "weight", "weight": 50},
    {"indicator": "complaints", "method": "deduction", "per_unit": 2},
]


def client_for(user=None):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def draft(world):
    schemes.scheme_save(actor=world.carol, contract=world.contract, indicators=INDICATORS)
    # no requests in March: full weights, no deductions, 100 points
    return sc.scorecard_draft(contract=world.contract, month=MARCH)


def signed(world, card, *, days_ago=0):
    return sc.scorecard_sign(scorecard=card, actor=world.carol, now=timezone.now() - timedelta(days=days_ago))


def url(card):
    return reverse("assessment:scorecard-page", args=[card.pk])


def act(card, action):
    return reverse("assessment:scorecard-action", args=[card.pk, action])


def line_of(card, indicator):
    return card.lines.get(indicator=indicator)


def test_supervisor_adjusts_with_a_reason_records_a_penalty_and_signs(world, draft):
    carol = client_for(world.carol)
    page = carol.get(url(draft))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="form-adjust"' in html and 'id="form-penalty"' in html and 'id="form-sign"' in html
    assert "严重（2000元）" in html  # the amount by severity, from the contract's scheme

    sat = line_of(draft, "satisfaction")
    res = carol.post(
        act(draft, "adjust"),
        {"adjust-line": sat.pk, "adjust-points": "45", "adjust-reason": "三月满意度回访有两起未回访"},
        follow=True,
    )
    html = res.content.decode()
    assert res.redirect_chain[-1][0] == url(draft)
    assert "评分已调整" in html and "50.00 → 45.00 · 三月满意度回访有两起未回访" in html
    draft.refresh_from_db()
    assert draft.score == Decimal("95.00")

    res = carol.post(
        act(draft, "penalty"), {"penalty-severity": "major", "penalty-description": "消防通道堵塞"}, follow=True
    )
    html = res.content.decode()
    assert "已登记定额扣款2000.00元" in html and "消防通道堵塞" in html
    # the open draft shows the deduction at once
    draft.refresh_from_db()
    assert draft.penalty_total == Decimal("2000.00") and draft.amount_payable == Decimal("98000.00")
    assert '<th colspan="2" id="amount-payable">98000.00</th>' in html

    res = carol.post(act(draft, "sign"), follow=True)
    html = res.content.decode()
    assert "评分表已签发，此后不能修改" in html and 'id="form-adjust"' not in html
    draft.refresh_from_db()
    assert draft.state == Scorecard.State.SIGNED and draft.signed_by == world.carol


def test_adjusting_without_a_reason_or_out_of_range_is_refused_on_the_page(world, draft):
    carol = client_for(world.carol)
    sat = line_of(draft, "satisfaction")
    res = carol.post(act(draft, "adjust"), {"adjust-line": sat.pk, "adjust-points": "45", "adjust-reason": " "})
    assert res.status_code == 400
    assert res.context["forms"]["adjust"].errors["reason"] == ["调整评分必须写明理由。"]
    assert "请按提示修改后重新提交" in res.content.decode()
    res = carol.post(act(draft, "adjust"), {"adjust-line": sat.pk, "adjust-points": "60", "adjust-reason": "多给"})
    assert res.status_code == 400
    assert res.context["forms"]["adjust"].errors["points"] == ["得分应在0到50之间。"]
    res = carol.post(act(draft, "adjust"), {"adjust-line": sat.pk, "adjust-points": "很多", "adjust-reason": "x"})
    assert res.status_code == 400 and "points" in res.context["forms"]["adjust"].errors
    ded = line_of(draft, "complaints")
    res = carol.post(act(draft, "adjust"), {"adjust-line": ded.pk, "adjust-points": "3", "adjust-reason": "加分"})
    assert res.status_code == 400
    assert res.context["forms"]["adjust"].errors["points"] == ["扣分项的得分应为0或负数。"]
    res = carol.post(act(draft, "penalty"), {"penalty-severity": "major", "penalty-description": ""})
    assert res.status_code == 400
    assert res.context["forms"]["penalty"].errors["description"] == ["请填写扣款事由。"]
    draft.refresh_from_db()
    assert draft.score == Decimal("100.00") and not draft.adjustments.exists()
    assert not PenaltyEvent.objects.exists()


def test_a_signed_card_is_frozen_and_a_change_is_a_new_revision_with_a_reason(world, draft):
    v1 = signed(world, draft)
    carol = client_for(world.carol)
    page = carol.get(url(v1)).content.decode()
    assert 'id="form-adjust"' not in page and 'id="form-revise"' in page
    # a stale form posted after signing: the page says why, nothing changes
    sat = line_of(v1, "satisfaction")
    res = carol.post(act(v1, "adjust"), {"adjust-line": sat.pk, "adjust-points": "40", "adjust-reason": "更正"})
    assert res.status_code == 409
    assert "已签发的评分表不能修改；如需更正，请新建修订版并说明理由。" in res.content.decode()
    res = carol.post(act(v1, "penalty"), {"penalty-severity": "minor", "penalty-description": "迟到"})
    assert res.status_code == 400 and "该月评分表已签发" in res.content.decode()

    res = carol.post(act(v1, "revise"), {"revise-reason": ""})
    assert res.status_code == 400
    assert res.context["forms"]["revise"].errors["reason"] == ["新建修订版必须写明理由。"]

    res = carol.post(act(v1, "revise"), {"revise-reason": "服务商补交了回访记录"}, follow=True)
    v2 = Scorecard.objects.get(contract=world.contract, month=MARCH, revision=2)
    assert res.redirect_chain[-1][0] == url(v2)
    html = res.content.decode()
    assert "已新建修订版 v2" in html and "修订原因：服务商补交了回访记录" in html
    assert 'id="revisions"' in html and url(v1) in html  # the history links back to v1
    carol.post(
        act(v2, "adjust"),
        {"adjust-line": line_of(v2, "satisfaction").pk, "adjust-points": "48", "adjust-reason": "补交记录核实"},
    )
    carol.post(act(v2, "sign"))
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert v1.score == Decimal("100.00") and v1.state == Scorecard.State.SIGNED  # v1 stays as it was signed
    assert v2.score == Decimal("98.00") and v2.state == Scorecard.State.SIGNED
    # v1's page now points to the newer version and offers no second revision of itself
    old = carol.get(url(v1)).content.decode()
    assert "该月已有更新的版本" in old and 'id="form-revise"' not in old


def test_contractor_appeals_once_and_the_supervisor_answers(world, draft):
    card = signed(world, draft)
    bob = client_for(world.bob)
    page = bob.get(url(card)).content.decode()
    assert 'id="form-appeal"' in page and 'id="form-sign"' not in page and 'id="form-revise"' not in page

    res = bob.post(act(card, "appeal"), {"appeal-text": ""})
    assert res.status_code == 400 and res.context["forms"]["appeal"].errors["text"] == ["请填写申诉理由。"]

    res = bob.post(act(card, "appeal"), {"appeal-text": "3月12日停水，到场超时不应计入"}, follow=True)
    html = res.content.decode()
    assert "申诉已提交" in html and "3月12日停水" in html and "待处理" in html
    assert 'id="form-appeal"' not in html and "每月只能申诉一次" in html

    # a second appeal (a second tab, a double click): a message on the page, no second appeal
    res = bob.post(act(card, "appeal"), {"appeal-text": "再申诉一次"})
    assert res.status_code == 409
    assert "该月评分已申诉过，每月只能申诉一次。" in res.content.decode()
    assert ScorecardAppeal.objects.count() == 1

    appeal = ScorecardAppeal.objects.get()
    answer_url = reverse("assessment:appeal-answer", args=[appeal.pk])
    carol = client_for(world.carol)
    assert 'id="form-answer"' in carol.get(url(card)).content.decode()
    res = carol.post(answer_url, {"answer-answer": ""})
    assert res.status_code == 400 and res.context["forms"]["answer"].errors["answer"] == ["请填写答复。"]
    res = carol.post(answer_url, {"answer-answer": "核实属实，已新建修订版更正"}, follow=True)
    assert "已答复申诉" in res.content.decode()
    res = carol.post(answer_url, {"answer-answer": "再答一次"})  # a stale form from a second tab
    assert res.status_code == 409 and "该申诉已答复。" in res.content.decode()
    appeal.refresh_from_db()
    assert appeal.state == ScorecardAppeal.State.ANSWERED and appeal.answer == "核实属实，已新建修订版更正"
    assert "核实属实，已新建修订版更正" in bob.get(url(card)).content.decode()
    # the contractor may not answer its own appeal
    assert bob.post(answer_url, {"answer-answer": "自己答"}).status_code == 403


def test_a_late_appeal_is_refused_with_the_deadline(world, draft):
    card = signed(world, draft, days_ago=6)  # the scheme allows 5 days
    bob = client_for(world.bob)
    page = bob.get(url(card)).content.decode()
    assert "申诉期限已过" in page and 'id="form-appeal"' not in page
    res = bob.post(act(card, "appeal"), {"appeal-text": "晚了也想申诉"})
    assert res.status_code == 409
    assert "已超过申诉期限（签发后5天内）。" in res.content.decode()
    assert not ScorecardAppeal.objects.exists()


def test_who_may_see_and_act(world, draft):
    other_dispatcher = UserFactory(username="qian", contractor=world.other_contractor, role=Role.DISPATCHER)
    # a draft is the bureau's: the contractor does not see it at all
    assert client_for(world.bob).get(url(draft)).status_code == 404
    assert client_for(world.bob).post(act(draft, "sign")).status_code == 404
    card = signed(world, draft)
    for path in (url(card), act(card, "appeal"), act(card, "sign")):
        res = client_for().post(path) if "/do/" in path else client_for().get(path)
        assert res.status_code == 302 and res["Location"].startswith(reverse("login")), path
        # another contractor (dispatcher or worker), the supervisor of another line, a requester: not found
        for user in (other_dispatcher, world.zed, world.vic, world.alice, world.wang):
            c = client_for(user)
            res = c.post(path, {"appeal-text": "不是我的"}) if "/do/" in path else c.get(path)
            assert res.status_code == 404, (user, path)
    assert not ScorecardAppeal.objects.exists()
    # the contractor may not sign, adjust or revise; the bureau may not appeal
    bob = client_for(world.bob)
    assert bob.post(act(card, "revise"), {"revise-reason": "想改"}).status_code == 403
    assert bob.post(act(card, "penalty"), {}).status_code == 403
    assert client_for(world.carol).post(act(card, "appeal"), {"appeal-text": "x"}).status_code == 403
    assert client_for(world.carol).post(act(card, "unknown")).status_code == 404
    assert client_for(world.carol).get(act(card, "sign")).status_code == 405
    # the list: requesters are refused, Bob sees his signed card, Carol hers, Vic none
    assert client_for(world.alice).get(reverse("assessment:scorecards-page")).status_code == 403
    assert url(card) in client_for(world.bob).get(reverse("assessment:scorecards-page")).content.decode()
    assert url(card) not in client_for(world.vic).get(reverse("assessment:scorecards-page")).content.decode()
    assert url(card) in client_for(world.dave).get(reverse("assessment:scorecards-page")).content.decode()
