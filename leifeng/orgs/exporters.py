"""Organisation data as office documents: pure functions, rows in, bytes out."""

from collections.abc import Callable, Iterable
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from leifeng.orgs.models import Organisation


def organisations_xlsx(
    orgs: Iterable[Organisation], *, on_row: Callable[[int], None] | None = None
) -> bytes:
    """An .xlsx workbook of organisations in tree order, one row each."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Organisations"))
    header = [
        _("Name"),
        _("Kind"),
        _("Parent organisation"),
        _("Region"),
        _("Division code"),
        _("Unified social credit code"),
        _("Contact person"),
        _("Contact phone"),
        _("Address"),
        _("Status"),
    ]
    bold = Font(bold=True)
    sheet.append([_cell(sheet, text, bold) for text in header])
    for number, org in enumerate(orgs, start=1):
        sheet.append(
            [
                org.name,
                str(org.get_kind_display()),
                org.parent.name if org.parent else "",
                org.region.full_name(),
                org.region.code,
                org.credit_code,
                org.contact_name,
                org.contact_phone,
                org.address,
                _("Active") if org.is_active else _("Inactive"),
            ]
        )
        if on_row:
            on_row(number)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(sheet, text: str, font: Font):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=text)
    cell.font = font
    return cell
