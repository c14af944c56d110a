"""Products and their SKUs: the catalogue that order lines and earning rules name.

Both are found by ID or ``source_id``. Creating is an upsert ("If you pass an id or a
source_id that already exists ... Voucherify will return a related product object with
updated fields"). Deleting without ``force`` moves a product (with its SKUs) or a SKU to
the bin: gone from every read, its ``source_id`` still taken (409
``duplicate_resource_key``) until it is deleted for good.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from loyalty_fake import errors
from loyalty_fake.ledger.bin import Bin
from loyalty_fake.ledger.pages import Page
from loyalty_fake.ledger.project import Area, note_project

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable

    from loyalty_fake.ledger.project import Project

__all__ = [
    "PRODUCT_ORDERS",
    "Listing",
    "Product",
    "ProductInput",
    "Products",
    "Sku",
    "SkuInput",
    "duplicate_resource_key",
    "find_product",
    "find_sku",
]

_Record = TypeVar("_Record", "Product", "Sku")

# The listing orders of GET /v1/products and /v1/products/{id}/skus that mean something for
# a product (ParameterOrder lists voucher fields too).
PRODUCT_ORDERS = ("created_at", "-created_at", "updated_at", "-updated_at")


def duplicate_resource_key(kind: str, source_id: str) -> errors.VoucherifyError:
    """409 ``duplicate_resource_key``: a product or SKU (maybe in the bin) has this source_id.

    Voucherify's wording, as its API answers it (voucherify-dotNET-sdk issue 31).
    """
    return errors.VoucherifyError(
        code=409,
        key="duplicate_resource_key",
        message="Duplicate resource key",
        details=(
            f"{kind.capitalize()} with source id: {source_id} already exists. Remove resource "
            "permanently in order to add next with the same source id."
        ),
        resource_id=source_id,
        resource_type=kind,
    )


@attrs.frozen
class ProductInput:
    """What ``POST /v1/products`` or ``PUT /v1/products/{id}`` gives; ``None``: not given."""

    id: str | None = None
    source_id: str | None = None
    name: str | None = None
    price: int | None = None
    attributes: tuple[str, ...] | None = None
    metadata: dict[str, Any] | None = None
    image_url: str | None = None


@attrs.frozen
class SkuInput:
    """What ``POST /v1/products/{id}/skus`` or the SKU's ``PUT`` gives; ``None``: not given."""

    id: str | None = None
    source_id: str | None = None
    sku: str | None = None
    price: int | None = None
    currency: str | None = None
    attributes: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    image_url: str | None = None


@attrs.define
class Product:
    """A product (``prod_``); ``price`` in cents."""

    id: str
    created_at: dt.datetime
    seq: int
    source_id: str | None = None
    name: str | None = None
    price: int | None = None
    attributes: tuple[str, ...] = ()
    metadata: dict[str, Any] | None = None
    image_url: str | None = None
    updated_at: dt.datetime | None = None
    in_bin: bool = False


@attrs.define
class Sku:
    """A SKU (``sku_``) of one product; ``price`` in cents."""

    id: str
    product_id: str
    created_at: dt.datetime
    seq: int
    source_id: str | None = None
    sku: str | None = None
    price: int | None = None
    currency: str | None = None
    attributes: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    image_url: str | None = None
    updated_at: dt.datetime | None = None
    in_bin: bool = False


def find_product(project: Project, ref: str, *, binned: bool = False) -> Product | None:
    """The product with ID or ``source_id`` ``ref``; one in the bin only when ``binned``."""
    found = project.products.get(ref)
    if found is None:
        product_id = project.product_ids_by_source_id.get(ref)
        found = project.products.get(product_id) if product_id is not None else None
    return found if found is not None and (binned or not found.in_bin) else None


def find_sku(project: Project, ref: str, *, binned: bool = False) -> Sku | None:
    """The SKU with ID or ``source_id`` ``ref``; one in the bin only when ``binned``."""
    found = project.skus.get(ref)
    if found is None:
        sku_id = project.sku_ids_by_source_id.get(ref)
        found = project.skus.get(sku_id) if sku_id is not None else None
    return found if found is not None and (binned or not found.in_bin) else None


@attrs.frozen
class Listing:
    """A page of products or SKUs to list.

    ``limit`` from page ``page`` in ``order``, created between ``start`` and ``end`` (either
    may be open); ties in creation order.
    """

    limit: int = 10
    page: int = 1
    order: str = "created_at"
    start: dt.datetime | None = None
    end: dt.datetime | None = None

    def of(self, records: Iterable[_Record]) -> tuple[list[_Record], int]:
        """The page of ``records`` asked for, and how many are in the range."""
        by_update = self.order.lstrip("-") == "updated_at"

        def key(record: _Record) -> tuple[dt.datetime, int]:
            moment = record.updated_at if by_update else None
            return (moment or record.created_at, record.seq)

        found = sorted(
            (
                record
                for record in records
                if (self.start is None or record.created_at >= self.start)
                and (self.end is None or record.created_at <= self.end)
            ),
            key=key,
            reverse=self.order.startswith("-"),
        )
        return Page(self.limit, self.page).of(found), len(found)


class Products(Area):
    """A project's products and SKUs."""

    __slots__ = ()

    # -- products -------------------------------------------------------------------------

    def get(self, ref: str) -> Product:
        """The product with ID or ``source_id`` ``ref``; 404 ``not_found`` (product) otherwise."""
        found = find_product(self._project, ref)
        if found is None:
            raise errors.not_found("product", ref)
        return found

    def upsert(self, given: ProductInput) -> Product:
        """Create a product, or update the one its ``id`` or ``source_id`` names.

        An ``id`` must name a product (404 otherwise); a ``source_id`` taken by a product
        in the bin, or by another product than the ``id``'s, is 409 ``duplicate_resource_key``.
        """
        project = self._project
        existing: Product | None = None
        if given.id is not None:
            existing = self.get(given.id)
        if given.source_id is not None:
            by_source = find_product(project, given.source_id, binned=True)
            if by_source is not None and by_source.source_id != given.source_id:
                by_source = None  # a product whose ID is this source_id: another one
            if by_source is not None and (by_source.in_bin or existing not in (None, by_source)):
                raise duplicate_resource_key("product", given.source_id)
            existing = existing or by_source
        return self._apply(existing, given)

    def update(self, ref: str, given: ProductInput) -> Product:
        """Change the given fields of the product ``ref``; 404 if none."""
        return self._apply(self.get(ref), attrs.evolve(given, id=None, source_id=None))

    def _apply(self, existing: Product | None, given: ProductInput) -> Product:
        project = self._project
        session = self._session
        now = session.clock.now()
        undo = session.undo
        if undo is not None:
            note_project(undo, project)
            if existing is not None:
                undo.touch(existing)
        product = existing
        if product is None:
            product = Product(
                id=session.ids.product_id(),
                created_at=now,
                seq=project.take_seq(),
                source_id=given.source_id,
            )
            if undo is not None:
                undo.first(product)
            project.products[product.id] = product
            if product.source_id is not None:
                project.product_ids_by_source_id[product.source_id] = product.id
        else:
            product.updated_at = now
        for field in ("name", "price", "attributes", "image_url"):
            value = getattr(given, field)
            if value is not None:
                setattr(product, field, value)
        if given.metadata is not None:
            product.metadata = project.shared(given.metadata) if given.metadata else None
        return product

    def delete(self, ref: str, *, force: bool) -> None:
        """Delete the product ``ref`` and its SKUs: to the bin, or for good with ``force``.

        ``force`` reaches a product in the bin too: that is how its source_id is freed.
        """
        product = find_product(self._project, ref, binned=force)
        if product is None:
            raise errors.not_found("product", ref)
        skus = [sku for sku in self._project.skus.values() if sku.product_id == product.id]
        if force:
            self._forget_product(product)
            for sku in skus:
                self._forget_sku(sku)
            Bin(self._session).prune()
            return
        undo = self._session.undo
        records: list[Product | Sku] = [product, *skus]
        for record in records:
            if undo is not None:
                undo.touch(record)
            record.in_bin = True
        Bin(self._session).add("product", product.id, product.name or product.id, None)

    def page(self, listing: Listing) -> tuple[list[Product], int]:
        """One page of the products (none in the bin) as ``listing`` asks; how many match."""
        return listing.of(p for p in self._project.products.values() if not p.in_bin)

    def skus_of(self, product: Product) -> list[Sku]:
        """The product's SKUs (none in the bin), oldest first."""
        return [
            sku
            for sku in self._project.skus.values()
            if sku.product_id == product.id and not sku.in_bin
        ]

    # -- SKUs -----------------------------------------------------------------------------

    def get_sku(self, ref: str, product_ref: str | None = None) -> Sku:
        """The SKU with ID or ``source_id`` ``ref`` (of product ``product_ref``); 404 otherwise."""
        product = self.get(product_ref) if product_ref is not None else None
        found = find_sku(self._project, ref)
        if found is None or (product is not None and found.product_id != product.id):
            raise errors.not_found("sku", ref)
        return found

    def upsert_sku(self, product_ref: str, given: SkuInput) -> Sku:
        """Create a SKU of product ``product_ref``, or update the one ``id`` or ``source_id`` names.

        404 for an unknown product or ``id``; 409 ``duplicate_resource_key`` for a
        ``source_id`` a SKU in the bin or of another product holds.
        """
        product = self.get(product_ref)
        existing = self.get_sku(given.id, product.id) if given.id is not None else None
        if given.source_id is not None:
            by_source = find_sku(self._project, given.source_id, binned=True)
            if by_source is not None and by_source.source_id != given.source_id:
                by_source = None
            if by_source is not None and (
                by_source.in_bin
                or by_source.product_id != product.id
                or existing not in (None, by_source)
            ):
                raise duplicate_resource_key("sku", given.source_id)
            existing = existing or by_source
        return self._apply_sku(product, existing, given)

    def update_sku(self, product_ref: str, ref: str, given: SkuInput) -> Sku:
        """Change the given fields of the SKU ``ref`` of product ``product_ref``; 404 if none."""
        sku = self.get_sku(ref, product_ref)
        product = self.get(sku.product_id)
        return self._apply_sku(product, sku, attrs.evolve(given, id=None, source_id=None))

    def _apply_sku(self, product: Product, existing: Sku | None, given: SkuInput) -> Sku:
        project = self._project
        session = self._session
        now = session.clock.now()
        undo = session.undo
        if undo is not None:
            note_project(undo, project)
            if existing is not None:
                undo.touch(existing)
        sku = existing
        if sku is None:
            sku = Sku(
                id=session.ids.sku_id(),
                product_id=product.id,
                created_at=now,
                seq=project.take_seq(),
                source_id=given.source_id,
            )
            if undo is not None:
                undo.first(sku)
            project.skus[sku.id] = sku
            if sku.source_id is not None:
                project.sku_ids_by_source_id[sku.source_id] = sku.id
        else:
            sku.updated_at = now
        for field in ("sku", "price", "currency", "image_url"):
            value = getattr(given, field)
            if value is not None:
                setattr(sku, field, value)
        if given.attributes is not None:
            sku.attributes = dict(given.attributes) or None
        if given.metadata is not None:
            sku.metadata = project.shared(given.metadata) if given.metadata else None
        return sku

    def delete_sku(self, product_ref: str, ref: str, *, force: bool) -> None:
        """Delete the SKU ``ref`` of product ``product_ref``: to the bin, or for good.

        ``force`` reaches a SKU in the bin (of a product there too) as well.
        """
        product = find_product(self._project, product_ref, binned=force)
        if product is None:
            raise errors.not_found("product", product_ref)
        sku = find_sku(self._project, ref, binned=force)
        if sku is None or sku.product_id != product.id:
            raise errors.not_found("sku", ref)
        if force:
            self._forget_sku(sku)
            Bin(self._session).prune()
            return
        if self._session.undo is not None:
            self._session.undo.touch(sku)
        sku.in_bin = True
        Bin(self._session).add("sku", sku.id, sku.sku or sku.id, product.id)

    def sku_page(self, product_ref: str, listing: Listing) -> tuple[list[Sku], int]:
        """One page of the product's SKUs as ``listing`` asks; 404 for an unknown product."""
        return listing.of(self.skus_of(self.get(product_ref)))

    # -- removal --------------------------------------------------------------------------

    def _forget_product(self, product: Product) -> None:
        project = self._project
        undo = self._session.undo
        if undo is not None:
            undo.keep(project.products)
            undo.keep(project.product_ids_by_source_id)
        del project.products[product.id]
        if product.source_id is not None:
            project.product_ids_by_source_id.pop(product.source_id, None)

    def _forget_sku(self, sku: Sku) -> None:
        project = self._project
        undo = self._session.undo
        if undo is not None:
            undo.keep(project.skus)
            undo.keep(project.sku_ids_by_source_id)
        del project.skus[sku.id]
        if sku.source_id is not None:
            project.sku_ids_by_source_id.pop(sku.source_id, None)
