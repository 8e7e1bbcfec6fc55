//! A small CLI for managing media folders.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::Command;

#[derive(Debug)]
enum Action {
    Select(PathBuf),
    Update { force: bool },
    Delete(Vec<PathBuf>),
}

const HELP: &str = "usage: media <select|update|delete> [paths]\n\
                    select a file to preview it; update checks for a new release";
const UPDATE_AVAILABLE: &str = "update available: run `media update` to install";
static SELECT_PROMPT: &str = "Select a file from the list (1-9): ";

fn parse(args: &[String]) -> Result<Action, String> {
    match args.first().map(String::as_str) {
        Some("select") => args.get(1).map(|p| Action::Select(p.into())).ok_or_else(|| "select a file".to_string()),
        Some("update") => Ok(Action::Update { force: args.iter().any(|a| a == "--force") }),
        Some("delete") => Ok(Action::Delete(args[1..].iter().map(PathBuf::from).collect())),
        _ => Err(HELP.to_string()),
    }
}

struct Runner {
    dry_run: bool,
}

impl Runner {
    fn execute(&self, program: &str, args: &[&str]) -> io::Result<()> {
        if self.dry_run {
            eprintln!("would run {program} {}", args.join(" "));
            return Ok(());
        }
        Command::new(program).args(args).status().map(|_| ())
    }

    fn query(&self, prompt: &str) -> io::Result<String> {
        print!("{prompt}");
        io::stdout().flush()?;
        let mut line = String::new();
        io::stdin().read_line(&mut line)?;
        Ok(line.trim().to_string())
    }

    fn prepare(&self, dir: &str) -> io::Result<()> {
        std::fs::create_dir_all(dir)
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runner = Runner { dry_run: std::env::var_os("DRY_RUN").is_some() };
    let action = match parse(&args) {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("{msg}");
            std::process::exit(2);
        }
    };
    let result = match action {
        Action::Select(path) => {
            let choice = runner.query(SELECT_PROMPT).unwrap_or_default();
            println!("selected {choice} from {}", path.display());
            Ok(())
        }
        Action::Update { force } => {
            println!("{UPDATE_AVAILABLE}");
            runner.prepare("/tmp/media-update").and_then(|_| runner.execute("curl", &["-fsSL", "https://example.com/update.sh"]))
                .and_then(|_| if force { runner.execute("sh", &["update.sh", "--force"]) } else { Ok(()) })
        }
        Action::Delete(paths) => {
            for p in &paths {
                println!("delete from cache when the asset is removed: {}", p.display());
            }
            runner.execute("rm", &paths.iter().map(|p| p.to_str().unwrap_or_default()).collect::<Vec<_>>())
        }
    };
    if let Err(e) = result {
        eprintln!("error: {e}. Select a different folder or run with --help");
        std::process::exit(1);
    }
    let _ = runner.query("Update available. Install now? [y/N] ");
    let _ = runner.execute("echo", &["insert into the clipboard: done"]);
}
