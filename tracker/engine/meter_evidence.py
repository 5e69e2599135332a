"""What a metered device's readings say, in words and per day: the evidence sentences of its findings, the copier's
counter against its service life, and the device page's readings and derived use (docs/meters.md).
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import pyarrow as pa

from tracker.domain.calendar import DEFAULT_COUNTRY
from tracker.domain.meters import MeterProfile
from tracker.engine.meters import (
    MeterUse,
    Window,
    meter_profiles,
    meter_use,
)
from tracker.text import formatting
from tracker.text.i18n import template, text
from tracker.text.plural import fill


def _number(value: float | None) -> str:
    if value is None:
        return formatting.MISSING
    return formatting.count(int(value)) if float(value).is_integer() else formatting.number(value, 1)


def _unit(profile: MeterProfile, lang: str) -> str:
    return profile.unit_zh if lang == "zh" else profile.unit_en


def evidence_sentence(use: MeterUse, profile: MeterProfile, lang: str, *, in_service: date | None = None) -> str:
    """The readings behind a metered device's finding, in one or two sentences."""
    unit = _unit(profile, lang)
    parts: list[str] = []
    if len(use.readings) < 2:
        only = use.readings[0]
        parts.append(text("meters.evidence.single", lang, value=_number(only.value), unit=unit, date=only.day.isoformat()))
    elif use.days_flat:
        first = use.flat_since
        parts.append(
            text(
                "meters.evidence.flat",
                lang,
                first_value=_number(first.value),
                first_date=first.day.isoformat(),
                last_value=_number(use.last.value),
                last_date=use.last.day.isoformat(),
                days=formatting.count(use.days_flat),
                unit=unit,
            )
        )
    if use.use is not None and use.moved:
        first, last = use.readings[0], use.last
        parts.append(
            text(
                "meters.evidence.use",
                lang,
                use=_number(round(use.use, 1)),
                unit=unit,
                first_date=first.day.isoformat(),
                first_value=_number(first.value),
                last_date=last.day.isoformat(),
                last_value=_number(last.value),
                use_share=formatting.share(use.utilisation) if use.utilisation is not None else formatting.MISSING,
                capacity=_number(round(use.capacity or 0, 1)),
                available_days=formatting.count(use.covered_days),
            )
        )
    for reset in use.resets:
        parts.append(
            text(
                "meters.evidence.reset",
                lang,
                before=_number(reset.before.value),
                before_date=reset.before.day.isoformat(),
                after=_number(reset.after.value),
                after_date=reset.after.day.isoformat(),
            )
        )
    if profile.life_count:
        parts.append(life_sentence(use.last.value, profile, lang))
    return ("" if lang == "zh" else " ").join(parts)


def life_sentence(value: float, profile: MeterProfile, lang: str) -> str:
    """The counter against the category's minimum-service-life count (copiers: 300,000 copies)."""
    return text(
        "meters.evidence.life",
        lang,
        value=_number(value),
        life=formatting.count(profile.life_count or 0),
        unit=_unit(profile, lang),
        share=formatting.share(value / profile.life_count) if profile.life_count else formatting.MISSING,
    )


def evidence_notes(
    backend, window: Window, asset_ids: list[str], *, country: str = DEFAULT_COUNTRY, profiles=None
) -> dict[str, tuple[str, str]]:
    """asset_id -> (English, Chinese) sentences giving the readings behind each metered device's finding."""
    if not asset_ids:
        return {}
    found = meter_use(backend, window, country=country, profiles=profiles, asset_ids=asset_ids)
    by_category = meter_profiles(backend) if found else {}
    notes = {}
    for facts, use in found:
        profile = by_category[facts["category"]]
        notes[use.asset_id] = tuple(evidence_sentence(use, profile, lang) for lang in ("en", "zh"))
    return notes


def daily_use(use: MeterUse) -> list[tuple[date, float]]:
    """Use per day derived from the readings (for charts): each period's use spread over its days."""
    days: dict[date, float] = {}
    for p in use.periods:
        per_day = p.use / p.days
        day = p.start
        while day < p.last_day:
            days[day] = days.get(day, 0.0) + per_day
            day += timedelta(days=1)
    return sorted(days.items())


def add_evidence_notes(backend, window: Window, rows: Iterable[dict], *, country: str = DEFAULT_COUNTRY, profiles=None) -> None:
    """Give each metered device's finding row its readings (`meter_note_en`, `meter_note_zh`)."""
    metered = [row for row in rows if row.get("evidence_kind") == "meter"]
    notes = evidence_notes(backend, window, sorted({row["asset_id"] for row in metered}), country=country, profiles=profiles)
    for row in metered:
        row["meter_note_en"], row["meter_note_zh"] = notes.get(row["asset_id"], ("", ""))


@dataclass(frozen=True)
class DeviceMeters:
    """One metered device's evidence for its page: readings, use derived per day, sentences (English, Chinese)."""

    meter: str
    unit: tuple[str, str]
    readings: pa.Table  # read_at, value
    daily_use: pa.Table  # day, use
    sentences: tuple[str, str]
    life: tuple[str, str] | None  # the counter against the category's service-life count, where it has one


def device_meters(
    backend, window: Window, asset_id: str, *, country: str = DEFAULT_COUNTRY, profiles=None
) -> DeviceMeters | None:
    """The readings of a device's category meter and the use derived from them; None for a device without any."""
    found = meter_use(backend, window, country=country, profiles=profiles, asset_ids=[asset_id])
    if not found:
        return None
    facts, use = found[0]
    profile = meter_profiles(backend)[facts["category"]]
    readings = pa.table(
        {
            "read_at": pa.array([r.read_at for r in use.readings], pa.timestamp("us")),
            "value": pa.array([r.value for r in use.readings], pa.float64()),
        }
    )
    per_day = daily_use(use)
    daily = pa.table(
        {"day": pa.array([d for d, _ in per_day], pa.date32()), "use": pa.array([u for _, u in per_day], pa.float64())}
    )
    life = tuple(life_sentence(use.last.value, profile, lang) for lang in ("en", "zh")) if profile.life_count else None
    return DeviceMeters(
        profile.meter,
        (profile.unit_en, profile.unit_zh),
        readings,
        daily,
        tuple(evidence_sentence(use, profile, lang) for lang in ("en", "zh")),
        life,
    )


def meter_evidence(code: str, row: Mapping, params: Mapping[str, str], lang: str) -> str | None:
    """The evidence of a metered device's LOW_UTILISATION in its own words (its hours are unknown); None otherwise."""
    if code != "LOW_UTILISATION" or row.get("evidence_kind") != "meter":
        return None
    localised = {"category": params[f"category_{lang}"], "evidence_note": params.get(f"evidence_note_{lang}", "")}
    return fill(template("meters.evidence.low", lang), ChainMap(localised, params))
