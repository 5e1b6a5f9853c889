"""The suite's two tiers (tests/conftest.py): `make check` leaves out the slow one, so a test
outside it must start no process and no server, and every test that uses the sandbox's server
is in it."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from tests.conftest import SERVER_FIXTURES


def test_outside_the_slow_tier_a_process_or_a_server_is_refused():
    with pytest.raises(AssertionError, match=r"started a process: mark it @pytest\.mark\.slow"):
        subprocess.run([sys.executable, "-c", "pass"], check=True)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        with pytest.raises(AssertionError, match=r"listened on a socket .*: mark it @pytest\.mark\.slow"):
            listener.listen()


@pytest.mark.slow
def test_in_the_slow_tier_both_are_allowed():
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()


def test_every_collected_test_that_uses_a_server_is_in_the_slow_tier(request):
    """(In a run of the whole suite this covers tests/e2e; `make check` has none to cover.)"""
    using = [item for item in request.session.items if SERVER_FIXTURES & set(item.fixturenames)]
    assert all(item.get_closest_marker("slow") for item in using), [
        item.nodeid for item in using if not item.get_closest_marker("slow")
    ]
