"""Equipment categories: the default profiles (docs/rules.md, category profiles) and how free text maps onto them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache


@dataclass(frozen=True)
class CategoryProfile:
    """How a category is used: standard hours, available days, threshold, life, price cap."""

    category: str
    hours_per_day: float
    days: str  # "workdays" or "all"
    low_threshold: float
    life_years: int
    price_cap_cny: Decimal | None
    names_zh: tuple[str, ...]


DEFAULT_PROFILES: tuple[CategoryProfile, ...] = (
    CategoryProfile("desktop", 8, "workdays", 0.25, 6, Decimal(5000), ("台式计算机", "台式机")),
    CategoryProfile("laptop", 8, "workdays", 0.25, 6, Decimal(7000), ("便携式计算机", "笔记本电脑")),
    CategoryProfile("tablet", 8, "workdays", 0.25, 6, None, ("平板电脑",)),
    CategoryProfile("monitor", 8, "workdays", 0.25, 6, None, ("显示器",)),
    CategoryProfile("printer", 8, "workdays", 0.10, 6, Decimal(1200), ("打印机",)),
    CategoryProfile("copier", 8, "workdays", 0.10, 6, None, ("复印机", "多功能一体机")),
    CategoryProfile("scanner", 8, "workdays", 0.10, 6, None, ("扫描仪",)),
    CategoryProfile("projector", 8, "workdays", 0.15, 5, None, ("投影仪",)),
    CategoryProfile("av_conference", 8, "workdays", 0.15, 5, None, ("视频会议设备", "会议系统")),
    CategoryProfile("camera", 8, "workdays", 0.10, 5, None, ("摄像机", "照相机")),
    CategoryProfile("instrument", 7, "workdays", 0.50, 5, None, ("仪器仪表",)),
    CategoryProfile("server", 24, "all", 0.10, 6, None, ("服务器",)),
    CategoryProfile("network", 24, "all", 0.10, 5, None, ("交换机", "路由器", "网络设备")),
    CategoryProfile("storage", 24, "all", 0.10, 6, None, ("存储设备",)),
    CategoryProfile("other", 8, "workdays", 0.25, 6, None, ("其他",)),
)
CATEGORIES: tuple[str, ...] = tuple(p.category for p in DEFAULT_PROFILES)

# Exact names (after normalisation) beyond the canonical codes and the Chinese names above.
_SYNONYMS: dict[str, str] = {
    "desktop computer": "desktop",
    "desktop pc": "desktop",
    "pc": "desktop",
    "workstation": "desktop",
    "computer": "desktop",
    "computers": "desktop",
    "台式电脑": "desktop",
    "计算机": "desktop",
    "电脑": "desktop",
    "notebook": "laptop",
    "notebook computer": "laptop",
    "portable computer": "laptop",
    "笔记本": "laptop",
    "笔记本计算机": "laptop",
    "便携式电脑": "laptop",
    "tablet computer": "tablet",
    "ipad": "tablet",
    "平板": "tablet",
    "平板计算机": "tablet",
    "display": "monitor",
    "screen": "monitor",
    "显示屏": "monitor",
    "液晶显示器": "monitor",
    "laser printer": "printer",
    "打印设备": "printer",
    "激光打印机": "printer",
    "photocopier": "copier",
    "multifunction printer": "copier",
    "mfp": "copier",
    "复印设备": "copier",
    "多功能一体机": "copier",
    "projection": "projector",
    "投影机": "projector",
    "投影设备": "projector",
    "video conferencing": "av_conference",
    "conference system": "av_conference",
    "av": "av_conference",
    "audio visual": "av_conference",
    "视频会议系统": "av_conference",
    "会议设备": "av_conference",
    "digital camera": "camera",
    "video camera": "camera",
    "摄影机": "camera",
    "相机": "camera",
    "instruments": "instrument",
    "laboratory instrument": "instrument",
    "lab equipment": "instrument",
    "仪器": "instrument",
    "仪表": "instrument",
    "实验设备": "instrument",
    "服务器设备": "server",
    "switch": "network",
    "router": "network",
    "networking": "network",
    "network equipment": "network",
    "firewall": "network",
    "wireless access point": "network",
    "防火墙": "network",
    "storage array": "storage",
    "nas": "storage",
    "san": "storage",
    "磁盘阵列": "storage",
    "存储": "storage",
}

# Keywords searched inside longer text (descriptions, category paths), most specific first.
_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("笔记本", "laptop"),
    ("便携式计算机", "laptop"),
    ("便携式电脑", "laptop"),
    ("laptop", "laptop"),
    ("notebook", "laptop"),
    ("macbook", "laptop"),
    ("portable computer", "laptop"),
    ("computadora portatil", "laptop"),
    ("computadoras portatiles", "laptop"),
    ("portatil", "laptop"),
    ("computador portatil", "laptop"),
    ("平板", "tablet"),
    ("tablet", "tablet"),
    ("ipad", "tablet"),
    ("tableta", "tablet"),
    ("一体机", "copier"),
    ("复印", "copier"),
    ("copier", "copier"),
    ("fotocopiadora", "copier"),
    ("multifunction", "copier"),
    ("multifuncion", "copier"),
    ("打印", "printer"),
    ("printer", "printer"),
    ("impresora", "printer"),
    ("plotter", "printer"),
    ("trazador", "printer"),
    ("扫描", "scanner"),
    ("scanner", "scanner"),
    ("escaner", "scanner"),
    ("投影", "projector"),
    ("projector", "projector"),
    ("proyector", "projector"),
    ("视频会议", "av_conference"),
    ("会议系统", "av_conference"),
    ("conferencing", "av_conference"),
    ("videoconferencia", "av_conference"),
    ("摄像", "camera"),
    ("照相", "camera"),
    ("相机", "camera"),
    ("camera", "camera"),
    ("camara", "camera"),
    ("显示器", "monitor"),
    ("monitor", "monitor"),
    ("pantalla", "monitor"),
    ("服务器", "server"),
    ("server", "server"),
    ("servidor", "server"),
    ("交换机", "network"),
    ("路由器", "network"),
    ("防火墙", "network"),
    ("network", "network"),
    ("switch", "network"),
    ("router", "network"),
    ("conmutador", "network"),
    ("enrutador", "network"),
    ("存储", "storage"),
    ("storage", "storage"),
    ("almacenamiento", "storage"),
    ("仪器", "instrument"),
    ("仪表", "instrument"),
    ("instrument", "instrument"),
    ("analyzer", "instrument"),
    ("analyser", "instrument"),
    ("oscilloscope", "instrument"),
    ("microscope", "instrument"),
    ("analizador", "instrument"),
    ("osciloscopio", "instrument"),
    ("microscopio", "instrument"),
    ("台式", "desktop"),
    ("todo en uno", "desktop"),
    ("all in one", "desktop"),
    ("desktop", "desktop"),
    ("workstation", "desktop"),
    ("计算机", "desktop"),
    ("电脑", "desktop"),
    ("escritorio", "desktop"),
    ("estacion de trabajo", "desktop"),
    ("ordenador", "desktop"),
    ("computadora", "desktop"),
    ("computador", "desktop"),
    ("computer", "desktop"),
)


def normalise_text(text: str) -> str:
    """Fold width, case, accents and separators so that header and category spellings compare equal."""
    text = unicodedata.normalize("NFKC", text).strip().casefold()
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return re.sub(r"[\s_\-]+", " ", text).strip()


@lru_cache(maxsize=4096)
def normalise_category(raw: str | None) -> str | None:
    """Map free category text (code, English, plural, Chinese name, keyword) to one of the categories.

    Returns None for empty input and "other" for text that names no known category.
    """
    if raw is None:
        return None
    text = normalise_text(raw)
    if not text:
        return None
    exact = _exact_names()
    for candidate in _singular_forms(text):
        if candidate in exact:
            return exact[candidate]
    for keyword, category in _KEYWORDS:
        if keyword in text:
            return category
    return "other"


def category_by_keyword(text: str | None) -> str | None:
    """The category named by a keyword inside free text, or None when no keyword matches."""
    if not text:
        return None
    folded = normalise_text(text)
    for keyword, category in _KEYWORDS:
        if keyword in folded:
            return category
    return None


@lru_cache(maxsize=1)
def _exact_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for profile in DEFAULT_PROFILES:
        names[normalise_text(profile.category)] = profile.category
        names[normalise_text(profile.category.replace("_", " "))] = profile.category
        for zh in profile.names_zh:
            names[normalise_text(zh)] = profile.category
    for synonym, category in _SYNONYMS.items():
        names[normalise_text(synonym)] = category
    return names


def _singular_forms(text: str) -> list[str]:
    forms = [text]
    if text.endswith("ies"):
        forms.append(text[:-3] + "y")
    if text.endswith("es"):
        forms.append(text[:-2])
    if text.endswith("s"):
        forms.append(text[:-1])
    return forms
