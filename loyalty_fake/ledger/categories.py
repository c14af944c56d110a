"""Categories (``/v1/categories``): the one store campaigns, vouchers and cards are filed in.

A campaign or voucher created with a new ``category`` name makes the category as the API
does; ``category_id`` names one made either way. Names are unique in a project: the
store is keyed by name. Deleting a category unfiles what was in it (docs/choices.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from loyalty_fake import errors
from loyalty_fake.ledger.campaigns import Category
from loyalty_fake.ledger.project import Area, note_project

if TYPE_CHECKING:
    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.cards import LoyaltyCard
    from loyalty_fake.ledger.project import Project
    from loyalty_fake.ledger.undo import UndoLog
    from loyalty_fake.ledger.vouchers import Voucher

__all__ = ["Categories"]


class Categories(Area):
    """A project's categories."""

    __slots__ = ()

    def list(self) -> list[Category]:
        """Every category, the highest hierarchy first (newest first within one)."""
        found = list(self._project.categories_by_name.values())
        found.sort(key=lambda category: (category.hierarchy, category.created_at), reverse=True)
        return found

    def get(self, category_id: str) -> Category:
        """The category with ID ``category_id``; 404 ``not_found`` otherwise."""
        for known in self._project.categories_by_name.values():
            if known.id == category_id:
                return known
        raise errors.not_found("category", category_id)

    def create(self, name: str, hierarchy: int) -> Category:
        """A new category; 409 ``duplicate_found`` when one has this name."""
        project = self._project
        taken = project.categories_by_name.get(name)
        if taken is not None:
            raise errors.duplicate_found("category", taken.id)
        session = self._session
        made = Category(
            id=session.ids.category_id(),
            name=name,
            created_at=session.clock.now(),
            hierarchy=hierarchy,
        )
        undo = session.undo
        if undo is not None:
            note_project(undo, project)
        project.categories_by_name[name] = made
        return made

    def update(self, category_id: str, name: str, hierarchy: int) -> Category:
        """Rename and re-rank a category, for everything filed in it; 409 on a name taken."""
        project = self._project
        found = self.get(category_id)
        taken = project.categories_by_name.get(name)
        if taken is not None and taken is not found:
            raise errors.duplicate_found("category", taken.id)
        undo = self._session.undo
        if undo is not None:
            undo.touch(found)
            undo.keep(project.categories_by_name)
        if name != found.name:
            _rekey(project, found, name)
        found.name = name
        found.hierarchy = hierarchy
        found.updated_at = self._session.clock.now()
        return found

    def delete(self, category_id: str) -> None:
        """Delete a category: what was filed in it is in no category from now on."""
        project = self._project
        found = self.get(category_id)
        undo = self._session.undo
        if undo is not None:
            undo.keep(project.categories_by_name)
        del project.categories_by_name[found.name]
        _unfile(project, found, undo)


def _rekey(project: Project, category: Category, name: str) -> None:
    """Key ``category`` by its new ``name``, keeping the store's order."""
    store = project.categories_by_name
    entries = list(store.items())
    store.clear()
    for key, known in entries:
        store[name if known is category else key] = known


def _unfile(project: Project, category: Category, undo: UndoLog | None) -> None:
    """Take ``category`` off every campaign, voucher and card filed in it."""
    records: tuple[Campaign | Voucher | LoyaltyCard, ...] = (
        *project.campaigns.values(),
        *project.vouchers.values(),
        *project.cards.values(),
    )
    for record in records:
        if record.category is category:
            if undo is not None:
                undo.touch(record)
            record.category = None
