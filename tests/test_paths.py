"""Paths and operations: 404 for a path Voucherify lacks, 405 for a method, 501 for the rest.

A request no route serves is decided by Voucherify's own list of operations
(``loyalty_fake/http/voucherify_operations.json``, generated from its OpenAPI files).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests
import voucherify
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loyalty_fake import LoyaltyFake
from loyalty_fake.http.management_auth import management_project_id
from loyalty_fake.http.messages import Request
from loyalty_fake.http.operations import DATA_FILE, FULL_SPEC, read_spec, render
from loyalty_fake.http.routes import (
    ROUTES,
    VOUCHERIFY_OPERATIONS,
    Route,
    VoucherifyOperation,
    match,
    voucherify_operation,
)
from tests.conftest import SdkClient, check_error_reply, make_program
from tests.spec import SPEC_DIR, requires_spec

if TYPE_CHECKING:
    from loyalty_fake.http.messages import Response
    from tests.conftest import Client

NOT_VOUCHERIFY_PATHS = [
    "/v1/rewardz",
    "/v1/definitely/not/here",
    "/",
    "/v1",
    "/v1//loyalties",
    "//v1/loyalties",
    "/v1/loyalties//",
    "/v2/loyalties",
    "/v1/loyalties/Coffee%20Club/members/C/nowhere",
    "/v1%2Floyalties",
]
_PARAMETER = re.compile(r"\{[^}]*\}")


def _shape(operation: str) -> str:
    return _PARAMETER.sub("{}", operation)


@pytest.mark.parametrize("path", NOT_VOUCHERIFY_PATHS)
def test_a_path_voucherify_lacks_is_its_404(client: Client, path: str) -> None:
    """A typo or a path outside Voucherify's API answers Voucherify's 404, not a 5xx to retry."""
    reply = client.request("GET", path)
    assert reply.status == 404
    assert reply.body["key"] == "not_found"
    assert reply.body["message"] == "Resource not found"
    assert reply.body["details"] == f"Voucherify's API has no path {path}"
    assert re.fullmatch(r"v-[0-9a-f]{18}", reply.body["request_id"])
    assert "allow" not in {name.lower() for name in reply.headers}


def test_a_write_to_a_typo_path_changes_nothing(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """POST to a misspelt collection is a 404 and creates nothing."""
    reply = client.request("POST", "/v1/loyaltiez", {"name": "Coffee Club"})
    assert reply.status == 404
    assert loyalty_fake.request("GET", "/v1/loyalties").json()["total"] == 0


def test_a_voucherify_operation_the_fake_lacks_is_a_short_501(client: Client) -> None:
    """The 501 names the operation and its Voucherify summary and points at the supported list."""
    make_program(client)
    reply = client.request("GET", "/v1/promotions/tiers")
    assert reply.status == 501
    assert reply.body["key"] == "not_implemented"
    assert reply.body["details"] == (
        "GET /v1/promotions/tiers (List Promotion Tiers) is not implemented by "
        "loyalty-fake yet; the operations it supports are listed in docs/operations.md"
    )
    assert reply.body["resource_id"] == "list-promotion-tiers"
    assert reply.body["resource_type"] == "operation"
    assert "implemented_operations" not in reply.body
    assert len(str(reply.body)) < 500


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    [
        ("POST", "/v1/product-collections", "create-product-collection"),
        ("GET", "/v1/campaigns/Coffee%20Club/summary", "get-campaign-summary"),
    ],
)
def test_operations_outside_the_loyalty_api_are_501(
    client: Client, method: str, path: str, operation: str
) -> None:
    """Operations the fake lacks, the newest docs' included, are Voucherify's too: 501.

    Client-side ones answer 501 too, to client-side keys (tests/test_client_side.py), and
    management ones to management keys (tests/test_projects.py).
    """
    reply = client.request(method, path, {} if method == "POST" else None)
    assert reply.status == 501
    assert reply.body["resource_id"] == operation


@pytest.mark.parametrize(
    ("method", "path", "allow", "hint"),
    [
        ("PUT", "/v1/loyalties", "GET, POST", "GET or POST"),
        ("DELETE", "/v1/loyalties/P/tiers", "GET, POST", "GET or POST"),
        ("POST", "/v1/loyalties/P", "DELETE, GET, PUT", "DELETE, GET or PUT"),
        ("PATCH", "/v1/customers/importCSV", "DELETE, GET, POST, PUT", "DELETE, GET, POST or PUT"),
    ],
)
def test_a_method_the_path_lacks_is_405_in_voucherifys_words(
    client: Client, method: str, path: str, allow: str, hint: str
) -> None:
    """405 carries Voucherify's documented message, its hint, and an Allow header."""
    reply = client.request(method, path, {})
    assert reply.status == 405
    assert reply.body["key"] == "method_not_allowed"
    assert reply.body["message"] == "HTTP Method Not Allowed"
    assert reply.body["details"] == (
        f"{method} is not supported by this endpoint. Did you mean {hint}?"
    )
    assert {name.lower(): value for name, value in reply.headers.items()}["allow"] == allow


def test_one_trailing_slash_reaches_the_operation(loyalty_fake: LoyaltyFake) -> None:
    """One trailing slash is ignored (docs/choices.md); an encoded one is part of the name."""
    loyalty_fake.create_loyalty_program("Coffee Club")
    assert loyalty_fake.request("GET", "/v1/loyalties/Coffee%20Club/").status == 200
    missing = loyalty_fake.request("GET", "/v1/loyalties/Coffee%20Club%2F")
    assert (missing.status, missing.json()["resource_type"]) == (404, "campaign")


@pytest.mark.parametrize(
    ("call", "operation"),
    [
        (
            lambda sdk: voucherify.PromotionsApi(
                sdk.api.api_client
            ).list_promotion_tiers_with_http_info(),
            "list-promotion-tiers",
        ),
        (
            lambda sdk: voucherify.LocationsApi(sdk.api.api_client).list_locations_with_http_info(),
            "list-locations",
        ),
        (
            lambda sdk: voucherify.ProductCollectionsApi(
                sdk.api.api_client
            ).list_product_collections_with_http_info(),
            "list-product-collections",
        ),
    ],
    ids=["promotion-tiers", "locations", "product-collections"],
)
def test_the_sdk_reads_the_501(loyalty_fake: LoyaltyFake, call: Any, operation: str) -> None:
    """The official SDK's own methods for operations the fake lacks raise on a short 501."""
    sdk = SdkClient(loyalty_fake.headers)
    reply = check_error_reply(sdk._reply(lambda: call(sdk)))
    assert reply.status == 501
    assert reply.body["resource_id"] == operation


def _concrete(template: str) -> str:
    return _PARAMETER.sub("x1", template)


def test_every_voucherify_operation_is_served_or_501() -> None:
    """Each of Voucherify's operations is a route or a 501 naming it: never a 404 or 405."""
    fake = LoyaltyFake()
    for operation in VOUCHERIFY_OPERATIONS:
        response = fake.request(operation.method, _concrete(operation.path), json_body={})
        served = any(_shape(route.operation) == _shape(operation.operation) for route in ROUTES)
        body = response.json() if response.body else {}
        if served:
            assert body.get("resource_type") != "operation", operation.operation
            assert response.status not in {405, 501}, operation.operation
        else:
            assert response.status == 501, operation.operation
            named = body["details"].split(" (", 1)[0]
            assert _shape(named) == _shape(operation.operation)
    assert not fake.app.internal_errors


def test_the_list_is_voucherifys_whole_reference() -> None:
    """All 253 operations of OpenAPI.json are in the list, beyond the loyalty API."""
    full = [op for op in VOUCHERIFY_OPERATIONS if op.source == FULL_SPEC]
    assert len(full) == 253
    prefixes = {op.path.split("/")[1] for op in full}
    assert prefixes == {"v1", "client", "management"}
    assert all(op.operation_id and op.summary for op in VOUCHERIFY_OPERATIONS)


def test_the_list_ships_in_the_wheel(tmp_path: Path) -> None:
    """The wheel carries the data file beside the module that loads it."""
    builders = pytest.importorskip("hatchling.builders.wheel", reason="pip install -e '.[test]'")
    root = Path(__file__).resolve().parents[1]
    (wheel,) = builders.WheelBuilder(str(root)).build(
        directory=str(tmp_path), versions=["standard"]
    )
    with zipfile.ZipFile(wheel) as archive:
        shipped = archive.read(f"loyalty_fake/http/{DATA_FILE.name}")
    assert shipped == DATA_FILE.read_bytes()


@requires_spec
def test_the_list_matches_voucherifys_openapi_files() -> None:
    """The checked-in list is what the generator makes of Voucherify's OpenAPI files."""
    assert DATA_FILE.read_text(encoding="utf-8") == render(read_spec(SPEC_DIR)), (
        f"regenerate: python -m loyalty_fake.http.operations --regenerate {SPEC_DIR}"
    )


# -- fuzz ----------------------------------------------------------------------------------

_METHODS = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"])
_TEMPLATES: list[Route | VoucherifyOperation] = [*VOUCHERIFY_OPERATIONS, *ROUTES]
_LITERALS = sorted({part for op in _TEMPLATES for part in op.segments if not part.startswith("{")})
_ODD = ["", "%2F", "%zz", "%FF", "..", "Coffee%20Club", "members", "tiers"]
_SEGMENT = st.one_of(
    st.sampled_from(_LITERALS), st.text(min_size=0, max_size=8), st.sampled_from(_ODD)
)


@st.composite
def _requests(draw: st.DrawFn) -> tuple[str, str]:
    """A template filled in (its method or another, maybe a typo), or segments at random."""
    if draw(st.integers(0, 3)):
        template = draw(st.sampled_from(_TEMPLATES))
        method = template.method if draw(st.booleans()) else draw(_METHODS)
        parts = list(template.segments)
        for index, part in enumerate(parts):
            if part.startswith("{"):
                parts[index] = "x1" if draw(st.booleans()) else draw(_SEGMENT)
            elif draw(st.integers(0, 9)) == 0:
                parts[index] = draw(_SEGMENT)
    else:
        method = draw(_METHODS)
        parts = draw(st.lists(_SEGMENT, max_size=7))
    path = "/" + "/".join(re.sub(r"[?#\s]", "_", part) for part in parts)
    return method, path + ("/" if draw(st.integers(0, 9)) == 0 else "")


def _is_text(segment: str) -> bool:
    """Whether a decoded segment is text (undecodable bytes come back as lone surrogates)."""
    try:
        segment.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _send(fake: LoyaltyFake, method: str, path: str) -> Response:
    # Every kind of keys: the server's open /v1, the client-side ones /client/v1, the
    # management ones /management/v1.
    headers = {**fake.headers, **fake.client_headers, **fake.management_headers}
    return fake.app.handle(Request.from_url(method, path, headers, b"{}"))


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(request=_requests())
def test_any_request_gets_an_envelope_and_501_only_for_voucherify(request: tuple[str, str]) -> None:
    """Any method, any path: 2xx-4xx or 501, errors in the envelope, 501 only for Voucherify's."""
    method, path = request
    fake = LoyaltyFake()
    response = _send(fake, method, path)
    assert not fake.app.internal_errors, fake.app.internal_errors
    assert 200 <= response.status < 500 or response.status == 501
    if response.status >= 400:
        envelope = response.json()
        assert envelope["code"] == response.status
        assert envelope["key"]
        assert envelope["message"]
    segments = Request.from_url(method, path).segments
    if not all(_is_text(segment) for segment in segments):
        # A segment whose escapes are not UTF-8 is refused before any routing.
        assert (response.status, response.json()["key"]) == (400, "invalid_request")
        return
    lacking = match(method, segments) is None and voucherify_operation(method, segments)
    assert (response.status == 501) == bool(lacking)
    if lacking:
        assert response.json()["resource_id"] == lacking.operation_id
    has_allow = any(name == "Allow" for name, _ in response.headers)
    assert has_allow == (response.status == 405)


def test_an_unimplemented_management_operation_is_501_to_management_keys(
    loyalty_fake: LoyaltyFake,
) -> None:
    """Brands are not served: with management keys, 501 naming them; without, 401 first."""
    project = management_project_id(loyalty_fake.app_id)
    url = f"https://api.voucherify.io/management/v1/projects/{project}/branding"
    with_keys = requests.get(url, headers=loyalty_fake.management_headers, timeout=10)
    assert with_keys.status_code == 501
    assert with_keys.json()["resource_id"] == "list-brands"
    without = requests.get(url, headers=loyalty_fake.headers, timeout=10)
    assert (without.status_code, without.json()["key"]) == (401, "unauthorized")
