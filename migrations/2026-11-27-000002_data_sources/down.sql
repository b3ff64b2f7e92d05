DROP TABLE data_source_options;
DROP TABLE data_sources;
