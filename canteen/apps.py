from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

COMPLAINT_KIND = "canteen_complaint"


def complaint_guard(call: object) -> None:
    """The canteen's veto, asked by the core before it writes: a canteen contractor's staff do not file complaints
    about their own canteen (their notes go in comments), and nobody files one for someone else."""
    from django.utils.translation import gettext

    from tickets.exceptions import ActionForbidden

    action = getattr(call, "action", "")
    actor = getattr(call, "actor", None)
    if action != "create" or actor is None:
        return
    if actor.is_contractor_staff:
        raise ActionForbidden(gettext("服务商人员不能登记食堂意见。"))
    requester = getattr(call, "data", {}).get("requester")
    if requester is not None and requester != actor:
        raise ActionForbidden(gettext("食堂意见只能由本人登记。"))


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
                guard=complaint_guard,
                step_labels={"menu_change": _("菜谱变更"), "sample_rectification": _("留样整改")},
                tiles=(
                    registry.Tile(
                        key="meals",
                        label=_("报餐"),
                        glyph=_("餐"),
                        hint=_("食堂报餐、菜谱与意见"),
                        url="canteen:book",
                        audience=frozenset({"requester", "approver", "bureau"}),
                        order=40,
                    ),
                ),
                nav=(
                    registry.NavLink(
                        label=_("报餐"), url="canteen:book", audience=frozenset({"requester", "approver"})
                    ),
                    registry.NavLink(
                        label=_("食堂日视图"),
                        url="canteen:day",
                        audience=frozenset({"dispatcher", "worker"}),
                        service_line=ServiceLine.CANTEEN,
                    ),
                    registry.NavLink(
                        label=_("食堂报表"),
                        url="canteen:reports",
                        audience=frozenset({"bureau"}),
                        service_line=ServiceLine.CANTEEN,
                    ),
                    registry.NavLink(
                        label=_("菜谱审核"),
                        url="canteen:menus",
                        audience=frozenset({"bureau"}),
                        service_line=ServiceLine.CANTEEN,
                    ),
                ),
                demo_loader="canteen.demo:load_canteen_demo",
            )
        )
