"""The chart PNG and its alt text."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from PIL import Image

from bot.charts.analysis import Annotation, analyse
from bot.charts.render import alt_text, render_run_chart
from tests.charts.helpers import SYSTOLIC, WAIT_AFTER, WAIT_BASELINE, series

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _image(png: bytes) -> Image.Image:
    assert png.startswith(PNG_SIGNATURE)
    return Image.open(io.BytesIO(png))


def test_a_run_chart_with_every_element_is_a_phone_sized_png():
    data = series(WAIT_BASELINE + WAIT_AFTER, direction="down", baseline=24, goal=Decimal(12),
                  annotations=(Annotation(24, "PDSA 1: new triage form"),))
    image = _image(render_run_chart(data, analyse(data), title="Wait to first assessment", unit="days"))
    assert image.format == "PNG" and image.size == (1200, 675)
    # The signal points are drawn in vermilion (Okabe-Ito #D55E00): the image holds that colour.
    assert (213, 94, 0) in {pixel[:3] for _, pixel in image.convert("RGB").getcolors(maxcolors=1 << 20)}


def test_without_a_signal_no_point_is_highlighted():
    data = series(SYSTOLIC)
    image = _image(render_run_chart(data, analyse(data), title="Systolic", unit="mm Hg")).convert("RGB")
    assert (213, 94, 0) not in {pixel for _, pixel in image.getcolors(maxcolors=1 << 20)}


def test_parts_i_chart_and_user_text_with_dollar_signs_render():
    data = series(WAIT_BASELINE + WAIT_AFTER, splits=(24,), chart="i",
                  annotations=(Annotation(3, "$5 gift cards $ for feedback"),))
    png = render_run_chart(data, analyse(data), title="Cost per visit ($)", unit="$")
    assert _image(png).size == (1200, 675)


def test_renders_in_parallel_threads_give_the_same_image():
    data = series(SYSTOLIC)
    analysis = analyse(data)
    with ThreadPoolExecutor(max_workers=4) as pool:
        images = list(pool.map(lambda _: render_run_chart(data, analysis, title="Systolic"), range(4)))
    assert len({image for image in images}) == 1


def test_the_alt_text_states_the_signal_in_words():
    data = series(WAIT_BASELINE + WAIT_AFTER, direction="down", baseline=24)
    text = alt_text(analyse(data), title="wait to first assessment (days)")
    assert text.startswith("Run chart of wait to first assessment (days). Median 19 over the first 24 points; "
                           "15 points in a row below it (limit 8): a signal of improvement.")
