from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from leifeng.core.tree import PathNode


class Region(PathNode):
    """An administrative division: province > city > county > township > village.

    Codes are GB/T 2260 (6 digits) down to county level and NBS statistical codes below
    (9 digits for townships, 12 for villages). A village may be added without a code.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County")
        TOWNSHIP = "township", _("Township or street")
        VILLAGE = "village", _("Village or community")

    code = models.CharField(_("division code"), max_length=12, blank=True)
    name = models.CharField(_("name"), max_length=50)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=~Q(code=""), name="regions_region_code_unique"
            ),
            models.UniqueConstraint(fields=["parent", "name"], name="regions_region_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def full_name(self) -> str:
        """The name with its ancestors below the province, e.g. 晋城市泽州县巴公镇."""
        rows = Region.objects.filter(pk__in=self.path_ids()).exclude(level=Region.Level.PROVINCE)
        return "".join(name for name in rows.order_by("path").values_list("name", flat=True))
