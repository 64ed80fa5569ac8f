//! Portfolio manifests (TOML): which building files make up a portfolio, and shards of it.
use super::generate::GeneratedBuilding;
use crate::building::BuildingError;
use serde::Deserialize;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// File name of the manifest inside a portfolio directory.
pub const MANIFEST: &str = "manifest.toml";
/// Archetype recorded for buildings listed without one.
pub const UNCLASSIFIED: &str = "unclassified";

/// Where a job's building comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A building file on disk.
    File(PathBuf),
    /// A building held in memory: (name used in errors, TOML).
    Inline(String, String),
    /// The manifest entry itself is malformed: the located message.
    Bad(String),
}

/// One building of a portfolio, in manifest order.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// Position in the manifest (0-based): shard selection and output order.
    pub seq: usize,
    /// Building id.
    pub id: String,
    /// Archetype name.
    pub archetype: String,
    /// Premises the manifest says the building holds (progress only).
    pub premises: Option<usize>,
    /// The building.
    pub source: Source,
}

/// `K/N`: every N-th building from offset K.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Offset, 0 ≤ K < N.
    pub k: usize,
    /// Number of shards.
    pub n: usize,
}

impl Default for Shard {
    fn default() -> Self {
        Shard { k: 0, n: 1 }
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || {
            format!(
                "shard \"{s}\" is not K/N with 0 <= K < N (e.g. 0/4, or $JOB_COMPLETION_INDEX/4)"
            )
        };
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (k, n): (usize, usize) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if n == 0 || k >= n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }
}

impl Shard {
    /// Whether the job at `seq` belongs to this shard.
    pub fn takes(self, seq: usize) -> bool {
        seq % self.n == self.k
    }
}

/// The `[portfolio]` table is informational and not read back.
#[derive(Debug, Deserialize)]
struct ManifestDoc {
    #[serde(default)]
    building: Vec<Spanned<toml::Table>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryDef {
    id: String,
    file: String,
    #[serde(default)]
    archetype: Option<String>,
    #[serde(default)]
    premises: Option<usize>,
}

/// Parses a manifest; building files are relative to `base`. A malformed entry becomes a job
/// with `Source::Bad` (so the rest of the batch goes on); a file that is not TOML is an error.
pub fn parse_manifest(file: &str, src: &str, base: &Path) -> Result<Vec<Job>, BuildingError> {
    let doc: ManifestDoc = toml::from_str(src).map_err(|e| {
        BuildingError::at(
            file,
            src,
            e.span().map_or(0, |s| s.start),
            e.message().trim(),
            "a manifest is TOML: [[building]] tables with id, file, archetype, premises",
        )
    })?;
    let mut jobs = Vec::new();
    for (seq, entry) in doc.building.into_iter().enumerate() {
        let span = entry.span();
        let table = entry.into_inner();
        let id = table
            .get("id")
            .and_then(|v| v.as_str())
            .map_or_else(|| format!("entry {}", seq + 1), str::to_string);
        let entry = match toml::Value::Table(table).try_into::<EntryDef>() {
            Ok(e) if e.id.is_empty() || e.file.is_empty() => Err((
                "empty id or file".to_string(),
                "give every building an id and a file",
            )),
            Ok(e) => Ok(e),
            Err(err) => Err((
                format!("malformed [[building]] entry: {}", err.message().trim()),
                "each entry needs id and file (strings); archetype and premises are optional",
            )),
        };
        let job = match entry {
            Ok(e) => Job {
                seq,
                id: e.id,
                archetype: e.archetype.unwrap_or_else(|| UNCLASSIFIED.to_string()),
                premises: e.premises,
                source: Source::File(base.join(e.file)),
            },
            Err((message, hint)) => Job {
                seq,
                id,
                archetype: UNCLASSIFIED.to_string(),
                premises: None,
                source: Source::Bad(
                    BuildingError::at(file, src, span.start, message, hint).to_string(),
                ),
            },
        };
        jobs.push(job);
    }
    Ok(jobs)
}

/// The jobs of `MANIFEST|DIR`: a manifest file, a directory holding `manifest.toml`, or a
/// directory of building files (every `*.toml`, by name; id = file stem).
pub fn load_jobs(path: &Path) -> Result<Vec<Job>, BuildingError> {
    let manifest = if path.is_dir() {
        path.join(MANIFEST)
    } else {
        path.to_path_buf()
    };
    let name = manifest.display().to_string();
    if manifest.is_file() {
        let src = std::fs::read_to_string(&manifest).map_err(|e| {
            BuildingError::at(
                &name,
                "",
                0,
                format!("cannot read manifest: {e}"),
                "check the path",
            )
        })?;
        let base = manifest.parent().unwrap_or(Path::new("."));
        return parse_manifest(&name, &src, base);
    }
    let read = std::fs::read_dir(path).map_err(|e| {
        BuildingError::at(
            &path.display().to_string(),
            "",
            0,
            format!("cannot read manifest or directory: {e}"),
            "give a manifest.toml or a directory of building files",
        )
    })?;
    let mut files: Vec<PathBuf> = read
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files
        .into_iter()
        .enumerate()
        .map(|(seq, f)| Job {
            seq,
            id: f
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned()),
            archetype: UNCLASSIFIED.to_string(),
            premises: None,
            source: Source::File(f),
        })
        .collect())
}

/// Jobs for generated buildings held in memory.
pub fn inline_jobs(buildings: &[GeneratedBuilding]) -> Vec<Job> {
    buildings
        .iter()
        .enumerate()
        .map(|(seq, b)| Job {
            seq,
            id: b.id.clone(),
            archetype: b.archetype.clone(),
            premises: Some(b.premises),
            source: Source::Inline(format!("{}.toml", b.id), b.toml.clone()),
        })
        .collect()
}

/// The manifest text for generated buildings written as `buildings/<id>.toml`.
pub fn manifest_text(
    buildings: &[GeneratedBuilding],
    seed: u64,
    archetypes: &str,
    mix_source: &str,
) -> String {
    let premises: usize = buildings.iter().map(|b| b.premises).sum();
    let mut s = format!(
        "# Portfolio written by han portfolio generate; survey it with han portfolio survey.\n[portfolio]\nseed = {seed}\npremises = {premises}\nbuildings = {}\narchetypes = {:?}\nmix = {:?}\n",
        buildings.len(),
        archetypes,
        mix_source
    );
    for b in buildings {
        let _ = write!(
            s,
            "\n[[building]]\nid = \"{}\"\nfile = \"buildings/{}.toml\"\narchetype = \"{}\"\npremises = {}\n",
            b.id, b.id, b.archetype, b.premises
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_parses_and_selects() {
        let s: Shard = "1/4".parse().unwrap();
        assert_eq!(s, Shard { k: 1, n: 4 });
        assert!(s.takes(1) && s.takes(5) && !s.takes(4));
        for bad in ["4/4", "1/0", "x/2", "3", "-1/2"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn bad_entries_are_jobs_with_located_reasons() {
        let src = "[portfolio]\nseed = 1\n\n[[building]]\nid = \"a\"\nfile = \"a.toml\"\n\n[[building]]\nid = \"b\"\nfiel = \"b.toml\"\n\n[[building]]\nid = \"c\"\nfile = \"c.toml\"\npremises = 2\n";
        let jobs = parse_manifest("m.toml", src, Path::new("/p")).unwrap();
        assert_eq!(jobs.len(), 3);
        assert_eq!(jobs[0].source, Source::File("/p/a.toml".into()));
        let Source::Bad(msg) = &jobs[1].source else {
            panic!("{:?}", jobs[1])
        };
        assert_eq!(jobs[1].id, "b");
        assert!(
            msg.starts_with("m.toml:8:1: malformed [[building]] entry"),
            "{msg}"
        );
        assert_eq!(jobs[2].premises, Some(2));
        let e = parse_manifest("m.toml", "[[building]\n", Path::new(".")).unwrap_err();
        assert_eq!(e.line, 1);
    }
}
