"""A manager's authorisation: another user's identifier and PIN allowed one action the
logged-in cashier may not do alone (a free discount, a price change, a void, a return,
a cash operation, a report …).

The record says who authorised what and when. It is kept with the document it
affects — on an open receipt until it is paid, then in the ledger's ``extra`` of the
stored document (``"authorisations"``: a list of :meth:`Authorisation.record` dicts,
the same keys the wire uses) — printed on the document's printout ("Autoryzował:
Anna Kowalska") and uploaded with it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

#: The key of the authorisations in a stored document's ``extra``.
EXTRA_KEY: Final = "authorisations"

#: What a printout says each authorised permission was for (printouts are Polish, as
#: the fiscal printer prints them).
PRINT_LABELS: Final = {
    "price_change": "zmiana ceny",
    "free_discount": "rabat",
    "void": "anulowanie",
    "returns": "zwrot",
    "cash_withdrawal": "wypłata",
    "cash_deposit": "wpłata",
    "day_close": "raport dobowy",
    "reports": "raport",
    "settings": "ustawienia",
}


@dataclass(frozen=True)
class Authorisation:
    """``name`` (user ``user_id``, ``identifier``) holding ``permission`` allowed one
    action at ``at`` (UTC); ``detail`` says which (e.g. "Jogurt grecki -10%")."""

    permission: str
    user_id: int
    identifier: str
    name: str
    at: datetime
    detail: str = ""

    def record(self) -> dict[str, Any]:
        """The JSON-ready form stored with a document and sent on the wire."""
        data: dict[str, Any] = {
            "permission": self.permission,
            "user_id": self.user_id,
            "identifier": self.identifier,
            "name": self.name,
            "at": self.at.astimezone(UTC).isoformat(),
        }
        if self.detail:
            data["detail"] = self.detail
        return data

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> Authorisation:
        """The authorisation a :meth:`record` dict stands for."""
        at = datetime.fromisoformat(str(data["at"]))
        return cls(
            permission=str(data["permission"]),
            user_id=int(data.get("user_id") or 0),
            identifier=str(data.get("identifier") or ""),
            name=str(data.get("name") or ""),
            at=at if at.tzinfo else at.replace(tzinfo=UTC),
            detail=str(data.get("detail") or ""),
        )

    def with_detail(self, detail: str) -> Authorisation:
        """The same authorisation, saying which action it allowed."""
        return Authorisation(self.permission, self.user_id, self.identifier, self.name, self.at, detail)


def records(authorisations: Iterable[Authorisation]) -> list[dict[str, Any]]:
    """:meth:`Authorisation.record` of each, in order."""
    return [authorisation.record() for authorisation in authorisations]


def authorisations_of(extra: Mapping[str, Any]) -> tuple[Authorisation, ...]:
    """The authorisations a stored document's ``extra`` carries (none for most)."""
    return tuple(Authorisation.from_record(item) for item in extra.get(EXTRA_KEY) or ())


def with_authorisation(extra: Mapping[str, Any], authorisation: Authorisation | None) -> dict[str, Any]:
    """``extra`` with ``authorisation`` added to its list (unchanged without one)."""
    result = dict(extra)
    if authorisation is not None:
        result[EXTRA_KEY] = [*result.get(EXTRA_KEY, ()), authorisation.record()]
    return result


def printout_lines(authorisations: Iterable[Authorisation], width: int) -> list[str]:
    """"Autoryzował: Anna Kowalska" (once for consecutive authorisations by the same
    person), each followed by what it allowed when it says ("  rabat: Jogurt -10%"),
    wrapped to ``width``."""
    lines: list[str] = []
    previous: str | None = None
    for authorisation in authorisations:
        if authorisation.name != previous:
            lines.append(f"Autoryzował: {authorisation.name}"[:width])
            previous = authorisation.name
        if authorisation.detail:
            label = PRINT_LABELS.get(authorisation.permission, authorisation.permission)
            lines += textwrap.wrap(f"{label}: {authorisation.detail}", width, initial_indent="  ",
                                   subsequent_indent="    ", break_on_hyphens=False)
    return lines
