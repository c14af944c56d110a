"""One namespace of codes per project: loyalty cards' and discount and gift vouchers'."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from loyalty_fake.ledger.project import Project

__all__ = ["AllCodes"]


class AllCodes:
    """Every code a project has given out, cards' and vouchers': one namespace."""

    __slots__ = ("_project",)

    def __init__(self, project: Project) -> None:
        """The codes of ``project``."""
        self._project = project

    def __contains__(self, code: object) -> bool:
        """Whether a card or a voucher has ``code``."""
        return code in self._project.cards or code in self._project.vouchers

    def __len__(self) -> int:
        """How many codes are taken."""
        return len(self._project.cards) + len(self._project.vouchers)

    def __iter__(self) -> Iterator[str]:
        """The taken codes, cards' first."""
        yield from self._project.cards
        yield from self._project.vouchers
