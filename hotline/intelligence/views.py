"""The analysts' hotspot page (R-DA-3, R-DA-4): thin, the work is in `selectors`."""

from __future__ import annotations

from django.shortcuts import render

from hotline.accounts.decorators import capability_required
from hotline.accounts.permissions import Capability
from hotline.intelligence import selectors

DAY_CHOICES = (30, 90, 180, 365)


@capability_required(Capability.REPORTS)
def hotspots(request):
    try:
        days = int(request.GET.get("days", 90))
    except ValueError:
        days = 90
    if days not in DAY_CHOICES:
        days = 90
    found = selectors.ticket_hotspots(user=request.user, days=days)
    return render(
        request,
        "intelligence/hotspots.html",
        {"hotspots": found, "days": days, "day_choices": DAY_CHOICES},
    )


@capability_required(Capability.SUPERVISE, Capability.REPORTS)
def kind_review(request):
    """质检: tickets whose recorded kind disagrees with their text, with the reason."""
    found = selectors.kind_review(user=request.user)
    return render(request, "intelligence/kind_review.html", {"found": found})


@capability_required(Capability.INTAKE)
def fill(request):
    """智能填单 (htmx): suggestions beside the intake form's fields, each with its source
    words; a field the operator has typed is never offered for overwriting."""
    import json

    from django.utils.translation import gettext as _

    from hotline.directory.models import Topic
    from hotline.tickets.models import KIND_CHOICES

    get = request.GET
    pasted = get.get("text", "").strip()
    text = pasted or " ".join(get.get(k, "") for k in ("summary", "detail")).strip()
    found = selectors.fill_suggestions(text)
    detail = get.get("detail", "")
    rows = []
    labels = {
        "place": _("Place"),
        "time": _("Time"),
        "people": _("People and organisations"),
        "request": _("What is asked"),
        "summary": _("Summary"),
        "kind": _("Kind"),
        "topic": _("Topic"),
    }
    for key, s in found.items():
        value, fills, typed = s.value, None, False
        if key == "place":
            typed = bool(get.get("address", "").strip())
            fills = {"#id_address": s.value}
        elif key == "summary":
            typed = bool(get.get("summary", "").strip())
            fills = {"#id_summary": s.value[:200]}
        elif key == "kind":
            value = dict(KIND_CHOICES).get(s.value, s.value)
            fills = {f"#id_kind input[value={s.value}]": True}
        elif key == "topic":
            topic = Topic.objects.active().filter(level=1, name=s.value).first()
            typed = bool(get.get("topic", "").strip())
            s.source = _("topic model %(p)s") % {"p": s.source}
            deeper = selectors.deeper_topic(text, topic)
            if deeper is not None:  # a level-2 or level-3 topic of the branch, with evidence
                topic, words = deeper
                value = topic.path
                s.source += "；" + _("keywords %(w)s") % {"w": "、".join(words)}
            fills = {"#id_topic": str(topic.pk)} if topic else None
        else:  # time, people, what is asked: noted in the detail, after what is there
            line = f"{labels[key]}：{s.value}"
            typed = line in detail
            fills = {"#id_detail": f"{detail.rstrip()}\n{line}".strip()}
        rows.append(
            {
                "key": key,
                "label": labels[key],
                "value": value,
                "source": s.source,
                "typed": typed,
                "fill": json.dumps(fills, ensure_ascii=False) if fills else "",
            }
        )
    copy = (
        json.dumps({"#id_detail": pasted[:2000]}, ensure_ascii=False)
        if pasted and not detail.strip()
        else ""
    )
    return render(request, "intelligence/_fill.html", {"rows": rows, "text": text, "copy": copy})


@capability_required(Capability.REPORTS)
def model_drift(request):
    """The topic model on recent tickets, week by week, and its versions (R-IN-3)."""
    return render(request, "intelligence/model.html", selectors.topic_drift(user=request.user))
