"""Config safety (secrets, TLS default) and the retry loop's arithmetic, without a server."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from zerotrust.nsx import NsxConfig, RetrySettings, Secret
from zerotrust.nsx.retry import backoff_delay, parse_retry_after


def test_secret_never_prints() -> None:
    config = NsxConfig(endpoint="https://nsx", username="admin", password=Secret("hunter2"))
    assert "hunter2" not in repr(config)
    assert "hunter2" not in str(config.password)
    with pytest.raises(TypeError):
        pickle.dumps(config.password)


def test_plain_string_password_is_wrapped() -> None:
    config = NsxConfig(endpoint="https://nsx", username="admin", password="hunter2")  # type: ignore[arg-type]
    assert isinstance(config.password, Secret)
    assert "hunter2" not in repr(config)


def test_tls_is_verified_by_default() -> None:
    assert NsxConfig(endpoint="https://nsx", username="a", password=Secret("p")).tls_verify() is True


def test_insecure_is_explicit_and_exclusive(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("x")
    assert NsxConfig(endpoint="https://n", username="a", password=Secret("p"), insecure=True).tls_verify() is False
    with pytest.raises(ValueError, match="not both"):
        NsxConfig(endpoint="https://n", username="a", password=Secret("p"), insecure=True, ca_file=ca)


def test_bad_endpoint_and_missing_ca(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="https://"):
        NsxConfig(endpoint="nsx.example", username="a", password=Secret("p"))
    with pytest.raises(ValueError, match="does not exist"):
        NsxConfig(endpoint="https://n", username="a", password=Secret("p"), ca_file=tmp_path / "nope.pem")


@pytest.mark.parametrize(("header", "seconds"), [("3", 3.0), ("0", 0.0), (" 1.5 ", 1.5), ("soon", None), (None, None)])
def test_retry_after_seconds(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header) == seconds


def test_retry_after_http_date() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == pytest.approx(10.0)


def test_backoff_grows_is_capped_and_jittered() -> None:
    settings = RetrySettings(initial_delay=0.5, max_delay=3.0, jitter=0.5)
    assert [backoff_delay(n, settings, rng=lambda: 0.0) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert backoff_delay(1, settings, rng=lambda: 1.0) == 0.25
