"""What a lake (the records as Parquet for DuckDB or Spark) and the Spark engine say when they cannot be used:
key -> (English, Chinese). Commands and paths stay as typed in both languages."""

from __future__ import annotations

LAKE_MESSAGES: dict[str, tuple[str, str]] = {
    "lake.out_is_file": ("{path} is a file; give a directory for the lake", "{path} 是文件；请为数据湖指定一个文件夹"),
    "lake.out_not_empty": (
        "{path} is not empty; choose a new directory, or add --overwrite to replace the lake in it",
        "{path} 不是空文件夹；请另选新文件夹，或加上 --overwrite 以替换其中的数据湖",
    ),
    "lake.out_foreign_files": (
        "{path} holds files that are not part of a lake ({files}); choose a new or empty directory",
        "{path} 中有不属于数据湖的文件（{files}）；请另选新的或空的文件夹",
    ),
    "lake.unknown_engine": ("unknown engine {engine}; choose {choices}", "未知的计算引擎 {engine}；请选择 {choices}"),
    "lake.incomplete": (
        "{path} is not a complete lake: it has no {name}; write one with `python -m tracker export-lake DIR`",
        "{path} 不是完整的数据湖：缺少 {name}；请用 `python -m tracker export-lake DIR` 重新导出",
    ),
    "lake.incomplete_spark": (
        "{path} is not a complete lake: Spark cannot read its {name} ({detail}); "
        "write one with `python -m tracker export-lake DIR`",
        "{path} 不是完整的数据湖：Spark 无法读取其中的 {name}（{detail}）；请用 `python -m tracker export-lake DIR` 重新导出",
    ),
    "lake.settings_damaged": (
        "{name} of the lake is damaged ({detail}); export the lake again",
        "数据湖的 {name} 已损坏（{detail}）；请重新导出数据湖",
    ),
    "lake.not_a_lake": (
        "{path} is not a tracker lake (its {name} says otherwise)",
        "{path} 不是本系统导出的数据湖（其 {name} 表明并非如此）",
    ),
    "lake.newer_format": (
        "the lake in {path} was written by a newer tracker (format {version}); update the tracker",
        "{path} 中的数据湖由更新版本的系统写入（格式 {version}）；请升级本系统",
    ),
    "lake.no_pyspark": (
        "the Spark engine needs PySpark, which is not installed; install it with: pip install -r requirements-spark.txt",
        "Spark 引擎需要 PySpark，但尚未安装；请执行：pip install -r requirements-spark.txt",
    ),
    "lake.no_java": (
        "Spark needs Java 17 on this machine: install it (Debian/Ubuntu: apt-get install openjdk-17-jre-headless) "
        "or set JAVA_HOME to a Java 17 installation",
        "Spark 需要本机安装 Java 17：请安装（Debian/Ubuntu：apt-get install openjdk-17-jre-headless），"
        "或将 JAVA_HOME 设为 Java 17 的安装目录",
    ),
    "lake.no_spark_connect": (
        "connecting to {master} needs Spark Connect's client libraries; install them with: pip install -r requirements-spark.txt",
        "连接 {master} 需要 Spark Connect 客户端库；请执行：pip install -r requirements-spark.txt",
    ),
    "lake.spark_did_not_start": ("Spark could not start at {master}: {detail}", "Spark 无法在 {master} 启动：{detail}"),
    "lake.spark_did_not_start_local": (
        "Spark could not start at {master}: {detail} (Spark needs Java 17 on this machine: install it, or set "
        "JAVA_HOME to a Java 17 installation)",
        "Spark 无法在 {master} 启动：{detail}（Spark 需要本机安装 Java 17：请安装，或将 JAVA_HOME 设为 Java 17 的安装目录）",
    ),
}
