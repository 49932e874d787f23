"""Seeded, deterministic demo operational data for Hà Tĩnh (models, incidents, recognitions).

:func:`generate_demo` returns the three datasets as *canonical frames*: the
columns of :data:`loaders.ingest.datasets.DATASET_SPECS`, in that order, exactly as a
commune report would give them, so that they can go through the same
validation and import path as an uploaded file.

How the records are written
---------------------------
* A record dated before 2025-07-01 names its **legacy** unit: ``ma_xa`` is the
  legacy GSO code, ``ten_xa`` its full name ("Xã Kỳ Tân") and ``huyen_cu`` its
  district ("Thị xã Kỳ Anh"). A later record names the **2025** commune, with
  ``huyen_cu`` the former district it lies in (the first of its districts).
  Until 31/12/2024 the communes of the former Huyện Lộc Hà name it ("Huyện Lộc
  Hà"), as records of 2020-2024 do; from 01/01/2025 their legacy district.
* Models are yearly lists (``nam_danh_gia``): one record per model and year,
  from its founding year (2020 for the stock founded from 2005 on) to the year
  of ``until`` or of its dissolution, naming the units of that year (legacy
  up to 2024), with that year's rating (:mod:`~loaders.demo.model_years`). A
  model's business key is (resolved 2025 commune, name, year), and names are
  unique per 2025 commune ("Tổ tự quản về an ninh, trật tự thôn 3").
* Recognitions are decided at year end: years up to 2024 name legacy units,
  2025 onwards the 2025 communes. Only completed years are generated.
* The split legacy communes (Phường Đại Nài, area split between Thành Sen and
  Hà Huy Tập; Xã Kỳ Lợi, whose area all went to Vũng Áng) carry coordinates
  on every pre-reform model and incident, inside the part of the legacy
  commune that lies in the intended 2025 commune, so that an importer places
  them by point. Recognitions have no coordinates, so they name a split
  commune only when it lies wholly in the intended commune (Kỳ Lợi ->
  Vũng Áng, Đại Nài -> Thành Sen).

Plausibility
------------
Volumes scale with population and are higher in wards (Phường) and in the
economic-zone / major-project communes. Border communes have more drug and
smuggling incidents and "tổ tự quản đường biên, cột mốc" groups; coastal
communes have "tổ tàu thuyền đoàn kết" fleets; economic-zone communes have
"doanh nghiệp an toàn về an ninh, trật tự". A stock of models founded before
2020 is on the 2020 list, so trends are not growth from nothing; foundings grow
gently and peak in August, before the festival of 19 August (Ngày hội toàn dân
bảo vệ an ninh Tổ quốc). No model is a "tổ bảo vệ an ninh, trật tự" before
1 July 2024 (:mod:`~loaders.demo.model_templates`). Ratings drift from year
to year. An incident's severity is one its description allows, and border and
fishing-port descriptions happen only in border and coastal units
(:mod:`~loaders.demo.descriptions`). Some communes lack one or two of the four
model kinds, some have many weak models, two or three have no model at all
(so "no data" shows), a few did not report incidents for some months (these
communes lie in different former districts), and a few show rising incidents
in the last months.

Points
------
About 70 % of incidents and 60 % of models carry a point. With the boundary
layers installed (:func:`loaders.geo.boundaries.load_layer`), points are sampled
uniformly inside the commune polygon (for pre-reform records: inside both the
legacy polygon and the 2025 polygon) at least about 45 m from its edge, by a
vectorised rejection sampler. Without the layers, points are jittered less
than 300 m around the registry's label point.

The random stream is a :class:`numpy.random.Generator` seeded with ``seed``:
the same ``(seed, until, scale)`` and registry give identical frames. The
modules draw from it in a fixed order: profiles, models, incidents,
recognitions.

Modules: :mod:`~loaders.demo.places` (communes, members, points),
:mod:`~loaders.demo.months` (calendar), :mod:`~loaders.demo.profiles`
(per-commune character), :mod:`~loaders.demo.names` (written names),
:mod:`~loaders.demo.models` (with :mod:`~loaders.demo.model_templates` and
:mod:`~loaders.demo.model_years`), :mod:`~loaders.demo.incidents` (with
:mod:`~loaders.demo.descriptions`) and :mod:`~loaders.demo.recognitions` (one
dataset each).
"""

from __future__ import annotations

import calendar
from datetime import date

import numpy as np
import pandas as pd

from loaders.core import domain
from loaders.core.clock import vietnam_today
from loaders.demo.incidents import generate_incidents
from loaders.demo.models import generate_models
from loaders.demo.months import months_until, resolve_until
from loaders.demo.places import build_context
from loaders.demo.profiles import build_profiles
from loaders.demo.recognitions import generate_recognitions
from loaders.demo.reporting import SKIPPED_REPORTS, skipped_reports
from loaders.demo.residential import generate_residential_areas
from loaders.geo.loading import load_registry
from loaders.geo.registry import Registry


def generate_demo(
    seed: int = 42,
    until: date | None = None,
    registry: Registry | None = None,
    scale: float = 1.0,
) -> dict[str, pd.DataFrame]:
    """Generate the demo datasets as canonical frames.

    Parameters
    ----------
    seed : int
        Seed of the random generator; the same seed (with the same ``until``,
        ``scale`` and registry) gives identical frames.
    until : date, optional
        Last day covered (records run from 2020-01-01). Default: the end of the
        current month, capped at today, so that no record is in the future. A
        later date is capped at today too.
    registry : Registry, optional
        Default :func:`loaders.geo.loading.load_registry`.
    scale : float
        Multiplies the number of models and incidents (1.0 gives about 1,000
        models and 30,000 incidents for 2020-2026). Recognitions do not scale:
        every unit is assessed every year.

    Returns
    -------
    dict of str to DataFrame
        ``"models"``, ``"incidents"``, ``"recognitions"`` and ``"residential_areas"``
        (:mod:`loaders.demo.residential`), each with exactly
        the columns of :data:`loaders.ingest.datasets.DATASET_SPECS`. Dates are ISO ``YYYY-MM-DD`` strings,
        codes 5-digit strings, counts integers, coordinates floats (NaN when
        absent), optional text ``None``.

    Raises
    ------
    ValueError
        If ``until`` is before 2020-01-01 or ``scale`` is negative.
    """
    if scale < 0:
        raise ValueError("scale must not be negative")
    until = resolve_until(until)
    registry = registry or load_registry()
    ctx = build_context(registry)
    rng = np.random.default_rng(seed)
    months = months_until(until)
    prof = build_profiles(ctx, rng, len(months.year))
    models = generate_models(ctx, prof, months, until, scale, rng)
    incidents = generate_incidents(ctx, prof, months, scale, rng)
    incidents.attrs[SKIPPED_REPORTS] = skipped_reports(ctx, prof, months)  # read by loading.load_demo
    recognitions = generate_recognitions(ctx, prof, until, rng)
    areas = generate_residential_areas(ctx, prof, until, rng)
    return {
        domain.DATASET_MODELS: models,
        domain.DATASET_INCIDENTS: incidents,
        domain.DATASET_RECOGNITIONS: recognitions,
        domain.DATASET_RESIDENTIAL_AREAS: areas,
    }


def demo_until(today: date | None = None) -> date:
    """The ``until`` that :func:`generate_demo` uses by default (Vietnam's today; never a future date)."""
    today = today or vietnam_today()
    return min(today, date(today.year, today.month, calendar.monthrange(today.year, today.month)[1]))
