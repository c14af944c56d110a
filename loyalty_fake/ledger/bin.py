"""The bin (``/v1/trash-bin``): what a delete without ``force`` moved there, until deleted for good.

Campaigns (loyalty programs too), vouchers, products and SKUs deleted without ``force``
keep their records, flagged ``in_bin`` (gone from every read, their names, codes and
source_ids still taken), and get a bin entry (``tbe_``) here. Deleting the entry deletes
the resource for good, as ``force=true`` would have. The spec has no way back out of the
bin (docs/choices.md). A campaign's vouchers and a product's SKUs go with it and have no
entries of their own; one binned before stays listed until either goes for good.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import attrs

from loyalty_fake import errors
from loyalty_fake.ledger.project import Area, note_project, note_removal

if TYPE_CHECKING:
    import datetime as dt

    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.project import Project
    from loyalty_fake.ledger.session import Session

__all__ = ["Bin", "BinEntry", "ResourceType", "forget_campaign"]

ResourceType = Literal["campaign", "voucher", "product", "sku"]


@attrs.define(eq=False)
class BinEntry:
    """One resource in the bin: the spec's ``TrashBinItem``."""

    id: str
    created_at: dt.datetime
    resource_id: str
    resource_type: ResourceType
    resource_name: str
    resource_parent_id: str | None = None


class Bin(Area):
    """A project's bin."""

    __slots__ = ()

    def add(
        self, resource_type: ResourceType, resource_id: str, name: str, parent_id: str | None
    ) -> BinEntry:
        """A new entry for a resource just moved to the bin, on the fake's clock."""
        session = self._session
        project = self._project
        undo = session.undo
        if undo is not None:
            note_project(undo, project)
        entry = BinEntry(
            id=session.ids.ordered("tbe_", project.take_seq()),
            created_at=session.clock.now(),
            resource_id=resource_id,
            resource_type=resource_type,
            resource_name=name,
            resource_parent_id=parent_id,
        )
        project.bin_entries[entry.id] = entry
        return entry

    def list(self) -> list[BinEntry]:
        """Every entry, oldest first (their IDs sort so)."""
        return list(self._project.bin_entries.values())

    def get(self, entry_id: str) -> BinEntry:
        """The entry ``entry_id``; 404 ``not_found`` otherwise."""
        found = self._project.bin_entries.get(entry_id)
        if found is None:
            raise errors.not_found("bin_entry", entry_id)
        return found

    def delete(self, entry_id: str) -> None:
        """Delete the entry's resource for good (and so the entry)."""
        entry = self.get(entry_id)
        session = self._session
        project = self._project
        if entry.resource_type == "campaign":
            forget_campaign(session, project.campaigns[entry.resource_id])
        elif entry.resource_type == "voucher":
            voucher = project.vouchers[entry.resource_name]
            undo = session.undo
            if undo is not None:
                note_project(undo, project)
                undo.keep(project.vouchers)
            del project.vouchers[voucher.code]
            session.validation_rules.forget_object(voucher.id)
        elif entry.resource_type == "product":
            session.products.delete(entry.resource_id, force=True)
        else:
            parent = entry.resource_parent_id or ""
            session.products.delete_sku(parent, entry.resource_id, force=True)
        self.prune()

    def prune(self) -> None:
        """Drop the entries whose resource is gone for good (deleted with ``force``)."""
        project = self._project
        entries = project.bin_entries
        gone = [entry.id for entry in entries.values() if not _exists(project, entry)]
        if gone:
            undo = self._session.undo
            if undo is not None:
                undo.keep(entries)
            for entry_id in gone:
                del entries[entry_id]


def _exists(project: Project, entry: BinEntry) -> bool:
    if entry.resource_type == "campaign":
        return entry.resource_id in project.campaigns
    if entry.resource_type == "product":
        return entry.resource_id in project.products
    if entry.resource_type == "sku":
        return entry.resource_id in project.skus
    voucher = project.vouchers.get(entry.resource_name)
    return voucher is not None and voucher.id == entry.resource_id


def forget_campaign(session: Session, campaign: Campaign) -> None:
    """Delete a campaign for good, with its cards or vouchers, freeing name and codes."""
    project = session.project
    undo = session.undo
    if undo is not None:
        note_removal(undo, project)
    # Each area forgets what it holds of the program: a new area with records of a
    # program adds its line here.
    del project.campaigns[campaign.id]
    del project.campaign_ids_by_name[campaign.name]
    codes = session.cards.forget_campaign(campaign)
    session.points.forget_cards(codes)
    session.redemptions.forget_cards(codes)
    session.publications.forget_campaign(campaign)
    session.rewards.forget_campaign(campaign)
    session.earning_rules.forget_campaign(campaign)
    session.pending_points.forget_cards(codes)
    session.tiers.forget_campaign(campaign.id, codes)
    session.vouchers.forget_campaign(campaign)
    session.validation_rules.forget_object(campaign.id)
    Bin(session).prune()
