"""A room's allocations never overlap, enforced by the database; the 2014 and 1999 norm tables seeded.

PostgreSQL: btree_gist and an exclusion constraint over daterange(starts_on, ends_on, '[)') per room (an empty
ends_on is unbounded). SQLite: triggers that abort an insert or update creating the same overlap. See
servicedesk/db.py for why these stay out of the model state.
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations
from django.db.models import F, Func

import servicedesk.db


class DateRange(Func):
    function = "DATERANGE"
    template = "%(function)s(%(expressions)s, '[)')"
    output_field = DateRangeField()


OVERLAP = """
    SELECT RAISE(ABORT, 'offices_alloc_no_overlap')
    WHERE EXISTS (
        SELECT 1 FROM offices_allocation AS other
        WHERE other.room_id = NEW.room_id
          AND other.id IS NOT NEW.id
          AND other.starts_on < COALESCE(NEW.ends_on, '9999-12-31')
          AND NEW.starts_on < COALESCE(other.ends_on, '9999-12-31')
    );
"""


def seed_norms(apps, schema_editor):
    from datetime import date

    from django.utils import timezone

    from offices.norms import SEED_VERSIONS

    Version = apps.get_model("offices", "AreaNormVersion")
    Norm = apps.get_model("offices", "AreaNorm")
    for seed in SEED_VERSIONS:
        if Version.objects.filter(code=seed["code"]).exists():
            continue
        version = Version.objects.create(
            code=seed["code"],
            name=seed["name"],
            source=seed["source"],
            effective_from=date.fromisoformat(seed["effective_from"]),
            current=seed["current"],
            note=seed["note"],
            created_at=timezone.now(),
        )
        Norm.objects.bulk_create(
            Norm(version=version, level=level, rank=rank, area=area)
            for level, row in seed["table"].items()
            for rank, area in row.items()
        )


class Migration(migrations.Migration):
    dependencies = [("offices", "0001_space_norms_allocations")]

    operations = [
        BtreeGistExtension(),
        servicedesk.db.AddPostgresConstraint(
            model_name="allocation",
            constraint=ExclusionConstraint(
                name="offices_alloc_no_overlap",
                expressions=[
                    ("room", RangeOperators.EQUAL),
                    (DateRange(F("starts_on"), F("ends_on")), RangeOperators.OVERLAPS),
                ],
            ),
        ),
        servicedesk.db.VendorSQL(
            "sqlite",
            [
                "CREATE TRIGGER offices_alloc_no_overlap_ins BEFORE INSERT ON offices_allocation FOR EACH ROW "
                "BEGIN" + OVERLAP + "END",
                "CREATE TRIGGER offices_alloc_no_overlap_upd BEFORE UPDATE OF room_id, starts_on, ends_on "
                "ON offices_allocation FOR EACH ROW BEGIN" + OVERLAP + "END",
            ],
            [
                "DROP TRIGGER IF EXISTS offices_alloc_no_overlap_ins",
                "DROP TRIGGER IF EXISTS offices_alloc_no_overlap_upd",
            ],
        ),
        migrations.RunPython(seed_norms, migrations.RunPython.noop),
    ]
