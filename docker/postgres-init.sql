-- Runs once, when the postgres volume is first initialised: the test database
-- beside `continuum` (POSTGRES_DB), as on the native path.
CREATE DATABASE continuum_test;
