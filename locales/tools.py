"""Catalog maintenance helpers for the Makefile (run as ``python -m locales.tools ...``).

- ``fill-en``: English is the source language; its catalog repeats each msgid so the
  completeness check treats all eight locales alike.
- ``check-pot CURRENT FRESH``: fail when the committed template no longer matches the
  sources (someone added a string without ``make update-catalogs``).
- ``check-update POT``: fail when ``pybabel update`` would change a catalog.
- ``report``: translated / missing / fuzzy counts per locale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent
LOCALES = ("en", "pl", "lv", "et", "lt", "fi", "de", "da")


def catalog_path(lang: str) -> Path:
    """Path of a locale's .po file."""
    return ROOT / lang / "LC_MESSAGES" / "messages.po"


def load(path: Path) -> Catalog:
    """Read a .po/.pot file."""
    with path.open("rb") as handle:
        return read_po(handle)


def fill_en() -> int:
    """Copy every msgid into the English msgstr (plural forms included)."""
    path = catalog_path("en")
    catalog = load(path)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            message.string = (message.id[0], message.id[1])
        else:
            message.string = message.id
        message.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog, width=76, include_previous=False, ignore_obsolete=True)
    return 0


def _ids(catalog: Catalog) -> set[object]:
    return {
        (message.id if isinstance(message.id, str) else tuple(message.id), message.context)
        for message in catalog
        if message.id
    }


def check_pot(current: str, fresh: str) -> int:
    """Compare message ids of the committed and a freshly extracted template."""
    old, new = _ids(load(Path(current))), _ids(load(Path(fresh)))
    if old == new:
        return 0
    for label, items in (("missing from", new - old), ("stale in", old - new)):
        for item in sorted(map(repr, items)):
            print(f"{label} messages.pot: {item}", file=sys.stderr)
    print("run `make update-catalogs` and translate the new strings", file=sys.stderr)
    return 1


def check_update(pot: str) -> int:
    """Fail when ``pybabel update`` would change any catalog (byte comparison on a copy).

    Babel's own ``update --check`` reports catalogs with ``msgctxt`` entries as out of
    date even when nothing would change, so the comparison is done here.
    """
    import filecmp
    import shutil
    import tempfile

    from babel.messages.frontend import CommandLineInterface

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "locales"
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns("*.mo", "__pycache__"))
        CommandLineInterface().run(
            [
                "pybabel",
                "-q",
                "update",
                "-i",
                pot,
                "-d",
                str(copy),
                "-D",
                "messages",
                "--no-fuzzy-matching",
                "--ignore-obsolete",
                "--ignore-pot-creation-date",
            ]
        )
        stale = [
            lang
            for lang in LOCALES
            if lang != "en"
            and not filecmp.cmp(
                catalog_path(lang), copy / lang / "LC_MESSAGES" / "messages.po", shallow=False
            )
        ]
    for lang in stale:
        print(f"locales/{lang}: out of date, run `make update-catalogs`", file=sys.stderr)
    return 1 if stale else 0


def report() -> int:
    """Print per-locale translation statistics."""
    for lang in LOCALES:
        catalog = load(catalog_path(lang))
        total = missing = fuzzy = 0
        for message in catalog:
            if not message.id:
                continue
            total += 1
            strings = (
                message.string if isinstance(message.string, tuple | list) else (message.string,)
            )
            missing += any(not s for s in strings)
            fuzzy += message.fuzzy
        print(f"{lang}: {total - missing}/{total} translated, {fuzzy} fuzzy")
    return 0


def main(argv: list[str]) -> int:
    """Dispatch a sub-command."""
    if argv[:1] == ["fill-en"]:
        return fill_en()
    if argv[:1] == ["check-pot"] and len(argv) == 3:
        return check_pot(argv[1], argv[2])
    if argv[:1] == ["check-update"] and len(argv) == 2:
        return check_update(argv[1])
    if argv[:1] == ["report"]:
        return report()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
