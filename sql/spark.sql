-- The export as the views the other files of sql/ read, in Spark SQL (local or on a cluster): run
-- it with the export's folder as the working directory (or write the paths in full, e.g.
-- 'hdfs:///exports/2017/parcours'). Spark's counterpart of duckdb.sql; with it, the other files
-- need two settings (tests/spark/check.py sets them):
--   spark.sql.sources.partitionColumnTypeInference.enabled=false  (a PLIE code `plie=59` stays
--     text, as it is in the files)
--   spark.sql.ansi.enabled=true, spark.sql.ansi.doubleQuotedIdentifiers=true  ("group", as the
--     SQL standard quotes a name)
-- and their `CREATE OR REPLACE VIEW` run as `CREATE OR REPLACE TEMPORARY VIEW` (a Spark view over
-- temporary views must be temporary too).
CREATE OR REPLACE TEMPORARY VIEW parcours USING parquet OPTIONS (path 'parcours');

CREATE OR REPLACE TEMPORARY VIEW etapes USING parquet OPTIONS (path 'etapes');

CREATE OR REPLACE TEMPORARY VIEW plie USING parquet OPTIONS (path 'plie.parquet');

CREATE OR REPLACE TEMPORARY VIEW financements USING parquet OPTIONS (path 'financements');

CREATE OR REPLACE TEMPORARY VIEW allocations USING parquet OPTIONS (path 'allocations');

CREATE OR REPLACE TEMPORARY VIEW activite USING parquet OPTIONS (path 'activite');
