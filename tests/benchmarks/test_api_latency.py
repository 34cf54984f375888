"""The API load generator's reading of the server's timings (``benchmarks.api_latency``)."""

from __future__ import annotations

import pytest

from benchmarks.api_latency import SLOWEST_PARTS, server_timing, slowest_parts


def test_server_timing_reads_every_metric() -> None:
    assert server_timing("app;dur=2.50, wait;dur=0.10, sidecar;dur=1.75") == {
        "app": 2.5, "wait": 0.1, "sidecar": 1.75}
    assert server_timing("") == {}
    assert server_timing("app;dur=3") == {"app": 3.0}


def test_slowest_parts_add_up_to_their_latency() -> None:
    """Each of the slowest 1% split into sent late, outside the app and the app's parts."""
    fast = [(float(i), float(i), i + 0.002, {"app": 1.0, "wait": 0.0, "sidecar": 0.5})
            for i in range(99)]
    slow = (100.0, 100.010, 100.050, {"app": 30.0, "wait": 8.0, "sidecar": 20.0})
    parts = slowest_parts([*fast, slow])
    assert list(parts) == list(SLOWEST_PARTS)
    assert parts == pytest.approx({"late": 10.0, "outside_app": 10.0, "sidecar_wait": 8.0,
                                   "sidecar": 20.0, "app_rest": 2.0})
    assert sum(parts.values()) == pytest.approx(50.0)
