"""The shared private null sink (tests/support/null_sink.py): routes this process through a
sink of its own while in use, hears its own sound, and leaves nothing behind."""

from __future__ import annotations

import os

import pytest

from tests.support import null_sink as ns

pytestmark = pytest.mark.e2e


def sinks() -> set[str]:
    out = ns.pactl("list", "short", "sinks").stdout
    return {line.split("\t")[1] for line in out.splitlines() if "\t" in line}


def streams_into(sink: str) -> int:
    """How many playback streams play into the sink called `sink`."""
    ids = {line.split("\t")[1]: line.split("\t")[0] for line in
           ns.pactl("list", "short", "sinks").stdout.splitlines() if "\t" in line}  # fmt: skip
    if sink not in ids:
        return 0
    inputs = ns.pactl("list", "short", "sink-inputs").stdout.splitlines()
    return sum(1 for line in inputs if line.split("\t")[1:2] == [ids[sink]])


@pytest.fixture
def pulse():
    try:
        ns.ensure_daemon()
    except ns.PulseAudioMissing as exc:
        pytest.skip(str(exc))


def test_a_private_sink_is_routed_flows_and_is_gone_after(pulse, monkeypatch):
    monkeypatch.setenv("PULSE_SINK", "someone_elses")
    monkeypatch.delenv("PULSE_SOURCE", raising=False)
    with ns.private_null_sink("kord_test") as sink:
        assert os.environ["PULSE_SINK"] == sink.name
        assert os.environ["PULSE_SOURCE"] == sink.source == f"{sink.name}.monitor"
        assert sink.name in sinks()
        assert sink.flow_s is not None and sink.flow_s > 0
        if ns.shutil.which("pacat"):
            assert streams_into(sink.name) == 1  # the silent keeper, nothing else
        ns.wait_until_flowing(timeout_s=5.0)  # a second stream flows too (raises if not)
    assert os.environ["PULSE_SINK"] == "someone_elses"
    assert "PULSE_SOURCE" not in os.environ
    assert sink.name not in sinks()


def test_nested_sinks_are_distinct_and_restore_the_outer_one(pulse):
    with ns.private_null_sink("kord_test", wait_s=None) as outer:
        assert outer.flow_s is None
        with ns.private_null_sink("kord_test", wait_s=None) as inner:
            assert inner.name != outer.name
            assert os.environ["PULSE_SINK"] == inner.name
        assert os.environ["PULSE_SINK"] == outer.name
        assert inner.name not in sinks()


def test_without_pactl_it_says_so(monkeypatch):
    monkeypatch.setattr(ns.shutil, "which", lambda name: None)
    with pytest.raises(ns.PulseAudioMissing, match="pactl is not installed"):
        ns.private_null_sink("kord_test").__enter__()
