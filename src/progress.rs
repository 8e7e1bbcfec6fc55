//! A progress line on stderr for long runs in a terminal: "checking 1,234/5,000 files". It
//! appears only after half a second (fast runs stay silent), redraws ten times a second from
//! its own thread, and is erased when the work ends. Never drawn when stderr is not a
//! terminal (CI logs, pipes) or with `--quiet`.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const DELAY: Duration = Duration::from_millis(500);
const TICK: Duration = Duration::from_millis(100);

pub struct Progress {
    done: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Progress {
    /// Start counting `total` items of `what` ("files"); draws only when `enabled` and stderr
    /// is a terminal.
    pub fn start(total: usize, what: &'static str, enabled: bool) -> Progress {
        let done = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = (enabled && std::io::stderr().is_terminal()).then(|| {
            let (done, stop) = (done.clone(), stop.clone());
            std::thread::spawn(move || draw_until_stopped(&done, &stop, total, what))
        });
        Progress { done, stop, thread }
    }

    /// The counter the work increments once per item.
    pub fn counter(&self) -> &AtomicUsize {
        &self.done
    }

    /// Stop drawing and erase the line.
    pub fn finish(mut self) {
        self.stop_thread();
    }

    fn stop_thread(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop_thread();
    }
}

fn draw_until_stopped(done: &AtomicUsize, stop: &AtomicBool, total: usize, what: &str) {
    let start = Instant::now();
    let mut drawn = false;
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(TICK);
        if start.elapsed() < DELAY {
            continue;
        }
        let line = line(done.load(Ordering::Relaxed), total, what, start.elapsed());
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
        drawn = true;
    }
    if drawn {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K");
        let _ = err.flush();
    }
}

/// "checking 1,234/5,000 files  24%  3.1 s"
fn line(done: usize, total: usize, what: &str, elapsed: Duration) -> String {
    let done = done.min(total);
    let percent = (done * 100).checked_div(total).unwrap_or(100);
    format!(
        "checking {}/{} {what}  {percent:>3}%  {:.1} s",
        thousands(done),
        thousands(total),
        elapsed.as_secs_f64()
    )
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line() {
        assert_eq!(
            line(1234, 5000, "files", Duration::from_millis(3140)),
            "checking 1,234/5,000 files   24%  3.1 s"
        );
        assert_eq!(
            line(0, 0, "files", Duration::ZERO),
            "checking 0/0 files  100%  0.0 s"
        );
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn nothing_is_drawn_when_disabled() {
        let p = Progress::start(10, "files", false);
        p.counter().fetch_add(3, Ordering::Relaxed);
        assert!(p.thread.is_none());
        p.finish();
    }
}
