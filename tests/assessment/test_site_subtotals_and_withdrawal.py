"""The scorecard by site and the withdrawal of a fixed penalty (issue #16, item 8).

Hand-computed figures of March (month_data): south 75 % on time → 37.50, 100 % satisfied → 50, one complaint
−2 = 85.50; north 50 % → 25, 50 % → 25 = 50.00. With the lowest-site rule the month's score is north's 50.00:
(15 + 50) % of 100000 = 65000, less a 2000 penalty = 63000.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.assessment.test_scorecards import INDICATORS, MARCH, NOW, month_data  # noqa: F401 (fixture)
from tests.factories import UserFactory
from tickets.assessment import schemes
from tickets.assessment import scorecards as sc
from tickets.exceptions import ActionForbidden, TransitionNotAllowed
from tickets.models import PenaltyEvent, Role, Scorecard

pytestmark = pytest.mark.django_db


@pytest.fixture
def by_site(world, month_data):  # noqa: F811
    schemes.scheme_save(actor=world.carol, contract=world.contract, indicators=INDICATORS, lowest_site_rule=True)
    penalty = sc.penalty_record(
        actor=world.carol, contract=world.contract, month=MARCH, severity="major", description="消防通道堵塞", now=NOW
    )
    card = sc.scorecard_draft(contract=world.contract, month=MARCH, now=NOW)
    return card, penalty


def client_for(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def page_url(card):
    return reverse("assessment:scorecard-page", args=[card.pk])


def act(card, action):
    return reverse("assessment:scorecard-action", args=[card.pk, action])


def line(card, compound, indicator):
    return card.lines.get(compound=compound, indicator=indicator)


# --- per-site subtotals ---------------------------------------------------------------------------------------


def test_the_page_shows_each_sites_subtotal_and_which_one_is_the_months_score(world, by_site):
    card, _penalty = by_site
    html = client_for(world.carol).get(page_url(card)).content.decode()
    south = html.split(f'id="site-{world.compound.pk}"')[1].split("</tbody>")[0]
    north = html.split(f'id="site-{world.other_compound.pk}"')[1].split("</tbody>")[0]
    assert "南院小计" in south and '<th class="site-score">85.50</th>' in south
    assert "最低院区，计为本月得分" not in south
    assert "北院小计" in north and '<th class="site-score">50.00</th>' in north
    assert "最低院区，计为本月得分" in north
    assert "本月得分取北院的小计 50.00" in html
    assert '<th colspan="2" id="total-score">50.00</th>' in html


def test_an_adjustment_on_another_site_moves_its_subtotal_and_says_why_the_month_did_not_move(world, by_site):
    card, _penalty = by_site
    complaints = line(card, world.compound, "complaints")
    res = client_for(world.carol).post(
        act(card, "adjust"),
        {"adjust-line": complaints.pk, "adjust-points": "0", "adjust-reason": "投诉经核实不成立"},
        follow=True,
    )
    html = res.content.decode()
    assert "评分已调整：南院小计 85.50 → 87.50；本月得分按最低院区（北院）计为 50.00。" in html
    south = html.split(f'id="site-{world.compound.pk}"')[1].split("</tbody>")[0]
    assert '<th class="site-score">87.50</th>' in south
    assert "南院 · 投诉 -2.00 → 0.00 · 投诉经核实不成立" in html  # the history names the site
    card.refresh_from_db()
    assert card.site_scores[str(world.compound.pk)] == "87.50" and card.score == Decimal("50.00")
    assert card.amount_payable == Decimal("63000.00")


def test_when_the_lowest_site_is_raised_above_another_the_other_counts(world, by_site, api):
    card, _penalty = by_site
    for indicator in ("response_on_time", "satisfaction"):
        card = sc.scorecard_adjust(
            scorecard=card,
            line=line(card, world.other_compound, indicator),
            points="50",
            reason="北院三月停电期间的超时不计",
            actor=world.carol,
        )
    # north 100.00, south 85.50: the month's score is south's; 85.50 ≥ 85 pays the full fee, less 2000
    assert card.score == Decimal("85.50")
    assert card.fee_payable == Decimal("100000.00") and card.amount_payable == Decimal("98000.00")
    body = api(world.carol).get(f"/api/v1/assessment/scorecards/{card.pk}/").json()
    assert body["sites"] == [
        {"compound": world.compound.pk, "name": "南院", "score": "85.50", "counts": True},
        {"compound": world.other_compound.pk, "name": "北院", "score": "100.00", "counts": False},
    ]


def test_a_card_over_the_whole_contract_has_no_subtotal_rows(world, month_data, api):  # noqa: F811
    schemes.scheme_save(actor=world.carol, contract=world.contract, indicators=INDICATORS)
    card = sc.scorecard_draft(contract=world.contract, month=MARCH, now=NOW)
    html = client_for(world.carol).get(page_url(card)).content.decode()
    assert "小计" not in html and 'id="site-rule"' not in html
    body = api(world.carol).get(f"/api/v1/assessment/scorecards/{card.pk}/").json()
    assert body["sites"] == [{"compound": None, "name": "全合同", "score": "68.84", "counts": False}]


# --- withdrawing a fixed penalty ------------------------------------------------------------------------------


def test_the_bureau_withdraws_a_penalty_with_a_reason_and_the_draft_pays_it_back(world, by_site):
    card, penalty = by_site
    assert card.penalty_total == Decimal("2000.00") and card.amount_payable == Decimal("63000.00")
    with pytest.raises(ValidationError) as err:
        sc.penalty_withdraw(penalty=penalty, actor=world.carol, reason="  ")
    assert err.value.message_dict == {"reason": ["撤销扣款必须写明理由。"]}
    with pytest.raises(ActionForbidden):
        sc.penalty_withdraw(penalty=penalty, actor=world.bob, reason="不是我们")
    with pytest.raises(ActionForbidden):
        sc.penalty_withdraw(penalty=penalty, actor=world.vic, reason="另一条线")
    sc.penalty_withdraw(penalty=penalty, actor=world.carol, reason="通道由消防检查临时占用，非物业责任", now=NOW)
    card.refresh_from_db()
    assert card.penalty_total == Decimal("0.00") and card.amount_payable == Decimal("65000.00")
    penalty.refresh_from_db()
    assert penalty.withdrawn_by == world.carol and penalty.withdrawn_at == NOW
    assert PenaltyEvent.objects.count() == 1  # kept, not deleted
    with pytest.raises(TransitionNotAllowed):
        sc.penalty_withdraw(penalty=penalty, actor=world.carol, reason="再撤一次")
    # signing counts only what was not withdrawn
    signed = sc.scorecard_sign(scorecard=card, actor=world.carol, now=NOW)
    assert signed.amount_payable == Decimal("65000.00")


def test_a_signed_month_takes_a_new_revision_before_a_withdrawal(world, by_site):
    card, penalty = by_site
    v1 = sc.scorecard_sign(scorecard=card, actor=world.carol, now=NOW)
    with pytest.raises(TransitionNotAllowed) as err:
        sc.penalty_withdraw(penalty=penalty, actor=world.carol, reason="误记")
    assert "请先新建修订版" in err.value.message
    penalty.refresh_from_db()
    assert penalty.withdrawn_at is None
    v2 = sc.scorecard_revise(scorecard=v1, actor=world.carol, reason="撤销误记的扣款")
    sc.penalty_withdraw(penalty=penalty, actor=world.carol, reason="误记")
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert v1.amount_payable == Decimal("63000.00")  # the signed revision is frozen
    assert v2.amount_payable == Decimal("65000.00")


def test_withdrawal_through_the_api_answers_400_403_404_409(world, by_site, api):
    card, penalty = by_site
    url = reverse("assessment-api:penalty-withdraw", args=[penalty.pk])
    other_dispatcher = UserFactory(username="odd", contractor=world.other_contractor, role=Role.DISPATCHER)
    assert api().post(url, {"reason": "x"}, format="json").status_code in (401, 403)
    assert api(world.alice).post(url, {"reason": "x"}, format="json").status_code == 404
    assert api(other_dispatcher).post(url, {"reason": "x"}, format="json").status_code == 404
    assert api(world.vic).post(url, {"reason": "x"}, format="json").status_code == 404
    assert api(world.bob).post(url, {"reason": "x"}, format="json").status_code == 403
    blank = api(world.carol).post(url, {"reason": ""}, format="json")
    assert blank.status_code == 400 and blank.json()["reason"] == ["撤销扣款必须写明理由。"]
    long = api(world.carol).post(url, {"reason": "长" * 301}, format="json")
    assert long.status_code == 400 and "reason" in long.json()
    assert api(world.carol).post(url + "x", {"reason": "x"}, format="json").status_code == 404
    penalty.refresh_from_db()
    assert penalty.withdrawn_at is None
    ok = api(world.carol).post(url, {"reason": "误记"}, format="json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["withdraw_reason"] == "误记" and ok.json()["withdrawn_by"] == "陈主管"
    again = api(world.carol).post(url, {"reason": "误记"}, format="json")
    assert again.status_code == 409 and "已撤销" in again.json()["detail"]
    detail = api(world.carol).get(f"/api/v1/assessment/scorecards/{card.pk}/").json()
    assert detail["penalty_total"] == "0.00" and detail["amount_payable"] == "65000.00"
    assert detail["penalties"][0]["withdraw_reason"] == "误记"


def test_withdrawal_on_the_page_is_recorded_in_the_history(world, by_site):
    card, penalty = by_site
    carol = client_for(world.carol)
    html = carol.get(page_url(card)).content.decode()
    assert 'id="form-withdraw"' in html and "严重 2000.00元 · 消防通道堵塞" in html
    res = carol.post(act(card, "withdraw"), {"withdraw-penalty": penalty.pk, "withdraw-reason": ""})
    assert res.status_code == 400
    assert res.context["forms"]["withdraw"].errors["reason"] == ["撤销扣款必须写明理由。"]
    res = carol.post(
        act(card, "withdraw"),
        {"withdraw-penalty": penalty.pk, "withdraw-reason": "通道由消防检查临时占用"},
        follow=True,
    )
    html = res.content.decode()
    assert res.redirect_chain[-1][0] == page_url(card)
    assert "已撤销定额扣款2000.00元" in html
    assert f'<li id="penalty-{penalty.pk}" class="withdrawn">' in html
    history = html.split('id="adjustments"')[1].split("</ul>")[0]
    assert history.index("登记定额扣款 严重 2000.00元") < history.index("撤销定额扣款 严重 2000.00元")
    assert "通道由消防检查临时占用 — 陈主管" in history
    assert '<th colspan="2" id="amount-payable">65000.00</th>' in html
    assert 'id="form-withdraw"' not in html  # nothing left to withdraw
    # a second tab still holding the form: the service says it is done already
    again = carol.post(act(card, "withdraw"), {"withdraw-penalty": penalty.pk, "withdraw-reason": "再撤"})
    assert again.status_code == 409 and "该笔扣款已撤销" in again.content.decode()


def test_the_page_refuses_a_withdrawal_on_a_signed_card_and_from_the_contractor(world, by_site):
    card, penalty = by_site
    signed = sc.scorecard_sign(scorecard=card, actor=world.carol, now=NOW)
    carol = client_for(world.carol)
    assert 'id="form-withdraw"' not in carol.get(page_url(signed)).content.decode()
    res = carol.post(act(signed, "withdraw"), {"withdraw-penalty": penalty.pk, "withdraw-reason": "误记"})
    assert res.status_code == 409 and "请先新建修订版" in res.content.decode()
    bob = client_for(world.bob)
    res = bob.post(act(signed, "withdraw"), {"withdraw-penalty": penalty.pk, "withdraw-reason": "误记"})
    assert res.status_code == 403
    penalty.refresh_from_db()
    assert penalty.withdrawn_at is None
    assert Scorecard.objects.get(pk=signed.pk).amount_payable == Decimal("63000.00")
