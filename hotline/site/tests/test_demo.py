from django.core.management import call_command

from hotline.accounts.models import Role, User
from hotline.directory.models import Unit, UnitKind
from hotline.site.demo import ACCOUNTS


def depth(unit):
    level = 1
    while unit.parent_id:
        unit = unit.parent
        level += 1
    return level


def test_demo_city_is_idempotent(db, capsys):
    call_command("demo_city", "--tickets", "30")
    first = (Unit.objects.count(), User.objects.count())
    call_command("demo_city", "--tickets", "30")
    assert (Unit.objects.count(), User.objects.count()) == first
    out = capsys.readouterr().out
    assert "operator1@12345" in out and "话务员" in out


def test_demo_city_has_about_forty_units_on_three_levels_and_every_role(demo):
    units = list(Unit.objects.select_related("parent__parent"))
    assert 35 <= len(units) <= 45
    assert {depth(u) for u in units} == {1, 2, 3}
    kinds = {u.kind for u in units}
    assert {
        UnitKind.CENTER,
        UnitKind.DEPARTMENT,
        UnitKind.TOWN,
        UnitKind.COMMUNITY,
        UnitKind.UTILITY,
    } <= kinds
    assert {a.role for a in ACCOUNTS} == set(Role.values)
    for account in ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert user.check_password(account.password)
        user.full_clean()


def test_demo_tickets_cover_every_state_and_are_idempotent(demo):
    from hotline.tickets.demo import build_demo_tickets
    from hotline.tickets.models import Ticket
    from hotline.tickets.states import Status

    assert build_demo_tickets(count=120) == 120
    assert build_demo_tickets(count=120) == 0
    statuses = set(Ticket.objects.values_list("status", flat=True))
    assert statuses >= {
        Status.PENDING_DISPATCH,
        Status.DISPATCHED,
        Status.HANDLING,
        Status.REPLIED,
        Status.COMPLETED,
        Status.CLOSED,
    }
