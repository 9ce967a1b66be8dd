"""Inspections keep the checklist item as it was when recorded: the item's text, kind, points, unit and limit
are copied onto each result (existing results from their item as it is now, the best that is known)."""

from decimal import Decimal

from django.db import migrations, models

SNAPSHOT = ("text", "kind", "points", "unit", "limit")


def fill_snapshots(apps, schema_editor):
    InspectionResult = apps.get_model("tickets", "InspectionResult")
    rows = list(InspectionResult.objects.select_related("item"))
    for row in rows:
        for name in SNAPSHOT:
            setattr(row, f"item_{name}", getattr(row.item, name))
    InspectionResult.objects.bulk_update(rows, [f"item_{name}" for name in SNAPSHOT], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0006_request_list_indexes")]

    operations = [
        migrations.AddField(
            model_name="inspectionresult",
            name="item_text",
            field=models.CharField(default="", max_length=200, verbose_name="检查内容"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="inspectionresult",
            name="item_kind",
            field=models.CharField(
                choices=[("pass_fail", "合格/不合格"), ("score", "评分"), ("measure", "实测值")],
                default="pass_fail",
                max_length=20,
                verbose_name="类型",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="inspectionresult",
            name="item_points",
            field=models.DecimalField(decimal_places=2, default=Decimal(0), max_digits=6, verbose_name="分值"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="inspectionresult",
            name="item_unit",
            field=models.CharField(blank=True, max_length=20, verbose_name="单位"),
        ),
        migrations.AddField(
            model_name="inspectionresult",
            name="item_limit",
            field=models.DecimalField(blank=True, decimal_places=3, max_digits=10, null=True, verbose_name="限值"),
        ),
        migrations.RunPython(fill_snapshots, migrations.RunPython.noop),
    ]
