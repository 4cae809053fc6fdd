"""Volunteers as .xlsx: masked numbers only, text cells only."""

from collections.abc import Callable, Iterable
from io import BytesIO

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font

from leifeng.core.campaign import CampaignLine
from leifeng.core.fields import choice_labels
from leifeng.orgs.exporters import text_cell
from leifeng.volunteers.codes import VolunteerKind
from leifeng.volunteers.models import Volunteer


def volunteers_xlsx(
    volunteers: Iterable[Volunteer], *, on_row: Callable[[int], None] | None = None
) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Volunteers"))
    header = [
        _("Volunteer number"),
        pgettext("person", "Name"),
        _("Sex"),
        _("Birth date"),
        _("Document type"),
        _("Document number"),
        _("Mobile number"),
        _("Residence"),
        _("Registered with"),
        _("Volunteer kinds"),
        _("Campaign lines"),
        _("Registered at"),
    ]
    bold = Font(bold=True)
    sheet.append([text_cell(sheet, text, font=bold) for text in header])
    for number, v in enumerate(volunteers, start=1):
        sheet.append(
            text_cell(sheet, value)
            for value in [
                v.number,
                v.name,
                v.get_sex_display(),
                v.birth_date.isoformat() if v.birth_date else "",
                v.get_document_type_display(),
                v.document_masked,
                v.mobile_masked,
                v.residence.name,
                v.organisation.name,
                "、".join(choice_labels(VolunteerKind.choices, v.kinds)),
                "、".join(choice_labels(CampaignLine.choices, v.campaign_lines)),
                f"{v.created_at:%Y-%m-%d}",
            ]
        )
        if on_row:
            on_row(number)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
