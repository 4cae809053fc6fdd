"""The certificate PDF: it carries the font it needs, reads back as the data it was given, draws
something, and stays whole over many pages. Read back with poppler-utils (pdffonts, pdftotext,
pdftoppm), which CI installs; these tests fail rather than skip without them.

The labels come from the translation catalogue, so the tests check the data, not the wording.
"""

import re
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone, translation
from PIL import Image

from leifeng.hours.pdf import CertificateData, CertificateRecord, render_certificate

NUMBER = "ZA-2026-7K3M9Q2XAB"
URL = f"https://leifeng.example.cn/certificates/{NUMBER}/"
SHANGHAI_8_30 = datetime(2026, 6, 1, 0, 30, tzinfo=UTC)  # 08:30 in Asia/Shanghai


def record(index: int, content: str = "社区环境清洁", hours: str = "2.5") -> CertificateRecord:
    start = SHANGHAI_8_30 + timedelta(days=index)
    return CertificateRecord(
        started_at=start,
        ended_at=start + timedelta(hours=3),
        content=content,
        place="泽州县南村镇南村社区",
        hours=Decimal(hours),
        recorded_by="南村镇新时代文明实践所",
    )


def certificate(records: list[CertificateRecord], **changes) -> CertificateData:
    values = {
        "number": NUMBER,
        "issued_on": date(2026, 6, 3),
        "volunteer_name": "王小雷",
        "document_type": "居民身份证",
        "document_masked": "1405**********1234",
        "volunteer_number": "14052500001234",
        "total_hours": sum((r.hours for r in records), Decimal(0)),
        "records": records,
        "issuer": "泽州县新时代文明实践中心",
        "person_in_charge": "李建国",
        "handled_by": "张敏",
        "contact": "0356-1234567",
        "verify_url": URL,
        **changes,
    }
    return CertificateData(**values)


THREE = [
    record(0, "社区环境清洁", "2.5"),
    record(1, "关爱空巢老人上门探访", "3"),
    # Overnight: from 22:00 to 07:00 the next day.
    CertificateRecord(
        started_at=datetime(2026, 6, 5, 14, tzinfo=UTC),
        ended_at=datetime(2026, 6, 5, 23, tzinfo=UTC),
        content="防汛值守",
        place="丹河堤防",
        hours=Decimal("1.25"),
        recorded_by="泽州县新时代文明实践中心",
    ),
]


def poppler(tool: str, *args: str | Path) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: apt-get install poppler-utils (CI installs it).")
    done = subprocess.run([tool, *map(str, args)], capture_output=True, check=True, text=True)
    return done.stdout


def write(tmp_path: Path, data: CertificateData) -> Path:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(render_certificate(data))
    return path


def pages_of(path: Path) -> list[str]:
    """pdftotext's text, one string per page."""
    return poppler("pdftotext", path, "-").split("\f")[:-1]


def footer_counts(page: str, number: int, count: int) -> bool:
    """The footer says "page `number` of `count`", in whatever words the catalogue gives."""
    return re.search(rf"(?<!\d){number}(?!\d)\D{{1,12}}(?<!\d){count}(?!\d)", page) is not None


@pytest.fixture(scope="module")
def three(tmp_path_factory) -> Path:
    return write(tmp_path_factory.mktemp("pdf"), certificate(THREE, stars=3))


def test_the_font_is_embedded_and_no_font_is_left_out(three):
    lines = poppler("pdffonts", three).splitlines()
    # The dashes under the header mark each column's width (names and types contain spaces).
    columns = [m.span() for m in re.finditer(r"-+", lines[1])]
    header = [lines[0][a:b].strip() for a, b in columns]
    fonts = [
        dict(zip(header, (line[a:b].strip() for a, b in columns), strict=True))
        for line in lines[2:]
    ]
    assert fonts, "no fonts at all"
    assert all(font["emb"] == "yes" for font in fonts), fonts
    assert any("WenQuanYiMicroHei" in font["name"] for font in fonts), fonts


def test_the_text_reads_back_as_the_data(three):
    text = poppler("pdftotext", three, "-")
    for expected in ("王小雷", NUMBER, "1405**********1234", "14052500001234", "6.75"):
        assert expected in text
    for expected in ("社区环境清洁", "关爱空巢老人上门探访", "泽州县新时代文明实践中心", URL):
        assert expected in text
    assert "2026-06-01 08:30" in text  # local time, not UTC
    assert "2026-06-05 22:00" in text and "2026-06-06 07:00" in text  # overnight: both dates


def test_the_metadata_names_the_certificate_and_its_issuer(three):
    info = poppler("pdfinfo", three)
    assert re.search(rf"^Title:.*{NUMBER}", info, re.MULTILINE)
    assert re.search(r"^Author:\s+泽州县新时代文明实践中心$", info, re.MULTILINE)


def test_the_first_page_draws_ink(three, tmp_path):
    poppler(
        "pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", "-singlefile", three, tmp_path / "p"
    )
    with Image.open(tmp_path / "p.png") as image:
        gray = image.convert("L")
        share = sum(gray.histogram()[:128]) / (gray.width * gray.height)
    assert 0.01 < share < 0.5, f"{share:.2%} of the page is dark"


def test_many_records_span_pages_each_with_the_number_and_the_page_count(tmp_path):
    records = [record(i % 300, f"服务第{i + 1}次") for i in range(500)]
    pages = pages_of(write(tmp_path, certificate(records)))
    assert len(pages) >= 5
    for number, page in enumerate(pages, start=1):
        assert NUMBER in page
        assert footer_counts(page, number, len(pages)), page[-200:]
    text = "".join(pages)
    assert "服务第1次" in text and "服务第500次" in text and "1250" in text
    # The table's header row repeats on every page the table runs over.
    with translation.override("zh-hans"):
        header = translation.gettext("Service content")
    assert sum(header in page for page in pages) >= len(pages) - 1


def test_no_records_still_make_a_certificate(tmp_path):
    pages = pages_of(write(tmp_path, certificate([], total_hours=Decimal(0))))
    assert len(pages) == 1
    assert "王小雷" in pages[0] and NUMBER in pages[0] and URL in pages[0]
    assert footer_counts(pages[0], 1, 1)


def test_text_is_printed_as_text_not_read_as_markup(tmp_path):
    data = certificate(
        [record(0, "<b>清洁</b> & 整理")], volunteer_name="王<小雷>", person_in_charge=""
    )
    text = poppler("pdftotext", write(tmp_path, data), "-")
    assert "<b>清洁</b> & 整理" in text and "王<小雷>" in text


def test_optional_blocks_show_when_given(tmp_path):
    data = certificate(
        THREE,
        trainings=[
            (date(2026, 3, 2), "志愿服务通用知识培训", "泽州县志愿服务联合会", Decimal("4"))
        ],
        awards=[(date(2026, 3, 5), "优秀志愿者", "泽州县文明办")],
    )
    text = poppler("pdftotext", write(tmp_path, data), "-")
    assert "通用知识培训" in text and "泽州县志愿服务联合会" in text
    assert "优秀志愿者" in text and "泽州县文明办" in text


def test_local_time_follows_the_current_time_zone(tmp_path):
    with timezone.override("UTC"):
        text = poppler("pdftotext", write(tmp_path, certificate(THREE[:1])), "-")
    assert "2026-06-01 00:30" in text


def test_text_too_long_for_a_page_is_cut_instead_of_failing(tmp_path):
    data = certificate([record(0, "很长的服务内容" * 1000)])
    text = poppler("pdftotext", write(tmp_path, data), "-")
    assert "很长的服务内容" in text and "…" in text
