//! Servers on 127.0.0.1 written in the tests: a logging TCP proxy in front of the test
//! cluster that can play a server without TLS (it answers the SSLRequest with `N`), and a
//! fake server that completes the startup and then never answers. Each serves only the test
//! that started it and stops when the test process ends (or after a bounded time).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The SSLRequest message: length 8, code 80877103.
const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 4, 210, 22, 47];

/// A proxy to `upstream_port`; everything the client sends is appended to the log.
pub struct Proxy {
    pub port: u16,
    pub log: Arc<Mutex<Vec<u8>>>,
}

impl Proxy {
    /// With `refuse_tls`, it answers an SSLRequest with `N` itself, as a server without TLS
    /// does, and passes the rest through in plain text.
    pub fn start(upstream_port: u16, refuse_tls: bool) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let shared = log.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let log = shared.clone();
                std::thread::spawn(move || serve(client, upstream_port, refuse_tls, log));
            }
        });
        Proxy { port, log }
    }

    /// Whether `needle` crossed the wire from the client.
    pub fn saw(&self, needle: &str) -> bool {
        let log = self.log.lock().unwrap();
        log.windows(needle.len().max(1))
            .any(|w| w == needle.as_bytes())
    }

    pub fn clear(&self) {
        self.log.lock().unwrap().clear();
    }
}

fn serve(mut client: TcpStream, upstream_port: u16, refuse_tls: bool, log: Arc<Mutex<Vec<u8>>>) {
    let _ = client.set_read_timeout(Some(Duration::from_secs(30)));
    let Ok(mut upstream) = TcpStream::connect(("127.0.0.1", upstream_port)) else {
        return;
    };
    if refuse_tls {
        let mut first = [0u8; 8];
        if client.read_exact(&mut first).is_err() {
            return;
        }
        log.lock().unwrap().extend_from_slice(&first);
        if first == SSL_REQUEST {
            let _ = client.write_all(b"N");
        } else if upstream.write_all(&first).is_err() {
            return;
        }
    }
    let (mut c2, mut u2) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
    let up = std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = c2.read(&mut buf) {
            if n == 0 {
                break;
            }
            log.lock().unwrap().extend_from_slice(&buf[..n]);
            if u2.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = u2.shutdown(std::net::Shutdown::Both);
    });
    let _ = std::io::copy(&mut upstream, &mut client);
    let _ = client.shutdown(std::net::Shutdown::Both);
    let _ = up.join();
}

/// A fake server that accepts any login (AuthenticationOk, ReadyForQuery) and then reads
/// whatever comes and never answers, for `seconds` at most. Returns its port.
pub fn silent_after_login(seconds: u64) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let _ = s.set_read_timeout(Some(Duration::from_secs(seconds)));
                let mut len = [0u8; 4];
                if s.read_exact(&mut len).is_err() {
                    return;
                }
                let mut body = vec![0u8; (u32::from_be_bytes(len) as usize).saturating_sub(4)];
                if s.read_exact(&mut body).is_err() {
                    return;
                }
                // AuthenticationOk, then ReadyForQuery (idle).
                let _ = s.write_all(&[b'R', 0, 0, 0, 8, 0, 0, 0, 0, b'Z', 0, 0, 0, 5, b'I']);
                let mut sink = [0u8; 4096];
                while matches!(s.read(&mut sink), Ok(n) if n > 0) {}
            });
        }
    });
    port
}
