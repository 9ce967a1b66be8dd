"""The quarterly and yearly roll-up page as its readers use it: Carol (property supervisor) and Dave (bureau admin)
open a quarter from the scorecards list, see each month's signed score and payment and the period's figures,
print it and download it as XLSX; Bob (the contractor's dispatcher) reads his own contract's; everyone else
gets 404, and an anonymous visitor the log-in page.

The months, by hand (fee 100,000 元 a month, threshold rule: ≥ 85 pays in full, otherwise (15 + score) %):
January signed at 100 → 100,000.00; February adjusted to 84 and signed → 99,000.00, less a 2,000 元 penalty
→ 97,000.00; March a draft only. First quarter: 2 months signed, mean 92.00, lowest 84.00, fees 200,000.00,
penalties 2,000.00, paid 197,000.00."""

from datetime import date
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import UserFactory
from tickets.assessment import schemes, selectors
from tickets.assessment import scorecards as sc
from tickets.models import Role, ServiceLine

pytestmark = pytest.mark.django_db
JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
INDICATORS = [
    {"indicator": "response_on_time", "method": "weight", "weight": 50},
    {"indicator": "satisfaction", "method": "weight", "weight": 50},
    {"indicator": "complaints", "method": "deduction", "per_unit": 2},
]


def client_for(user=None, language="zh-hans"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def quarter(world):
    schemes.scheme_save(actor=world.carol, contract=world.contract, indicators=INDICATORS)
    jan = sc.scorecard_sign(scorecard=sc.scorecard_draft(contract=world.contract, month=JAN), actor=world.carol)
    sc.penalty_record(
        actor=world.carol, contract=world.contract, month=FEB, severity="major", description="消防通道堵塞"
    )
    feb = sc.scorecard_draft(contract=world.contract, month=FEB)
    sat = feb.lines.get(indicator="satisfaction")
    feb = sc.scorecard_adjust(scorecard=feb, line=sat, points="34", reason="回访记录不全", actor=world.carol)
    feb = sc.scorecard_sign(scorecard=feb, actor=world.carol)
    march = sc.scorecard_draft(contract=world.contract, month=MAR)
    return jan, feb, march


def url(world, **query):
    base = reverse("assessment:rollup-page", args=[world.contract.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def xlsx_url(world, **query):
    base = reverse("assessment:rollup-xlsx", args=[world.contract.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_supervisor_opens_the_quarter_from_the_scorecards_list(world, quarter):
    jan, feb, march = quarter
    assert feb.score == 84 and feb.amount_payable == 97000
    carol = client_for(world.carol)
    listing = carol.get(reverse("assessment:scorecards-page")).content.decode()
    link = url(world, year=2026, quarter=1)
    assert 'id="rollups"' in listing and link.replace("&", "&amp;") in listing

    page = carol.get(link)
    html = page.content.decode()
    assert page.status_code == 200
    assert "南院物业服务合同 · 2026年第1季度 考核汇总" in html
    assert "恒安物业" in html
    jan_row = html.split('id="month-2026-01"')[1].split("</tr>")[0]
    assert "v1" in jan_row and "100.00" in jan_row and reverse("assessment:scorecard-page", args=[jan.pk]) in jan_row
    feb_row = html.split('id="month-2026-02"')[1].split("</tr>")[0]
    for figure in ("84.00", "100000.00", "99000.00", "2000.00", "97000.00"):
        assert figure in feb_row, figure
    mar_row = html.split('id="month-2026-03"')[1].split("</tr>")[0]
    # not signed: not counted; the supervisor can go to the draft and sign it
    assert "未签发" in mar_row and reverse("assessment:scorecard-page", args=[march.pk]) in mar_row
    assert 'id="signed-months">2 / 3<' in html
    assert 'id="mean-score">92.00<' in html
    assert 'id="lowest-score">84.00<' in html
    assert 'id="fee-total">200000.00<' in html
    assert 'id="penalty-total">2000.00<' in html
    assert 'id="payable-total">197000.00<' in html
    # printable: the print button, and the controls hidden on paper
    assert "data-print" in html and "@media print" in html and 'class="no-print' in html
    assert xlsx_url(world, year=2026, quarter=1).replace("&", "&amp;") in html
    # the figures are the service's, as the API gives them
    body = selectors.rollup(world.contract, 2026, 1)
    assert (body["mean_score"], body["payable_total"]) == ("92.00", "197000.00")


def test_the_year_and_its_neighbours(world, quarter):
    carol = client_for(world.carol)
    html = carol.get(url(world, year=2026)).content.decode()
    assert "2026年度" in html
    assert 'id="signed-months">2 / 12<' in html and 'id="payable-total">197000.00<' in html
    assert 'href="?year=2025"' not in html  # links carry the page's own path
    assert url(world, year=2025) in html and url(world, year=2027) in html
    q4 = carol.get(url(world, year=2026, quarter=4)).content.decode()
    assert 'id="signed-months">0 / 3<' in q4 and 'id="mean-score">—<' in q4 and 'id="payable-total">0.00<' in q4
    assert url(world, year=2027, quarter=1).replace("&", "&amp;") in q4
    assert url(world, year=2026, quarter=3).replace("&", "&amp;") in q4


def test_the_admin_sees_it_and_the_default_is_this_year(world, quarter):
    from django.utils import timezone

    page = client_for(world.dave).get(url(world))
    assert page.status_code == 200
    assert f"{timezone.localdate().year}年度" in page.content.decode()


def test_xlsx_of_the_quarter(world, quarter):
    res = client_for(world.carol).get(xlsx_url(world, year=2026, quarter=1))
    assert res.status_code == 200
    assert res["Content-Disposition"].startswith('attachment; filename="rollup-WY-2026-2026-Q1.xlsx"')
    ws = load_workbook(BytesIO(b"".join(res.streaming_content))).active
    assert ws.title == "考核汇总" and ws.freeze_panes == "A2"
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == ["月份", "版本", "状态", "得分", "月服务费(元)", "按得分应付(元)", "定额扣款(元)", "实付金额(元)"]
    assert ws["A1"].font.bold
    assert rows[1] == ["2026-01", "v1", "已签发", 100.0, 100000.0, 100000.0, 0.0, 100000.0]
    assert rows[2] == ["2026-02", "v1", "已签发", 84.0, 100000.0, 99000.0, 2000.0, 97000.0]
    assert rows[3][:3] == ["2026-03", None, "未签发"] and rows[3][3:] == [None] * 5
    assert rows[4][:3] == ["已签发月数", None, 2]
    assert rows[5][0] == "平均得分" and rows[5][3] == 92.0
    assert rows[6][0] == "最低得分" and rows[6][3] == 84.0
    assert rows[7] == ["合计", None, None, None, 200000.0, None, 2000.0, 197000.0]
    assert ws["H8"].font.bold and ws["H8"].number_format == "#,##0.00"
    assert "南院物业服务合同（恒安物业）" in rows[-1][0] and "2026年第1季度" in rows[-1][0]


def test_xlsx_in_english(world, quarter):
    res = client_for(world.carol, language="en").get(xlsx_url(world, year=2026))
    ws = load_workbook(BytesIO(b"".join(res.streaming_content))).active
    assert ws["A1"].value == "Month" and ws["H1"].value == "Amount paid (CNY)"


def test_the_contractors_dispatcher_reads_his_own_contract_only(world, quarter):
    _jan, _feb, march = quarter
    bob = client_for(world.bob)
    page = bob.get(url(world, year=2026, quarter=1))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="payable-total">197000.00<' in html
    # read-only, and the bureau's draft of March stays the bureau's
    assert '<form method="post"' not in html.split('<main id="main">')[1]
    assert reverse("assessment:scorecard-page", args=[march.pk]) not in html
    assert bob.get(xlsx_url(world, year=2026, quarter=1)).status_code == 200
    listing = bob.get(reverse("assessment:scorecards-page")).content.decode()
    assert url(world, year=2026, quarter=1).replace("&", "&amp;") in listing

    other = UserFactory(username="ding", role=Role.DISPATCHER, contractor=world.other_contractor)
    assert client_for(other).get(url(world, year=2026)).status_code == 404
    assert client_for(other).get(xlsx_url(world, year=2026)).status_code == 404


@pytest.mark.parametrize("who", ["alice", "wang", "zed", "vic", "uma"])
def test_everyone_else_gets_404(world, quarter, who):
    user = getattr(world, who)
    assert client_for(user).get(url(world, year=2026, quarter=1)).status_code == 404
    assert client_for(user).get(xlsx_url(world, year=2026, quarter=1)).status_code == 404


def test_another_lines_supervisor_gets_404_and_an_unknown_contract_404(world, quarter):
    fleet_sup = UserFactory(username="fay", role=Role.SUPERVISOR, service_line=ServiceLine.VEHICLES)
    assert client_for(fleet_sup).get(url(world)).status_code == 404
    missing = reverse("assessment:rollup-page", args=[world.contract.pk + 999])
    assert client_for(world.dave).get(missing).status_code == 404


def test_anonymous_is_sent_to_log_in(world, quarter):
    for target in (url(world, year=2026), xlsx_url(world, year=2026)):
        res = Client().get(target)
        assert res.status_code == 302 and res["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"year": "26"}, "年份无效。"),
        ({"year": "abc"}, "年份无效。"),
        ({"year": "2026", "quarter": "5"}, "季度应为1到4。"),
        ({"year": "2026", "quarter": "0"}, "季度应为1到4。"),
        ({"year": "2026", "quarter": "x"}, "季度应为1到4。"),
    ],
)
def test_a_bad_period_is_shown_with_the_form(world, quarter, query, message):
    carol = client_for(world.carol)
    page = carol.get(url(world, **query))
    html = page.content.decode()
    assert page.status_code == 400
    assert message in html and 'id="period-form"' in html and 'id="months"' not in html
    res = carol.get(xlsx_url(world, **query))
    assert res.status_code == 400 and message in res.content.decode()


def test_a_bad_period_of_a_contract_one_may_not_see_is_still_404(world, quarter):
    assert client_for(world.alice).get(url(world, year="abc")).status_code == 404
