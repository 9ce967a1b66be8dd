"""Routing: a new request goes to the contract in force for its category and place."""

from __future__ import annotations

from datetime import date

from django.db.models import Case, IntegerField, Value, When

from tickets.models import Category, Compound, Contract


def find_contract(*, category: Category, compound: Compound, on: date) -> Contract | None:
    """The contract in force covering the category (or its nearest ancestor) at the compound.

    The most specific category wins; among equals, the contract that started last (a renewal overrides).
    None means the request goes to the bureau supervisor's queue.
    """
    lineage = category.lineage_ids()
    specificity = Case(
        *[When(categories__id=cid, then=Value(depth)) for depth, cid in enumerate(lineage)],
        output_field=IntegerField(),
    )
    return (
        Contract.objects.filter(
            active=True,
            starts_on__lte=on,
            ends_on__gte=on,
            categories__id__in=lineage,
            compounds=compound,
        )
        .select_related("contractor", "calendar", "sla_policy")
        .annotate(specificity=specificity)
        .order_by("specificity", "-starts_on", "id")
        .first()
    )
