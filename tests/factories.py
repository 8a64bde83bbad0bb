"""Direct builders for test data (the services are tested on their own)."""

from functools import lru_cache

from django.contrib.auth.hashers import get_hasher, make_password

from vanphong.org.models import Agency, Person, Role, Unit

PASSWORD = "Mat-khau-thu-nghiem-2026"


def make_agency(code, name, short_name, notation_code="UBND", notation_scheme="state", hosted=True, parent=None):
    return Agency.objects.create(
        code=code, name=name, short_name=short_name, notation_code=notation_code,
        notation_scheme=notation_scheme, hosted=hosted, parent=parent,
    )


def make_unit(agency, name, short_name="", parent=None):
    unit = Unit(agency=agency, name=name, short_name=short_name, parent=parent)
    unit.path, unit.depth = ("/", 0) if parent is None else (f"{parent.path}{parent.pk}/", parent.depth + 1)
    unit.save()
    return unit


@lru_cache(maxsize=32)
def _password_hash(password: str, algorithm: str) -> str:
    return make_password(password, hasher=algorithm)


def make_person(agency, username, full_name, roles=(), unit=None, clearance=0, is_superuser=False, password=PASSWORD, **extra):
    person = Person(username=username, full_name=full_name, agency=agency, unit=unit, clearance=clearance,
                    is_superuser=is_superuser, is_staff=is_superuser, **extra)
    # Argon2 is deliberately slow (half a second a hash on a loaded machine) and the suite makes thousands of people:
    # each password is hashed once per hasher in use, a real hash that signing in checks (one salt for all: no test
    # depends on salts differing; the services' own hashing is tested in tests/accounts).
    person.password = _password_hash(password, get_hasher().algorithm)
    person.save()
    person.roles.set(Role.objects.filter(code__in=roles))
    return person
