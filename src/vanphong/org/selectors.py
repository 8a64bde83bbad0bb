"""Reads of the organisation, filtered by what the reader may see.

The agency directory (codes, names, contacts) is shared by the whole network, as on the national
hub. Units and people belong to one agency: a reader sees only their own agency's."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from vanphong.core.errors import NotFound
from vanphong.core.text import fold
from vanphong.org.models import Agency, Person, Unit
from vanphong.org.permissions import require_people_reader


def agency_directory(reader, *, query: str = "", hosted_only: bool = False) -> QuerySet[Agency]:
    qs = Agency.objects.select_related("parent").order_by("code")
    if hosted_only:
        qs = qs.filter(hosted=True)
    if query:
        qs = qs.filter(Q(code__icontains=query.strip()) | Q(name__icontains=query.strip()) | Q(short_name__icontains=query.strip()))
    return qs


def agency_detail(reader, pk: int) -> Agency:
    try:
        return Agency.objects.select_related("parent").get(pk=pk)
    except (Agency.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def units_of_own_agency(reader) -> QuerySet[Unit]:
    return Unit.objects.filter(agency_id=reader.agency_id).select_related("parent").annotate(people_count=Count("people"))


def unit_detail(reader, pk: int) -> Unit:
    try:
        return Unit.objects.select_related("agency", "parent").get(pk=pk, agency_id=reader.agency_id)
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def people_of_own_agency(reader, *, query: str = "", unit: Unit | None = None, include_subunits: bool = True) -> QuerySet[Person]:
    require_people_reader(reader)
    qs = Person.objects.filter(agency_id=reader.agency_id).select_related("unit").prefetch_related("roles")
    if unit is not None:
        if include_subunits:
            qs = qs.filter(Q(unit=unit) | Q(unit__path__startswith=f"{unit.path}{unit.pk}/"))
        else:
            qs = qs.filter(unit=unit)
    if query:
        qs = qs.filter(search_text__contains=fold(query))
    return qs


def person_detail(reader, pk: int) -> Person:
    require_people_reader(reader)
    try:
        return Person.objects.select_related("agency", "unit").prefetch_related("roles").get(pk=pk, agency_id=reader.agency_id)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def own_record(reader) -> Person:
    """Everyone may read their own record, whatever their roles."""
    return Person.objects.select_related("agency", "unit").prefetch_related("roles").get(pk=reader.pk)


def unit_tree(reader) -> list[Unit]:
    """Units of the reader's agency in tree order (parents before children, siblings by order)."""
    units = list(units_of_own_agency(reader))
    by_parent: dict[int | None, list[Unit]] = {}
    for unit in units:
        by_parent.setdefault(unit.parent_id, []).append(unit)
    ordered: list[Unit] = []

    def walk(parent_id):
        for unit in sorted(by_parent.get(parent_id, []), key=lambda u: (u.sort_order, fold(u.name))):
            ordered.append(unit)
            walk(unit.pk)

    walk(None)
    return ordered
