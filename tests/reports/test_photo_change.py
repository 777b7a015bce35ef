"""Photo metrics read honestly: human names, mm via the baseline's scale, a band never narrower than
the chart, and a sentence that says "no measurable change" unless the change exceeds its MDC95."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facefit.reports.photo_change import headline, metric_label, metric_view, y_range


def test_labels_are_words() -> None:
    assert metric_label("brow_height_r") == "Your right brow height"
    assert metric_label("mouth_corner_drop_l") == "Your left mouth corner (below the eye line)"
    assert metric_label("jaw_width_ratio") == "Jaw width"
    assert metric_label("asymmetry_brows") == "Brows asymmetry"


def test_within_the_error_is_no_measurable_change_in_mm() -> None:
    view = metric_view("brow_height_r", ["2026-01-01", "2026-02-01"], [0.30, 0.31], 0.02, mm_per_ipd=63.0)
    assert view.unit == "mm" and view.values == pytest.approx((18.9, 19.53))
    assert view.measurable is False
    assert view.verdict == "No measurable change yet: +0.6 mm is within the ±1.3 mm measurement error."
    assert view.band == pytest.approx((18.9 - 1.26, 18.9 + 1.26))


def test_beyond_the_error_names_the_change_and_its_error() -> None:
    view = metric_view("jaw_width_ratio", ["2026-01-01", "2026-03-01"], [0.82, 0.80], 0.01,
                       cheek_width_mm=120.0)
    assert view.measurable is True and view.unit == "mm"
    assert view.verdict == "Jaw width -2.4 mm, beyond its ±1.2 mm measurement error."
    assert headline([view]) == "Measurable change: Jaw width -2.4 mm."


def test_unknown_error_and_single_photo_are_not_judged() -> None:
    assert metric_view("brow_height_l", ["2026-01-01"], [0.3], 0.02, mm_per_ipd=63.0).measurable is None
    no_error = metric_view("brow_height_l", ["2026-01-01", "2026-01-02"], [0.3, 0.5], None, mm_per_ipd=63.0)
    assert no_error.measurable is None and no_error.band is None and "cannot be judged" in no_error.verdict
    assert metric_view("lower_face_ratio", ["d"], [0.55], 0.01).unit == "%"
    assert headline([no_error]).startswith("Not enough yet")


@given(st.lists(st.floats(0.1, 2.0), min_size=1, max_size=8), st.floats(0.001, 0.5))
def test_the_y_range_always_holds_the_band_and_every_value(values: list[float], mdc: float) -> None:
    band = (values[0] - mdc, values[0] + mdc)
    low, high = y_range(values, band)
    assert low <= band[0] and high >= band[1]
    assert low <= min(values) and high >= max(values)
    assert high - low >= 2 * mdc
