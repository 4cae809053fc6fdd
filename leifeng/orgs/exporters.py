"""Organisation data as office documents: pure functions, rows in, bytes out."""

from collections.abc import Callable, Iterable
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
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
    region_names: dict[int, str] = {}  # full names, built once per region, not once per row
    bold = Font(bold=True)
    sheet.append([text_cell(sheet, text, font=bold) for text in header])
    for number, org in enumerate(orgs, start=1):
        sheet.append(
            text_cell(sheet, value)
            for value in [
                org.name,
                str(org.get_kind_display()),
                org.parent.name if org.parent else "",
                region_names.setdefault(org.region_id, org.region.full_name()),
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


def text_cell(sheet, value: object, *, font: Font | None = None) -> WriteOnlyCell:
    """A cell that is always text. openpyxl would store a value such as "=HYPERLINK(...)" as a
    formula, which Excel then runs: anyone who can name an organisation could plant one."""
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell
