"""What pages say when filters leave nothing, and the filters line in each language: key -> (English, Chinese)."""

from __future__ import annotations

WALKTHROUGH_MESSAGES: dict[str, tuple[str, str]] = {
    # --- the Reallocation page's requests table, empty --------------------------------------------------
    "realloc.note.no_requests_match": (
        "No planned purchase matches the filters.",
        "没有符合当前筛选条件的配置申请。",
    ),
    "realloc.note.no_requests_read_only": (
        "No planned purchase yet: agencies upload them (record kind: purchase requests) or enter them on this page.",
        "尚无配置申请：由各单位上传（记录类型：配置申请）或在本页填报。",
    ),
    # --- the active filters line under a page title (one filter: its name, then its values) -----------
    "common.caption.filter_part": ("{label}: {values}", "{label}：{values}"),
    "common.caption.filter_values_joiner": (", ", "、"),
}
