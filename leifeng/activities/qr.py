"""QR codes as inline SVG (segno: pure Python, no image library, nothing to download)."""

import io

import segno


def qr_svg(text: str, scale: int = 8) -> str:
    """An <svg> element for `text`, sized by `scale` pixels per module."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(
        buffer, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True, nl=False
    )
    return buffer.getvalue().decode()
