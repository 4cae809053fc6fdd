"""Charts of the reports as PNG: bars and trend lines, for the dashboard pages and the Word
documents.

Pure functions, data in, bytes out. They use matplotlib's object-oriented API with the Agg
canvas and never pyplot, so no figure is kept in a global registry (nothing to close, no
memory growth) and no global style is changed. Chinese text is drawn with WenQuanYi Micro Hei,
the font committed with the hours certificates (hours/fonts/), registered once per process.
"""

from __future__ import annotations

import io
import math
import threading
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from functools import cache
from typing import Any

from django.utils.translation import gettext as _
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from leifeng.hours.pdf import FONT_PATH

WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.5, 200  # 1600 × 900 px: sharp at 16 cm wide in Word
ROW_IN = 0.3  # a horizontal bar chart grows by this much per bar past MAX_ROWS
MAX_ROWS = 14
MAX_LABEL_EM = 16  # longer names are cut with "…" (an organisation name has up to 100)

INK = "#262626"
MUTED = "#6B6B6B"
GRID = "#E3E3E3"
BAR = "#B8312F"  # the campaign's red
PALETTE = ("#B8312F", "#2F5597", "#D68A1C", "#3C8D5A", "#7E57A6", "#5E6B73")

Number = float | int | Decimal

_register_lock = threading.Lock()


@cache
def font_family() -> str:
    """Register the committed CJK font with matplotlib once and return its family name."""
    with _register_lock:
        font_manager.fontManager.addfont(str(FONT_PATH))
        return font_manager.FontProperties(fname=str(FONT_PATH)).get_name()


def _em(text: str) -> float:
    """Width of `text` in ems: a CJK character is one, a Latin one about half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def _cut(text: str, max_em: float) -> str:
    if _em(text) <= max_em:
        return text
    out = ""
    for ch in text:
        if _em(out + ch) > max_em - 1:
            break
        out += ch
    return out + "…"


def _wrap(text: str, max_em: float, lines: int = 2) -> str:
    """Break `text` into at most `lines` lines of `max_em` (Chinese breaks between any two
    characters), cutting the last one with "…"."""
    rows: list[str] = []
    rest = text
    while rest and len(rows) < lines - 1 and _em(rest) > max_em:
        row = ""
        for ch in rest:
            if _em(row + ch) > max_em:
                break
            row += ch
        rows.append(row)
        rest = rest[len(row) :]
    if rest:
        rows.append(_cut(rest, max_em))
    return "\n".join(rows)


def _plain(text: str) -> str:
    """Text shown as it is: a pair of "$" would otherwise start matplotlib's math mode."""
    return text.replace("$", r"\$")


def _number(value: float) -> str:
    if math.isclose(value, round(value), abs_tol=1e-9):
        return f"{round(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _value_axis(axis: Any, numbers: Sequence[float]) -> None:
    """Counts get whole-number ticks; all ticks get thousands separators."""
    whole = all(math.isclose(n, round(n), abs_tol=1e-9) for n in numbers)
    axis.set_major_locator(MaxNLocator(nbins=6, integer=whole))
    axis.set_major_formatter(FuncFormatter(lambda value, _position: _number(value)))


def _canvas(height_in: float = HEIGHT_IN) -> tuple[Figure, Axes]:
    figure = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    family = font_family()
    axes.tick_params(labelfontfamily=family, labelsize=9, colors=INK, length=0)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color("#BFBFBF")
    axes.set_axisbelow(True)
    return figure, axes


def _title(axes: Axes, title: str) -> None:
    axes.set_title(
        _plain(_cut(title, 40)),
        loc="left",
        fontfamily=font_family(),
        fontsize=13,
        color=INK,
        pad=14,
    )


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    figure.clear()  # let the drawing go at once rather than at the next garbage collection
    return buffer.getvalue()


def _no_data(axes: Axes) -> None:
    axes.set_axis_off()
    axes.text(
        0.5,
        0.5,
        _("No figures yet."),
        ha="center",
        va="center",
        fontfamily=font_family(),
        fontsize=12,
        color=MUTED,
        transform=axes.transAxes,
    )


def _horizontal(labels: Sequence[str]) -> bool:
    """Bars lie down when their names would not fit under upright bars in two short lines."""
    if not labels:
        return False
    room_em = (WIDTH_IN * 0.86 / len(labels)) / (9 / 72) * 0.9  # per bar, at 9 pt
    return len(labels) > 10 or max(_em(label) for label in labels) > 2 * room_em


def bars_png(title: str, labels: list[str], values: Sequence[Number], unit: str) -> bytes:
    """A bar chart of `values` (one per label) with each value written on its bar; bars lie
    down when there are many or their names are long, so that Chinese names stay readable.
    1600 × 900 px (taller when lying bars are many)."""
    numbers = [float(v) for v in values]
    family = font_family()
    horizontal = _horizontal(labels)
    rows = len(labels)
    height = HEIGHT_IN + ROW_IN * (rows - MAX_ROWS) if horizontal and rows > MAX_ROWS else HEIGHT_IN
    figure, axes = _canvas(height)
    _title(axes, title)
    if not labels:
        _no_data(axes)
        return _png(figure)
    top = max(max(numbers), 0.0) or 1.0
    unit_text = _plain(_("Unit: %(unit)s") % {"unit": unit}) if unit else ""
    if horizontal:
        names = [_plain(_cut(label, MAX_LABEL_EM)) for label in labels]
        positions = list(range(rows))
        bars = axes.barh(positions, numbers, color=BAR, height=0.62)
        axes.set_yticks(positions, names)
        axes.invert_yaxis()  # the first label on top, as in a table
        axes.set_xlim(0, top * 1.15)
        _value_axis(axes.xaxis, numbers)
        axes.grid(axis="x", color=GRID, linewidth=0.8)
        axes.spines["bottom"].set_visible(False)
        axes.tick_params(axis="x", labelsize=8, colors=MUTED)
    else:
        per_bar_em = (WIDTH_IN * 0.86 / rows) / (9 / 72) * 0.9
        names = [_plain(_wrap(label, max(per_bar_em, 2))) for label in labels]
        positions = list(range(rows))
        bars = axes.bar(positions, numbers, color=BAR, width=0.6 if rows > 2 else 0.4)
        axes.set_xticks(positions, names)
        axes.set_ylim(0, top * 1.15)
        _value_axis(axes.yaxis, numbers)
        axes.grid(axis="y", color=GRID, linewidth=0.8)
        axes.spines["left"].set_visible(False)
        axes.tick_params(axis="y", labelsize=8, colors=MUTED)
    axes.set_title(unit_text, loc="right", fontfamily=family, fontsize=9, color=MUTED)
    axes.bar_label(
        bars,
        labels=[_number(n) for n in numbers],
        padding=3,
        fontfamily=family,
        fontsize=8 if rows > 8 else 9,
        color=INK,
    )
    figure.tight_layout(pad=0.8)
    return _png(figure)


def trend_png(title: str, labels: list[str], series: dict[str, Sequence[Number]]) -> bytes:
    """Lines with markers across periods (`labels`), one per series, with a legend; values
    are written at the points while the chart stays readable (up to 3 lines of 8 points)."""
    family = font_family()
    figure, axes = _canvas()
    _title(axes, title)
    if not labels or not series:
        _no_data(axes)
        return _png(figure)
    positions = list(range(len(labels)))
    annotate = len(series) <= 3 and len(labels) <= 8
    top = 0.0
    everything: list[float] = []
    for index, (name, values) in enumerate(series.items()):
        numbers = [float(v) for v in values][: len(labels)]
        everything += numbers
        top = max(top, *numbers) if numbers else top
        color = PALETTE[index % len(PALETTE)]
        axes.plot(
            positions[: len(numbers)],
            numbers,
            marker="o",
            markersize=5,
            linewidth=2,
            color=color,
            label=_plain(name),
        )
        if annotate:
            for x, y in zip(positions, numbers, strict=False):
                axes.annotate(
                    _number(y),
                    (x, y),
                    textcoords="offset points",
                    xytext=(0, 7),
                    ha="center",
                    fontfamily=family,
                    fontsize=8,
                    color=color,
                )
    per_label_em = (WIDTH_IN * 0.86 / len(labels)) / (9 / 72) * 0.9
    axes.set_xticks(positions, [_plain(_wrap(label, max(per_label_em, 2))) for label in labels])
    axes.set_ylim(0, (top or 1.0) * 1.18)
    _value_axis(axes.yaxis, everything)
    axes.set_xlim(-0.5, len(labels) - 0.5)
    axes.grid(axis="y", color=GRID, linewidth=0.8)
    axes.spines["left"].set_visible(False)
    axes.tick_params(axis="y", labelsize=8, colors=MUTED)
    axes.legend(
        prop={"family": family, "size": 9},
        frameon=False,
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        ncols=min(len(series), 4),
        borderaxespad=0.2,
    )
    figure.tight_layout(pad=0.8)
    return _png(figure)
