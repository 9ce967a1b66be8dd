from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

OWNER = "fleet"  # the app label: the core lets only fleet's gate take the actions its kinds own
TRIP_KIND = "vehicle_trip"
EMERGENCY_TRIP_KIND = "vehicle_trip_emergency"
TRIP_KINDS = (TRIP_KIND, EMERGENCY_TRIP_KIND)


class FleetConfig(AppConfig):
    name = "fleet"
    verbose_name = _("公务用车")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from fleet import (
            receivers,  # noqa: F401  (connects the core's signals)
            steps,
        )
        from tickets import registry
        from tickets.models.choices import ServiceLine

        line = ServiceLine.VEHICLES
        staff = frozenset({"bureau", "dispatcher"})
        contract = {
            "service_line": line,
            "detail_url_name": "fleet:trip-of-request",
            "owner": OWNER,
            "allowed_actions": steps.ALLOWED_ACTIONS,
            "owned_actions": steps.OWNED_ACTIONS,
            "guard": steps.guard,
            "step_labels": steps.STEP_LABELS,
            "tiles": (
                registry.Tile(
                    "vehicles",
                    _("用车"),
                    _("车"),
                    _("公务用车申请"),
                    "fleet:trip-apply",
                    audience=frozenset({"requester", "unit_approver"}),
                    order=30,
                ),
            ),
            "nav": (
                registry.NavLink(_("我的用车"), "fleet:trip-list", frozenset({"requester", "unit_approver"}), 60),
                registry.NavLink(_("用车审批"), "fleet:approvals", frozenset({"bureau"}), 61, service_line=line),
                registry.NavLink(_("调度台"), "fleet:board", staff, 62, service_line=line),
                registry.NavLink(_("车辆档案"), "fleet:vehicle-list", staff, 63, service_line=line),
                registry.NavLink(_("核算报表"), "fleet:report", staff, 64, service_line=line),
                registry.NavLink(_("出车任务"), "fleet:driver", frozenset({"worker"}), 65, service_line=line),
            ),
            "demo_loader": "fleet.demo:load_fleet_demo",
        }
        registry.register_kind(
            registry.RequestKind(
                key=TRIP_KIND,
                label=_("公务用车"),
                approval_levels=(registry.ApprovalLevel.UNIT, registry.ApprovalLevel.BUREAU),
                **contract,  # type: ignore[arg-type]
            )
        )
        # Emergency use comes first and is approved after (先用后批): no approval before the contractor acts;
        # the unit and the bureau record theirs on the trip (TripApproval) afterwards.
        registry.register_kind(
            registry.RequestKind(key=EMERGENCY_TRIP_KIND, label=_("应急用车"), approval_levels=(), **contract)  # type: ignore[arg-type]
        )
        from fleet.imports import register as register_importers

        register_importers()
