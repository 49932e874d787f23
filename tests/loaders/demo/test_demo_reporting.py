"""The demo's few communes that skipped months: no incident there, and "chưa báo cáo" once imported."""

from __future__ import annotations

from datetime import date

import pandas as pd

from loaders.core import domain
from loaders.demo.generator import generate_demo
from loaders.demo.loading import load_demo
from loaders.demo.reporting import SKIPPED_REPORTS
from loaders.store import reads

UNTIL = date(2022, 12, 31)


def _pairs(frame: pd.DataFrame) -> set[tuple[str, date]]:
    return {(str(c), m.date()) for m, c in zip(frame["month"], frame["commune_code"])}


def test_skipped_commune_months_have_no_incidents(registry):
    incidents = generate_demo(until=UNTIL, registry=registry, scale=0.2)[domain.DATASET_INCIDENTS]
    skipped = incidents.attrs[SKIPPED_REPORTS]
    assert 3 <= len({code for code, _ in skipped}) <= 5 and len(skipped) >= 3  # a few communes
    months = pd.to_datetime(incidents["ngay"]).dt.to_period("M").dt.to_timestamp().dt.date
    codes = incidents["ma_xa"].map(lambda c: registry.to_2025(c) or c)
    assert not {(c, m) for c, m in zip(codes, months)} & set(skipped)


def test_the_demo_import_leaves_the_skipped_months_unreported(engine, registry):
    frames = generate_demo(until=UNTIL, registry=registry, scale=0.2)
    skipped = set(frames[domain.DATASET_INCIDENTS].attrs[SKIPPED_REPORTS])
    load_demo(engine, "test", until=UNTIL, registry=registry, scale=0.2)
    reported = _pairs(reads.load_reports(engine))
    assert reported and not reported & skipped
    # The same communes reported the months around their gap.
    code, month = min(skipped)
    assert any(c == code and m != month for c, m in reported)
