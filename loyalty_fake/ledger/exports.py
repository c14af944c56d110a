"""Exports (``exp_``): CSV files of a project's records, made when they are asked for.

Voucherify schedules an export and writes its file later; the fake writes the file from
the state at the instant of the request (the HTTP layer renders it) and keeps it with
the export, so that reading the export later, after the records changed, downloads what
was there when it was asked for, as Voucherify's file is. Nothing here knows CSV: the
file is text handed in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake import errors
from loyalty_fake.ledger.project import Area, note_project

if TYPE_CHECKING:
    import datetime as dt

__all__ = ["EXPORTED_OBJECTS", "Export", "Exports"]

# What Voucherify exports (POST /v1/exports's exported_object), in its documentation's order.
EXPORTED_OBJECTS = (
    "voucher",
    "redemption",
    "customer",
    "publication",
    "order",
    "points_expiration",
    "voucher_transactions",
)


@attrs.frozen
class Export:
    """One export: what was exported, with which ``parameters``, and the file made.

    ``parameters`` is the request's (``order``, ``fields``, ``filters``) as Voucherify
    echoes it; ``token`` authorizes the download; ``csv`` is the file.
    """

    id: str
    created_at: dt.datetime
    exported_object: str
    parameters: dict[str, Any]
    token: str
    csv: str
    seq: int = 0
    channel: str = "API"


class Exports(Area):
    """A project's exports."""

    __slots__ = ()

    def create(self, exported_object: str, parameters: dict[str, Any], csv: str) -> Export:
        """Record an export of ``exported_object`` whose file is ``csv``; returns it."""
        project = self._project
        session = self._session
        if session.undo is not None:
            note_project(session.undo, project)
        made = Export(
            id=session.ids.export_id(),
            created_at=session.clock.now(),
            exported_object=exported_object,
            parameters=parameters,
            token=session.ids.export_token(),
            csv=csv,
            seq=project.take_seq(),
        )
        project.exports[made.id] = made
        return made

    def get(self, export_id: str) -> Export:
        """The export ``export_id``; 404 ``not_found`` (export) otherwise."""
        found = self._project.exports.get(export_id)
        if found is None:
            raise errors.not_found("export", export_id)
        return found

    def list(self, order: str = "-created_at") -> list[Export]:
        """Every export, by ``order`` (``created_at`` or ``status``, ``-`` descending).

        Every export of the fake is done, so ``status`` keeps creation order.
        """
        found = sorted(self._project.exports.values(), key=lambda made: made.seq)
        if order == "-created_at":
            found.reverse()
        return found

    def delete(self, export_id: str) -> None:
        """Delete an export and its file; 404 ``not_found`` when there is none."""
        found = self.get(export_id)
        undo = self._session.undo
        if undo is not None:
            undo.keep(self._project.exports)
        del self._project.exports[found.id]

    def download(self, export_id: str, token: str) -> str:
        """The export's file; 404 for no export, 401 ``unauthorized`` for a wrong token."""
        found = self.get(export_id)
        if token != found.token:
            raise errors.VoucherifyError(
                code=401,
                key="unauthorized",
                message="Unauthorized",
                details=f"The token does not open export {export_id}",
            )
        return found.csv
