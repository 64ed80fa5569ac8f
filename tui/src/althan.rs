//! The Alt HAN plan view's state: the planner's proposals for the building as it was when it
//! ran, and which of them the installer has accepted or rejected.
use crate::project::Project;
use han_althan::plan::{Analysis, Fix, Plan, PlannedInstallation, PremisesPlan};
use han_radio::building::Building;
use han_radio::survey::{SurveyReport, Verdict};
use std::sync::mpsc::{Receiver, TryRecvError, channel};

/// What the installer decided about a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Not decided yet.
    Open,
    /// Applied to the building.
    Accepted,
    /// Left out.
    Rejected,
}

/// The planner's result and the decisions taken on it.
#[derive(Debug, Clone)]
pub struct Proposals {
    /// The plan as the planner made it.
    pub plan: Plan,
    /// Decision per entry of `plan.plans`.
    pub decisions: Vec<Decision>,
    /// Verdict per entry of `plan.plans` when the planner ran.
    pub before: Vec<Verdict>,
    /// Highlighted entry of `plan.plans`.
    pub cursor: usize,
    /// Project revision the plan (with its accepted parts) describes; another means stale.
    pub revision: u64,
}

impl Proposals {
    /// Runs the planner on the project's building as it is now (in this thread).
    pub fn run(project: &Project) -> Proposals {
        Self::plan(&project.building, &project.report, project.revision)
    }

    /// Runs the planner on `building` with its survey `report`, revision `revision`.
    fn plan(building: &Building, report: &SurveyReport, revision: u64) -> Proposals {
        let plan = Analysis::from_survey(building, report).plan();
        let before = plan
            .plans
            .iter()
            .map(|p| {
                report
                    .premises
                    .iter()
                    .find(|r| r.id == p.id)
                    .map_or(Verdict::NeedsAltHan, |r| r.verdict)
            })
            .collect();
        Proposals {
            decisions: vec![Decision::Open; plan.plans.len()],
            before,
            cursor: 0,
            revision,
            plan,
        }
    }

    /// The building changed (an edit, an undo) since the plan was made or last applied.
    pub fn stale(&self, project: &Project) -> bool {
        self.revision != project.revision
    }

    /// The highlighted premises' plan.
    pub fn current(&self) -> Option<&PremisesPlan> {
        self.plan.plans.get(self.cursor)
    }

    /// The installation carrying premises plan `i`, if any.
    pub fn installation(&self, i: usize) -> Option<&PlannedInstallation> {
        let id = self.plan.plans.get(i)?.installation.as_deref()?;
        self.plan.installations.iter().find(|inst| inst.id == id)
    }

    /// Entries of `plan.plans` decided together with `i`: every premises its installation
    /// serves (a shared installation is installed whole), else `i` alone.
    pub fn group(&self, i: usize) -> Vec<usize> {
        match self
            .plan
            .plans
            .get(i)
            .and_then(|p| p.installation.as_deref())
        {
            Some(inst) => (0..self.plan.plans.len())
                .filter(|&k| self.plan.plans[k].installation.as_deref() == Some(inst))
                .collect(),
            None => vec![i],
        }
    }

    /// Applies the highlighted proposal (and the rest of its group) to the building as one undo
    /// step; returns what the status bar should say.
    pub fn accept(&mut self, project: &mut Project) -> Result<String, String> {
        if self.stale(project) {
            return Err("The building changed since this plan: p plans again.".into());
        }
        let Some(p) = self.current() else {
            return Err("No proposal here: every premises is fine.".into());
        };
        if p.fix == Fix::Exempt {
            return Err(format!(
                "{} is exempt: {} Nothing to install.",
                p.id, p.detail
            ));
        }
        if self.decisions[self.cursor] == Decision::Accepted {
            return Err(format!("{} is already accepted (u undoes it).", p.id));
        }
        let group = self.group(self.cursor);
        let sub = Plan {
            plans: group.iter().map(|&k| self.plan.plans[k].clone()).collect(),
            installations: self
                .installation(self.cursor)
                .cloned()
                .into_iter()
                .collect(),
            exempt: Vec::new(),
            ..self.plan.clone()
        };
        let src = han_althan::apply::apply(project.source(), &sub).map_err(|e| e.to_string())?;
        project.edit(true, |doc| {
            *doc = src
                .parse()
                .map_err(|e: toml_edit::TomlError| e.to_string())?;
            Ok(())
        })?;
        self.revision = project.revision;
        for &k in &group {
            self.decisions[k] = Decision::Accepted;
        }
        let id = &self.plan.plans[self.cursor].id;
        let whom = if group.len() > 1 {
            format!(" for {} premises", group.len())
        } else {
            String::new()
        };
        let now = verdict_of(project, id).map_or("gone", |v| v.label());
        Ok(format!(
            "{id} now {now}: {} accepted{whom}. s saves.",
            fix_text(self.plan.plans[self.cursor].fix),
        ))
    }

    /// Marks the highlighted proposal (and its group) rejected, or open again.
    pub fn toggle_reject(&mut self) -> Result<String, String> {
        let Some(p) = self.current() else {
            return Err("No proposal here.".into());
        };
        if self.decisions[self.cursor] == Decision::Accepted {
            return Err(format!(
                "{} is already applied to the building: u undoes it.",
                p.id
            ));
        }
        let id = p.id.clone();
        let to = if self.decisions[self.cursor] == Decision::Rejected {
            Decision::Open
        } else {
            Decision::Rejected
        };
        for k in self.group(self.cursor) {
            self.decisions[k] = to;
        }
        Ok(match to {
            Decision::Rejected => format!("Rejected the proposal for {id}."),
            _ => format!("The proposal for {id} is open again."),
        })
    }

    /// Cost of the entries with decision `d`.
    pub fn cost(&self, d: Decision) -> f64 {
        self.plan
            .plans
            .iter()
            .zip(&self.decisions)
            .filter(|(_, x)| **x == d)
            .map(|(p, _)| p.cost)
            .sum()
    }
}

/// The planner at work on a worker thread (the tower takes seconds), for one revision of the
/// building. Dropping it abandons the result: the thread finishes and nobody reads it.
pub struct Planning {
    /// Revision of the building being planned.
    pub revision: u64,
    /// UI ticks since it started (turns the spinner).
    pub ticks: usize,
    result: Receiver<Result<Proposals, String>>,
}

impl Planning {
    /// Starts the planner on the project's building as it is now. The worker resolves and
    /// surveys its own copy of the source, so the UI keeps the building to edit meanwhile.
    pub fn start(project: &Project) -> Planning {
        let (tx, rx) = channel();
        let (name, src, revision) = (
            project.name.clone(),
            project.source().to_string(),
            project.revision,
        );
        std::thread::spawn(move || {
            let r = Building::from_toml(&name, &src)
                .map(|b| Proposals::plan(&b, &b.survey(), revision))
                .map_err(|e| e.to_string());
            // A cancelled plan has no receiver left: nothing to tell.
            let _ = tx.send(r);
        });
        Planning {
            revision,
            ticks: 0,
            result: rx,
        }
    }

    /// The proposals, once the worker is done (None while it works).
    pub fn poll(&self) -> Option<Result<Proposals, String>> {
        match self.result.try_recv() {
            Ok(r) => Some(r),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(Err("the planner stopped".into())),
        }
    }

    /// Waits for the worker (tests and screenshots, which need the finished plan).
    pub fn wait(self) -> Result<Proposals, String> {
        self.result
            .recv()
            .unwrap_or_else(|_| Err("the planner stopped".into()))
    }

    /// A spinner frame for the ticks so far.
    pub fn spinner(&self) -> char {
        const FRAMES: [char; 8] = ['⣾', '⣽', '⣻', '⢿', '⡿', '⣟', '⣯', '⣷'];
        FRAMES[self.ticks % FRAMES.len()]
    }
}

/// The survey's verdict for premises `id` now.
pub fn verdict_of(project: &Project, id: &str) -> Option<Verdict> {
    project
        .report
        .premises
        .iter()
        .find(|p| p.id == id)
        .map(|p| p.verdict)
}

/// How an installer says a fix.
pub fn fix_text(f: Fix) -> &'static str {
    match f {
        Fix::DualBandHub => "dual-band hub",
        Fix::P2pPair => "P2P repeater pair",
        Fix::Shared => "shared installation",
        Fix::Exempt => "exempt",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use han_radio::bundled;
    use std::path::PathBuf;

    /// The bundled default building (the block of flats, with premises that need Alt HAN).
    fn project() -> Project {
        let (name, src) = bundled::DEFAULT;
        Project::from_source(name, src.to_string(), PathBuf::from(name)).unwrap()
    }

    #[test]
    fn accepting_fixes_the_group_and_undo_restores() {
        let mut p = project();
        let mut props = Proposals::run(&p);
        let i = props
            .plan
            .plans
            .iter()
            .position(|x| x.fix != Fix::Exempt)
            .expect("the default building has something to fix");
        props.cursor = i;
        let before = p.source().to_string();
        props.accept(&mut p).unwrap();
        for k in props.group(i) {
            assert_eq!(props.decisions[k], Decision::Accepted);
            let v = verdict_of(&p, &props.plan.plans[k].id).unwrap();
            assert_ne!(v, Verdict::NeedsAltHan, "{}", props.plan.plans[k].id);
        }
        assert!(!props.stale(&p));
        assert!(props.accept(&mut p).is_err(), "accepted twice");
        assert!(p.undo());
        assert_eq!(p.source(), before);
        assert!(props.stale(&p));
        assert!(props.accept(&mut p).is_err(), "a stale plan is not applied");
    }

    #[test]
    fn the_worker_plans_what_the_ui_thread_would() {
        let p = project();
        let here = Proposals::run(&p);
        let worker = Planning::start(&p);
        assert_eq!(worker.revision, p.revision);
        let there = worker.wait().unwrap();
        assert_eq!(there.plan, here.plan);
        assert_eq!(there.before, here.before);
        assert_eq!(there.revision, p.revision);
    }

    #[test]
    fn reject_toggles_and_exempt_is_not_accepted() {
        let mut p = project();
        let mut props = Proposals::run(&p);
        if let Some(e) = props.plan.plans.iter().position(|x| x.fix == Fix::Exempt) {
            props.cursor = e;
            assert!(props.accept(&mut p).is_err());
        }
        props.cursor = 0;
        props.toggle_reject().unwrap();
        assert_eq!(props.decisions[0], Decision::Rejected);
        assert!(props.cost(Decision::Rejected) >= props.plan.plans[0].cost);
        props.toggle_reject().unwrap();
        assert_eq!(props.decisions[0], Decision::Open);
    }
}
