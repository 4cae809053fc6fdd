"""django-ninja names each schema in the OpenAPI document by its class name alone: two schema
classes with the same name in different apps silently share one entry, and one route then
documents the other's body (it happened to the attendance correction and the reports' board)."""

from collections import defaultdict

from ninja import Schema


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_every_api_schema_class_has_its_own_name():
    import config.api  # noqa: F401  (imports every app's API module)

    modules = defaultdict(set)
    for schema in _subclasses(Schema):
        if schema.__module__.startswith(("leifeng.", "config.")):
            modules[schema.__name__].add(schema.__module__)
    assert {name: where for name, where in modules.items() if len(where) > 1} == {}
