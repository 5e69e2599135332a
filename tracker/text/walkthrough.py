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
    # --- the first part of Explore's breadcrumb: the agencies the top level shows ---------------------------
    "explore.crumb.agencies_filtered": ("Agencies: {agencies}", "单位：{agencies}"),
    "explore.crumb.agencies_many": ("{count:agency|agencies} chosen", "已选 {count} 个单位"),
    "explore.crumb.own_agency": ("Your agency", "本单位"),
    # --- file types told by their first bytes, named in a refused upload's message -----------------------
    "filetype.pdf": ("PDF", "PDF 文档"),
    "filetype.evtx": ("Windows event log (.evtx)", "Windows 事件日志（.evtx）"),
    "filetype.elf": ("executable (ELF)", "可执行程序（ELF）"),
    "filetype.exe": ("Windows executable", "Windows 可执行程序"),
    "filetype.gzip": ("gzip archive", "gzip 压缩包"),
    "filetype.bzip2": ("bzip2 archive", "bzip2 压缩包"),
    "filetype.7z": ("7-Zip archive", "7-Zip 压缩包"),
    "filetype.rar": ("RAR archive", "RAR 压缩包"),
    "filetype.png": ("PNG image", "PNG 图片"),
    "filetype.gif": ("GIF image", "GIF 图片"),
    "filetype.jpeg": ("JPEG image", "JPEG 图片"),
    "filetype.sqlite": ("SQLite database", "SQLite 数据库"),
    # --- the Overview's agency × category heatmap when no cell is known -----------------------------------
    "overview.note.utilisation_unknown": (
        "Utilisation is unknown for every category of these agencies (no usage sent): {agencies}.",
        "以下单位各类设备的利用率均未知（未报送使用数据）：{agencies}。",
    ),
}
