//! A real Secret Service for one test: a private `dbus-daemon --session` on its own socket and a
//! `gnome-keyring-daemon --components=secrets` on it, its login keyring created and unlocked with
//! a password on stdin. Each test gets its own bus, so tests run in parallel. Both processes are
//! killed when the value is dropped.
//!
//! The test side talks to the keyring through the same secret-service crate the plugin uses
//! (an explicit zbus connection to this bus: the test process's environment is never changed).
#![cfg(target_os = "linux")]

use secret_service::{EncryptionType, SecretService};
use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct SecretServiceBus {
    pub dir: tempfile::TempDir,
    /// `unix:path=...`: the DBUS_SESSION_BUS_ADDRESS of the plugin processes.
    pub address: String,
    bus: Child,
    keyring: Option<Child>,
}

impl Drop for SecretServiceBus {
    fn drop(&mut self) {
        if let Some(k) = &mut self.keyring {
            let _ = k.kill();
            let _ = k.wait();
        }
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

impl SecretServiceBus {
    /// A bus with an unlocked gnome-keyring on it.
    pub fn start() -> SecretServiceBus {
        let mut bus = Self::bus_only();
        let data = bus.dir.path().join("data");
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--components=secrets", "--unlock"])
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .env("HOME", bus.dir.path())
            .env("XDG_RUNTIME_DIR", bus.dir.path())
            .env("XDG_DATA_HOME", &data)
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon (apt-get install gnome-keyring)");
        {
            let mut stdin = keyring.stdin.take().expect("stdin");
            stdin.write_all(b"test-password").expect("password");
        }
        bus.keyring = Some(keyring);
        let deadline = Instant::now() + Duration::from_secs(30);
        while !bus.has_secret_service() {
            assert!(
                Instant::now() < deadline,
                "gnome-keyring-daemon did not appear on the bus"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        bus
    }

    /// A private session bus with no Secret Service on it.
    pub fn bus_only() -> SecretServiceBus {
        let dir = tempfile::tempdir().expect("tempdir");
        let socket = dir.path().join("bus");
        let address = format!("unix:path={}", socket.display());
        let bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--nopidfile"])
            .arg(format!("--address={address}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon (apt-get install dbus)");
        let deadline = Instant::now() + Duration::from_secs(30);
        while !socket.exists() {
            assert!(Instant::now() < deadline, "dbus-daemon did not start");
            std::thread::sleep(Duration::from_millis(10));
        }
        SecretServiceBus {
            dir,
            address,
            bus,
            keyring: None,
        }
    }

    fn has_secret_service(&self) -> bool {
        Command::new("dbus-send")
            .arg(format!("--bus={}", self.address))
            .args([
                "--dest=org.freedesktop.DBus",
                "--print-reply",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.secrets",
            ])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).contains("boolean true"))
            .unwrap_or(false)
    }

    /// Runs `f` with a Secret Service connection on this bus.
    pub fn with<T>(&self, f: impl AsyncFnOnce(&SecretService<'static>) -> T) -> T {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let conn = zbus::connection::Builder::address(self.address.as_str())
                .expect("address")
                .build()
                .await
                .expect("connect to the test bus");
            let ss = SecretService::connect_with_existing(EncryptionType::Dh, conn)
                .await
                .expect("Secret Service");
            f(&ss).await
        })
    }

    /// Every kubectl-entra item: (label, attributes, secret).
    pub fn items(&self) -> Vec<(String, HashMap<String, String>, Vec<u8>)> {
        self.with(async |ss| {
            let found = ss
                .search_items(HashMap::from([("application", "kubectl-entra")]))
                .await
                .expect("search");
            let mut out = Vec::new();
            for item in found.unlocked.iter().chain(found.locked.iter()) {
                out.push((
                    item.get_label().await.expect("label"),
                    item.get_attributes().await.expect("attributes"),
                    item.get_secret().await.unwrap_or_default(),
                ));
            }
            out
        })
    }

    /// Rewrites the secret of every item whose attributes include `cache-key` = a token key, with
    /// `edit` applied to its JSON (e.g. an expiry in the past).
    pub fn edit_tokens(&self, edit: impl Fn(&mut serde_json::Value)) {
        self.with(async |ss| {
            let collection = ss.get_default_collection().await.expect("default");
            for item in collection
                .search_items(HashMap::from([("application", "kubectl-entra")]))
                .await
                .expect("search")
            {
                let attrs = item.get_attributes().await.expect("attributes");
                if !attrs
                    .get("cache-key")
                    .is_some_and(|k| k.starts_with("token-"))
                {
                    continue;
                }
                let mut v: serde_json::Value =
                    serde_json::from_slice(&item.get_secret().await.expect("secret"))
                        .expect("json");
                edit(&mut v);
                item.set_secret(v.to_string().as_bytes(), "application/json")
                    .await
                    .expect("set");
            }
        })
    }

    /// Locks the default collection (as the screen lock or a timeout would).
    pub fn lock(&self) {
        self.with(async |ss| {
            let collection = ss.get_default_collection().await.expect("default");
            collection.lock().await.expect("lock");
            assert!(collection.is_locked().await.expect("is_locked"));
        })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A socket path where no bus listens.
    pub fn nowhere(&self) -> String {
        let p: PathBuf = self.dir.path().join("no-bus-here");
        format!("unix:path={}", p.display())
    }
}
