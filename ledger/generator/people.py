"""A generated person: a resident ID no other subject of the city has, and a name."""

from __future__ import annotations

import random
from datetime import date, timedelta

from ledger.domain.resident_id import make_resident_id
from ledger.generator.data import GIVEN, REGIONS, SURNAMES


def new_person(rng: random.Random, codes: set[str], born_from: date, years: int
               ) -> tuple[str, str]:
    """(resident ID, name) of someone born within `years` from `born_from`, in one of the
    city's districts; the number is added to `codes`, which it was not in."""
    while True:
        birth = born_from + timedelta(days=rng.randrange(years * 365))
        number = make_resident_id(rng.choice(REGIONS), birth, f"{rng.randrange(1000):03d}")
        if number not in codes:
            codes.add(number)
            given = "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
            return number, rng.choice(SURNAMES) + given
