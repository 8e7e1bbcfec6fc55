-- Size and activity of every table and materialized view outside the system schemas, from
-- the statistics the server already keeps (`schemalint report`): no user table is read.
-- reltuples is -1 until the first VACUUM or ANALYZE; the pg_stat counters are NULL for a
-- relation the statistics system has no entry for.
SELECT n.nspname,
       c.relname,
       c.reltuples::float8,
       s.n_live_tup,
       s.n_tup_ins,
       s.n_tup_upd,
       s.n_tup_del,
       GREATEST(s.last_vacuum, s.last_autovacuum)::text,
       GREATEST(s.last_analyze, s.last_autoanalyze)::text
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_stat_all_tables s ON s.relid = c.oid
WHERE c.relkind IN ('r', 'p', 'm', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%'
  AND n.nspname NOT LIKE 'pg\_temp\_%'
ORDER BY n.nspname, c.relname
