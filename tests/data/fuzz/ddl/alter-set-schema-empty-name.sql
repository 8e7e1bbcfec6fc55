-- Run against an empty PostgreSQL 15 database, then dumped with `pg_dump --schema-only` into
-- schema.sql next to this file. Covers what the replay must understand in real dumps.
CREATE SCHEMA app;
CREATE SCHEMA archive;
CREATE TYPE app.mood AS ENUM ('sad', 'ok');
ALTER TYPE app.mood ADD VALUE 'happy' AFTER 'ok';
CREATE TYPE public.stage AS ENUM ('new', 'done');
ALTER TYPE public.stage SET SCHEMA app;

CREATE TABLE app.accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email character varying(255) NOT NULL,
    "DisplayName" text,
    mood app.mood DEFAULT 'ok',
    balance numeric(12,2) DEFAULT 0 NOT NULL,
    tags text[],
    lower_email text GENERATED ALWAYS AS (lower((email)::text)) STORED,
    created_at timestamp(3) without time zone DEFAULT now() NOT NULL
);
CREATE TABLE app.events (
    id serial,
    account_id bigint,
    at date NOT NULL,
    payload jsonb
) PARTITION BY RANGE (at);
CREATE TABLE app.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE app.accounts_copy (LIKE app.accounts INCLUDING ALL);
CREATE TABLE public.moved (id integer NOT NULL, note text);
ALTER SET SCHEMA archive;
CREATE SEQUENCE app.counter_seq;
CREATE TABLE app.counters (n bigint DEFAULT nextval('app.counter_seq') NOT NULL, stage app.stage);
ALTER SEQUENCE app.counter_seq OWNED BY app.counters.n;
CREATE VIEW app.rich AS SELECT id, email FROM app.accounts WHERE balance > 1