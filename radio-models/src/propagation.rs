//! Path-loss models behind one trait (domain.md 6.1-6.3) and spatially consistent shadowing (6.6).
use crate::geometry::P3;
use crate::units::{Band, Db, Hz, Metres, SPEED_OF_LIGHT};
use serde::{Deserialize, Serialize};

/// Shortest distance used in loss formulas; closer antennas are in each other's near field.
pub const MIN_DISTANCE_M: f64 = 0.1;

/// What a model needs to know about one path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PathProfile {
    /// 3-D distance between the antennas.
    pub distance: Metres,
    /// Carrier frequency.
    pub frequency: Hz,
    /// Band (selects per-band coefficients).
    pub band: Band,
    /// Sum of the losses of the walls crossed, Σ k_i·L_wi.
    pub wall_loss: Db,
    /// Number of walls crossed.
    pub walls: u32,
    /// Number of floors (slabs) crossed, k_f.
    pub floors: u32,
    /// Loss of one slab, L_f (mean of the slabs crossed).
    pub slab_loss: Db,
}

/// An indoor path-loss model.
pub trait Propagation: Send + Sync {
    /// Model name as written in building files.
    fn name(&self) -> &'static str;
    /// Median path loss of the path (no shadowing).
    fn path_loss(&self, p: &PathProfile) -> Db;
}

/// Free-space loss 20·log10(4π d f / c) (Friis).
pub fn free_space_loss(d: Metres, f: Hz) -> Db {
    let d = d.0.max(MIN_DISTANCE_M);
    Db(20.0 * (4.0 * std::f64::consts::PI * d * f.0 / SPEED_OF_LIGHT).log10())
}

/// Free space at the channel centre frequency; ignores walls and floors.
#[derive(Debug, Clone, Copy, Default)]
pub struct FreeSpace;

impl Propagation for FreeSpace {
    fn name(&self) -> &'static str {
        "free-space"
    }
    fn path_loss(&self, p: &PathProfile) -> Db {
        free_space_loss(p.distance, p.frequency)
    }
}

/// Log-distance: PL(d) = FSPL(1 m) + 10·n·log10(d / 1 m).
#[derive(Debug, Clone, Copy)]
pub struct LogDistance {
    /// Path-loss exponent n.
    pub exponent: f64,
}

impl Propagation for LogDistance {
    fn name(&self) -> &'static str {
        "log-distance"
    }
    fn path_loss(&self, p: &PathProfile) -> Db {
        let d = p.distance.0.max(MIN_DISTANCE_M);
        free_space_loss(Metres(1.0), p.frequency) + Db(10.0 * self.exponent * d.log10())
    }
}

/// ITU-R P.1238 environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Environment {
    /// Houses and flats (default).
    #[default]
    Residential,
    /// Offices.
    Office,
    /// Shops and commercial buildings.
    Commercial,
}

/// ITU-R P.1238 site-specific model: L = 20·log10(f_MHz) + N·log10(d) + Lf(n) − 28.
#[derive(Debug, Clone, Copy)]
pub struct ItuP1238 {
    /// Environment selecting N and Lf(n).
    pub environment: Environment,
}

impl ItuP1238 {
    /// Distance power loss coefficient N (P.1238 table 2; 900 MHz residential is a placeholder).
    pub fn n_coefficient(&self, band: Band) -> f64 {
        match (self.environment, band) {
            (Environment::Residential, _) => 28.0,
            (Environment::Office, Band::Ghz2_4) => 30.0,
            (Environment::Office, Band::Mhz868) => 33.0,
            (Environment::Commercial, Band::Ghz2_4) => 22.0,
            (Environment::Commercial, Band::Mhz868) => 20.0,
        }
    }

    /// Floor penetration loss factor Lf(n) for n floors (P.1238 table 3, as in ns-3).
    pub fn floor_loss(&self, n: u32) -> Db {
        if n == 0 {
            return Db(0.0);
        }
        let n = f64::from(n);
        Db(match self.environment {
            Environment::Residential => 4.0 * n,
            Environment::Office => 15.0 + 4.0 * (n - 1.0),
            Environment::Commercial => 6.0 + 3.0 * (n - 1.0),
        })
    }
}

impl Propagation for ItuP1238 {
    fn name(&self) -> &'static str {
        "itu-p1238"
    }
    fn path_loss(&self, p: &PathProfile) -> Db {
        let d = p.distance.0.max(1.0);
        Db(20.0 * p.frequency.mhz().log10() + self.n_coefficient(p.band) * d.log10() - 28.0)
            + self.floor_loss(p.floors)
    }
}

/// COST 231 multi-wall: L = L_FS + L_c + Σ k_i·L_wi + k_f^((k_f+2)/(k_f+1) − b)·L_f.
#[derive(Debug, Clone, Copy)]
pub struct MultiWall {
    /// Constant loss L_c (0 by default).
    pub lc: Db,
    /// Empirical floor parameter b (0.46).
    pub b: f64,
}

impl Default for MultiWall {
    fn default() -> Self {
        MultiWall {
            lc: Db(0.0),
            b: 0.46,
        }
    }
}

impl MultiWall {
    /// The floor term k_f^((k_f+2)/(k_f+1) − b)·L_f.
    pub fn floor_term(&self, kf: u32, lf: Db) -> Db {
        if kf == 0 {
            return Db(0.0);
        }
        let k = f64::from(kf);
        Db(k.powf((k + 2.0) / (k + 1.0) - self.b) * lf.0)
    }
}

impl Propagation for MultiWall {
    fn name(&self) -> &'static str {
        "multiwall"
    }
    fn path_loss(&self, p: &PathProfile) -> Db {
        free_space_loss(p.distance, p.frequency)
            + self.lc
            + p.wall_loss
            + self.floor_term(p.floors, p.slab_loss)
    }
}

/// Model selector used in building files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    /// Friis free space.
    FreeSpace,
    /// Log-distance with an exponent.
    LogDistance,
    /// ITU-R P.1238.
    ItuP1238,
    /// COST 231 multi-wall (default).
    #[default]
    Multiwall,
}

/// Builds the model selected by a building file.
pub fn make_model(kind: ModelKind, exponent: f64, env: Environment) -> Box<dyn Propagation> {
    match kind {
        ModelKind::FreeSpace => Box::new(FreeSpace),
        ModelKind::LogDistance => Box::new(LogDistance { exponent }),
        ModelKind::ItuP1238 => Box::new(ItuP1238 { environment: env }),
        ModelKind::Multiwall => Box::new(MultiWall::default()),
    }
}

/// Seeded, spatially consistent log-normal shadowing: a Gaussian field on a lattice of
/// `correlation` metres, interpolated trilinearly; a link gets σ·(g(a)+g(b))/√2, symmetric in a, b.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shadowing {
    /// Standard deviation σ.
    pub sigma: Db,
    /// Seed of the field.
    pub seed: u64,
    /// Lattice spacing (decorrelation distance).
    pub correlation: Metres,
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Shadowing {
    fn lattice(&self, i: i64, j: i64, k: i64) -> f64 {
        let h = splitmix(
            self.seed
                ^ splitmix(i as u64 ^ splitmix(j as u64 ^ splitmix(k as u64).rotate_left(17))),
        );
        // Box-Muller from two 32-bit halves.
        let u1 = ((h >> 32) as f64 + 0.5) / 4_294_967_296.0;
        let u2 = ((h & 0xFFFF_FFFF) as f64 + 0.5) / 4_294_967_296.0;
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }

    /// Standard-normal field value at a point (the same point always gives the same value).
    pub fn field(&self, p: P3) -> f64 {
        let c = self.correlation.0.max(0.01);
        let (fx, fy, fz) = (p.x / c, p.y / c, p.z / c);
        let (i, j, k) = (fx.floor(), fy.floor(), fz.floor());
        let (tx, ty, tz) = (fx - i, fy - j, fz - k);
        let (i, j, k) = (i as i64, j as i64, k as i64);
        let mut v = 0.0;
        let mut wsq = 0.0;
        for (di, wx) in [(0, 1.0 - tx), (1, tx)] {
            for (dj, wy) in [(0, 1.0 - ty), (1, ty)] {
                for (dk, wz) in [(0, 1.0 - tz), (1, tz)] {
                    let w = wx * wy * wz;
                    v += w * self.lattice(i + di, j + dj, k + dk);
                    wsq += w * w;
                }
            }
        }
        // Renormalise so the interpolated value keeps unit variance.
        v / wsq.sqrt()
    }

    /// Shadowing of the link a-b (symmetric).
    pub fn link(&self, a: P3, b: P3) -> Db {
        Db(self.sigma.0 * (self.field(a) + self.field(b)) / std::f64::consts::SQRT_2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::{GB868_CENTRE, channel_centre_2g4};

    fn profile(d: f64, band: Band, walls: f64, floors: u32, lf: f64) -> PathProfile {
        PathProfile {
            distance: Metres(d),
            frequency: match band {
                Band::Ghz2_4 => channel_centre_2g4(11),
                Band::Mhz868 => GB868_CENTRE,
            },
            band,
            wall_loss: Db(walls),
            walls: 0,
            floors,
            slab_loss: Db(lf),
        }
    }

    #[test]
    fn free_space_10m_ch11_is_friis() {
        // Friis: Pr/Pt = (λ / 4πd)^2, λ = c / 2405 MHz; by hand 60.0667 dB.
        let lambda = SPEED_OF_LIGHT / 2405e6;
        let friis = -10.0 * ((lambda / (4.0 * std::f64::consts::PI * 10.0)).powi(2)).log10();
        let l = FreeSpace.path_loss(&profile(10.0, Band::Ghz2_4, 9.0, 2, 18.0));
        assert!((l.0 - friis).abs() < 0.01);
        assert!((l.0 - 60.07).abs() < 0.01);
    }

    #[test]
    fn log_distance_by_hand() {
        // FSPL(1 m, 2405 MHz) = 40.0667; + 10*3*log10(20) = 39.0309.
        let l = LogDistance { exponent: 3.0 }.path_loss(&profile(20.0, Band::Ghz2_4, 0.0, 0, 0.0));
        assert!((l.0 - 79.0976).abs() < 0.01, "{l:?}");
    }

    #[test]
    fn p1238_by_hand() {
        let m = ItuP1238 {
            environment: Environment::Residential,
        };
        // 20*log10(2405) + 28*log10(10) - 28 + 4*2 = 67.6227 + 28 - 28 + 8.
        let l = m.path_loss(&profile(10.0, Band::Ghz2_4, 0.0, 2, 0.0));
        assert!((l.0 - 75.6227).abs() < 0.01, "{l:?}");
        let o = ItuP1238 {
            environment: Environment::Office,
        };
        assert_eq!(o.floor_loss(3), Db(23.0));
    }

    #[test]
    fn multiwall_by_hand() {
        let m = MultiWall::default();
        // Floor term for 1..4 floors of 18.3 dB: 18.3, 33.5, 43.6, 51.0 (domain.md 6.3).
        for (kf, want) in [(1, 18.3), (2, 33.5), (3, 43.6), (4, 51.0)] {
            assert!((m.floor_term(kf, Db(18.3)).0 - want).abs() < 0.05, "{kf}");
        }
        // 10 m at 2405 MHz + two walls (6 + 3) + 2 floors of 18 dB.
        let l = m.path_loss(&profile(10.0, Band::Ghz2_4, 9.0, 2, 18.0));
        let floor2 = 2f64.powf(4.0 / 3.0 - 0.46) * 18.0;
        assert!((l.0 - (60.0667 + 9.0 + floor2)).abs() < 0.01);
    }

    #[test]
    fn shadowing_is_seeded_symmetric_and_consistent() {
        let s = Shadowing {
            sigma: Db(6.0),
            seed: 42,
            correlation: Metres(3.0),
        };
        let a = P3 {
            x: 1.0,
            y: 2.0,
            z: 1.5,
        };
        let b = P3 {
            x: 9.0,
            y: -4.0,
            z: 4.5,
        };
        assert_eq!(s.link(a, b), s.link(b, a));
        assert_eq!(s.field(a), s.field(a));
        let near = P3 { x: 1.01, ..a };
        assert!((s.field(a) - s.field(near)).abs() < 0.1);
        let other = Shadowing { seed: 43, ..s };
        assert_ne!(s.field(a), other.field(a));
        // Roughly unit variance over many points.
        let vals: Vec<f64> = (0..4000)
            .map(|i| {
                s.field(P3 {
                    x: i as f64 * 3.7,
                    y: (i % 13) as f64 * 5.1,
                    z: 0.3,
                })
            })
            .collect();
        let var = vals.iter().map(|v| v * v).sum::<f64>() / vals.len() as f64;
        assert!((0.8..1.2).contains(&var), "{var}");
    }
}
