from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("服务请求")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate, post_save, pre_save
        from django.urls import register_converter

        from tickets.api.fields import IdConverter

        register_converter(IdConverter, "id")  # before any URL conf is read

        from servicedesk.auth import revoke_tokens_on_password_change
        from tickets import registry, search
        from tickets.models.choices import ServiceLine

        pre_save.connect(revoke_tokens_on_password_change, sender="tickets.User", dispatch_uid="revoke-tokens")
        # Word search: the segmented words on every save, SQLite's index triggers after every migrate.
        pre_save.connect(search.keep_tokens, sender="tickets.ServiceRequest", dispatch_uid="search-tokens")
        post_save.connect(search.tokens_saved, sender="tickets.ServiceRequest", dispatch_uid="search-tokens-saved")
        post_save.connect(search.comment_saved, sender="tickets.Comment", dispatch_uid="search-comment-words")
        post_migrate.connect(search.ensure_sqlite_index, sender=self, dispatch_uid="search-sqlite-index")

        # The core's own kind; modules register theirs in their AppConfig.ready().
        new = "request-new?"
        registry.register_kind(
            registry.RequestKind(
                key="property",
                label=_("物业服务"),
                service_line=ServiceLine.PROPERTY,
                tiles=(
                    registry.Tile(
                        "repair", _("报修"), _("修"), _("水电、空调、门窗"), new + "line=property&root=repair", order=10
                    ),
                    registry.Tile(
                        "cleaning",
                        _("保洁"),
                        _("洁"),
                        _("办公区与公共区域"),
                        new + "line=property&root=cleaning",
                        order=20,
                    ),
                    registry.Tile(
                        "complaint", _("投诉建议"), _("诉"), _("对服务的意见"), new + "root=complaint", order=90
                    ),
                ),
            )
        )
        from tickets.maintenance.imports import register_equipment_import

        register_equipment_import()  # the register's XLSX import on the core's import page and import_data
        # Planned maintenance (tickets/maintenance/): the core's own kind, filed only by the beat (it owns
        # "create"), so nobody files planned work by hand through the pages or the API.
        registry.register_kind(
            registry.RequestKind(
                key="planned_maintenance",
                label=_("计划维保"),
                service_line=ServiceLine.PROPERTY,
                owner="tickets",
                owned_actions=frozenset({"create"}),
                detail_url_name="maintenance:work-order-by-request",
                demo_loader="tickets.maintenance.demo:load_maintenance_demo",
                nav=(
                    registry.NavLink(
                        _("设备维保"),
                        "maintenance:equipment-list",
                        frozenset({"admin", "supervisor", "contractor"}),
                        order=60,
                        service_line=ServiceLine.PROPERTY,
                    ),
                ),
            )
        )
