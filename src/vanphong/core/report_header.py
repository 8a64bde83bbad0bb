"""The Decree 30/2020/NĐ-CP header of the reports the system writes (Word and Excel): the agency's lines (its
parent above it), the national motto (the Party's name for Party agencies) and the place-and-date line."""

from django.utils.translation import pgettext

from vanphong.org.models import NotationScheme


def agency_lines(agency) -> list[str]:
    return ([agency.parent.name.upper()] if agency.parent_id else []) + [agency.name.upper()]


def national_lines(agency) -> list[str]:
    if agency.notation_scheme == NotationScheme.PARTY:
        return [pgettext("report header", "COMMUNIST PARTY OF VIET NAM")]
    return [pgettext("report header", "SOCIALIST REPUBLIC OF VIET NAM"), pgettext("report header", "Independence - Freedom - Happiness")]


def date_line(day) -> str:
    return pgettext("report header", "……, day %(day)02d month %(month)02d year %(year)s") % {"day": day.day, "month": day.month,
                                                                                              "year": day.year}
