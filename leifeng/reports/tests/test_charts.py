"""The charts are valid PNGs of the right size with something drawn on them."""

import io

from PIL import Image

from leifeng.reports import charts

COUNTIES = ["泽州县", "城区", "高平市", "阳城县", "陵川县", "沁水县"]


def opened(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def colours(image: Image.Image) -> int:
    return len(image.convert("RGB").getcolors(maxcolors=1 << 20) or [])


def test_bars_are_a_1600_by_900_png_with_something_drawn():
    image = opened(charts.bars_png("各县服务时长", COUNTIES, [120, 80.5, 40, 0, 12, 7], "小时"))
    assert image.format == "PNG"
    assert image.size == (1600, 900)
    assert colours(image) > 10


def test_many_long_names_lie_down_and_make_the_chart_taller():
    names = [f"晋城市第{n}新时代文明实践志愿服务队" for n in range(20)]
    assert charts._horizontal(names)
    assert not charts._horizontal(COUNTIES)
    image = opened(charts.bars_png("服务时长前列的单位", names, list(range(20)), "小时"))
    assert image.width == 1600
    assert image.height > 900


def test_a_chart_without_data_still_draws_its_title():
    image = opened(charts.bars_png("暂无数据", [], [], ""))
    assert image.size == (1600, 900)
    assert colours(image) > 2


def test_trend_draws_lines_of_each_series():
    image = opened(
        charts.trend_png(
            "本年度各期",
            ["第一次报告", "第二次报告", "第三次报告"],
            {"活动数": [3, 9, 6], "参与志愿者": [20, 45, 31]},
        )
    )
    assert image.size == (1600, 900)
    rgb = image.convert("RGB")
    # Both series' colours appear (the campaign red and the office blue).
    found = {colour for _count, colour in rgb.getcolors(maxcolors=1 << 20) or []}
    assert (0xB8, 0x31, 0x2F) in found
    assert (0x2F, 0x55, 0x97) in found


def test_the_cjk_font_is_registered_once_and_named():
    assert charts.font_family() == "WenQuanYi Micro Hei"
    assert charts.font_family() is charts.font_family()


def test_long_labels_wrap_and_cut():
    assert charts._wrap("新时代文明实践", 4) == "新时代文\n明实践"
    assert charts._cut("晋城市新时代文明实践中心", 6).endswith("…")
    assert charts._number(1234.0) == "1,234"
    assert charts._number(12.5) == "12.5"
