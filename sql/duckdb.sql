-- The export as the views the other files of sql/ read, in DuckDB: run it with the export's
-- folder (the one holding plie.parquet) as the working directory, or after
-- `SET file_search_path = 'DIR';`. With spark.sql, the only files of sql/ in one engine's dialect
-- (read_parquet here); in Trino, a hive table over DIR/parcours partitioned by plie does the same.
-- The commitments (DIR/paqte/...) are read the same way when the store holds any, e.g.
-- read_parquet('paqte/conventions/*/*.parquet', hive_partitioning = true).
CREATE OR REPLACE VIEW parcours AS
SELECT * FROM read_parquet('parcours/*/*.parquet', hive_partitioning = true);

CREATE OR REPLACE VIEW etapes AS
SELECT * FROM read_parquet('etapes/*/*.parquet', hive_partitioning = true);

CREATE OR REPLACE VIEW plie AS
SELECT * FROM read_parquet('plie.parquet');

CREATE OR REPLACE VIEW financements AS
SELECT * FROM read_parquet('financements/*/*.parquet', hive_partitioning = true);

CREATE OR REPLACE VIEW allocations AS
SELECT * FROM read_parquet('allocations/*/*.parquet', hive_partitioning = true);

CREATE OR REPLACE VIEW activite AS
SELECT * FROM read_parquet('activite/*/*.parquet', hive_partitioning = true);
