"""Editing a contract's scoring scheme in the Django admin, as Dave (bureau admin, staff) does it: a valid scheme is
saved through scorecards.scheme_save, like the API's, and an invalid one is refused with the service's messages,
in Chinese or in English, and nothing is saved."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tickets.assessment import schemes
from tickets.models import Role, SchemeIndicator, ScoringScheme, ServiceLine

pytestmark = pytest.mark.django_db
GOOD = [
    {"indicator": "response_on_time", "method": "weight", "weight": "60", "target": "95"},
    {"indicator": "satisfaction", "method": "weight", "weight": "40"},
    {"indicator": "complaints", "method": "deduction", "per_unit": "2", "allowance": "1", "cap": "10"},
]
ADD = reverse("admin:tickets_scoringscheme_add")


def staff(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="tickets",
            codename__in=[
                f"{verb}_{model}"
                for verb in ("add", "change", "view", "delete")
                for model in ("scoringscheme", "schemeindicator")
            ],
        )
    )
    return user


def admin_client(user, language="zh-hans"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(staff(user))
    return client


def form_data(indicators, *, contract=None, existing=(), **rules):
    """The admin's POST: the scheme's fields and the indicator inline (existing rows first, by id)."""
    data = {
        "payment_rule": "threshold",
        "pass_score": "85",
        "base_percent": "15",
        "pool_percent": "5",
        "penalty_amounts": "{}",
        "appeal_days": "5",
        "indicators-TOTAL_FORMS": str(len(indicators)),
        "indicators-INITIAL_FORMS": str(len(existing)),
        "indicators-MIN_NUM_FORMS": "0",
        "indicators-MAX_NUM_FORMS": "1000",
        "_save": "保存",
    }
    if contract is not None:
        data["contract"] = str(contract.pk)
    data.update(rules)
    for n, row in enumerate(indicators):
        for field in ("indicator", "method", "weight", "target", "per_unit", "allowance", "cap"):
            data[f"indicators-{n}-{field}"] = row.get(
                field, "0" if field in ("weight", "per_unit", "allowance") else ""
            )
        data[f"indicators-{n}-sort"] = str(row.get("sort", n))
        if n < len(existing):
            data[f"indicators-{n}-id"] = str(existing[n])
        if row.get("DELETE"):
            data[f"indicators-{n}-DELETE"] = "on"
    return data


def errors_of(response) -> str:
    """The admin's messages on a refused form: the errornote, the fields' and the inline's error lists."""
    html = response.content.decode()
    return " ".join(part.split("</ul>")[0] for part in html.split('class="errorlist')[1:])


def test_admin_adds_a_scheme_saved_by_the_service(world, api):
    dave = admin_client(world.dave)
    assert dave.get(ADD).status_code == 200
    res = dave.post(ADD, form_data(GOOD, contract=world.contract, penalty_amounts='{"major": 3000}'))
    assert res.status_code == 302, errors_of(res)
    scheme = ScoringScheme.objects.get(contract=world.contract)
    assert res["Location"] == reverse("admin:tickets_scoringscheme_changelist")
    assert scheme.updated_by == world.dave and scheme.updated_at is not None
    assert [(i.indicator, i.weight, i.sort) for i in scheme.indicators.all()] == [
        ("response_on_time", Decimal("60.00"), 0),
        ("satisfaction", Decimal("40.00"), 1),
        ("complaints", Decimal("0.00"), 2),
    ]
    # the same scheme as the API reads it
    body = api(world.carol).get(f"/api/v1/assessment/contracts/{world.contract.pk}/scheme/").json()
    assert body == schemes.scheme_snapshot(scheme)
    assert body["penalty_amounts"]["major"] == 3000 and body["indicators"][2]["cap"] == "10.00"


def test_weights_that_do_not_add_up_are_refused_in_chinese(world):
    dave = admin_client(world.dave)
    short = [GOOD[0], {**GOOD[1], "weight": "30"}, GOOD[2]]
    res = dave.post(ADD, form_data(short, contract=world.contract))
    assert res.status_code == 200
    assert "权重指标的权重合计必须为100，当前为90。" in errors_of(res)
    assert not ScoringScheme.objects.exists()


def test_weights_that_do_not_add_up_are_refused_in_english(world):
    dave = admin_client(world.dave, language="en")
    short = [GOOD[0], {**GOOD[1], "weight": "30"}, GOOD[2]]
    res = dave.post(ADD, form_data(short, contract=world.contract))
    assert res.status_code == 200
    assert "The weights must add up to 100; they add up to 90." in errors_of(res)
    assert not ScoringScheme.objects.exists()


def test_a_scheme_without_indicators_is_refused(world):
    res = admin_client(world.dave).post(ADD, form_data([], contract=world.contract))
    assert res.status_code == 200 and "请至少设置一个考核指标。" in errors_of(res)
    assert not ScoringScheme.objects.exists()


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"pass_score": "120"}, "分数线应在0到100之间。"),
        ({"base_percent": "-5"}, "支付基数应在0到100之间。"),
        ({"payment_rule": "pool", "pool_percent": "150"}, "考核金比例应在0到100之间。"),
        ({"penalty_amounts": '{"major": -100}'}, "扣款金额不能为负数。"),
        ({"penalty_amounts": '{"huge": 100}'}, "未知的扣款等级：huge。"),
        ({"penalty_amounts": "[500, 800]"}, "应为等级到金额的对象。"),
        ({"appeal_days": "0"}, "申诉期限应在1到60天之间。"),
        ({"appeal_days": "90"}, "申诉期限应在1到60天之间。"),
    ],
)
def test_a_bad_payment_rule_is_refused(world, rules, message):
    res = admin_client(world.dave).post(ADD, form_data(GOOD, contract=world.contract, **rules))
    assert res.status_code == 200
    assert message in errors_of(res)
    assert not ScoringScheme.objects.exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"indicator": "complaints", "method": "deduction", "per_unit": "0"}, "扣分指标的每单位扣分必须大于0。"),
        ({"indicator": "satisfaction", "method": "weight", "weight": "40", "target": "0"}, "目标值必须大于0。"),
    ],
)
def test_a_bad_indicator_is_refused_on_its_row(world, row, message):
    rows = [GOOD[0], {**GOOD[1], "indicator": "inspection"}, row] if row["method"] == "deduction" else [GOOD[0], row]
    res = admin_client(world.dave).post(ADD, form_data(rows, contract=world.contract))
    assert res.status_code == 200
    assert message in errors_of(res)
    assert not ScoringScheme.objects.exists()


def test_admin_changes_a_scheme_and_a_bad_change_leaves_it_as_it_was(world):
    scheme = schemes.scheme_save(actor=world.carol, contract=world.contract, indicators=GOOD)
    ids = list(scheme.indicators.values_list("pk", flat=True))
    url = reverse("admin:tickets_scoringscheme_change", args=[scheme.pk])
    dave = admin_client(world.dave)
    page = dave.get(url)
    assert page.status_code == 200
    assert 'name="contract"' not in page.content.decode()  # a scheme stays with its contract

    # weights 50/50, the complaints deduction deleted, a lower pass mark and the lowest-site rule
    rows = [{**GOOD[0], "weight": "50"}, {**GOOD[1], "weight": "50"}, {**GOOD[2], "DELETE": True}]
    res = dave.post(url, form_data(rows, existing=ids, pass_score="80", lowest_site_rule="on"))
    assert res.status_code == 302, errors_of(res)
    scheme.refresh_from_db()
    assert scheme.pass_score == Decimal("80.00") and scheme.lowest_site_rule and scheme.updated_by == world.dave
    assert list(scheme.indicators.values_list("indicator", "weight")) == [
        ("response_on_time", Decimal("50.00")),
        ("satisfaction", Decimal("50.00")),
    ]

    ids = list(scheme.indicators.values_list("pk", flat=True))
    bad = [{**GOOD[0], "weight": "50"}, {**GOOD[1], "weight": "60"}]
    res = dave.post(url, form_data(bad, existing=ids, pass_score="85"))
    assert res.status_code == 200 and "当前为110" in errors_of(res)
    scheme.refresh_from_db()
    assert scheme.pass_score == Decimal("80.00")
    assert list(SchemeIndicator.objects.filter(scheme=scheme).values_list("weight", flat=True)) == [
        Decimal("50.00"),
        Decimal("50.00"),
    ]


def test_a_supervisor_edits_only_the_schemes_of_the_line(world):
    carol = admin_client(world.carol)
    assert carol.post(ADD, form_data(GOOD, contract=world.contract)).status_code == 302
    scheme = ScoringScheme.objects.get(contract=world.contract)
    vic = admin_client(world.vic)  # vehicles
    # another line's scheme is not listed, not opened, and its contract cannot be picked
    assert str(world.contract) not in vic.get(reverse("admin:tickets_scoringscheme_changelist")).content.decode()
    change = vic.get(reverse("admin:tickets_scoringscheme_change", args=[scheme.pk]))
    assert change.status_code == 302 and change["Location"] == reverse("admin:index")
    other = world.contract.__class__.objects.create(
        code="WY-2027",
        name="北院物业服务合同",
        contractor=world.other_contractor,
        service_line=ServiceLine.PROPERTY,
        starts_on=world.contract.starts_on,
        ends_on=world.contract.ends_on,
        sla_policy=world.policy,
        calendar=world.contract.calendar,
        monthly_fee=Decimal("50000"),
    )
    res = vic.post(ADD, form_data(GOOD, contract=other))
    assert res.status_code == 200 and "contract" in res.context["adminform"].form.errors
    assert not ScoringScheme.objects.filter(contract=other).exists()


def test_the_admin_site_stays_closed_to_non_staff(world):
    client = Client()
    client.force_login(UserFactory(username="eve", role=Role.ADMIN))
    res = client.get(ADD)
    assert res.status_code == 302 and res["Location"].startswith(reverse("admin:login"))
