"""Materialised paths of primary keys ("/1/7/42/"), shared by the region and organisation trees.

A subtree is every row whose path starts with the node's path: one indexed prefix query.
"""

import uuid
from typing import Any, Self

from django.db import models


class PathNode(models.Model):
    path = models.CharField(max_length=255, unique=True, editable=False)

    class Meta:
        abstract = True

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    def path_ids(self) -> list[int]:
        """The primary keys from the root down to this node, itself included."""
        return [int(pk) for pk in self.path.strip("/").split("/")]

    def ancestors(self) -> models.QuerySet[Self]:
        return type(self)._default_manager.filter(pk__in=self.path_ids()[:-1]).order_by("path")

    def descendants(self) -> models.QuerySet[Self]:
        return type(self)._default_manager.filter(path__startswith=self.path).exclude(pk=self.pk)

    @classmethod
    def insert(cls, *, parent: Self | None, **fields: Any) -> Self:
        """Create a node under `parent`. The path needs the new primary key, so the row is
        inserted with a unique placeholder first; call inside a transaction."""
        node = cls._default_manager.create(parent=parent, path=f"new-{uuid.uuid4().hex}", **fields)
        node.path = f"{parent.path if parent else '/'}{node.pk}/"
        node.save(update_fields=["path"])
        return node
