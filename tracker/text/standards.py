"""Equipment standards per jurisdiction, and planned purchases read from OCDS tenders, in English and Chinese."""

from __future__ import annotations

STANDARDS_MESSAGES: dict[str, tuple[str, str]] = {
    # --- OCDS tenders not yet awarded: planned purchases ------------------------------------------------
    "ocds.planned_stored": (
        "{stored} planned purchases from tenders not yet awarded stored ({new} new); "
        "{removed} planned purchases removed because their tender is now awarded.",
        "已保存 {stored} 项来自尚未授标招标的配置申请（新增 {new} 项）；{removed} 项配置申请因招标已授标而移除。",
    ),
    "ocds.reason.planned_incomplete": (
        "tender items not yet awarded without a whole quantity, ocid or buyer",
        "尚未授标但缺少整数数量、ocid 或采购人的招标标的",
    ),
    # --- the setting -------------------------------------------------------------------------------------
    "setting.standards_jurisdiction.label": ("Equipment standard in force", "适用的配置标准"),
    "setting.standards_jurisdiction.help": (
        "Jurisdiction whose equipment standards (price caps, minimum service lives) the rules apply; "
        "CN-central is the central standard of 2016.",
        "规则所依据的配置标准（价格上限、最低使用年限）所属的辖区；CN-central 为 2016 年中央标准（财资〔2016〕27号）。",
    ),
    "reason.jurisdiction": (
        "a jurisdiction code of 1 to 40 letters, digits, hyphens or underscores (e.g. CN-central, CN-44)",
        "应为 1 至 40 个字母、数字、连字符或下划线组成的辖区代码（如 CN-central、CN-44）",
    ),
    "reason.jurisdiction_unknown": (
        "no standard is stored for this jurisdiction (add a version first); known: {choices}",
        "该辖区尚无配置标准（请先添加版本）；已有：{choices}",
    ),
    # --- adding a version ---------------------------------------------------------------------------------
    "reason.version_exists": (
        "this jurisdiction already has a version with this name",
        "该辖区已有同名版本",
    ),
    "reason.version_no_category": (
        "a version names at least one category with a price cap, a minimum service life or copies",
        "一个版本至少应为一个类别填写价格上限、最低使用年限或印量",
    ),
    "reason.version_name": ("a text of 1 to {limit} characters", "应为 1 至 {limit} 个字符的文本"),
    "reason.service_years": ("a whole number of years from 1 to 50, or empty", "应为 1 至 50 的整数年，或留空"),
    "reason.copies": ("a whole number of copies of at least 1, or empty", "应为不小于 1 的整数印量，或留空"),
    "reason.cap_amount": ("an amount of at least 0, or empty (no cap)", "应为不小于 0 的金额，或留空（无上限）"),
    "standards.saved": (
        "Version {version} of {jurisdiction} stored, in force from {effective_from}, for {categories} categories.",
        "已保存 {jurisdiction} 的版本 {version}，自 {effective_from} 起施行，涉及 {categories} 个类别。",
    ),
    # --- the Settings page's section ------------------------------------------------------------------------
    "standards.tab": ("Equipment standards", "配置标准"),
    "standards.caption": (
        "Price caps and minimum service lives per jurisdiction and version. On each purchase's order date the "
        "version in force (the latest effective from on or before it) of the jurisdiction chosen below applies: "
        "Over the price cap and Early replacement read it. An empty cap is no cap (projector and scanner caps vary by province).",
        "各辖区、各版本的价格上限和最低使用年限。每笔采购按下单日期适用下方所选辖区当日施行的版本（生效日期不晚于下单日期的最新版本），"
        "“超标准配置”和“提前更新”规则据此判断。上限留空即无上限（投影仪、扫描仪的上限因省而异）。",
    ),
    "standards.in_force": ("Jurisdiction in force", "适用辖区"),
    "standards.save_jurisdiction": ("Apply this jurisdiction", "采用该辖区"),
    "standards.jurisdiction_saved": (
        "The rules now apply the standards of {jurisdiction}.",
        "规则现按 {jurisdiction} 的配置标准判断。",
    ),
    "standards.versions": ("Versions of {jurisdiction}", "{jurisdiction} 的版本"),
    "standards.add": ("Add a version", "添加版本"),
    "standards.field.jurisdiction": ("Jurisdiction", "辖区"),
    "standards.field.version": ("Version name", "版本名称"),
    "standards.field.effective_from": ("In force from", "施行日期"),
    "standards.field.price_cap": ("Price cap (yuan)", "价格上限（元）"),
    "standards.field.min_service_years": ("Minimum service life (years)", "最低使用年限（年）"),
    "standards.field.min_copies": ("Or copies", "或印量"),
    "standards.field.category": ("Category", "类别"),
    "standards.field.categories": ("Categories", "类别"),
    "standards.field_of": ("{category} · {field}", "{category}的{field}"),
    "standards.bad_value": ('{field} has an invalid value "{value}": {reason}', "{field}的值“{value}”无效：{reason}"),
    "standards.button.add": ("Add the version", "添加该版本"),
    "standards.default_version": ("built in", "内置"),
    "standards.no_cap": ("no cap (varies by province)", "无上限（因省而异）"),
    # --- the command line -------------------------------------------------------------------------------------
    "cli.standards_set": (
        "Stored version {version} of {jurisdiction} in force from {effective_from} for {categories} categories.",
        "已保存 {jurisdiction} 的版本 {version}，自 {effective_from} 起施行，涉及 {categories} 个类别。",
    ),
}
