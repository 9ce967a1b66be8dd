from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

SPACE_KIND = "office_space"
VACATE_KIND = "office_vacating"


class OfficesConfig(AppConfig):
    name = "offices"
    verbose_name = _("办公用房")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from offices import imports, steps
        from tickets import registry
        from tickets.models.choices import ServiceLine

        bureau = frozenset({"bureau"})
        line = ServiceLine.OFFICE_SPACE
        nav = (
            registry.NavLink(
                label=_("用房申请"), url="offices:requests", audience=frozenset({"requester", "approver"}), order=40
            ),
            registry.NavLink(
                label=_("楼层房态"), url="offices:home", audience=bureau | {"approver"}, order=40, service_line=line
            ),
            registry.NavLink(
                label=_("超标与腾退台账"), url="offices:ledger", audience=bureau, order=41, service_line=line
            ),
            registry.NavLink(label=_("面积标准"), url="offices:norms", audience=bureau, order=42, service_line=line),
            registry.NavLink(
                label=_("用房数据导入"), url="offices:import", audience=bureau, order=43, service_line=line
            ),
        )
        # Only this module's gate files these requests and carries out the bureau's answer (allocation, taking a
        # room back); the core's own approve, reject and cancel stay open to the core's pages and API.
        owned = frozenset({"create", "accept", "resolve"})
        registry.register_kind(
            registry.RequestKind(
                key=SPACE_KIND,
                label=_("办公用房申请"),
                service_line=ServiceLine.OFFICE_SPACE,
                approval_levels=(registry.ApprovalLevel.UNIT, registry.ApprovalLevel.BUREAU),
                detail_url_name="offices:request-detail-by-core",
                owner="offices",
                allowed_actions=frozenset({"approve", "accept", "resolve", "confirm", "cancel", "reject", "close"}),
                owned_actions=owned,
                guard=steps.guard,
                step_labels=steps.STEP_LABELS,
                tiles=(
                    registry.Tile(
                        key="offices",
                        label=_("办公用房"),
                        glyph=_("房"),
                        hint=_("申请、调整或退还办公用房"),
                        url="offices:requests",
                        order=30,
                    ),
                ),
                nav=nav,
                demo_loader="offices.demo:load_offices_demo",
                worked_by_bureau=True,
            )
        )
        imports.register()
        registry.register_kind(
            registry.RequestKind(
                key=VACATE_KIND,
                label=_("办公用房腾退"),
                service_line=ServiceLine.OFFICE_SPACE,
                owner="offices",
                allowed_actions=frozenset({"accept", "resolve", "confirm", "close"}),
                owned_actions=owned,
                guard=steps.guard,
                step_labels=steps.STEP_LABELS,
                worked_by_bureau=True,
            )
        )
