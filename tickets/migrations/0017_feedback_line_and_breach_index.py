from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_service_line(apps, schema_editor):
    Feedback = apps.get_model("tickets", "Feedback")
    ServiceRequest = apps.get_model("tickets", "ServiceRequest")
    line = ServiceRequest.objects.filter(pk=OuterRef("request_id")).values("service_line")[:1]
    Feedback.objects.update(service_line=Subquery(line))


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0016_checked_item_kind_choices"),
    ]

    operations = [
        migrations.AddField(
            model_name="feedback",
            name="service_line",
            field=models.CharField(
                choices=[
                    ("property", "物业"),
                    ("canteen", "餐饮"),
                    ("vehicles", "公务用车"),
                    ("office_space", "办公用房"),
                ],
                default="",
                max_length=20,
                verbose_name="服务条线",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill_service_line, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="feedback",
            name="created_at",
            field=models.DateTimeField(verbose_name="时间"),
        ),
        migrations.AddIndex(
            model_name="feedback",
            index=models.Index(fields=["created_at", "rating"], name="feedback_created_rating"),
        ),
        migrations.AddIndex(
            model_name="feedback",
            index=models.Index(fields=["service_line", "created_at", "rating"], name="feedback_line_created"),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["kind", "created_at"], name="event_kind_created"),
        ),
    ]
