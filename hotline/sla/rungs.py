"""The escalation ladder as data (R-SV-2, R-SV-3): its rungs, and the default ladder.

Pure: no Django, no clock. A policy carries its ladder; `hotline.supervision` walks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hotline.sla.i18n import gettext
from hotline.sla.periods import Period, PeriodUnit, PolicyError, working_days


class RungMeasure(StrEnum):
    URGE = "urge"  # a hotline leader urges a unit leader (催办, by phone and SMS)
    LETTER = "letter"  # a numbered supervision letter (督办函)
    RECOMMENDATION = "recommendation"  # efficiency supervision recommendation (效能监察建议书)
    CRITICISM = "criticism"  # entered on the public criticism list (通报批评)


class RungAnchor(StrEnum):
    PREVIOUS = "previous"  # the wait counts from the rung before (the first: the deadline)
    DUE = "due"  # the wait counts from the reply deadline


class Contact(StrEnum):
    """Who a rung tells: contacts of the directory (SMS) or users (in-app)."""

    HOTLINE_LIAISON = "hotline_liaison"  # the hotline centre unit's contacts in the directory
    HOTLINE_DEPUTY_HEAD = "hotline_deputy_head"  # 热线办分管领导
    HOTLINE_HEAD = "hotline_head"  # 热线办主要负责人
    UNIT_LIAISON = "unit_liaison"  # the handling unit's contacts in the directory
    UNIT_DEPUTY_HEAD = "unit_deputy_head"  # 承办单位分管领导
    UNIT_HEAD = "unit_head"  # 承办单位主要负责人
    UNIT_STAFF = "unit_staff"  # in-app: the unit's clerks and leaders
    SUPERVISORS = "supervisors"  # in-app: the hotline's supervisors


@dataclass(frozen=True)
class Rung:
    """One rung of the escalation ladder, as data.

    The ladder starts when a reply deadline passes without a reply. A rung falls due
    `wait` after its anchor: the rung before it (the first rung: the deadline) or the
    deadline itself. A wait in working days means the start of that working day (as
    reminders do); in working hours it is counted on working time. A rung whose
    condition does not hold when it falls due is passed over.
    """

    key: str
    label: str
    measure: RungMeasure
    wait: Period
    anchor: RungAnchor = RungAnchor.PREVIOUS
    by: Contact | None = None  # the leader who urges (URGE) and is asked to call
    to: tuple[Contact, ...] = ()
    issuer: str = ""  # who signs a letter or recommendation
    number_word: str = ""  # the word in the document number: 督 → 青溪12345督〔2026〕7号
    only_without_extension: bool = False  # R-SV-3: overdue without an extension
    min_reminders: int = 0  # R-SV-3: reminded at least this often (催办两次以上)
    citation: str = ""


KJ_LADDER_CLAUSE = "开江 预警机制 二(三)"
DEFAULT_LADDER: tuple[Rung, ...] = (
    Rung(
        key="deputy",
        label="分管领导催办",
        measure=RungMeasure.URGE,
        wait=working_days(1),
        by=Contact.HOTLINE_DEPUTY_HEAD,
        to=(
            Contact.HOTLINE_DEPUTY_HEAD,
            Contact.UNIT_DEPUTY_HEAD,
            Contact.UNIT_STAFF,
            Contact.SUPERVISORS,
        ),
        citation=KJ_LADDER_CLAUSE,
    ),
    Rung(
        key="head",
        label="主要负责人催办",
        measure=RungMeasure.URGE,
        wait=working_days(1),
        by=Contact.HOTLINE_HEAD,
        to=(Contact.HOTLINE_HEAD, Contact.UNIT_HEAD, Contact.UNIT_STAFF, Contact.SUPERVISORS),
        citation=KJ_LADDER_CLAUSE,
    ),
    Rung(
        key="letter",
        label="发送督办函",
        measure=RungMeasure.LETTER,
        wait=working_days(2),
        to=(Contact.UNIT_HEAD, Contact.UNIT_LIAISON, Contact.UNIT_STAFF, Contact.SUPERVISORS),
        issuer="行政审批局",
        number_word="督",
        citation=KJ_LADDER_CLAUSE,
    ),
    Rung(
        key="recommendation",
        label="效能监察建议",
        measure=RungMeasure.RECOMMENDATION,
        wait=working_days(3),
        to=(Contact.UNIT_HEAD, Contact.UNIT_STAFF, Contact.SUPERVISORS),
        issuer="效能监察办公室",
        number_word="效",
        only_without_extension=True,
        citation="兰溪 实施细则 四4",
    ),
    Rung(
        key="criticism",
        label="通报批评",
        measure=RungMeasure.CRITICISM,
        wait=working_days(2),
        to=(Contact.UNIT_HEAD, Contact.UNIT_STAFF, Contact.SUPERVISORS),
        min_reminders=2,
        citation="昆明 管理规定 第十七条；兰溪 实施细则 四4",
    ),
)


def validate_ladder(ladder: tuple[Rung, ...]) -> None:
    keys: set[str] = set()
    for rung in ladder:
        if not rung.key or rung.key in keys:
            raise PolicyError(
                gettext("A rung of the supervision ladder has an empty or repeated key: %(key)s")
                % {"key": rung.key or "—"}
            )
        keys.add(rung.key)
        wait = rung.wait
        if wait.unit == PeriodUnit.CATALOG or wait.parameter:
            raise PolicyError(
                gettext(
                    "The wait of ladder rung “%(rung)s” must be a fixed number of working days "
                    "or hours"
                )
                % {"rung": rung.label}
            )
        if wait.amount is None or wait.amount < 0:
            raise PolicyError(
                gettext("The wait of ladder rung “%(rung)s” must not be negative")
                % {"rung": rung.label}
            )
        if wait.unit == PeriodUnit.WORKING_DAYS and not float(wait.amount).is_integer():
            raise PolicyError(
                gettext("The wait of ladder rung “%(rung)s” in working days must be whole")
                % {"rung": rung.label}
            )
        if rung.measure == RungMeasure.URGE and rung.by is None:
            raise PolicyError(
                gettext("Ladder rung “%(rung)s” must say who urges") % {"rung": rung.label}
            )
        if rung.min_reminders < 0:
            raise PolicyError(
                gettext("The reminder count of ladder rung “%(rung)s” must not be negative")
                % {"rung": rung.label}
            )


# --- JSON ------------------------------------------------------------------------------
