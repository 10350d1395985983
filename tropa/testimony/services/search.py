"""Finding testimonies (E15) through keyed blind indexes, with nothing readable on disk.

Each testimony's terms are written as ``blind_index(org, "testimony.search", term)``: the
stems of its words (Russian, Ukrainian, English), its units, a spelling-proof skeleton of
its settlements, its oblasts, act kinds, articles and the months its events span. A query
is turned into the same digests and intersected in the database; places and dates are then
checked exactly on the few candidates' events, opened in memory.

What the digests do reveal to someone holding the database without the key: how many terms
a testimony has, and which testimonies share a term (not which term). ``docs/testimony.md``
says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction

from tropa.accounts.models import User
from tropa.audit.actions import Action
from tropa.audit.services import log_action
from tropa.crypto.fields import blind_index
from tropa.lib import textsearch

from ..models import Act, Event, SearchTerm, Testimony

PURPOSE = "testimony.search"
MAX_MONTHS = 36
# A page shows the newest this many; a narrower query finds the rest.
LIMIT = 200


def skeleton(word: str) -> set[str]:
    """Consonant skeletons of a place name's readings: Угледар, Вугледар and Vuhledar all
    give "gldr"; Павловка and Павлівка give "pvlvk" (candidates, checked exactly later)."""
    found = set()
    for key in textsearch.name_keys(word):
        key = re.sub(r"^v(?=[aeiouy])", "", key)
        found.add(key[:1] + re.sub(r"[aeiouyjh]", "", key[1:]) if key else "")
    return {s for s in found if s}


def _months(start: date, end: date) -> list[str]:
    months: list[str] = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month) and len(months) < MAX_MONTHS:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def terms_of(testimony: Testimony) -> set[str]:
    from .interviews import current
    from .structure import act_data, event_data

    events = []
    for event in Event.objects.filter(organization=testimony.organization_id, testimony=testimony):
        acts = Act.objects.filter(organization=testimony.organization_id, event=event)
        events.append((event_data(event), [act_data(act) for act in acts]))
    return terms_from(current(testimony).get("narrative", ""), events)


def terms_from(
    narrative: str, events: list[tuple[dict[str, Any], list[dict[str, Any]]]]
) -> set[str]:
    """The search terms of an account and its (event, acts) records, all opened."""
    from .structure import period_of

    texts = [narrative]
    terms: set[str] = set()
    for data, acts in events:
        texts.append(data.get("summary", ""))
        start, end = period_of(data)
        terms |= {f"m:{m}" for m in _months(start, end)}
        terms |= {f"p:{s}" for w in textsearch.words(data["settlement"]) for s in skeleton(w)}
        if data.get("oblast"):
            terms.add(f"o:{data['oblast']}")
        for record in acts:
            texts += [record.get("description", ""), (record.get("claimed") or {}).get("words", "")]
            terms.add(f"k:{record['kind']}")
            terms |= {f"u:{p['unit']}" for p in record["perpetrators"] if p.get("unit")}
            if record.get("potential"):
                terms.add(f"a:{record['potential']['article']}")
    for text in texts:
        terms |= {f"w:{s}" for s in textsearch.stems(text or "")}
    return terms


def index_testimony(testimony: Testimony) -> int:
    org = testimony.organization_id
    digests = {blind_index(org, PURPOSE, term) for term in terms_of(testimony)}
    with transaction.atomic():
        SearchTerm.objects.filter(testimony=testimony).delete()
        SearchTerm.objects.bulk_create(
            SearchTerm(organization_id=org, testimony=testimony, digest=d) for d in digests
        )
    return len(digests)


@dataclass
class Query:
    text: str = ""
    unit: str = ""  # a unit code of the reference list
    place: str = ""
    oblast: str = ""
    kind: str = ""
    article: str = ""
    start: date | None = None
    end: date | None = None
    criteria: list[str] = field(default_factory=list)

    def named(self) -> list[str]:
        names = ("text", "unit", "place", "oblast", "kind", "article")
        return [n for n in names if getattr(self, n)] + (
            ["dates"] if self.start or self.end else []
        )


def _groups(org: Any, query: Query) -> list[set[str]]:
    """Each criterion as a set of digests of which a testimony must hold one."""
    groups: list[set[str]] = []
    for word in textsearch.words(query.text):
        groups.append({f"w:{s}" for s in textsearch.stems(word)})
    if query.unit:
        groups.append({f"u:{query.unit}"})
    for word in textsearch.words(query.place):
        groups.append({f"p:{s}" for s in skeleton(word)})
    for prefix, value in (("o", query.oblast), ("k", query.kind), ("a", query.article)):
        if value:
            groups.append({f"{prefix}:{value}"})
    if query.start or query.end:
        start, end = query.start or date(1990, 1, 1), query.end or date.today()  # noqa: DTZ011
        groups.append(
            {f"m:{m}" for m in _months(start, end)} if (end.year - start.year) < 3 else set()
        )
    return [{blind_index(org, PURPOSE, t) for t in g} for g in groups if g]


def _candidates(org: Any, groups: list[set[str]]) -> set[Any]:
    found: set[Any] | None = None
    for group in sorted(groups, key=len):
        rows = SearchTerm.objects.filter(organization=org, digest__in=group)
        if found is not None:
            rows = rows.filter(testimony_id__in=found)
        found = set(rows.values_list("testimony_id", flat=True).distinct())
        if not found:
            return set()
    return found or set()


def _exact(testimony_ids: set[Any], org: Any, query: Query) -> set[Any]:
    """Places and dates checked on the candidates' events, opened in memory."""
    if not (query.place or query.start or query.end):
        return testimony_ids
    from .structure import event_data, period_of

    kept = set()
    events = Event.objects.filter(organization=org, testimony_id__in=testimony_ids)
    for event in events:
        data = event_data(event)
        if query.place and not textsearch.same_name(query.place, data["settlement"]):
            continue
        start, end = period_of(data)
        if (query.start and end < query.start) or (query.end and start > query.end):
            continue
        kept.add(event.testimony_id)
    return kept


def search(*, actor: User, query: Query) -> list[Testimony]:
    """The testimonies of the actor's organization that meet every criterion and that the
    actor may see (a flagged witness's only for lawyers and verifiers)."""
    organization = actor.organization
    if organization is None:
        return []
    org = organization.pk
    groups = _groups(org, query)
    if not groups:
        return []
    rows = Testimony.objects.filter(organization=org)
    if query.place or query.start or query.end:
        rows = rows.filter(pk__in=_exact(_candidates(org, groups), org, query))
    else:
        # Terms only: the database intersects them and returns a page, no id lists.
        for group in groups:
            terms = SearchTerm.objects.filter(organization=org, digest__in=group)
            rows = rows.filter(pk__in=terms.values("testimony_id"))
    rows = rows.select_related("case__person").order_by("-created_at")[:LIMIT]
    found = _visible(actor, list(rows))
    log_action(
        actor,
        Action.TESTIMONY_SEARCHED,
        organization=organization,
        criteria=query.named(),
        results=len(found),
    )
    return found


def _visible(actor: User, rows: list[Testimony]) -> list[Testimony]:
    """The rows ``actor`` may see: all of them for a lawyer or verifier; for others, those
    whose witness is not flagged (each witness's flag opened once)."""
    from ..access import FLAGGED_READERS
    from ..flags import flag_of
    from ..models import Witness

    if actor.role in FLAGGED_READERS:
        return rows
    case_ids = {t.case_id for t in rows}
    witnesses = Witness.objects.filter(organization=actor.organization, case_id__in=case_ids)
    flagged = {w.case_id for w in witnesses if flag_of(w) is not None}
    return [t for t in rows if t.case_id not in flagged]
