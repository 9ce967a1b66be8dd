"""No double booking, enforced by the database (see fleet/db.py for why these stay out of the model state).

PostgreSQL: btree_gist and two exclusion constraints over tstzrange(slot_start, slot_end, '[)') per vehicle and
per driver, for booked trips only. SQLite: triggers that abort an insert or update creating the same overlap.
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations
from django.db.models import Func, Q

import fleet.db


class TsTzRange(Func):
    function = "TSTZRANGE"
    template = "%(function)s(%(expressions)s, '[)')"


class Migration(migrations.Migration):
    dependencies = [("fleet", "0001_initial")]

    operations = [
        BtreeGistExtension(),
        fleet.db.AddPostgresConstraint(
            model_name="vehicletrip",
            constraint=ExclusionConstraint(
                name="fleet_trip_vehicle_no_overlap",
                expressions=[
                    ("vehicle", RangeOperators.EQUAL),
                    (TsTzRange("slot_start", "slot_end"), RangeOperators.OVERLAPS),
                ],
                condition=Q(booked=True),
            ),
        ),
        fleet.db.AddPostgresConstraint(
            model_name="vehicletrip",
            constraint=ExclusionConstraint(
                name="fleet_trip_driver_no_overlap",
                expressions=[
                    ("driver", RangeOperators.EQUAL),
                    (TsTzRange("slot_start", "slot_end"), RangeOperators.OVERLAPS),
                ],
                condition=Q(booked=True),
            ),
        ),
        fleet.db.VendorSQL(
            "sqlite",
            [
        """
        CREATE TRIGGER fleet_trip_vehicle_no_overlap_ins
        BEFORE INSERT ON fleet_vehicletrip
        FOR EACH ROW WHEN NEW.booked
        BEGIN
            SELECT RAISE(ABORT, 'fleet_trip_vehicle_no_overlap')
            WHERE EXISTS (
                SELECT 1 FROM fleet_vehicletrip AS other
                WHERE other.booked
                  AND other.id IS NOT NEW.id
                  AND other.vehicle_id = NEW.vehicle_id
                  AND julianday(other.slot_start) < julianday(NEW.slot_end)
                  AND julianday(NEW.slot_start) < julianday(other.slot_end)
            );
        END
        """,
        """
        CREATE TRIGGER fleet_trip_vehicle_no_overlap_upd
        BEFORE UPDATE OF booked, vehicle_id, driver_id, slot_start, slot_end ON fleet_vehicletrip
        FOR EACH ROW WHEN NEW.booked
        BEGIN
            SELECT RAISE(ABORT, 'fleet_trip_vehicle_no_overlap')
            WHERE EXISTS (
                SELECT 1 FROM fleet_vehicletrip AS other
                WHERE other.booked
                  AND other.id IS NOT NEW.id
                  AND other.vehicle_id = NEW.vehicle_id
                  AND julianday(other.slot_start) < julianday(NEW.slot_end)
                  AND julianday(NEW.slot_start) < julianday(other.slot_end)
            );
        END
        """,
        """
        CREATE TRIGGER fleet_trip_driver_no_overlap_ins
        BEFORE INSERT ON fleet_vehicletrip
        FOR EACH ROW WHEN NEW.booked
        BEGIN
            SELECT RAISE(ABORT, 'fleet_trip_driver_no_overlap')
            WHERE EXISTS (
                SELECT 1 FROM fleet_vehicletrip AS other
                WHERE other.booked
                  AND other.id IS NOT NEW.id
                  AND other.driver_id = NEW.driver_id
                  AND julianday(other.slot_start) < julianday(NEW.slot_end)
                  AND julianday(NEW.slot_start) < julianday(other.slot_end)
            );
        END
        """,
        """
        CREATE TRIGGER fleet_trip_driver_no_overlap_upd
        BEFORE UPDATE OF booked, vehicle_id, driver_id, slot_start, slot_end ON fleet_vehicletrip
        FOR EACH ROW WHEN NEW.booked
        BEGIN
            SELECT RAISE(ABORT, 'fleet_trip_driver_no_overlap')
            WHERE EXISTS (
                SELECT 1 FROM fleet_vehicletrip AS other
                WHERE other.booked
                  AND other.id IS NOT NEW.id
                  AND other.driver_id = NEW.driver_id
                  AND julianday(other.slot_start) < julianday(NEW.slot_end)
                  AND julianday(NEW.slot_start) < julianday(other.slot_end)
            );
        END
        """,
            ],
            [
                "DROP TRIGGER IF EXISTS fleet_trip_vehicle_no_overlap_ins",
                "DROP TRIGGER IF EXISTS fleet_trip_vehicle_no_overlap_upd",
                "DROP TRIGGER IF EXISTS fleet_trip_driver_no_overlap_ins",
                "DROP TRIGGER IF EXISTS fleet_trip_driver_no_overlap_upd",
            ],
        ),
    ]
