"""Runs sql/ in Apache Spark (local mode) over a Parquet export and compares it with the engine's
answers for the same store: the checks of tests/sql/check.py (Tableau 1 for 2016, 2017 and
2014..2017, a filtered cross-tab, Tableau 6 for 2017 and 2014..2017), with sql/spark.sql for the
views and Spark's dialect switch (sql/README.md): the settings below, and `CREATE OR REPLACE
VIEW` run as `CREATE OR REPLACE TEMPORARY VIEW`."""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sql"))
import check  # noqa: E402  (tests/sql/check.py)

# Spark's dialect switch for sql/ (sql/README.md).
SETTINGS = {
    # A PLIE code such as `plie=59` in a path stays text, as in the files.
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    # "group" and "row" quoted as the SQL standard quotes names.
    "spark.sql.ansi.enabled": "true",
    "spark.sql.ansi.doubleQuotedIdentifiers": "true",
}


def dialect(statement):
    """A statement of sql/ as Spark runs it: its views are temporary (a Spark view over
    temporary views must be temporary too)."""
    return statement.replace("CREATE OR REPLACE VIEW", "CREATE OR REPLACE TEMPORARY VIEW")


class Spark(check.Engine):
    name = "Spark"

    def __init__(self, export, sql):
        from pyspark.sql import SparkSession

        # Relative paths of spark.sql are read from the export's folder.
        os.chdir(export)
        builder = (
            SparkSession.builder.master("local[2]")
            .appName("consolide-sql-check")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.driver.memory", "2g")
        )
        for key, value in SETTINGS.items():
            builder = builder.config(key, value)
        start = time.perf_counter()
        self.spark = builder.getOrCreate()
        self.spark.sparkContext.setLogLevel("ERROR")
        self.started = time.perf_counter() - start
        self.script((sql / "spark.sql").read_text())

    def script(self, text):
        for s in check.statements(text):
            self.spark.sql(dialect(s))

    def query(self, text):
        frame = self.spark.sql(dialect(text.strip().rstrip(";")))
        header = [f.name for f in frame.schema.fields]
        return header, [tuple(r) for r in frame.collect()]


def main():
    binary, store, export, sql = sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4]).resolve()
    db = Spark(export, sql)
    try:
        check.report(db, check.check_all(db, binary, store, sql))
        print(f"Spark session started in {db.started:.1f} s (not counted above)")
    finally:
        db.spark.stop()


if __name__ == "__main__":
    main()
