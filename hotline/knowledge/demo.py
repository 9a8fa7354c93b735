"""The demo city's knowledge base: policies, answers, scripts, service guides and works
notices written for the fictional 青溪市 (not copied from any real city's base), so the
intake search shows something. Idempotent: entries are matched by owner and title.
Dates are relative to today, so a release and a works notice are always near.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from hotline.accounts.models import User
from hotline.core import clock
from hotline.directory.models import Topic, Unit
from hotline.knowledge import services
from hotline.knowledge.demo_entries import ENTRIES, WORKS, WORKS_WORDS, G, P, S
from hotline.knowledge.models import Entry, EntryVersion, Kind


@transaction.atomic
def build_demo_knowledge() -> int:
    """Create the demo entries that are missing, published; returns how many were made."""
    admin = User.objects.filter(username="supervisor1").first()
    if admin is None:
        return 0
    units = {u.code: u for u in Unit.objects.all()}
    topics = {t.code: t for t in Topic.objects.all()}
    today = timezone.localdate(clock.now())
    existing = set(
        EntryVersion.objects.filter(pk__in=Entry.objects.values("latest_version_id")).values_list(
            "entry__owner__code", "title"
        )
    )
    made = 0
    for index, (kind, owner, topic, title, keywords, answer) in enumerate(ENTRIES):
        if (owner, title) in existing or owner not in units:
            continue
        release = today + timedelta(days=7) if kind == P and index % 2 == 0 else None
        content = services.Content(
            title=title,
            answer=answer,
            keywords=keywords,
            topic=topics.get(topic),
            effective=today - timedelta(days=60),
            review_by=today - timedelta(days=3) if index % 11 == 5 else today + timedelta(days=300),
            release_on=release,
            public_phone=units[owner].public_phone if kind == G else "",
            service_hours=units[owner].service_hours if kind == G else "",
            body=f"<p>{answer}</p><p>责任单位：{units[owner].name}</p>",
        )
        if kind == S:
            services.script_publish_emergency(actor=admin, owner=units[owner], content=content)
        else:
            entry = services.entry_create(
                actor=admin, kind=kind, owner=units[owner], content=content, submit=True
            )
            services.entry_approve(actor=admin, entry=entry)
        made += 1
    for owner, works_kind, region, places, day, hour, hours, title, answer in WORKS:
        if (owner, title) in existing or owner not in units:
            continue
        start = timezone.make_aware(datetime.combine(today + timedelta(days=day), time(hour)))
        content = services.Content(
            title=title,
            answer=answer,
            keywords=WORKS_WORDS[works_kind],
            effective=today,
            expires=(start + timedelta(hours=hours)).date() + timedelta(days=1),
            works_kind=works_kind,
            works_region=units.get(region),
            works_places=places,
            works_start=start,
            works_end=start + timedelta(hours=hours),
        )
        entry = services.entry_create(
            actor=admin, kind=Kind.WORKS, owner=units[owner], content=content, submit=True
        )
        services.entry_approve(actor=admin, entry=entry)
        made += 1
    return made
