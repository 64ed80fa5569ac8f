//! The serial side of the bridge (tokio-serial): opening the port, the RCP bring-up
//! (reset, versions, capabilities, channel, raw stream), and a task that passes what the
//! radio sends to the driver and waits for the port to come back after an unplug.

use super::super::run::driver::Inbox;
use super::core::Setup;
use han_stack::spinel::frame::{Command, Header, SpinelFrame};
use han_stack::spinel::rcp::CAP_MAC_RAW;
use han_stack::spinel::{HdlcDecoder, PropId, Property, Status, hdlc};
use han_stack::wire::Wire;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio::time::{Instant, timeout_at};
use tokio_serial::{SerialPortBuilderExt, SerialStream};

/// How long the radio has to answer each step of the bring-up.
const ANSWER: Duration = Duration::from_secs(3);

/// The port and what the bring-up saw on it.
struct Session<'a> {
    port: &'a mut SerialStream,
    decoder: HdlcDecoder,
    bytes: u64,
    frames: u64,
    tid: u8,
}

impl Session<'_> {
    async fn send(&mut self, command: Command) -> Result<u8, String> {
        self.tid = self.tid % 15 + 1;
        let f = SpinelFrame {
            header: Header::new(0, self.tid),
            command,
        };
        self.port
            .write_all(&hdlc::encode(&f.to_bytes()))
            .await
            .map_err(|e| format!("writing: {e}"))?;
        Ok(self.tid)
    }

    /// The next Spinel frame `want` accepts, within [`ANSWER`].
    async fn until<T>(&mut self, mut want: impl FnMut(&SpinelFrame) -> Option<T>) -> Option<T> {
        let deadline = Instant::now() + ANSWER;
        let mut buf = [0u8; 1024];
        loop {
            let n = match timeout_at(deadline, self.port.read(&mut buf)).await {
                Ok(Ok(n)) if n > 0 => n,
                _ => return None,
            };
            self.bytes += n as u64;
            for p in self.decoder.feed(buf.get(..n).unwrap_or_default()) {
                let Ok(f) = p
                    .map_err(|_| ())
                    .and_then(|p| SpinelFrame::from_bytes(&p).map_err(|_| ()))
                else {
                    continue;
                };
                self.frames += 1;
                if let Some(t) = want(&f) {
                    return Some(t);
                }
            }
        }
    }

    /// Ask for a property; its value.
    async fn get(&mut self, id: PropId) -> Result<Property, String> {
        let tid = self.send(Command::PropValueGet(id)).await?;
        self.answer(tid, id.name()).await
    }

    /// Set a property; its value as the radio reports it.
    async fn set(&mut self, p: Property) -> Result<Property, String> {
        let name = p.id().name();
        let tid = self.send(Command::PropValueSet(p)).await?;
        match self.answer(tid, name).await? {
            Property::LastStatus(s, _) => {
                Err(format!("setting {name}: the radio says {}", s.name()))
            }
            v => Ok(v),
        }
    }

    async fn answer(&mut self, tid: u8, name: &str) -> Result<Property, String> {
        self.until(|f| match &f.command {
            Command::PropValueIs(p) if f.header.tid == tid => Some(p.clone()),
            _ => None,
        })
        .await
        .ok_or_else(|| format!("no answer to {name} within {} s", ANSWER.as_secs()))
    }
}

/// Open `path` at `baud` (raw, 8N1).
fn open(path: &Path, baud: u32) -> Result<SerialStream, String> {
    tokio_serial::new(path.to_string_lossy(), baud)
        .timeout(Duration::from_millis(100))
        .open_native_async()
        .map_err(|e| format!("cannot open: {e}"))
}

/// Reset the RCP, check it is one with a raw stream, put it on `setup.channel` in
/// promiscuous mode with the raw stream on. A one-line description of it on success, a
/// clear reason on failure.
pub async fn bring_up(port: &mut SerialStream, setup: &Setup) -> Result<String, String> {
    let mut s = Session {
        port,
        decoder: HdlcDecoder::new(),
        bytes: 0,
        frames: 0,
        tid: 0,
    };
    s.send(Command::Reset(None)).await?;
    let reset = s
        .until(|f| match &f.command {
            Command::PropValueIs(Property::LastStatus(st, _))
                if matches!(st, Status::ResetPowerOn | Status::ResetSoftware)
                    || (112..=127).contains(&st.value()) =>
            {
                Some(())
            }
            _ => None,
        })
        .await;
    if reset.is_none() {
        return Err(if s.bytes == 0 {
            format!(
                "no answer to a Spinel reset within {} s: not an RCP (or the wrong port, or it is not powered)",
                ANSWER.as_secs()
            )
        } else if s.frames == 0 {
            format!(
                "{} bytes arrived but none made an HDLC-lite Spinel frame: wrong baud rate? (--baud; OpenThread RCPs use 115200 or 460800)",
                s.bytes
            )
        } else {
            "it speaks Spinel but never announced a reset: not an OpenThread RCP".into()
        });
    }
    let (major, minor) = match s.get(PropId::ProtocolVersion).await? {
        Property::ProtocolVersion(a, b) => (a, b),
        other => {
            return Err(format!(
                "PROTOCOL_VERSION answered with {}",
                other.id().name()
            ));
        }
    };
    if major != 4 {
        return Err(format!("Spinel {major}.{minor}; han speaks 4.x"));
    }
    let version = match s.get(PropId::NcpVersion).await? {
        Property::NcpVersion(v) => v,
        _ => String::from("(no version)"),
    };
    let caps = match s.get(PropId::Caps).await? {
        Property::Caps(c) => c,
        _ => Vec::new(),
    };
    if !caps.contains(&CAP_MAC_RAW) {
        return Err(format!(
            "firmware without a raw stream ({version}): its capabilities {caps:?} lack MAC_RAW ({CAP_MAC_RAW}); flash OpenThread's RCP firmware (ot-rcp)"
        ));
    }
    let eui = match s.get(PropId::HwAddr).await? {
        Property::HwAddr(a) => a.iter().map(|b| format!("{b:02X}")).collect::<String>(),
        _ => String::from("?"),
    };
    s.set(Property::PhyEnabled(true)).await?;
    match s.set(Property::PhyChan(setup.channel)).await? {
        Property::PhyChan(c) if c == setup.channel => {}
        _ => return Err(format!("it did not take channel {}", setup.channel)),
    }
    // Everything it hears comes up; it still acknowledges in hardware for its addresses.
    s.set(Property::MacPromiscuousMode(2)).await?;
    // Source match on with empty tables: the bridge inserts what the device it fronts
    // holds frames for; off, every ACK says "frame pending".
    s.set(Property::MacSrcMatchEnabled(setup.source_match))
        .await?;
    if setup.source_match {
        s.set(Property::MacSrcMatchShortAddresses(Vec::new()))
            .await?;
        s.set(Property::MacSrcMatchExtendedAddresses(Vec::new()))
            .await?;
    }
    s.set(Property::MacRawStreamEnabled(true)).await?;
    Ok(format!(
        "{version}, Spinel {major}.{minor}, EUI-64 {eui}, raw stream on, channel {}",
        setup.channel
    ))
}

/// Open the port and bring the RCP up.
pub async fn open_and_bring_up(
    path: &Path,
    baud: u32,
    setup: &Setup,
) -> Result<(SerialStream, String), String> {
    let mut port = open(path, baud)?;
    let info = bring_up(&mut port, setup).await?;
    Ok((port, info))
}

/// The running serial side: the reader task, and the way to write to the radio.
pub struct Link {
    rt: tokio::runtime::Handle,
    path: PathBuf,
    baud: u32,
    first: Option<SerialStream>,
    out: Arc<Mutex<Option<UnboundedSender<Vec<u8>>>>>,
}

impl Link {
    /// The link over `port`, already brought up, reopened at `path` after an unplug.
    pub fn new(rt: tokio::runtime::Handle, path: PathBuf, baud: u32, port: SerialStream) -> Self {
        Link {
            rt,
            path,
            baud,
            first: Some(port),
            out: Arc::new(Mutex::new(None)),
        }
    }

    /// Queue bytes for the radio; false while it is unplugged.
    pub fn send(&self, bytes: Vec<u8>) -> bool {
        let out = self.out.lock().map(|o| o.clone()).unwrap_or(None);
        out.is_some_and(|o| o.send(bytes).is_ok())
    }

    /// Start the reader task: bytes go to `inbox`, plug and unplug are told to it.
    pub fn start(&mut self, inbox: Inbox, setup: Setup) {
        let Some(first) = self.first.take() else {
            return;
        };
        let (path, baud, out) = (self.path.clone(), self.baud, Arc::clone(&self.out));
        self.rt.spawn(async move {
            let mut port = Some(first);
            loop {
                let p = match port.take() {
                    Some(p) => p,
                    None => reconnect(&path, baud, &setup).await,
                };
                let (mut r, mut w) = tokio::io::split(p);
                let (tx, mut rx) = unbounded_channel::<Vec<u8>>();
                if let Ok(mut o) = out.lock() {
                    *o = Some(tx);
                }
                if !inbox.link(true) {
                    return;
                }
                let writer = tokio::spawn(async move {
                    while let Some(b) = rx.recv().await {
                        if w.write_all(&b).await.is_err() {
                            break;
                        }
                    }
                });
                let mut buf = vec![0u8; 4096];
                loop {
                    match r.read(&mut buf).await {
                        Ok(n) if n > 0 => {
                            if !inbox.send(buf.get(..n).unwrap_or_default().to_vec()) {
                                return;
                            }
                        }
                        // A read timeout of the port: nothing arrived.
                        Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                        _ => break,
                    }
                }
                if let Ok(mut o) = out.lock() {
                    *o = None;
                }
                writer.abort();
                eprintln!(
                    "han bridge: {} unplugged; waiting for it to come back (the emulation goes on)",
                    path.display()
                );
                if !inbox.link(false) {
                    return;
                }
            }
        });
    }
}

/// Try the port every half second until it opens and comes up; say why not when that
/// changes.
async fn reconnect(path: &Path, baud: u32, setup: &Setup) -> SerialStream {
    let mut last = String::new();
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        match open_and_bring_up(path, baud, setup).await {
            Ok((p, info)) => {
                eprintln!("han bridge: {} is back: {info}; resumed", path.display());
                return p;
            }
            Err(e) if e != last => {
                // "cannot open" is the normal state while unplugged: said once.
                eprintln!("han bridge: {}: {e}", path.display());
                last = e;
            }
            Err(_) => {}
        }
    }
}
