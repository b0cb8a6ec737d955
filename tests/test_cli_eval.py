"""`cli.py eval flags` is a gate like `eval --min-f1`: it exits 1 when a floor of the benchmark is missed."""

from __future__ import annotations

import cli
import evals.flag_benchmark as flag_benchmark


def test_flag_benchmark_exits_0_when_its_floors_are_met(capsys):
    assert cli.main(["eval", "flags", "--trials", "2"]) == 0
    assert "floors met" in capsys.readouterr().out


def test_flag_benchmark_exits_1_when_a_floor_is_missed(capsys, monkeypatch):
    monkeypatch.setattr(flag_benchmark, "RECALL_FLOOR", 1.01)  # no recall reaches it
    assert cli.main(["eval", "flags", "--trials", "2"]) == 1
    assert "floors NOT met" in capsys.readouterr().out
