"""gettext for the pure sla modules, which import no Django (the pure-sla contract).

`SlaConfig.ready()` installs Django's gettext here; until then (the deadline math used
without Django) a text is its English msgid. `gettext` translates at call time (an
error's message, in the active language); `gettext_lazy` is for module-level labels and
translates each time it is turned into text (`str()`, an f-string, `+`), so a label dict
built at import reads in the language of the request. The msgids are found by
`makemessages` by these functions' names, like Django's own.
"""

from __future__ import annotations

from collections.abc import Callable

_translate: Callable[[str], str] = str


def install(translate: Callable[[str], str]) -> None:
    global _translate
    _translate = translate


def gettext(message: str) -> str:
    return _translate(message)


class LazyText:
    """A msgid translated whenever it is read as text; compares equal to its translation."""

    __slots__ = ("msgid",)

    def __init__(self, msgid: str) -> None:
        self.msgid = msgid

    def __str__(self) -> str:
        return _translate(self.msgid)

    def __repr__(self) -> str:
        return f"LazyText({self.msgid!r})"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyText):
            return self.msgid == other.msgid
        return str(self) == other

    def __hash__(self) -> int:
        return hash(self.msgid)

    def __add__(self, other: str) -> str:
        return str(self) + other

    def __radd__(self, other: str) -> str:
        return other + str(self)


def gettext_lazy(message: str) -> LazyText:
    return LazyText(message)
