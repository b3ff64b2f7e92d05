DROP TABLE environments;
DROP TABLE workspaces;
