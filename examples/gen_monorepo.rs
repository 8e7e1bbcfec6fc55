//! Writes a deterministic synthetic monorepo for benchmarks: TypeScript and Rust files (about
//! one in five holding SQL in the forms extraction supports), a schema of N tables as DDL, and
//! a schemalint.toml. Same arguments, same bytes.
//!
//! `cargo run --release --example gen_monorepo -- OUT_DIR LINES [TABLES] [--db-layer]`
#![allow(clippy::print_stdout)]

use std::fmt::Write as _;
use std::path::Path;

/// A small deterministic generator (SplitMix64): no dependency, same sequence everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const COLUMN_NAMES: &[&str] = &[
    "name",
    "email",
    "status",
    "kind",
    "url",
    "title",
    "body",
    "amount",
    "currency",
    "score",
    "meta",
    "slug",
    "position",
    "label",
    "owner_id",
    "parent_id",
    "updated_at",
    "deleted_at",
    "region",
    "notes",
];

struct Table {
    name: String,
    columns: Vec<&'static str>,
}

fn tables(rng: &mut Rng, n: usize) -> Vec<Table> {
    (0..n)
        .map(|i| {
            let mut columns = vec!["id", "created_at"];
            let extra = 6 + rng.below(6);
            for _ in 0..extra {
                let c = COLUMN_NAMES[rng.below(COLUMN_NAMES.len())];
                if !columns.contains(&c) {
                    columns.push(c);
                }
            }
            Table {
                name: format!("t{i:04}"),
                columns,
            }
        })
        .collect()
}

fn schema_sql(tables: &[Table]) -> String {
    let mut out = String::new();
    for t in tables {
        let _ = writeln!(out, "CREATE TABLE public.{} (", t.name);
        let cols: Vec<String> = t
            .columns
            .iter()
            .map(|c| match *c {
                "id" => "    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY".to_string(),
                "created_at" => {
                    "    created_at timestamp with time zone DEFAULT now() NOT NULL".to_string()
                }
                "amount" | "score" | "position" | "owner_id" | "parent_id" => {
                    format!("    {c} bigint")
                }
                "meta" => "    meta jsonb".to_string(),
                "updated_at" | "deleted_at" => format!("    {c} timestamp with time zone"),
                _ => format!("    {c} text"),
            })
            .collect();
        let _ = writeln!(out, "{}\n);\n", cols.join(",\n"));
    }
    out
}

/// One SQL statement over a random table; one in a hundred names a column that doesn't exist.
fn statement(rng: &mut Rng, tables: &[Table]) -> String {
    let t = &tables[rng.below(tables.len())];
    let col = |rng: &mut Rng| t.columns[rng.below(t.columns.len())];
    let bad = rng.below(100) == 0;
    let c1 = if bad { "no_such_column" } else { col(rng) };
    let c2 = col(rng);
    match rng.below(4) {
        0 => format!("SELECT id, {c1}, {c2} FROM {} WHERE id = $1", t.name),
        1 => format!("UPDATE {} SET {c1} = $1 WHERE id = $2", t.name),
        2 => format!(
            "SELECT a.id, a.{c1} FROM {} a JOIN {} b ON b.id = a.id WHERE a.created_at > $1 ORDER BY a.id LIMIT 50",
            t.name, t.name
        ),
        _ => format!("DELETE FROM {} WHERE id = $1 AND {c1} IS NOT NULL", t.name),
    }
}

fn ts_file(rng: &mut Rng, tables: &[Table], with_sql: bool, lines: usize) -> String {
    let mut out = String::from(
        "import { neon } from '@neondatabase/serverless';\nimport { Pool } from 'pg';\n\n",
    );
    out.push_str("const sql = neon(process.env.DATABASE_URL!);\nconst pool = new Pool();\n\n");
    let mut n = 0;
    while out.lines().count() < lines {
        n += 1;
        if with_sql && n % 3 == 0 {
            let stmt = statement(rng, tables);
            if rng.below(2) == 0 {
                let _ = write!(
                    out,
                    "export async function query{n}(id: number) {{\n  const rows = await sql`\n    {}\n  `;\n  return rows;\n}}\n\n",
                    stmt.replace("$1", "${id}").replace("$2", "${id}")
                );
            } else {
                let _ = write!(
                    out,
                    "export async function query{n}(id: number) {{\n  const {{ rows }} = await pool.query('{stmt}', [id, id]);\n  return rows;\n}}\n\n"
                );
            }
        } else {
            let _ = write!(
                out,
                "export function helper{n}(input: string[]): Record<string, number> {{\n  const result: Record<string, number> = {{}};\n  for (const item of input) {{\n    // Count occurrences; 'select' and 'update' here are plain words.\n    result[item] = (result[item] ?? 0) + 1;\n  }}\n  if (input.length === 0) {{\n    throw new Error('Select at least one item to update');\n  }}\n  return result;\n}}\n\n"
            );
        }
    }
    out
}

fn rs_file(
    rng: &mut Rng,
    tables: &[Table],
    with_sql: bool,
    lines: usize,
    db_layer: bool,
) -> String {
    // A db layer: every file says `use sqlx::PgPool;`, whether or not it holds SQL.
    let mut out = String::from(if db_layer {
        "use std::collections::HashMap;\nuse sqlx::PgPool;\n\n"
    } else {
        "use std::collections::HashMap;\n\n"
    });
    let mut n = 0;
    while out.lines().count() < lines {
        n += 1;
        if with_sql && n % 3 == 0 {
            let stmt = statement(rng, tables);
            if rng.below(2) == 0 {
                let _ = write!(
                    out,
                    "pub async fn query_{n}(pool: &sqlx::PgPool, id: i64) -> sqlx::Result<()> {{\n    sqlx::query!(\n        \"{stmt}\",\n        id,\n    )\n    .execute(pool)\n    .await?;\n    Ok(())\n}}\n\n"
                );
            } else {
                let _ = write!(
                    out,
                    "pub async fn query_{n}(client: &tokio_postgres::Client, id: i64) -> Result<(), tokio_postgres::Error> {{\n    client.execute(r#\"{stmt}\"#, &[&id, &id]).await?;\n    Ok(())\n}}\n\n"
                );
            }
        } else {
            let _ = write!(
                out,
                "pub fn helper_{n}(items: &[String]) -> HashMap<String, usize> {{\n    let mut counts = HashMap::new();\n    for item in items {{\n        // \"select\" and \"update\" are plain words here.\n        *counts.entry(item.clone()).or_insert(0) += 1;\n    }}\n    if items.is_empty() {{\n        eprintln!(\"select a file to update\");\n    }}\n    counts\n}}\n\n"
            );
        }
    }
    out
}

fn main() -> std::io::Result<()> {
    let all: Vec<String> = std::env::args().skip(1).collect();
    // `--db-layer`: half the files are Rust, each with `use sqlx::PgPool;` (most without SQL).
    let db_layer = all.iter().any(|a| a == "--db-layer");
    let args: Vec<String> = all.into_iter().filter(|a| a != "--db-layer").collect();
    let (Some(out), Some(lines)) = (
        args.first(),
        args.get(1).and_then(|l| l.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: gen_monorepo OUT_DIR LINES [TABLES] [--db-layer]");
        std::process::exit(2);
    };
    let n_tables = args.get(2).and_then(|t| t.parse().ok()).unwrap_or(1000);
    let out = Path::new(out);
    let mut rng = Rng(0x5EED);
    let tables = tables(&mut rng, n_tables);
    std::fs::create_dir_all(out.join("db"))?;
    std::fs::write(out.join("db/schema.sql"), schema_sql(&tables))?;
    std::fs::write(
        out.join("schemalint.toml"),
        "[schema]\npaths = [\"db/schema.sql\"]\n",
    )?;
    // ~250 lines a file: 1M lines → ~4,000 files.
    let per_file = 250;
    let files = lines.div_ceil(per_file);
    let mut written = 0;
    for i in 0..files {
        let with_sql = i % 5 == 0;
        let dir = out.join(format!("packages/pkg{:03}/src", i / 50));
        std::fs::create_dir_all(&dir)?;
        let rust = if db_layer { i % 2 == 1 } else { i % 4 == 3 };
        let text = if rust {
            let t = rs_file(&mut rng, &tables, with_sql, per_file, db_layer);
            std::fs::write(dir.join(format!("mod_{i:05}.rs")), &t)?;
            t
        } else {
            let t = ts_file(&mut rng, &tables, with_sql, per_file);
            std::fs::write(dir.join(format!("file_{i:05}.ts")), &t)?;
            t
        };
        written += text.lines().count();
    }
    println!(
        "{written} lines in {files} files, {n_tables} tables: {}",
        out.display()
    );
    Ok(())
}
