from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FleetConfig(AppConfig):
    name = "fleet"
    verbose_name = _("公务用车")
    default_auto_field = "django.db.models.BigAutoField"
