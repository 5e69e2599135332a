"""Apache Spark for the lake: a session set up for the tracker, and Ibis's PySpark backend made to cache the rules' tables.

PySpark is optional (requirements-spark.txt) and heavy: it is imported only inside these functions.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import ibis

from tracker.engine.lake_format import LakeError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_SPARK_MASTER = "local[2]"
# Set on every session that reads a lake: dates must not shift with the machine's time zone, and
# Arrow brings results to Python far faster than row by row.
SPARK_RUNTIME_CONF = {"spark.sql.session.timeZone": "UTC", "spark.sql.execution.arrow.pyspark.enabled": "true"}


def spark_session(master: str | None = None, conf: Mapping[str, str] | None = None) -> SparkSession:
    """A SparkSession for the tracker: `local[2]` unless told; an `sc://` URL connects through Spark Connect.

    Under spark-submit (its JVM is already there) the master and settings given to spark-submit
    apply unless `master` is. The session time zone is UTC (dates stay dates whatever the machine's
    zone), Arrow carries results to Python, and the console progress bar is off (standard error is
    for the tracker's messages). A local master gets 4 shuffle partitions per core instead of 200:
    the rules shuffle per-asset aggregates, small even for a large tier, and 200 tiny tasks per
    shuffle made a flags run several times slower. `conf` overrides any of these.
    Refuses with what to install when PySpark, or Java for a local or cluster session, is missing.
    """
    try:  # deferred: PySpark is optional and heavy
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise LakeError("lake.no_pyspark") from exc
    under_spark_submit = master is None and "PYSPARK_GATEWAY_PORT" in os.environ
    master = master or DEFAULT_SPARK_MASTER
    settings = {**SPARK_RUNTIME_CONF, "spark.ui.showConsoleProgress": "false"}
    if master.startswith("local") and not under_spark_submit:
        settings["spark.sql.shuffle.partitions"] = str(4 * _local_cores(master))
        # the tracker writes no tables: keep Spark's empty warehouse directory out of the work tree
        settings["spark.sql.warehouse.dir"] = str(Path(tempfile.gettempdir()) / "tracker-spark-warehouse")
    settings.update(conf or {})
    if master.startswith("sc://"):
        builder = SparkSession.builder.remote(master)
    else:
        if not under_spark_submit and not _java_available():
            raise LakeError("lake.no_java")
        builder = SparkSession.builder.appName("tracker")
        if not under_spark_submit:
            builder = builder.master(master)
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except ImportError as exc:  # Spark Connect's client libraries
        raise LakeError("lake.no_spark_connect", master=master) from exc
    except Exception as exc:  # the JVM did not start (wrong Java?), or the server is not there
        key = "lake.spark_did_not_start" if master.startswith("sc://") else "lake.spark_did_not_start_local"
        raise LakeError(key, master=master, detail=first_line(exc)) from exc
    if not master.startswith("sc://"):
        session.sparkContext.setLogLevel("ERROR")
    return session


def _local_cores(master: str) -> int:
    """Worker threads of a local master: `local` 1, `local[N]` (or `local[N,F]`) N, `local[*]` every core."""
    threads = master.partition("[")[2].split(",")[0].rstrip("]")
    if not threads:
        return 1
    return (os.cpu_count() or 1) if threads == "*" else int(threads)


def _java_available() -> bool:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").exists():
        return True
    return shutil.which("java") is not None


@functools.cache
def pyspark_backend_class():
    """Ibis 12's PySpark backend with its `.cache()` made to work for the rules, on a session or Spark Connect.

    Ibis compiles and caches the query without the pre-execute hooks that every other path runs,
    so caching an expression holding a memtable (the calendar, the category profiles) failed with
    TABLE_OR_VIEW_NOT_FOUND; and it asserts `DataFrame.is_cached`, which a Spark Connect DataFrame
    reports False even once cached. compute_flags_on caches exactly such expressions.
    """
    from ibis.backends.pyspark import Backend  # deferred: it imports PySpark, optional and heavy

    _ = ibis.pyspark  # loading the backend through ibis registers its options, which compiling reads

    class LakeSparkBackend(Backend):
        def _create_cached_table(self, name, expr):
            self._run_pre_execute_hooks(expr)
            frame = self._session.sql(self.compile(expr)).cache()
            frame.createOrReplaceTempView(name)
            self._cached_dataframes[name] = frame  # so that ibis unpersists it when the table is released
            return self.table(name)

    return LakeSparkBackend


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
