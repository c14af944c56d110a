"""The pytest plugin: one fixture, fresh state per test, options through a marker."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

pytest_plugins = ["pytester"]


def test_fixture_needs_no_import(pytester: pytest.Pytester) -> None:
    """The loyalty_fake fixture is there through the pytest11 entry point alone."""
    pytester.makepyfile(
        """
        import requests

        def test_uses_fake(loyalty_fake):
            loyalty_fake.create_loyalty_program("P", vouchers_count=1)
            r = requests.post(
                "https://api.voucherify.io/v1/loyalties/P/members",
                json={"customer": "alice"},
                headers=loyalty_fake.headers,
            )
            assert r.status_code == 200
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_each_test_gets_fresh_state(pytester: pytest.Pytester) -> None:
    """What one test created is gone in the next."""
    pytester.makepyfile(
        """
        import pytest
        from loyalty_fake import VoucherifyError

        def test_first(loyalty_fake):
            loyalty_fake.create_loyalty_program("P")

        def test_second(loyalty_fake):
            with pytest.raises(VoucherifyError):
                loyalty_fake.get_loyalty_program("P")
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_patching_is_undone_after_a_failing_test(pytester: pytest.Pytester) -> None:
    """A test that fails mid-way leaves no patch behind for the next test."""
    pytester.makepyfile(
        """
        from tests.patch_points import every_patch_point as patches

        ORIGINAL = patches()

        def test_fails(loyalty_fake):
            raise AssertionError("the app under test broke")

        def test_after():
            assert patches() == ORIGINAL
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1, failed=1)


def test_marker_options_reach_the_fake(pytester: pytest.Pytester) -> None:
    """seed, now, credentials and strict_joins given by the marker configure the fake."""
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.loyalty_fake(seed=7, now="2030-05-05T05:05:05Z",
                                  credentials={"a": "b"}, strict_joins=True)
        def test_options(loyalty_fake):
            assert loyalty_fake.seed == 7
            assert loyalty_fake.clock.frozen
            assert loyalty_fake.clock.now().isoformat() == "2030-05-05T05:05:05+00:00"
            assert loyalty_fake.headers == {"X-App-Id": "a", "X-App-Token": "b"}
            assert loyalty_fake.ledger.strict_joins
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_closest_marker_wins(pytester: pytest.Pytester) -> None:
    """A test's own marker overrides its module's."""
    pytester.makepyfile(
        """
        import pytest

        pytestmark = pytest.mark.loyalty_fake(seed=1, strict_joins=True)

        @pytest.mark.loyalty_fake(seed=2)
        def test_override(loyalty_fake):
            assert loyalty_fake.seed == 2
            assert loyalty_fake.ledger.strict_joins
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_a_marked_test_gets_the_fake_without_asking(pytester: pytest.Pytester) -> None:
    """A marked test that does not request the fixture is answered by the fake, configured."""
    pytester.makepyfile(
        """
        import pytest
        import requests

        URL = "https://api.voucherify.io/v1/loyalties"

        @pytest.mark.loyalty_fake(credentials={"app": "secret"})
        def test_forgot_the_fixture():
            headers = {"X-App-Id": "app", "X-App-Token": "secret"}
            assert requests.post(URL, json={"name": "P"}, headers=headers).status_code == 200
            wrong = {"X-App-Id": "app", "X-App-Token": "guess"}
            assert requests.get(URL, headers=wrong).status_code == 401
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_a_module_marker_gives_every_test_its_own_fake(pytester: pytest.Pytester) -> None:
    """A module's pytestmark activates a fresh fake for each of its tests."""
    pytester.makepyfile(
        """
        import pytest
        import httpx

        pytestmark = pytest.mark.loyalty_fake(seed=3)
        URL = "https://api.voucherify.io/v1/loyalties"
        HEADERS = {"X-App-Id": "app", "X-App-Token": "token"}

        def test_creates():
            assert httpx.post(URL, json={"name": "P"}, headers=HEADERS).status_code == 200
            assert httpx.get(URL + "/P", headers=HEADERS).status_code == 200

        def test_sees_nothing_of_the_other():
            assert httpx.get(URL + "/P", headers=HEADERS).status_code == 404
        """
    )
    pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly").assert_outcomes(passed=2)


def test_an_unmarked_test_without_the_fixture_gets_no_fake(pytester: pytest.Pytester) -> None:
    """Without the marker or the fixture, nothing is patched."""
    pytester.makepyfile(
        """
        from tests.patch_points import every_patch_point

        ORIGINAL = every_patch_point()

        def test_plain():
            assert every_patch_point() == ORIGINAL
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_unknown_marker_option_is_a_usage_error(pytester: pytest.Pytester) -> None:
    """A misspelt option is reported, not silently ignored."""
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.loyalty_fake(sede=7)
        def test_typo(loyalty_fake):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*unknown loyalty_fake option(s)*sede*"])
    assert result.ret != 0


def test_internal_error_fails_the_test(pytester: pytest.Pytester) -> None:
    """A bug in the fake during a test turns into a teardown error naming it."""
    pytester.makepyfile(
        """
        import requests
        from loyalty_fake.ledger.campaigns import Campaigns

        def test_hits_bug(loyalty_fake, monkeypatch):
            def broken(*args, **kwargs):
                raise KeyError("bug")
            monkeypatch.setattr(Campaigns, "get", broken)
            r = requests.get("https://api.voucherify.io/v1/loyalties/x",
                             headers=loyalty_fake.headers)
            assert r.status_code == 500
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*loyalty-fake hit an internal error: KeyError*"])


def test_plugin_installs_under_a_project_name() -> None:
    """The pytest11 entry point names loyalty_fake_pytest, not a generic top-level module."""
    from importlib.metadata import entry_points  # noqa: PLC0415

    [entry] = [e for e in entry_points(group="pytest11") if e.name == "loyalty_fake"]
    assert entry.value == "loyalty_fake_pytest.plugin"
    assert entry.load().__name__ == "loyalty_fake_pytest.plugin"
