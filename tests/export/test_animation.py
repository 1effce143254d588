"""parks.gif: one frame per quarter from the plan's start, parks appearing as they are completed."""

from __future__ import annotations

import io
from datetime import date

from PIL import Image

from export.animation import FRAME_MS, LAST_FRAME_MS, counted_on, parks_gif, quarter_ends
from export.data import ExportData


def test_one_frame_a_quarter_and_the_last_one_held(small_data: ExportData) -> None:
    ends = quarter_ends(small_data)
    assert ends[0] == date(2021, 3, 31) and ends[-1] <= small_data.as_of and len(ends) >= 4
    gif = Image.open(io.BytesIO(parks_gif(small_data)))
    assert gif.format == "GIF" and gif.n_frames == len(ends) and gif.size == (880, 660)
    gif.seek(0)
    assert gif.info["duration"] == FRAME_MS
    gif.seek(gif.n_frames - 1)
    assert gif.info["duration"] == LAST_FRAME_MS


def test_parks_only_appear_over_time(small_data: ExportData) -> None:
    counts = [len(counted_on(small_data, day)) for day in quarter_ends(small_data)]
    assert counts == sorted(counts) and counts[0] < counts[-1]  # the register's dates: a park once counted stays counted
