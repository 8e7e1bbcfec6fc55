-- User schemas, including empty ones.
SELECT nspname
FROM pg_catalog.pg_namespace
WHERE nspname NOT IN ('pg_catalog', 'information_schema')
  AND nspname NOT LIKE 'pg\_toast%'
  AND nspname NOT LIKE 'pg\_temp\_%'
ORDER BY nspname
