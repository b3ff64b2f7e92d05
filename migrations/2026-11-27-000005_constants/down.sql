ALTER TABLE data_source_options DROP COLUMN "references";
DROP TABLE constant_values;
DROP TABLE constants;
