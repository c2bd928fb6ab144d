"""The summary's chart: new requests and incidents per province, as a PNG.

matplotlib's object API on the Agg canvas (never pyplot: no global state, no
display, safe in worker threads). The image carries no words of any
language, only province names (proper nouns) and figures: its title and
legend are text in the email, translated, so one image serves every
recipient of a summary. A hidden cell ("<5") gets no bar, only its label, so
the image tells no more than the table next to it. A 16-colour palette keeps
each message small.
"""
from __future__ import annotations

import io
import logging

COLOURS = ("#0b57a4", "#b3261e")  # requests, incidents: the email's legend names them


def preload() -> None:
    """For worker processes: import the drawing libraries once, before the
    pool forks, rather than in the first task of every pool process."""
    try:
        import matplotlib.backends.backend_agg  # noqa: F401
        import matplotlib.figure  # noqa: F401
        import PIL.Image  # noqa: F401
    except ImportError as error:  # the worker still delivers every other message
        logging.getLogger("afr_aid.chart").warning("charts unavailable: %s", error)


def province_chart(rows: list[tuple[str, object, object]]) -> bytes:
    """rows: (province name, requests, incidents), each an int, "<5" or None
    (withheld)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL import Image

    inches = 0.4 + 0.5 * max(len(rows), 1)
    figure = Figure(figsize=(6.4, inches), dpi=80)
    canvas = FigureCanvasAgg(figure)
    # Fixed margins (0.35 in below for the axis): tight_layout would cost more than the drawing.
    bottom = 0.35 / inches
    axes = figure.add_axes((0.2, bottom, 0.76, 0.95 - bottom))
    _bars(axes, rows)
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
    buffer = io.BytesIO()
    image.convert("RGB").quantize(colors=16).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _bars(axes, rows) -> None:
    height = 0.38
    largest = max([v for _, *values in rows for v in values if isinstance(v, int)] + [5])
    for index, (name, *values) in enumerate(reversed(rows)):
        for offset, value, colour in zip((height / 2, -height / 2), values, COLOURS):
            y = index + offset
            length = value if isinstance(value, int) else 0
            axes.barh(y, length, height=height, color=colour)
            axes.text(length + largest * 0.01, y, "–" if value is None else str(value), va="center", fontsize=9)
    axes.set_yticks(range(len(rows)), [name for name, *_ in reversed(rows)])
    axes.set_xlim(0, largest * 1.15)
    axes.spines[["top", "right"]].set_visible(False)
