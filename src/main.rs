//! The `schemalint` binary: parse arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

/// Parsing allocates many small short-lived nodes and tokens on every core; mimalloc's
/// per-thread heaps cut the time glibc malloc took in the profile (about 14% of the run).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's options by number (`mi_option_e` in mimalloc.h, v3, as built by
/// libmimalloc-sys): the crate names only the v2 ones.
mod mi_option {
    use std::ffi::{c_int, c_long};

    /// How long freed memory waits before it is handed back to the OS, in milliseconds (1,000
    /// by default, options.c); -1: never.
    pub const PURGE_DELAY: c_int = 15;

    extern "C" {
        pub fn mi_option_set(option: c_int, value: c_long);
        #[cfg(test)]
        pub fn mi_option_get(option: c_int) -> c_long;
    }
}

/// A run is short and its memory peaks near its end: memory freed on the way (each file's
/// syntax tree, each statement's tokens) is reused, not handed back to the OS and faulted in
/// again. On the 1M-line bench tree that was 42 MiB purged and 3-5% of the wall time (paired
/// runs), the peak unchanged.
fn keep_freed_memory() {
    // SAFETY: mimalloc's option setter takes any option number and value, from any thread.
    unsafe { mi_option::mi_option_set(mi_option::PURGE_DELAY, -1) }
}

fn main() -> ExitCode {
    keep_freed_memory();
    let cli = schemalint::cli::Cli::parse();
    let work = std::thread::Builder::new()
        .name("schemalint".into())
        // The parsers recurse: the same stack as the checker's pool threads, so the schema
        // replay (snapshot, diff) has the headroom the checks have.
        .stack_size(schemalint::check::STACK_SIZE)
        .spawn(move || schemalint::run(cli));
    let result = match work {
        Ok(handle) => match handle.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        },
        Err(e) => {
            eprintln!("error: cannot start the worker thread: {e}");
            return ExitCode::from(schemalint::Outcome::ToolError.exit_code());
        }
    };
    match result {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(schemalint::Outcome::ToolError.exit_code())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::mi_option;

    /// The number is the purge delay's: its documented default, then the setting.
    #[test]
    fn purge_delay_option_number() {
        // SAFETY: as in `keep_freed_memory`.
        let before = unsafe { mi_option::mi_option_get(mi_option::PURGE_DELAY) };
        assert_eq!(
            before,
            1000,
            "option {} is not mimalloc's purge delay",
            mi_option::PURGE_DELAY
        );
        super::keep_freed_memory();
        // SAFETY: as above.
        assert_eq!(
            unsafe { mi_option::mi_option_get(mi_option::PURGE_DELAY) },
            -1
        );
    }
}
