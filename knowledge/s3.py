"""Smart-specialisation (S3) priorities of the partner regions and the shared Trans-S3 themes.

GoSmart BSR brokers look for partners whose regions invest in the same things: each region's
S3 priorities are tagged with Trans-S3 themes shared across the Baltic Sea Region, so two
SMEs in different regions are "S3-aligned" when their relevant priorities share a theme.
The JSON schema is expressed as validation code below; every problem names the file, the
entry and the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge.lexicon import is_nace_code
from knowledge.normalize import LANGS, fold

S3_FILE = "s3_priorities.json"
# Latvia, Estonia and Lithuania run one national smart-specialisation strategy, so every
# place in these countries resolves to the country's single S3 "region".
NATIONAL_S3_COUNTRIES = frozenset({"LV", "EE", "LT"})

_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_REGION_ID = re.compile(r"[A-Z]{2}[A-Z0-9]{0,3}")


class S3DataError(ValueError):
    """The S3 file is malformed; each line of the message names file, entry and field."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Theme:
    """A Trans-S3 theme shared by regions (e.g. circular economy)."""

    id: str
    label: Mapping[str, str]


@dataclass(frozen=True)
class Priority:
    """One S3 priority of a region, with the NACE codes and keywords that signal it."""

    id: str
    region: str
    label: Mapping[str, str]
    nace: tuple[str, ...]
    themes: tuple[str, ...]
    keywords: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class Region:
    """A region (or a country with a national S3) and its priorities."""

    id: str
    name: str
    country: str
    nuts: str
    period: str
    source: str
    priorities: tuple[Priority, ...]


@dataclass(frozen=True)
class S3Catalog:
    """Themes and regions, with lookups by id and place name."""

    themes: tuple[Theme, ...]
    regions: tuple[Region, ...]

    def theme(self, theme_id: str) -> Theme | None:
        """The theme with this id, if any."""
        return next((t for t in self.themes if t.id == theme_id), None)

    def region(self, region_id: str) -> Region | None:
        """The region with this id (case-insensitive), if any."""
        wanted = region_id.upper()
        return next((r for r in self.regions if r.id == wanted), None)

    def priority(self, priority_id: str) -> Priority | None:
        """The priority with this id, if any."""
        return next((p for r in self.regions for p in r.priorities if p.id == priority_id), None)

    def resolve_region(self, place: str | None, country: str | None = None) -> Region | None:
        """The S3 region of a place: by id, NUTS code or name, else by national-S3 country.

        ``place`` may be a region id ("PL84"), a NUTS code or a name in any case and with or
        without diacritics ("Lõuna-Eesti", "louna eesti"); a place the catalog does not know
        still resolves in Latvia, Estonia and Lithuania, which have one national S3.
        """
        if place:
            key = _place_key(place)
            for region in self.regions:
                if key in {_place_key(region.id), _place_key(region.nuts), _place_key(region.name)}:
                    return region
        country = (country or "").upper()
        if country in NATIONAL_S3_COUNTRIES:
            return next((r for r in self.regions if r.country == country), None)
        return None


def _place_key(text: str) -> str:
    return " ".join(re.split(r"[\W_]+", fold(text))).strip()


def load_s3(path: Path) -> S3Catalog:
    """Read and validate the S3 priorities file."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise S3DataError([f"{path.name}: cannot read JSON: {exc}"]) from exc
    return parse_s3(document, path.name)


def parse_s3(document: Any, name: str = S3_FILE) -> S3Catalog:
    """Validate a parsed S3 document and build the catalog."""
    problems: list[str] = []
    if not isinstance(document, dict):
        raise S3DataError([f'{name}: top level must be an object with "themes" and "regions"'])
    themes = _themes(name, document.get("themes"), problems)
    theme_ids = {t.id for t in themes}
    regions: list[Region] = []
    seen_regions: set[str] = set()
    seen_priorities: dict[str, str] = {}
    raw_regions = document.get("regions")
    if not isinstance(raw_regions, list) or not raw_regions:
        problems.append(f"{name}: regions: must be a non-empty list")
        raw_regions = []
    for index, raw in enumerate(raw_regions):
        region = _region(name, index, raw, theme_ids, problems)
        if region is None:
            continue
        if region.id in seen_regions:
            problems.append(f"{name}: regions[{index}] ({region.id}): id: duplicate")
            continue
        seen_regions.add(region.id)
        for priority in region.priorities:
            if priority.id in seen_priorities:
                problems.append(
                    f"{name}: regions[{index}] ({region.id}): priority {priority.id}: id "
                    f"duplicates a priority of {seen_priorities[priority.id]}"
                )
            seen_priorities[priority.id] = region.id
        regions.append(region)
    if problems:
        raise S3DataError(problems)
    return S3Catalog(themes=tuple(themes), regions=tuple(regions))


def _themes(name: str, raw: Any, problems: list[str]) -> list[Theme]:
    if not isinstance(raw, list) or not raw:
        problems.append(f"{name}: themes: must be a non-empty list")
        return []
    themes: list[Theme] = []
    for index, entry in enumerate(raw):
        where = f"{name}: themes[{index}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be an object")
            continue
        theme_id = entry.get("id")
        if not isinstance(theme_id, str) or not _ID.fullmatch(theme_id):
            problems.append(f"{where}: id: {theme_id!r} is not a lower-case identifier")
            continue
        where = f"{where} ({theme_id})"
        if any(t.id == theme_id for t in themes):
            problems.append(f"{where}: id: duplicate")
            continue
        themes.append(Theme(theme_id, _texts(where, "label", entry.get("label"), problems)))
    return themes


def _region(
    name: str, index: int, raw: Any, theme_ids: set[str], problems: list[str]
) -> Region | None:
    where = f"{name}: regions[{index}]"
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be an object")
        return None
    region_id = raw.get("id")
    if not isinstance(region_id, str) or not _REGION_ID.fullmatch(region_id):
        problems.append(f"{where}: id: {region_id!r} is not a NUTS-style id such as PL84")
        return None
    where = f"{where} ({region_id})"
    before = len(problems)
    fields: dict[str, str] = {}
    for field in ("name", "country", "nuts", "period", "source"):
        value = raw.get(field)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{where}: {field}: missing or empty")
        else:
            fields[field] = value.strip()
    country = fields.get("country", "")
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        problems.append(f"{where}: country: {country!r} is not an ISO alpha-2 code")
    if country and not region_id.startswith(country):
        problems.append(f"{where}: id: does not start with the country code {country}")
    raw_priorities = raw.get("priorities")
    priorities: list[Priority] = []
    if not isinstance(raw_priorities, list) or not raw_priorities:
        problems.append(f"{where}: priorities: must be a non-empty list")
    else:
        for p_index, entry in enumerate(raw_priorities):
            priority = _priority(f"{where}: priorities[{p_index}]", region_id, entry, theme_ids)
            if isinstance(priority, Priority):
                priorities.append(priority)
            else:
                problems.extend(priority)
    if len(problems) > before:
        return None
    return Region(
        id=region_id,
        name=fields["name"],
        country=country,
        nuts=fields["nuts"],
        period=fields["period"],
        source=fields["source"],
        priorities=tuple(priorities),
    )


def _priority(where: str, region_id: str, raw: Any, theme_ids: set[str]) -> Priority | list[str]:
    problems: list[str] = []
    if not isinstance(raw, dict):
        return [f"{where}: must be an object"]
    priority_id = raw.get("id")
    if not isinstance(priority_id, str) or not _ID.fullmatch(priority_id):
        return [f"{where}: id: {priority_id!r} is not a lower-case identifier"]
    where = f"{where} ({priority_id})"
    label = _texts(where, "label", raw.get("label"), problems)
    nace = raw.get("nace")
    if not isinstance(nace, list) or not nace:
        problems.append(f"{where}: nace: must be a non-empty list of NACE codes")
        nace = []
    for code in nace:
        if not isinstance(code, str) or not is_nace_code(code):
            problems.append(f"{where}: nace: {code!r} is not a NACE code")
    themes = raw.get("themes")
    if not isinstance(themes, list) or not themes:
        problems.append(f"{where}: themes: must be a non-empty list of theme ids")
        themes = []
    for theme in themes:
        if theme not in theme_ids:
            problems.append(f"{where}: themes: {theme!r} is not a declared theme")
    keywords = _keywords(where, raw.get("keywords"), problems)
    if problems:
        return problems
    return Priority(
        id=priority_id,
        region=region_id,
        label=label,
        nace=tuple(nace),
        themes=tuple(themes),
        keywords=keywords,
    )


def _texts(where: str, field: str, raw: Any, problems: list[str]) -> dict[str, str]:
    if not isinstance(raw, dict):
        problems.append(f"{where}: {field}: must be an object with one text per language")
        return {}
    texts: dict[str, str] = {}
    for lang in LANGS:
        value = raw.get(lang)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{where}: {field}.{lang}: missing or empty")
        else:
            texts[lang] = value.strip()
    return texts


def _keywords(where: str, raw: Any, problems: list[str]) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        problems.append(f"{where}: keywords: must be an object with a list per language")
        return {}
    keywords: dict[str, tuple[str, ...]] = {}
    for lang in LANGS:
        words = raw.get(lang)
        if not isinstance(words, list) or not words:
            problems.append(f"{where}: keywords.{lang}: missing or empty list")
            continue
        if not all(isinstance(w, str) and w.strip() for w in words):
            problems.append(f"{where}: keywords.{lang}: every keyword must be a non-empty text")
            continue
        keywords[lang] = tuple(w.strip() for w in words)
    for lang in sorted(set(raw) - set(LANGS)):
        problems.append(f"{where}: keywords.{lang}: unknown language")
    return keywords
