"""What every wire model shares: the base model and the checked integer types.

Bytes matter (terminals sync over GSM), so items are compact on the wire: ``None`` is
never sent and change payloads omit fields that hold their default (``active: true``,
``kind: "good"`` …); parsing a payload with its model fills the defaults back in.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict

#: Ids and document numbers fit a 32-bit database integer on every backend.
Id32 = Annotated[int, Field(ge=1, le=2_147_483_647)]
#: Money (grosze) and quantities (thousandths of a unit) are true JSON integers on the
#: wire, on both sides: ``"12"``, ``12.0`` and ``true`` are refused (pydantic strict
#: int), so no sender's float or string is silently turned into an amount.
StrictWireInt = Annotated[int, Strict()]
NonNegativeGrosze = Annotated[int, Strict(), Field(ge=0, le=99_999_999_999)]
SignedGrosze = Annotated[int, Strict(), Field(ge=-99_999_999_999, le=99_999_999_999)]
#: Thousandths of a unit sold or returned (1000 = 1 szt. or 1 kg).
Thousandths = Annotated[int, Strict(), Field(gt=0, le=99_999_000)]
#: The fiscal printer's PTU letters (A-G; the back office sets which exist and their rates).
VatLetter = Literal["A", "B", "C", "D", "E", "F", "G"]


class WireModel(BaseModel):
    """Base of every wire model: unknown fields are ignored (a newer peer may add some)."""

    model_config = ConfigDict(extra="ignore", frozen=False)

    def to_wire(self) -> dict[str, Any]:
        """JSON-ready dict without ``None`` values (compact on the wire)."""
        return self.model_dump(mode="json", exclude_none=True)
