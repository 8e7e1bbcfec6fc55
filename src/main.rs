//! The `schemalint` binary: parse arguments, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

/// Parsing allocates many small short-lived nodes and tokens on every core; mimalloc's
/// per-thread heaps cut the time glibc malloc took in the profile (about 14% of the run).
#[global_allocator]
static GLOBAL: Allocator = Allocator;

/// mimalloc, asked the way its plain `malloc` is asked whenever the alignment allows it. The
/// `mimalloc` crate asks every allocation for its alignment (`mi_malloc_aligned`), and
/// mimalloc v3 serves an aligned request above 1 KiB whose size is not a power of two by
/// allocating `alignment - 1` more and aligning within it: on the 1M-line bench tree that
/// was 100,000 allocations on the slow path. Every block mimalloc hands out is aligned to 8
/// bytes (its sizes are whole words), which is all nearly every Rust type asks.
struct Allocator;

/// The alignment every mimalloc block has.
const WORD: usize = std::mem::size_of::<usize>();

extern "C" {
    fn mi_malloc(size: usize) -> *mut std::ffi::c_void;
    fn mi_zalloc(size: usize) -> *mut std::ffi::c_void;
    fn mi_realloc(p: *mut std::ffi::c_void, newsize: usize) -> *mut std::ffi::c_void;
}

// SAFETY: each request whose alignment is at most a word goes to mimalloc's plain functions,
// whose blocks are word-aligned; any other goes to the `mimalloc` crate's aligned ones. All
// blocks come from one mimalloc, so freeing is `mi_free` for both.
unsafe impl std::alloc::GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        if layout.align() <= WORD {
            mi_malloc(layout.size()).cast()
        } else {
            mimalloc::MiMalloc.alloc(layout)
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        if layout.align() <= WORD {
            mi_zalloc(layout.size()).cast()
        } else {
            mimalloc::MiMalloc.alloc_zeroed(layout)
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        mimalloc::MiMalloc.dealloc(ptr, layout);
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= WORD {
            mi_realloc(ptr.cast(), new_size).cast()
        } else {
            mimalloc::MiMalloc.realloc(ptr, layout, new_size)
        }
    }
}

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
    use std::alloc::{GlobalAlloc, Layout};

    use super::{mi_option, Allocator};

    /// Every size (small, around 1 KiB where mimalloc's aligned path changes, and large) at
    /// every alignment from 1 to 4 KiB comes back aligned, zeroed when asked, writable to its
    /// end, and keeps its bytes when grown or shrunk.
    #[test]
    fn allocations_are_aligned_and_keep_their_bytes() {
        let sizes = [1, 7, 8, 9, 24, 40, 1000, 1024, 1025, 1400, 70_000, 1 << 20];
        for &size in &sizes {
            for shift in 0..=12 {
                let align = 1usize << shift;
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: a nonzero size; each block is written within its size, freed once,
                // with the layout it was allocated or reallocated with.
                unsafe {
                    let zeroed = Allocator.alloc_zeroed(layout);
                    assert!(!zeroed.is_null());
                    assert_eq!(zeroed as usize % align, 0, "{size} at {align}");
                    assert!(std::slice::from_raw_parts(zeroed, size)
                        .iter()
                        .all(|&b| b == 0));
                    Allocator.dealloc(zeroed, layout);

                    let p = Allocator.alloc(layout);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "{size} at {align}");
                    for i in 0..size {
                        *p.add(i) = (i % 251) as u8;
                    }
                    // Grown to three times the size, then shrunk to half of it.
                    let mut block = (p, size);
                    for new_size in [size * 3, size.div_ceil(2)] {
                        let (old, old_size) = block;
                        let old_layout = Layout::from_size_align(old_size, align).unwrap();
                        let q = Allocator.realloc(old, old_layout, new_size);
                        assert!(!q.is_null());
                        assert_eq!(q as usize % align, 0, "{size} -> {new_size} at {align}");
                        let kept = size.min(new_size);
                        assert!((0..kept).all(|i| *q.add(i) == (i % 251) as u8));
                        block = (q, new_size);
                    }
                    let (last, last_size) = block;
                    Allocator.dealloc(last, Layout::from_size_align(last_size, align).unwrap());
                }
            }
        }
    }

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
