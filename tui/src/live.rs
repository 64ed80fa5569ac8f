//! The Live view's engine: the building's HAN (han-devices on han-mesh) run stepwise in
//! virtual time, every frame on the air decoded as `han decode` does with the run's keys.
use han_devices::host::DeviceHost;
use han_devices::scenario::{self, Keys, ScenarioConfig, Summary};
use han_mesh::World;
use han_mesh::{Duration, SimTime};
use han_radio::building::Building;
use han_stack::dissect::{Dissector, FrameSummary, Keyring, text_line};
use han_stack::wire::Wire;
use han_stack::zep::ZepPacket;

/// Virtual time run per UI tick at 1× (the UI ticks every 100 ms of wall time).
pub const TICK: Duration = Duration(100_000_000);
/// Virtual time run per tick at "max".
pub const MAX_SLICE: Duration = Duration(10_000_000_000);
/// Virtual time run by one step key while paused.
pub const STEP: Duration = Duration(1_000_000_000);
/// Frames kept for the packet list (the pcap keeps every one).
pub const KEEP: usize = 5_000;

/// How fast virtual time runs against the UI's ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speed {
    /// One virtual second per wall second.
    X1,
    /// Ten.
    X10,
    /// A hundred.
    X100,
    /// As much as one tick can do ([`MAX_SLICE`]).
    Max,
}

impl Speed {
    /// Every speed, slowest first.
    pub const ALL: [Speed; 4] = [Speed::X1, Speed::X10, Speed::X100, Speed::Max];

    /// Label on screen.
    pub fn label(self) -> &'static str {
        match self {
            Speed::X1 => "1×",
            Speed::X10 => "10×",
            Speed::X100 => "100×",
            Speed::Max => "max",
        }
    }

    /// Virtual time per tick.
    pub fn slice(self) -> Duration {
        match self {
            Speed::X1 => TICK,
            Speed::X10 => Duration(TICK.0 * 10),
            Speed::X100 => Duration(TICK.0 * 100),
            Speed::Max => MAX_SLICE,
        }
    }

    /// The next speed up (`up`) or down, stopping at the ends.
    pub fn shift(self, up: bool) -> Speed {
        let i = Speed::ALL.iter().position(|s| *s == self).unwrap_or(0);
        let j = if up {
            (i + 1).min(Speed::ALL.len() - 1)
        } else {
            i.saturating_sub(1)
        };
        Speed::ALL[j]
    }
}

/// One frame on the air.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveFrame {
    /// Virtual time it went on the air, s.
    pub time: f64,
    /// Id of the sending device.
    pub device: String,
    /// Id of its premises.
    pub premises: String,
    /// APS cluster, e.g. "0x0702", when the frame has one.
    pub cluster: Option<String>,
    /// The decode as `han decode` prints it.
    pub line: String,
}

impl LiveFrame {
    /// The decode without the frame number and time, runs of spaces collapsed (for narrow
    /// screens).
    pub fn compact(&self) -> String {
        let words: Vec<&str> = self.line.split_whitespace().skip(2).collect();
        words.join(" ")
    }

    /// Whether the filter matches: empty matches all; else every word must be found
    /// (case-insensitive) in the premises, the device, the cluster or the decode.
    pub fn matches(&self, filter: &str) -> bool {
        let hay = format!(
            "{} {} {} {}",
            self.premises,
            self.device,
            self.cluster.as_deref().unwrap_or(""),
            self.line
        )
        .to_lowercase();
        filter
            .to_lowercase()
            .split_whitespace()
            .all(|w| hay.contains(w))
    }
}

/// One link's delivery so far.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkRow {
    /// Sending device.
    pub from: String,
    /// Receiving device.
    pub to: String,
    /// Data requests.
    pub requests: u64,
    /// Delivered / requests.
    pub ratio: f64,
    /// Retransmissions.
    pub retries: u64,
}

/// The running emulation.
pub struct Live {
    premises: Vec<String>,
    cfg: ScenarioConfig,
    world: World<DeviceHost>,
    dissector: Dissector,
    pcap: Vec<u8>,
    /// Frames so far (the last [`KEEP`]), oldest first.
    pub frames: Vec<LiveFrame>,
    /// Frames seen in all.
    pub frame_count: usize,
    /// Speed.
    pub speed: Speed,
    /// Paused (ticks do nothing; the step key still runs [`STEP`]).
    pub paused: bool,
    /// The packet list's filter.
    pub filter: String,
}

/// A keyring holding every key of the run, as network and link keys.
fn keyring(keys: &Keys) -> Keyring {
    let mut ring = Keyring::new();
    for (_, k) in &keys.network {
        ring.add_network_key(*k);
    }
    for (_, k) in &keys.link {
        ring.add_link_key(*k);
    }
    ring
}

impl Live {
    /// The run of `building` with `seed`, at virtual time 0, paused, at 1×.
    pub fn new(building: &Building, seed: u64) -> Live {
        let cfg = ScenarioConfig {
            seed,
            ..ScenarioConfig::default()
        };
        let (mut world, keys) = scenario::build(building, &cfg);
        world.capture_air();
        world.tap_zep();
        Live {
            premises: building.premises.iter().map(|p| p.id.clone()).collect(),
            cfg,
            world,
            dissector: Dissector::new(keyring(&keys)),
            pcap: Vec::new(),
            frames: Vec::new(),
            frame_count: 0,
            speed: Speed::X1,
            paused: true,
            filter: String::new(),
        }
    }

    /// Virtual time now.
    pub fn now(&self) -> SimTime {
        self.world.now()
    }

    /// One UI tick: runs the speed's slice unless paused.
    pub fn tick(&mut self) {
        if !self.paused {
            self.advance(self.speed.slice());
        }
    }

    /// Runs `by` of virtual time and decodes the frames sent meanwhile.
    pub fn advance(&mut self, by: Duration) {
        let until = SimTime(self.world.now().0 + by.0);
        self.world.run_until(until);
        for z in self.world.take_zep().unwrap_or_default() {
            let Ok(ZepPacket::V2Data {
                device_id, frame, ..
            }) = ZepPacket::from_bytes(&z.bytes)
            else {
                continue;
            };
            self.frame_count += 1;
            let mpdu = frame
                .get(..frame.len().saturating_sub(2))
                .unwrap_or_default();
            let d = self.dissector.dissect(mpdu, Some(true));
            let s = FrameSummary::new(self.frame_count, z.at.as_secs_f64(), mpdu.len(), &d);
            let node = self.world.nodes().get(device_id as usize);
            let premises = node
                .and_then(|n| self.premises.get(n.premises))
                .cloned()
                .unwrap_or_default();
            self.frames.push(LiveFrame {
                time: z.at.as_secs_f64(),
                device: node.map_or(String::new(), |n| n.id.clone()),
                premises,
                cluster: s.aps.as_ref().and_then(|a| a.cluster.clone()),
                line: text_line(&s),
            });
        }
        if self.frames.len() > KEEP {
            self.frames.drain(..self.frames.len() - KEEP);
        }
    }

    /// The frames the filter lets through, oldest first.
    pub fn shown(&self) -> Vec<&LiveFrame> {
        self.frames
            .iter()
            .filter(|f| f.matches(&self.filter))
            .collect()
    }

    /// Delivery on every link that carried a data request, in (sender, receiver) order.
    pub fn links(&self) -> Vec<LinkRow> {
        let nodes = self.world.nodes();
        let name = |i: u32| nodes.get(i as usize).map_or("?".into(), |n| n.id.clone());
        self.world
            .stats()
            .links
            .iter()
            .filter(|(_, l)| l.requests > 0)
            .map(|(&(a, b), l)| LinkRow {
                from: name(a),
                to: name(b),
                requests: l.requests,
                ratio: l.delivery_ratio(),
                retries: l.retries,
            })
            .collect()
    }

    /// The devices' summary now of the run of `building` (IHD freshness per premises and the rest).
    pub fn summary(&self, building: &Building) -> Summary {
        scenario::summarise(building, &self.world, &self.cfg)
    }

    /// The capture of the whole air so far, as a pcap file (LINKTYPE_IEEE802_15_4_TAP).
    pub fn capture(&mut self) -> Vec<u8> {
        let bytes = self.world.take_capture().unwrap_or_default();
        // Later parts repeat the 24-byte pcap global header; keep only their records.
        let body = if self.pcap.is_empty() {
            &bytes[..]
        } else {
            bytes.get(24..).unwrap_or_default()
        };
        self.pcap.extend_from_slice(body);
        self.world.capture_air();
        self.pcap.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terraced() -> Building {
        let (name, src) = han_radio::bundled::ALL[0];
        Building::from_toml(name, src).unwrap()
    }

    #[test]
    fn filter_keeps_matching_frames_only() {
        let mut live = Live::new(&terraced(), 1);
        live.advance(Duration(30_000_000_000));
        assert!(!live.frames.is_empty());
        let f = &live.frames[0];
        assert!(f.line.trim_start().starts_with("1 "));
        assert!(
            !f.compact().is_empty() && f.line.ends_with(f.compact().rsplit(' ').next().unwrap())
        );
        let all = live.shown().len();
        let dev = live.frames[0].device.clone();
        live.filter = dev.to_uppercase();
        let by_dev = live.shown();
        assert!(!by_dev.is_empty() && by_dev.len() <= all);
        assert!(by_dev.iter().all(|f| f.matches(&dev)));
        live.filter = "0x0702 no-such-device".into();
        assert!(live.shown().is_empty());
        live.filter = "0x0702".into();
        assert!(
            live.shown()
                .iter()
                .all(|f| f.cluster.as_deref() == Some("0x0702") || f.line.contains("0x0702"))
        );
    }

    #[test]
    fn same_seed_same_frames_and_pcap_grows() {
        let mut a = Live::new(&terraced(), 7);
        let mut b = Live::new(&terraced(), 7);
        a.advance(Duration(10_000_000_000));
        for _ in 0..10 {
            b.advance(Duration(1_000_000_000));
        }
        assert_eq!(a.frames, b.frames);
        let first = a.capture();
        let before = a.frame_count;
        a.advance(Duration(60_000_000_000));
        assert!(a.frame_count > before);
        let second = a.capture();
        assert!(second.len() > first.len());
        assert_eq!(second[..first.len()], first[..]);
    }
}
