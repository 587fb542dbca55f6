//! A forwarding HTTP proxy on loopback that only does CONNECT, as corporate proxies do for https,
//! and counts the tunnels it opened and where to. Written by hand (a few std threads) because
//! what the tests need is the count, which no proxy crate reports. Plain-http requests are
//! answered 405 and counted apart.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Seen {
    tunnels: Vec<String>,
    refused: usize,
}

pub struct ConnectProxy {
    /// `http://127.0.0.1:PORT`, for HTTPS_PROXY or a kubeconfig's proxy-url.
    pub url: String,
    seen: Arc<Mutex<Seen>>,
}

impl ConnectProxy {
    pub fn start() -> ConnectProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let seen = Arc::new(Mutex::new(Seen::default()));
        let counts = seen.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().map_while(Result::ok) {
                let counts = counts.clone();
                std::thread::spawn(move || serve(client, &counts));
            }
        });
        ConnectProxy { url, seen }
    }

    /// The `host:port` of every tunnel opened so far.
    pub fn tunnels(&self) -> Vec<String> {
        self.seen.lock().expect("lock").tunnels.clone()
    }

    pub fn refused(&self) -> usize {
        self.seen.lock().expect("lock").refused
    }
}

fn serve(client: TcpStream, seen: &Mutex<Seen>) {
    let Ok(read_half) = client.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    // The rest of the head.
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) if line == "\r\n" || line == "\n" => break,
            Ok(_) => {}
        }
    }
    let mut parts = request.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return;
    };
    let mut client = client;
    if method != "CONNECT" {
        seen.lock().expect("lock").refused += 1;
        let _ = client.write_all(
            b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        );
        return;
    }
    let Ok(upstream) = TcpStream::connect(target) else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n");
        return;
    };
    seen.lock().expect("lock").tunnels.push(target.to_string());
    if client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .is_err()
    {
        return;
    }
    // Anything the client sent after the head is already in the reader's buffer.
    let buffered = reader.buffer().to_vec();
    let (Ok(mut up_write), Ok(mut up_read)) = (upstream.try_clone(), upstream.try_clone()) else {
        return;
    };
    if !buffered.is_empty() && up_write.write_all(&buffered).is_err() {
        return;
    }
    let mut client_read = reader.into_inner();
    let forward = std::thread::spawn(move || {
        let _ = std::io::copy(&mut client_read, &mut up_write);
        let _ = up_write.shutdown(Shutdown::Write);
    });
    let _ = std::io::copy(&mut up_read, &mut client);
    let _ = client.shutdown(Shutdown::Write);
    let _ = forward.join();
}
