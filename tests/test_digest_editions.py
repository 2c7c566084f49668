"""Edition numbers and windows: a pure function of the calendar, tiling it without gaps or overlaps."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.cli import UserError
from pipeline.digest.config import CADENCES
from pipeline.digest.editions import edition_number, edition_window

FIRST = date(2014, 1, 1)
days = st.dates(min_value=FIRST, max_value=date(2100, 12, 31))


@given(cadence=st.sampled_from(CADENCES), day=days)
def test_every_day_lies_in_the_window_of_its_edition_and_windows_touch(cadence, day):
    number = edition_number(cadence, FIRST, day)
    window = edition_window(cadence, FIRST, number)
    assert day in window
    following = edition_window(cadence, FIRST, number + 1)
    assert following.since == window.until + timedelta(days=1)


def test_triannual_follows_the_magazine():
    assert edition_window("triannual", FIRST, 1).until == date(2014, 4, 30)
    window = edition_window("triannual", FIRST, 30)
    assert (window.since, window.until) == (date(2023, 9, 1), date(2023, 12, 31))
    assert edition_number("monthly", FIRST, date(2014, 12, 31)) == 12
    assert edition_window("weekly", FIRST, 1).since == date(2013, 12, 30)  # the Monday of that ISO week


def test_days_before_edition_one_are_refused():
    with pytest.raises(UserError, match="before edition 1"):
        edition_number("monthly", FIRST, date(2013, 12, 31))
