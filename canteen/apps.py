from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

COMPLAINT_KIND = "canteen_complaint"


class CanteenConfig(AppConfig):
    name = "canteen"
    verbose_name = _("机关食堂")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tickets import registry
        from tickets.models.choices import ServiceLine

        registry.register_kind(
            registry.RequestKind(
                key=COMPLAINT_KIND,
                label=_("食堂意见"),
                service_line=ServiceLine.CANTEEN,
                owner="canteen",
                # Until the canteen's own pages exist, the tile files a canteen request through the core's form.
                tiles=(
                    registry.Tile(
                        "meals", _("报餐"), _("餐"), _("食堂报餐与意见"), "request-new?line=canteen", order=40
                    ),
                ),
            )
        )
