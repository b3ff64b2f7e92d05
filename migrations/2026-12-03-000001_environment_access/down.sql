ALTER TABLE environments DROP COLUMN access;
