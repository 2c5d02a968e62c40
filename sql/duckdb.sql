-- The export as the views the other files of sql/ read, in DuckDB: run it with the export's
-- folder (the one holding plie.parquet) as the working directory, or after
-- `SET file_search_path = 'DIR';`. The only file of sql/ in DuckDB's dialect (read_parquet);
-- in Spark, `CREATE TEMPORARY VIEW parcours USING parquet OPTIONS (path 'DIR/parcours')` does the
-- same, in Trino a hive table over DIR/parcours partitioned by plie.
CREATE OR REPLACE VIEW parcours AS
SELECT * FROM read_parquet('parcours/*/*.parquet', hive_partitioning = true);

CREATE OR REPLACE VIEW etapes AS
SELECT * FROM read_parquet('etapes/*/*.parquet', hive_partitioning = true);

CREATE OR REPLACE VIEW plie AS
SELECT * FROM read_parquet('plie.parquet');
