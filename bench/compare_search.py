"""Check a changed selectors module against a saved copy of the old one (not part of `make bench`).

    DATABASE_URL=... .venv/bin/python bench/compare_search.py /path/to/old_selectors.py [N]

Runs N sampled queries (the bench mix) for the front-door officer and the social worker through both
person_search implementations and reports any difference in hits, scores or can_open, with timings.
"""

from __future__ import annotations

import importlib.util
import os
import random
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openasc.config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-" + "x" * 40)
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()
    from run import SEARCH_MIX, make_query

    from openasc.core.models import User
    from openasc.people import selectors as new
    from openasc.people.models import Person

    spec = importlib.util.spec_from_file_location("old_selectors", sys.argv[1])
    old = importlib.util.module_from_spec(spec)
    sys.modules["old_selectors"] = old
    spec.loader.exec_module(old)
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    rng = random.Random(5)
    max_pk = Person.objects.order_by("-pk").values_list("pk", flat=True).first()
    users = [User.objects.get(username="frontdoor"), User.objects.get(username="socialworker")]
    kinds = [k for k, _ in SEARCH_MIX] + ["outward+surname", "first name", "outward"]
    extra = [
        "James",
        "Hall",
        "Hill",
        "Davies",
        "Lee",
        "Jones",
        "Margaret",
        "NS1",
        "NS10 Smith",
        "Smith NS3",
        "Mary Jones",
        "Jones Mary",
        "John Smith",
        "Smith John",
        "Kaur",
        "O'Brien",
        "obrien",
    ]
    t_old = t_new = 0.0
    diffs = 0
    queries = list(extra)
    people = Person.objects.filter(pk__in=[rng.randint(1, max_pk) for _ in range(n)])
    for p in people:
        kind = rng.choice(kinds)
        if kind == "outward+surname":
            q = f"{p.postcode.split()[0]} {p.last_name}" if p.postcode else None
        elif kind == "first name":
            q = p.first_name
        elif kind == "outward":
            q = p.postcode.split()[0] if p.postcode else None
        else:
            q = make_query(rng, kind, p)
        if q:
            queries.append(q)
    for q in queries:
        for user in users:
            a0 = time.perf_counter()
            ra = old.person_search(user=user, query=q)
            a1 = time.perf_counter()
            rb = new.person_search(user=user, query=q)
            a2 = time.perf_counter()
            t_old += a1 - a0
            t_new += a2 - a1
            ka = [(h.person.pk, round(h.score, 6), h.can_open) for h in ra.hits]
            kb = [(h.person.pk, round(h.score, 6), h.can_open) for h in rb.hits]
            if ka != kb or ra.interpreted_as != rb.interpreted_as or ra.hidden_count != rb.hidden_count:
                diffs += 1
                print(f"DIFF {user.username} {q!r}: old {len(ka)} hits {ka[:5]} new {len(kb)} hits {kb[:5]}")
    print(
        f"{len(queries) * 2} searches, {diffs} differences; old {t_old * 1000:.0f} ms, new {t_new * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
