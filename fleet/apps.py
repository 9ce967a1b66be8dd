from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

TRIP_KIND = "vehicle_trip"
EMERGENCY_TRIP_KIND = "vehicle_trip_emergency"
TRIP_KINDS = (TRIP_KIND, EMERGENCY_TRIP_KIND)


class FleetConfig(AppConfig):
    name = "fleet"
    verbose_name = _("公务用车")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tickets import registry
        from tickets.models.choices import ServiceLine

        registry.register_kind(
            registry.RequestKind(
                key=TRIP_KIND,
                label=_("公务用车"),
                service_line=ServiceLine.VEHICLES,
                approval_levels=(registry.ApprovalLevel.UNIT, registry.ApprovalLevel.BUREAU),
                detail_url_name="fleet:trip-detail",
            )
        )
        # Emergency use comes first and is approved after (先用后批): no approval before the contractor acts;
        # the unit and the bureau record theirs on the trip (TripApproval) afterwards.
        registry.register_kind(
            registry.RequestKind(
                key=EMERGENCY_TRIP_KIND,
                label=_("应急用车"),
                service_line=ServiceLine.VEHICLES,
                approval_levels=(),
                detail_url_name="fleet:trip-detail",
            )
        )
        from fleet import receivers  # noqa: F401  (connects the core's signals)
        from fleet.imports import register as register_importers

        register_importers()
