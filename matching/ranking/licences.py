"""Driving licence categories: the one list, read by the input schemas, the feature table and the filters.

The order is the order of the bits in the feature table's ``licences`` column (saved with the indexes): a new
category goes at the end.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum


class DrivingLicence(StrEnum):
    """Belgian/EU driving licence categories."""

    AM = "AM"
    A1 = "A1"
    A2 = "A2"
    A = "A"
    B = "B"
    BE = "BE"
    C1 = "C1"
    C1E = "C1E"
    C = "C"
    CE = "CE"
    D1 = "D1"
    D1E = "D1E"
    D = "D"
    DE = "DE"
    G = "G"


LICENCES = tuple(licence.value for licence in DrivingLicence)
"""The categories, in the order of their bits."""
LICENCE_BITS = {name: 1 << i for i, name in enumerate(LICENCES)}
"""Category -> its bit in a licence mask."""


def licence_mask(licences: Sequence[str]) -> int:
    """Driving licence categories as a bit mask.

    Args:
        licences: category names, any case (unknown ones are ignored).

    Returns:
        The mask with the bit of each category set.
    """
    mask = 0
    for name in licences:
        mask |= LICENCE_BITS.get(name.upper(), 0)
    return mask


__all__ = ["LICENCES", "LICENCE_BITS", "DrivingLicence", "licence_mask"]
