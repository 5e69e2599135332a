"""Messages about counter readings of printers, copiers and projectors (docs/meters.md)."""

from __future__ import annotations

METERS_MESSAGES: dict[str, tuple[str, str]] = {
    "kind.meters": ("meter readings", "计数器读数"),
    "table.meter_readings": ("Meter readings", "计数器读数"),
    "row.unknown_meter": (
        'meter "{value}" is not known for the category of this asset; the meters known for it are {other}.',
        "计数器“{value}”不适用于该资产的类别；该类别可用的计数器为 {other}。",
    ),
    "glpi.no_reading_time": (
        "The printer inventory {file} does not say when its counters were read (no date in deviceid or the inventory); "
        "nothing was stored.",
        "打印机清单 {file} 没有说明计数器的读取时间（deviceid 和清单中都没有日期），未存储任何数据。",
    ),
    "glpi.no_counters": (
        "The printer inventory {file} holds no page counter (pagecounters); nothing was stored.",
        "打印机清单 {file} 中没有页数计数器（pagecounters），未存储任何数据。",
    ),
    "config.profile_meter": (
        'Category {category}: the meter must be one of {choices}; got "{value}".',
        "类别 {category}：计数器必须为 {choices} 之一，实际为“{value}”。",
    ),
    "config.profile_meter_capacity": (
        'Category {category}: the capacity must be a number greater than 0; got "{value}".',
        "类别 {category}：产能必须是大于 0 的数字，实际为“{value}”。",
    ),
    "config.profile_meter_required": (
        "Category {category} is measured by a meter: choose one of {choices}.",
        "类别 {category} 以计数器计量：请从 {choices} 中选择。",
    ),
    "config.profile_meter_unmetered": (
        'Category {category} has no meter (its use is counted in hours); got "{value}".',
        "类别 {category} 没有计数器（按小时计量使用），实际为“{value}”。",
    ),
    "config.profile_capacity_unmetered": (
        'Category {category} has no meter, so it has no capacity (its use is counted in hours); got "{value}".',
        "类别 {category} 没有计数器，因此没有产能（按小时计量使用），实际为“{value}”。",
    ),
    # --- the settings page's profile columns --------------------------------------------------------
    "settings.label.meter": ("Meter", "计数器"),
    "settings.label.capacity": ("Capacity", "产能"),
    "settings.label.capacity_unit": ("Capacity unit", "产能单位"),
    "settings.label.no_meter_hours": ("— (hours)", "—（按小时）"),
    "settings.help.meter": (
        "The counter that measures a printer's, copier's or projector's use; empty: use is counted in hours.",
        "计量打印机、复印机或投影仪使用的计数器；为空：按小时计量使用。",
    ),
    "settings.help.capacity": (
        "The use a metered category is built for, in the unit shown beside it; greater than 0.",
        "计量类别设计的使用量，单位见旁列；须大于 0。",
    ),
    "meters.capacity_unit.month": ("{unit} per month", "{unit}/月"),
    "meters.capacity_unit.day": ("{unit} per working day", "{unit}/工作日"),
    "meters.counter_drop": (
        "The {meter} counter of {asset_id} goes down from {before} on {before_date} to {after} on {after_date} "
        "(reset or replaced?): a new series starts there; nothing is counted as use across the drop.",
        "{asset_id} 的 {meter} 计数器从 {before_date} 的 {before} 降至 {after_date} 的 {after}（清零或更换？）："
        "自此开始新的读数序列，跨越下降的区间不计为使用。",
    ),
    "meters.counter_drops_more": ("… and {count} more counter drops.", "……另有 {count} 处计数器下降。"),
    # --- meter names ----------------------------------------------------------------------------
    "meter.pages_total": ("pages printed", "总页数"),
    "meter.pages_colour": ("colour pages", "彩色页数"),
    "meter.pages_mono": ("black-and-white pages", "黑白页数"),
    "meter.pages_duplex": ("duplex pages", "双面页数"),
    "meter.copies": ("copies", "复印张数"),
    "meter.scans": ("scans", "扫描张数"),
    "meter.lamp_hours": ("lamp hours", "灯泡使用小时"),
    # --- evidence of metered devices ------------------------------------------------------------
    "meters.evidence.flat": (
        "{first_value} {unit} on {first_date}, {last_value} on {last_date}: no use in {days:day|days}.",
        "{first_date} 读数 {first_value} {unit}，{last_date} 读数 {last_value}：{days} 天内没有使用。",
    ),
    "meters.evidence.use": (
        "{use} {unit} between {first_date} ({first_value}) and {last_date} ({last_value}), "
        "{use_share} of a capacity of {capacity} over {available_days:available day|available days}.",
        "{first_date}（读数 {first_value}）至 {last_date}（读数 {last_value}）之间使用 {use} {unit}，"
        "为 {available_days} 个可用日产能 {capacity} 的 {use_share}。",
    ),
    "meters.evidence.low": (
        "{category} {asset_id} used {utilisation_share} of its capacity over {available_days:available day|available days} covered by "
        "its counter readings, below the threshold of {threshold_share}; value at stake {value_amount} of net book value "
        "{net_book_value_amount}.{evidence_note}",
        "{category} {asset_id} 在计数器读数覆盖的 {available_days} 个可用日内仅使用了产能的 {utilisation_share}，"
        "低于阈值 {threshold_share}；涉及金额 {value_amount}（净值 {net_book_value_amount}）。{evidence_note}",
    ),
    "meters.evidence.single": (
        "One reading only ({value} {unit} on {date}): no use can be derived from it.",
        "仅有一次读数（{date} 为 {value} {unit}）：无法据此得出使用量。",
    ),
    "meters.evidence.reset": (
        "The counter went down from {before} on {before_date} to {after} on {after_date} (reset or replaced): "
        "a new series starts there.",
        "计数器从 {before_date} 的 {before} 降至 {after_date} 的 {after}（已清零或更换）：自此开始新的读数序列。",
    ),
    "meters.evidence.life": (
        "Counter {value} of the {life} {unit} of the category's minimum service life ({share}).",
        "计数器读数 {value}，该类别最低使用年限对应 {life} {unit}（已达 {share}）。",
    ),
    # --- charts ----------------------------------------------------------------------------------
    "meters.chart.reading": ("Counter reading", "计数器读数"),
    "meters.chart.use": ("Use per day (from readings)", "日均使用量（由读数推算）"),
    "meters.chart.title": ("Counter readings and the use derived from them", "计数器读数及推算的使用量"),
}
