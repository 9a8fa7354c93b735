"""Reads of the emergency app: recognising an emergency in the words being typed, and
the reports still waiting for acknowledgement."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from hotline.emergencies.models import EmergencyKeyword, EmergencyReport, Service

CLASSIFIER_MIN_PROBABILITY = 0.6  # the topic model's first choice counts from here


@dataclass(frozen=True)
class Match:
    word: str
    service: str
    by_classifier: bool = False

    @property
    def service_label(self) -> str:
        return str(Service(self.service).label)


def detect(text: str) -> list[Match]:
    """The emergency keywords in `text`, one per service, in the order 110/119/120/122
    (R-IN-4, ZS 13(一)). A keyword that names a topic also matches when the topic
    classifier, if one is loaded, puts that topic first with confidence."""
    text = (text or "").strip()
    if not text:
        return []
    keywords = list(EmergencyKeyword.objects.filter(active=True).values_list("word", "service"))
    found: dict[str, Match] = {}
    for word, service in keywords:
        if word in text and service not in found:
            found[service] = Match(word, service)
    if keywords:
        from hotline.intelligence.selectors import suggest_topics

        top = suggest_topics(text, k=1)
        if top and top[0][1] >= CLASSIFIER_MIN_PROBABILITY:
            for word, service in keywords:
                if word == top[0][0] and service not in found:
                    found[service] = Match(word, service, by_classifier=True)
    return [found[s] for s in Service.values if s in found]


def open_reports() -> QuerySet[EmergencyReport]:
    """Reports nobody has acknowledged yet, oldest first (shown on the supervisor board)."""
    return (
        EmergencyReport.objects.filter(acknowledged_at__isnull=True)
        .select_related("ticket", "reported_by")
        .order_by("reported_at", "id")
    )


def recent_reports(limit: int = 50) -> QuerySet[EmergencyReport]:
    return EmergencyReport.objects.select_related(
        "ticket", "reported_by", "acknowledged_by"
    ).order_by("-reported_at", "-id")[:limit]
