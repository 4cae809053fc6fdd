"""The Simplified Chinese catalogue is complete, compiled and safe to format.

Our users only ever see the site in Chinese, so an untranslated string is a bug. When a test here
fails after you added or changed a UI string: run `make messages`, translate the new entries in
locale/zh_Hans/LC_MESSAGES/django.po (terms: locale/GLOSSARY.md), run `make messages` again to
compile, and commit both django.po and django.mo.
"""

import ast
import re
from collections import Counter
from pathlib import Path

import polib
from django.conf import settings
from django.utils import translation
from django.utils.translation.template import templatize

ROOT = Path(settings.BASE_DIR)
CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"
PO_PATH = CATALOGUE / "django.po"
MO_PATH = CATALOGUE / "django.mo"
SOURCE_DIRS = ("config", "leifeng")  # where makemessages finds our strings

# printf-style conversions as Python's % operator reads them, e.g. %(name)s, %d, %.1f, %%.
PERCENT = re.compile(
    r"%(?:\((?P<key>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conv>.)"
)
BRACES = re.compile(r"\{[^{}]*\}")

Key = tuple[str, str]  # (msgctxt, msgid)


def catalogue() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def live_entries(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


def where(entry: polib.POEntry) -> str:
    places = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:2])
    return f"{entry.msgid!r} ({places or 'no source'})"


def msgstrs(entry) -> tuple[str, ...]:
    """The translation, or every plural form of it, of a .po or .mo entry."""
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural, key=int))
    return (entry.msgstr,)


def translations(entries) -> dict[Key, tuple[str, ...]]:
    """msgctxt+msgid → msgstrs, leaving out the header."""
    return {(entry.msgctxt or "", entry.msgid): msgstrs(entry) for entry in entries if entry.msgid}


def placeholders(text: str, flags: list[str]) -> Counter[str]:
    """Named %(x)s always; %s, %d… and {x} only where xgettext saw a format string."""
    found: Counter[str] = Counter()
    for match in PERCENT.finditer(text):
        if match["key"] is not None:
            found[match[0]] += 1
        elif "python-format" in flags and match["conv"] != "%":
            found["positional " + match["conv"]] += 1
    if "python-brace-format" in flags:
        found.update(BRACES.findall(text))
    return found


def test_every_entry_is_translated_and_not_fuzzy():
    po = catalogue()
    assert not po.metadata_is_fuzzy, "Remove the '#, fuzzy' flag from the .po header."
    assert "nplurals=1" in po.metadata.get("Plural-Forms", ""), "zh_Hans has one plural form."
    fuzzy = [where(entry) for entry in live_entries(po) if entry.fuzzy]
    empty = [
        where(entry)
        for entry in live_entries(po)
        if not all(value.strip() for value in msgstrs(entry))
    ]
    assert live_entries(po), "The catalogue is empty."
    assert not fuzzy, "Fuzzy entries (check the translation, then remove the flag):\n" + "\n".join(
        fuzzy
    )
    assert not empty, "Untranslated entries:\n" + "\n".join(empty)


def test_compiled_mo_matches_the_po():
    po = translations(live_entries(catalogue()))
    mo = translations(polib.mofile(str(MO_PATH)))
    stale = sorted(
        f"{key[1]!r}: .po {po.get(key)!r} but .mo {mo.get(key)!r}"
        for key in po.keys() | mo.keys()
        if po.get(key) != mo.get(key)
    )
    assert not stale, (
        "django.mo is out of date; run `make messages` and commit django.mo:\n" + "\n".join(stale)
    )


def test_translations_keep_every_placeholder():
    wrong = []
    for entry in live_entries(catalogue()):
        expected = placeholders(entry.msgid_plural or entry.msgid, entry.flags)
        for value in msgstrs(entry):
            got = placeholders(value, entry.flags)
            if set(got) != set(expected) or any(
                got[key] != expected[key] for key in got if key.startswith("positional")
            ):
                wrong.append(f"{where(entry)} → {value!r}: {sorted(got)} ≠ {sorted(expected)}")
    assert not wrong, "Placeholders differ between msgid and msgstr:\n" + "\n".join(wrong)


# Extraction, the same way `makemessages` finds strings, so new UI text cannot slip through
# untranslated. Python: the keywords Django passes to xgettext; templates: Django's templatize.
PY_KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": None,
    "ngettext_lazy": None,
    "pgettext": 0,  # the index of the context argument
    "pgettext_lazy": 0,
    "npgettext": 0,
    "npgettext_lazy": 0,
}
LITERAL = r"""u?(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
TEMPLATE_CALL = re.compile(
    rf"\b(?P<func>_|gettext|ngettext|pgettext|npgettext)\(\s*(?P<a>{LITERAL})"
    rf"(?:\s*,\s*(?P<b>{LITERAL}))?"
)


def python_msgids(path: Path) -> set[Key]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name not in PY_KEYWORDS:
            continue
        args = [arg.value if isinstance(arg, ast.Constant) else None for arg in node.args]
        context_at = PY_KEYWORDS[name]
        msgid_at = 0 if context_at is None else context_at + 1
        if len(args) <= msgid_at or not isinstance(args[msgid_at], str):
            continue
        context = "" if context_at is None else args[context_at]
        if isinstance(context, str):
            found.add((context, args[msgid_at]))
    return found


def template_msgids(path: Path) -> set[Key]:
    found = set()
    for match in TEMPLATE_CALL.finditer(templatize(path.read_text(encoding="utf-8"), str(path))):
        first = ast.literal_eval(match["a"])
        if match["func"] in ("pgettext", "npgettext") and match["b"]:
            found.add((first, ast.literal_eval(match["b"])))
        else:
            found.add(("", first))
    return found


def source_files():
    for directory in SOURCE_DIRS:
        for path in sorted((ROOT / directory).rglob("*")):
            relative = path.relative_to(ROOT).parts
            if path.is_file() and not any(part.startswith(".") for part in relative):
                yield path
    yield from sorted(ROOT.glob("*.py"))


def test_every_string_in_the_code_is_in_the_catalogue():
    in_code: dict[Key, Path] = {}
    for path in source_files():
        if path.suffix == ".py":
            keys = python_msgids(path)
        elif path.suffix in (".html", ".txt"):
            keys = template_msgids(path)
        else:
            continue
        for key in keys:
            in_code.setdefault(key, path.relative_to(ROOT))
    in_po = translations(live_entries(catalogue()))
    missing = sorted(f"{key[1]!r} ({path})" for key, path in in_code.items() if key not in in_po)
    assert in_code, "Found no translatable strings; is the extraction broken?"
    assert not missing, (
        "Strings in the code but not in django.po; run `make messages` and translate them:\n"
        + "\n".join(missing)
    )


def test_django_serves_the_translation():
    # Not literal gettext("…") calls, so that makemessages does not list this file as a source.
    expected = {"Log in": "登录", "Volunteer corps": "志愿服务总队"}
    with translation.override("zh-hans"):
        assert {msgid: translation.gettext(msgid) for msgid in expected} == expected
