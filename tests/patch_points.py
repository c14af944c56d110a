"""Every attribute the fake may replace while it runs, to prove each one is put back."""

from __future__ import annotations


def every_patch_point() -> tuple[object, ...]:
    """The attributes as stored on their classes, in a fixed order."""
    import httpcore  # noqa: PLC0415 - only the tests that check patches need these
    import httpx  # noqa: PLC0415
    import pytest_httpx  # noqa: PLC0415
    import responses  # noqa: PLC0415
    import respx.mocks  # noqa: PLC0415
    from requests.adapters import HTTPAdapter  # noqa: PLC0415
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool  # noqa: PLC0415

    return (
        vars(HTTPAdapter)["send"],
        vars(HTTPConnectionPool)["urlopen"],
        vars(HTTPConnectionPool)["_make_request"],
        vars(HTTPSConnectionPool)["_prepare_proxy"],
        vars(httpcore.HTTPConnection)["_connect"],
        vars(httpcore.AsyncHTTPConnection)["_connect"],
        vars(httpx.HTTPTransport)["handle_request"],
        vars(httpx.AsyncHTTPTransport)["handle_async_request"],
        vars(responses.RequestsMock)["_on_request"],
        vars(respx.mocks.Mocker)["handler"],
        vars(respx.mocks.Mocker)["async_handler"],
        vars(pytest_httpx.HTTPXMock)["_handle_request"],
        vars(pytest_httpx.HTTPXMock)["_handle_async_request"],
    )
