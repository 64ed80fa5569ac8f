//! The pseudo-terminal an emulated RCP answers on: a reader thread that passes what the
//! host writes to the driver, and a writer thread that sends HDLC frames to the host,
//! optionally paced at a UART's rate. Dropping the [`Pty`] (and its [`HostLink`]) closes
//! the pair, as a USB dongle's port disappears when it is unplugged: the host's next read
//! fails.

use super::super::run::driver::Inbox;
use nix::pty::openpty;
use nix::sys::termios::{SetArg, cfmakeraw, tcgetattr, tcsetattr};
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::time::{Duration, Instant};

/// Frames waiting for the host before new ones are dropped (a host that stopped reading).
const QUEUE: usize = 4096;

/// The pty pair: the master han uses and the slave the host opens by its path.
pub struct Pty {
    master: File,
    /// Kept open so that a host closing the port never hangs the master up: the host may
    /// close and reopen it at will.
    _slave: OwnedFd,
    /// The slave's path (`/dev/pts/N`).
    pub path: PathBuf,
    /// Set when the pair is dropped: the reader thread lets go of its master.
    closed: Arc<AtomicBool>,
}

impl Drop for Pty {
    fn drop(&mut self) {
        self.closed.store(true, Ordering::Relaxed);
    }
}

/// Point the symbolic link `link` at `target`, replacing what was there in one step (a
/// host polling the link never sees it missing).
pub fn relink(link: &Path, target: &Path) -> std::io::Result<()> {
    let mut tmp = link.as_os_str().to_owned();
    tmp.push(".new");
    let tmp = PathBuf::from(tmp);
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(target, &tmp)?;
    std::fs::rename(&tmp, link)
}

/// Whether `fd` has bytes to read within `ms` milliseconds.
fn readable(fd: &File, ms: i32) -> bool {
    let mut p = nix::libc::pollfd {
        fd: fd.as_raw_fd(),
        events: nix::libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd, and the count says one.
    let r = unsafe { nix::libc::poll(&mut p, 1, ms) };
    r > 0 && p.revents & nix::libc::POLLIN != 0
}

impl Pty {
    /// Open a raw pseudo-terminal pair.
    pub fn open() -> std::io::Result<Pty> {
        let p = openpty(None, None).map_err(std::io::Error::from)?;
        let mut t = tcgetattr(&p.slave).map_err(std::io::Error::from)?;
        cfmakeraw(&mut t);
        tcsetattr(&p.slave, SetArg::TCSANOW, &t).map_err(std::io::Error::from)?;
        let path = nix::unistd::ttyname(&p.slave).map_err(std::io::Error::from)?;
        Ok(Pty {
            master: File::from(p.master),
            _slave: p.slave,
            path,
            closed: Arc::new(AtomicBool::new(false)),
        })
    }

    /// Start the reader (host bytes to `inbox`) and the writer; returns the writer's handle.
    pub fn start(&self, inbox: Inbox, baud: Option<u32>) -> std::io::Result<HostLink> {
        let mut reader = self.master.try_clone()?;
        let closed = Arc::clone(&self.closed);
        std::thread::Builder::new()
            .name("han-rcp-reader".into())
            .spawn(move || {
                let mut buf = [0u8; 4096];
                loop {
                    // Wait in short steps, so that a dropped pair is let go of soon.
                    if closed.load(Ordering::Relaxed) {
                        return;
                    }
                    if !readable(&reader, 50) {
                        continue;
                    }
                    match reader.read(&mut buf) {
                        Ok(n) if n > 0 => {
                            if !inbox.send(buf.get(..n).unwrap_or_default().to_vec()) {
                                return;
                            }
                        }
                        // No host (or it hung up): look again shortly.
                        _ => std::thread::sleep(Duration::from_millis(20)),
                    }
                }
            })?;
        let (tx, rx) = sync_channel::<Vec<u8>>(QUEUE);
        let writer = self.master.try_clone()?;
        let queued = Arc::new(AtomicU64::new(0));
        let q = Arc::clone(&queued);
        std::thread::Builder::new()
            .name("han-rcp-writer".into())
            .spawn(move || write_loop(writer, rx, baud, &q))?;
        Ok(HostLink {
            tx,
            queued,
            dropped: 0,
        })
    }
}

fn write_loop(mut out: File, rx: Receiver<Vec<u8>>, baud: Option<u32>, queued: &AtomicU64) {
    // A UART sends 10 bits (start, 8 data, stop) per byte.
    let per_byte = baud.map(|b| Duration::from_secs_f64(10.0 / f64::from(b.max(1))));
    let mut free_at = Instant::now();
    for bytes in rx {
        if let Some(d) = per_byte {
            let now = Instant::now();
            if free_at > now {
                std::thread::sleep(free_at - now);
            }
            free_at = free_at.max(now) + d * bytes.len() as u32;
        }
        let _ = out.write_all(&bytes);
        queued.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The way to the host: queued HDLC frames, and what was dropped.
pub struct HostLink {
    tx: SyncSender<Vec<u8>>,
    queued: Arc<AtomicU64>,
    /// Frames dropped because the host did not read.
    pub dropped: u64,
}

impl HostLink {
    /// Queue one encoded frame; false (and counted) if the queue is full.
    pub fn send(&mut self, bytes: Vec<u8>) -> bool {
        self.queued.fetch_add(1, Ordering::Relaxed);
        match self.tx.try_send(bytes) {
            Ok(()) => true,
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.queued.fetch_sub(1, Ordering::Relaxed);
                self.dropped += 1;
                false
            }
        }
    }

    /// Frames not yet written to the pty.
    pub fn queued(&self) -> u64 {
        self.queued.load(Ordering::Relaxed)
    }
}

impl Pty {
    /// Bytes written to the host that it has not read yet (0 when it is not attached and
    /// nothing waits).
    pub fn unread(&self) -> usize {
        let mut n: nix::libc::c_int = 0;
        // SAFETY: FIONREAD writes one int through the pointer, which is valid.
        let r = unsafe { nix::libc::ioctl(self._slave.as_raw_fd(), nix::libc::FIONREAD, &mut n) };
        if r < 0 { 0 } else { n.max(0) as usize }
    }
}
