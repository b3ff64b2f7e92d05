DROP TABLE scheduled_releases;
DROP TABLE releases;
