from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("服务请求")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from servicedesk.auth import revoke_tokens_on_password_change
        from tickets import registry
        from tickets.models.choices import ServiceLine

        pre_save.connect(revoke_tokens_on_password_change, sender="tickets.User", dispatch_uid="revoke-tokens")

        # The core's own kind; modules register theirs in their AppConfig.ready().
        registry.register_kind(
            registry.RequestKind(key="property", label=_("物业服务"), service_line=ServiceLine.PROPERTY)
        )
