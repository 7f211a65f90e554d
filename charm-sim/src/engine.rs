//! The engine: a [`Simulation`] queues the hooks Juju fires and runs them,
//! one at a time, as real processes of the charm's binary.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use charm_runtime::facts::check_action;
use charm_runtime::metadata::ActionsSchema;
use serde_json::{Map, Value};

mod open;
mod secrets;
mod toolcalls;

pub use open::OpenHook;

use crate::error::SimError;
use crate::hook::Hook;
use crate::hookenv::{HookIdentity, hook_env};
use crate::model::{
    AgentStatus, Application, Charm, Endpoint, Model, Relation, RelationEnd, Role, Settings,
    Status, Unit, app_of, check_option, copy_charm_dir, unit_address,
};
use crate::server::Server;
use crate::stub::Stub;
use crate::tools::TOOLS;
use crate::world::{ActionOutcome, ActiveHook, Bag, LogEntry, World};

/// How a simulation is set up.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// The `charm-sim-tool` program the tools directory links to.
    pub tool_program: PathBuf,
    /// The seed of the interleaving of units: the same seed and the same
    /// calls run the same hooks in the same order.
    pub seed: u64,
    /// `JUJU_MODEL_NAME`.
    pub model_name: String,
    /// `JUJU_VERSION`.
    pub juju_version: String,
    /// Keep the simulation's directory (units' charm directories, socket)
    /// when it is dropped, for inspection.
    pub keep_dir: bool,
    /// How long a hook's process may run: past it the process and its
    /// children (its process group) are killed and the unit goes into
    /// error, as for a failed hook. [`DEFAULT_HOOK_TIMEOUT`] by default.
    pub hook_timeout: Duration,
    /// `CHARM_LOG_LEVEL` for the charms' hooks (`debug` makes
    /// charm-runtime log each flag it sets and clears); `None` passes the
    /// simulator's own on.
    pub log_level: Option<String>,
}

/// The default [`SimConfig::hook_timeout`]: five minutes, far beyond any
/// sane hook, so that only a hook that hangs meets it.
pub const DEFAULT_HOOK_TIMEOUT: Duration = Duration::from_secs(300);

impl SimConfig {
    /// Defaults (seed 0, model `sim`, Juju 3.6.0) with `tool_program`.
    pub fn new(tool_program: impl Into<PathBuf>) -> Self {
        Self {
            tool_program: tool_program.into(),
            seed: 0,
            model_name: "sim".into(),
            juju_version: "3.6.0".into(),
            keep_dir: false,
            hook_timeout: DEFAULT_HOOK_TIMEOUT,
            log_level: None,
        }
    }

    /// The same, with `timeout` as the hook timeout.
    pub fn with_hook_timeout(mut self, timeout: Duration) -> Self {
        self.hook_timeout = timeout;
        self
    }

    /// The same, with `seed`.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
}

/// Find `charm-sim-tool` beside the running program or one directory up
/// (a test binary lives in `target/<profile>/deps`).
pub fn locate_tool_program() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    [dir.to_path_buf(), dir.parent()?.to_path_buf()]
        .into_iter()
        .map(|d| d.join("charm-sim-tool"))
        .find(|p| p.is_file())
}

/// One hook run: who ran what, how it ended, what it printed.
#[derive(Debug, Clone)]
pub struct HookRecord {
    /// Its place in the run (0 for the first hook).
    pub seq: u64,
    /// The unit.
    pub unit: String,
    /// The hook's full name (`cluster-relation-joined`), or the action's.
    pub name: String,
    /// The hook, with its relation and remote unit.
    pub hook: Hook,
    /// The process's exit code (`None` if killed by a signal).
    pub code: Option<i32>,
    /// What the process printed on stdout.
    pub stdout: String,
    /// What it printed on stderr.
    pub stderr: String,
    /// How long it ran.
    pub elapsed: Duration,
    /// What it logged with `juju-log`, as (level, message), in order.
    pub logs: Vec<(String, String)>,
    /// The hook tools it called, by tool, and how many times (each call
    /// is a process of `charm-sim-tool` and a round trip to the
    /// simulator).
    pub tool_calls: BTreeMap<String, u32>,
}

impl HookRecord {
    /// Whether the hook succeeded (exit 0).
    pub fn ok(&self) -> bool {
        self.code == Some(0)
    }
}

/// What [`Simulation::settle`] did.
#[derive(Debug, Clone)]
pub struct SettleReport {
    /// Hooks run.
    pub hooks: usize,
    /// Hooks that failed, as (unit, hook name).
    pub failed: Vec<(String, String)>,
    /// Units left in error (their queued hooks wait for
    /// [`Simulation::resolve`]).
    pub in_error: Vec<String>,
    /// Wall time.
    pub elapsed: Duration,
}

impl SettleReport {
    /// Hooks per second.
    pub fn hooks_per_second(&self) -> f64 {
        self.hooks as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// The result of an action.
#[derive(Debug, Clone)]
pub struct ActionResult {
    /// The run of the action's process.
    pub record: HookRecord,
    /// Its parameters, results, failure and logs.
    pub outcome: ActionOutcome,
}

impl ActionResult {
    /// Whether it completed: exit 0 and no `action-fail`.
    pub fn completed(&self) -> bool {
        self.record.ok() && self.outcome.failure.is_none()
    }
}

/// SplitMix64: a small, good, seedable generator (the interleaving only).
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A local Juju model running real charm binaries.
///
/// ```no_run
/// use charm_sim::{SimConfig, Simulation};
/// let mut sim = Simulation::new(SimConfig::new("target/debug/charm-sim-tool")).unwrap();
/// sim.deploy("webapp", "examples/webapp", "target/debug/webapp", 2).unwrap();
/// let report = sim.settle(1000).unwrap();
/// assert!(report.in_error.is_empty());
/// let status = sim.model();
/// println!("{}", status.units["webapp/0"].workload);
/// ```
pub struct Simulation {
    world: Arc<Mutex<World>>,
    server: Option<Server>,
    config: SimConfig,
    dir: PathBuf,
    tools_dir: PathBuf,
    socket: PathBuf,
    rng: Rng,
    seq: u64,
    history: Vec<HookRecord>,
}

impl std::fmt::Debug for Simulation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulation")
            .field("dir", &self.dir)
            .field("seq", &self.seq)
            .finish_non_exhaustive()
    }
}

impl Drop for Simulation {
    fn drop(&mut self) {
        self.server.take();
        if !self.config.keep_dir {
            let _ = std::fs::remove_dir_all(&self.dir);
            crate::interrupt::model_closed(&self.dir);
        }
    }
}

impl Simulation {
    /// A new, empty model: a temporary directory holding the tools
    /// directory (symlinks to `config.tool_program`), the socket and,
    /// later, the units' charm directories.
    pub fn new(config: SimConfig) -> Result<Self, SimError> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let program = std::fs::canonicalize(&config.tool_program).map_err(SimError::io(
            format!("the tool program {}", config.tool_program.display()),
        ))?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!(
            "charm-sim-{}-{nanos:x}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let tools_dir = dir.join("tools");
        std::fs::create_dir_all(&tools_dir)
            .map_err(SimError::io(format!("creating {}", tools_dir.display())))?;
        for tool in TOOLS {
            std::os::unix::fs::symlink(&program, tools_dir.join(tool))
                .map_err(SimError::io(format!("linking the tool {tool}")))?;
        }
        let socket = dir.join("tools.sock");
        let world = Arc::new(Mutex::new(World {
            model: Model {
                name: config.model_name.clone(),
                ..Model::default()
            },
            ..World::default()
        }));
        let server = Server::start(&socket, world.clone())
            .map_err(SimError::io(format!("listening on {}", socket.display())))?;
        if !config.keep_dir {
            crate::interrupt::model_opened(&dir);
        }
        Ok(Self {
            world,
            server: Some(server),
            rng: Rng(config.seed),
            config,
            dir,
            tools_dir,
            socket,
            seq: 0,
            history: Vec::new(),
        })
    }

    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        lock(&self.world)
    }

    /// The simulation's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Deploy `units` units of the charm in `charm_dir` (its
    /// `metadata.yaml`, `config.yaml`), run with `binary`, as application
    /// `name`. Its peer relations are created; the first unit leads. Returns
    /// the new units.
    pub fn deploy(
        &mut self,
        name: &str,
        charm_dir: impl AsRef<Path>,
        binary: impl AsRef<Path>,
        units: u32,
    ) -> Result<Vec<String>, SimError> {
        let charm = load_charm(charm_dir.as_ref(), binary.as_ref())?;
        self.deploy_charm(name, charm, units)
    }

    /// Deploy `units` units of the stub application `name`: no charm, its
    /// units' hooks answered by the simulator by `stub`'s rules (see
    /// [`crate::stub`]). Its peer endpoints get their relations; the first
    /// unit leads. Returns the new units.
    pub fn deploy_stub(
        &mut self,
        name: &str,
        stub: Stub,
        units: u32,
    ) -> Result<Vec<String>, SimError> {
        let bad = |reason: String| SimError::Charm {
            dir: PathBuf::from(format!("<stub {name}>")),
            reason,
        };
        for rule in &stub.rules {
            if !stub.endpoints.contains_key(&rule.endpoint) {
                return Err(bad(format!(
                    "a rule names the endpoint {:?}, which the stub does not have",
                    rule.endpoint
                )));
            }
        }
        let endpoints = stub
            .endpoints
            .iter()
            .map(|(n, e)| {
                if e.interface.is_empty() {
                    return Err(bad(format!("endpoint {n:?} has no interface")));
                }
                Ok((
                    n.clone(),
                    Endpoint {
                        name: n.clone(),
                        interface: e.interface.clone(),
                        role: e.role,
                        container: false,
                    },
                ))
            })
            .collect::<Result<_, _>>()?;
        let charm = Charm {
            dir: PathBuf::new(),
            binary: PathBuf::new(),
            name: name.to_owned(),
            subordinate: false,
            endpoints,
            extra_bindings: Vec::new(),
            options: BTreeMap::new(),
        };
        {
            let mut w = self.world();
            if w.model.apps.contains_key(name) {
                return Err(SimError::AppExists(name.to_owned()));
            }
            w.stubs.insert(name.to_owned(), stub);
        }
        self.deploy_charm(name, charm, units)
    }

    /// Whether `app` is a stub application.
    pub fn is_stub(&self, app: &str) -> bool {
        self.world().stubs.contains_key(app)
    }

    /// Publish `data` in the unit databag of stub unit `unit` (or of every
    /// unit of the stub application `unit` names) on each relation of its
    /// `endpoint`, as if a hook of it had run `relation-set` (an empty
    /// value deletes a key): the units that see it run
    /// `relation-changed`.
    pub fn stub_publish(
        &mut self,
        unit: &str,
        endpoint: &str,
        data: Settings,
    ) -> Result<(), SimError> {
        let mut w = self.world();
        let app = app_of(unit).to_owned();
        if !w.stubs.contains_key(&app) {
            return Err(SimError::NoApp(format!("{app} (not a stub application)")));
        }
        let units = if unit.contains('/') {
            if !w.model.units.contains_key(unit) {
                return Err(SimError::NoUnit(unit.to_owned()));
            }
            vec![unit.to_owned()]
        } else {
            w.model.units_of(&app)
        };
        let relations: Vec<u32> = w
            .model
            .relations
            .values()
            .filter(|r| !r.dying && r.end_of(&app).is_some_and(|e| e.endpoint == endpoint))
            .map(|r| r.id)
            .collect();
        for unit in units {
            let pending_data = relations
                .iter()
                .map(|&r| ((r, Bag::Unit(unit.clone())), data.clone()))
                .collect();
            w.commit(ActiveHook {
                token: String::new(),
                unit,
                hook: Hook::UpdateStatus,
                name: "stub-publish".into(),
                pending_data,
                pending_ports: Vec::new(),
                action: None,
            });
        }
        Ok(())
    }

    /// Add the application `name` running `charm` with `units` units.
    fn deploy_charm(
        &mut self,
        name: &str,
        charm: Charm,
        units: u32,
    ) -> Result<Vec<String>, SimError> {
        {
            let mut w = self.world();
            if w.model.apps.contains_key(name) {
                return Err(SimError::AppExists(name.to_owned()));
            }
            let index = w.model.apps.len() as u32;
            let peers: Vec<RelationEnd> = charm
                .peers()
                .map(|e| RelationEnd {
                    app: name.to_owned(),
                    endpoint: e.name.clone(),
                    interface: e.interface.clone(),
                })
                .collect();
            w.model.apps.insert(
                name.to_owned(),
                Application {
                    name: name.to_owned(),
                    charm,
                    config_overrides: Map::new(),
                    leader: None,
                    leader_settings: BTreeMap::new(),
                    status: Status::unknown(),
                    next_unit: 0,
                    index,
                },
            );
            for end in peers {
                new_relation(&mut w.model, vec![end], false);
            }
        }
        (0..units).map(|_| self.add_unit(name)).collect()
    }

    /// Add a unit to `app`: its own copy of the charm directory, its
    /// address, and the hooks of a new unit queued. The subordinates
    /// related to `app` over a container-scoped relation each get a unit
    /// beside it. A subordinate application gets units only that way.
    pub fn add_unit(&mut self, app: &str) -> Result<String, SimError> {
        let subordinate = {
            let w = self.world();
            let a = w
                .model
                .apps
                .get(app)
                .ok_or_else(|| SimError::NoApp(app.to_owned()))?;
            a.charm.subordinate
        };
        if subordinate {
            return Err(SimError::Subordinate {
                app: app.to_owned(),
                reason: "its units are added beside the units of its principal, by relating \
                         it to the principal over a container-scoped endpoint"
                    .into(),
            });
        }
        let unit = self.add_unit_beside(app, None)?;
        let subordinates = self.world().model.subordinates_of(app);
        for sub in subordinates {
            self.add_unit_beside(&sub, Some(&unit))?;
        }
        Ok(unit)
    }

    /// Add a unit to `app`, beside `principal` (on its machine, at its
    /// address) for a subordinate unit.
    fn add_unit_beside(&mut self, app: &str, principal: Option<&str>) -> Result<String, SimError> {
        let mut w = self.world();
        let principal_address = principal
            .and_then(|p| w.model.units.get(p))
            .map(|p| p.address.clone());
        let a = w
            .model
            .apps
            .get_mut(app)
            .ok_or_else(|| SimError::NoApp(app.to_owned()))?;
        let number = a.next_unit;
        a.next_unit += 1;
        let (index, source) = (a.index, a.charm.dir.clone());
        let name = format!("{app}/{number}");
        let charm_dir = self
            .dir
            .join("units")
            .join(format!("{app}-{number}"))
            .join("charm");
        if w.stubs.contains_key(app) {
            std::fs::create_dir_all(&charm_dir)
                .map_err(SimError::io(format!("creating the directory of {name}")))?;
        } else {
            copy_charm_dir(&source, &charm_dir)
                .map_err(SimError::io(format!("copying the charm for {name}")))?;
        }
        w.model.units.insert(
            name.clone(),
            Unit {
                name: name.clone(),
                app: app.to_owned(),
                charm_dir,
                address: principal_address
                    .clone()
                    .unwrap_or_else(|| unit_address(index, number)),
                public_address: principal_address.unwrap_or_else(|| unit_address(index, number)),
                workload: Status::new("waiting", "agent initialising"),
                agent: AgentStatus::Allocating,
                ports: Default::default(),
                workload_version: String::new(),
                scopes: BTreeMap::new(),
                dying: false,
                principal: principal.map(str::to_owned),
            },
        );
        if let Some(a) = w.model.apps.get_mut(app)
            && a.leader.is_none()
        {
            a.leader = Some(name.clone());
        }
        w.queue_new_unit(&name);
        Ok(name)
    }

    /// Remove `unit`: it and every unit that sees it run relation-departed
    /// (`JUJU_DEPARTING_UNIT` naming it), it runs relation-broken, stop and
    /// remove, then goes. A leader's application elects another leader.
    pub fn remove_unit(&mut self, unit: &str) -> Result<(), SimError> {
        let mut w = self.world();
        if !w.model.units.contains_key(unit) {
            return Err(SimError::NoUnit(unit.to_owned()));
        }
        // Its subordinates go with it, as their machine does.
        let subordinates: Vec<String> = w
            .model
            .units
            .values()
            .filter(|u| u.principal.as_deref() == Some(unit) && !u.dying)
            .map(|u| u.name.clone())
            .collect();
        for sub in subordinates {
            w.remove_unit(&sub);
        }
        w.remove_unit(unit);
        Ok(())
    }

    /// Relate two endpoints, each `app:endpoint` or `app` (then the
    /// endpoint whose interface matches one of the other's, if only one
    /// does). Every unit of both applications runs relation-created, then
    /// relation-joined and relation-changed for each remote unit. Returns
    /// the relation's id number.
    pub fn relate(&mut self, a: &str, b: &str) -> Result<u32, SimError> {
        let mut w = self.world();
        let fail = |reason: String| SimError::Relate {
            a: a.to_owned(),
            b: b.to_owned(),
            reason,
        };
        let split = |s: &str| {
            let (app, ep) = s.split_once(':').unwrap_or((s, ""));
            (app.to_owned(), ep.to_owned())
        };
        let ((app_a, ep_a), (app_b, ep_b)) = (split(a), split(b));
        let charm = |app: &str| {
            w.model
                .apps
                .get(app)
                .map(|x| x.charm.clone())
                .ok_or_else(|| SimError::NoApp(app.to_owned()))
        };
        let (charm_a, charm_b) = (charm(&app_a)?, charm(&app_b)?);
        if app_a == app_b {
            return Err(fail(
                "an application relates to itself through its peers".into(),
            ));
        }
        let mut pairs = Vec::new();
        for ea in charm_a.endpoints.values() {
            for eb in charm_b.endpoints.values() {
                let roles = matches!(
                    (ea.role, eb.role),
                    (Role::Provides, Role::Requires) | (Role::Requires, Role::Provides)
                );
                let named =
                    (ep_a.is_empty() || ep_a == ea.name) && (ep_b.is_empty() || ep_b == eb.name);
                if roles && named && ea.interface == eb.interface {
                    pairs.push((ea.clone(), eb.clone()));
                }
            }
        }
        let (ea, eb) = match pairs.len() {
            1 => pairs.remove(0),
            0 => {
                return Err(fail(
                    "no provides/requires endpoints with the same interface".into(),
                ));
            }
            _ => {
                return Err(fail(
                    "more than one pair of endpoints fits; name them".into(),
                ));
            }
        };
        let exists = w.model.relations.values().any(|r| {
            !r.dying
                && r.end_of(&app_a).is_some_and(|e| e.endpoint == ea.name)
                && r.end_of(&app_b).is_some_and(|e| e.endpoint == eb.name)
        });
        if exists {
            return Err(fail("the relation exists".into()));
        }
        // A stub application cannot be a subordinate: one standing in for
        // a subordinate (hacluster in a scenario) relates globally, as the
        // simulator did before it modelled container scope.
        let stubbed = w.stubs.contains_key(&app_a) || w.stubs.contains_key(&app_b);
        let container = (ea.container || eb.container) && !stubbed;
        let (sub_a, sub_b) = (charm_a.subordinate, charm_b.subordinate);
        if container && sub_a == sub_b {
            return Err(fail(if sub_a {
                "a container-scoped relation relates a subordinate to a principal, not two \
                 subordinates"
                    .into()
            } else {
                "a container-scoped relation needs a subordinate at one end".into()
            }));
        }
        let new_subordinate = (container && (sub_a || sub_b)).then(|| {
            if sub_a {
                (app_a.clone(), app_b.clone())
            } else {
                (app_b.clone(), app_a.clone())
            }
        });
        let id = new_relation(
            &mut w.model,
            vec![
                RelationEnd {
                    app: app_a.clone(),
                    endpoint: ea.name,
                    interface: ea.interface,
                },
                RelationEnd {
                    app: app_b.clone(),
                    endpoint: eb.name,
                    interface: eb.interface,
                },
            ],
            container,
        );
        let units: Vec<String> = [app_a, app_b]
            .iter()
            .flat_map(|app| w.model.units_of(app))
            .collect();
        for unit in units {
            if w.model.units.get(&unit).is_some_and(|u| !u.dying) {
                w.enqueue(&unit, Hook::RelationCreated { relation: id });
            }
        }
        drop(w);
        // A subordinate gets a unit beside every unit of its principal that
        // has none yet (as Juju does when the relation is made).
        if let Some((sub, principal)) = new_subordinate {
            let (principals, served): (Vec<String>, Vec<String>) = {
                let w = self.world();
                let served = w
                    .model
                    .units
                    .values()
                    .filter(|u| u.app == sub)
                    .filter_map(|u| u.principal.clone())
                    .collect();
                (w.model.units_of(&principal), served)
            };
            for p in principals {
                if !served.contains(&p) {
                    self.add_unit_beside(&sub, Some(&p))?;
                }
            }
        }
        Ok(id)
    }

    /// Remove relation `id`: each unit in it runs relation-departed for
    /// every unit it sees, then relation-broken.
    pub fn remove_relation(&mut self, id: u32) -> Result<(), SimError> {
        let mut w = self.world();
        if !w.model.relations.contains_key(&id) {
            return Err(SimError::NoRelation(id));
        }
        w.remove_relation(id);
        Ok(())
    }

    /// Set config options of `app` (`null` resets one to its default), as
    /// `juju config` does; config-changed is queued on every unit.
    pub fn config_set(&mut self, app: &str, values: Map<String, Value>) -> Result<(), SimError> {
        let mut w = self.world();
        let a = w
            .model
            .apps
            .get_mut(app)
            .ok_or_else(|| SimError::NoApp(app.to_owned()))?;
        let mut checked = Vec::new();
        for (option, value) in values {
            let spec = a
                .charm
                .options
                .get(&option)
                .ok_or_else(|| SimError::Config {
                    app: app.to_owned(),
                    option: option.clone(),
                    reason: "no such option in config.yaml".into(),
                })?;
            let value = check_option(spec, &value).map_err(|reason| SimError::Config {
                app: app.to_owned(),
                option: option.clone(),
                reason,
            })?;
            checked.push((option, value));
        }
        for (option, value) in checked {
            if value.is_null() {
                a.config_overrides.remove(&option);
            } else {
                a.config_overrides.insert(option, value);
            }
        }
        for unit in w.model.units_of(app) {
            if w.model.units.get(&unit).is_some_and(|u| !u.dying) {
                w.enqueue(&unit, Hook::ConfigChanged);
            }
        }
        Ok(())
    }

    /// Make `unit` its application's leader (as when the leader's lease
    /// goes to another unit): leader-elected is queued on it.
    pub fn set_leader(&mut self, unit: &str) -> Result<(), SimError> {
        let mut w = self.world();
        if w.model.units.get(unit).is_none_or(|u| u.dying) {
            return Err(SimError::NoUnit(unit.to_owned()));
        }
        if w.model.is_leader(unit) {
            return Ok(());
        }
        let app = app_of(unit).to_owned();
        if let Some(a) = w.model.apps.get_mut(&app) {
            a.leader = Some(unit.to_owned());
        }
        w.give_leadership(unit);
        Ok(())
    }

    /// Give `unit` the public address `address` (a hostname or an IP
    /// address), which `unit-get public-address` prints from now on.
    pub fn set_public_address(&mut self, unit: &str, address: &str) -> Result<(), SimError> {
        let mut w = self.world();
        let u = w
            .model
            .units
            .get_mut(unit)
            .ok_or_else(|| SimError::NoUnit(unit.to_owned()))?;
        u.public_address = address.to_owned();
        Ok(())
    }

    /// Queue update-status on every unit.
    pub fn update_status(&mut self) {
        let mut w = self.world();
        let units: Vec<String> = w.model.units.keys().cloned().collect();
        for unit in units {
            if w.model.units.get(&unit).is_some_and(|u| !u.dying) {
                w.enqueue(&unit, Hook::UpdateStatus);
            }
        }
    }

    /// Make `tool` fail (exit 1, `ERROR <message>`) whenever `unit` calls
    /// it; `None` makes it work again.
    pub fn fail_tool(&mut self, unit: &str, tool: &str, message: Option<&str>) {
        let key = (unit.to_owned(), tool.to_owned());
        let mut w = self.world();
        match message {
            Some(m) => w.fail_tools.insert(key, m.to_owned()),
            None => w.fail_tools.remove(&key),
        };
    }

    /// `juju resolve <unit>`: the unit leaves error and its failed hook
    /// runs again.
    pub fn resolve(&mut self, unit: &str) -> Result<(), SimError> {
        let mut w = self.world();
        let u = w
            .model
            .units
            .get_mut(unit)
            .ok_or_else(|| SimError::NoUnit(unit.to_owned()))?;
        if !matches!(u.agent, AgentStatus::Error(_)) {
            return Err(SimError::NotInError(unit.to_owned()));
        }
        u.agent = AgentStatus::Idle;
        Ok(())
    }

    /// A copy of the model: applications, units, relations and their data.
    pub fn model(&self) -> Model {
        self.world().model.clone()
    }

    /// The hooks queued on `unit`, by name, next first.
    pub fn queued(&self, unit: &str) -> Vec<String> {
        let w = self.world();
        w.queues
            .get(unit)
            .map(|q| q.iter().map(|h| w.hook_name(unit, h)).collect())
            .unwrap_or_default()
    }

    /// Every hook run so far, in order.
    pub fn history(&self) -> &[HookRecord] {
        &self.history
    }

    /// What the charms logged with `juju-log`.
    pub fn logs(&self) -> Vec<LogEntry> {
        self.world().logs.clone()
    }

    /// Run hooks until none is queued (units in error wait for
    /// [`Simulation::resolve`]) or `limit` hooks have run, which is
    /// [`SimError::NotSettled`].
    pub fn settle(&mut self, limit: usize) -> Result<SettleReport, SimError> {
        let start = Instant::now();
        let mut hooks = 0;
        let mut failed = Vec::new();
        loop {
            if hooks >= limit {
                let w = self.world();
                let queued: Vec<String> = w
                    .runnable()
                    .iter()
                    .map(|u| {
                        let next = w.queues[u].front().map(|h| w.hook_name(u, h));
                        format!("{u} ({})", next.unwrap_or_default())
                    })
                    .collect();
                if queued.is_empty() {
                    break;
                }
                return Err(SimError::NotSettled {
                    limit,
                    queued: queued.join(", "),
                });
            }
            match self.step()? {
                Some(record) => {
                    hooks += 1;
                    if !record.ok() {
                        failed.push((record.unit.clone(), record.name.clone()));
                    }
                }
                None => break,
            }
        }
        let w = self.world();
        let in_error = w
            .model
            .units
            .values()
            .filter(|u| matches!(u.agent, AgentStatus::Error(_)))
            .map(|u| u.name.clone())
            .collect();
        Ok(SettleReport {
            hooks,
            failed,
            in_error,
            elapsed: start.elapsed(),
        })
    }

    /// Run the next hook: a unit with a queued hook, picked by the seeded
    /// generator. `None` when there is nothing to run.
    pub fn step(&mut self) -> Result<Option<HookRecord>, SimError> {
        loop {
            let (unit, hook) = {
                let mut w = lock(&self.world);
                let runnable = w.runnable();
                if runnable.is_empty() {
                    return Ok(None);
                }
                // A hook opened in-process is running: the next one waits
                // (and stays queued).
                if let Some(open) = &w.active {
                    let unit = runnable[0].clone();
                    let next = w.queues[&unit].front().map(|h| w.hook_name(&unit, h));
                    return Err(SimError::Busy {
                        unit,
                        hook: next.unwrap_or_default(),
                        running: format!("{} on {}", open.name, open.unit),
                    });
                }
                let unit = runnable[self.rng.below(runnable.len())].clone();
                let Some(hook) = w.queues.get_mut(&unit).and_then(|q| q.pop_front()) else {
                    continue;
                };
                if !w.prepare(&unit, &hook) {
                    continue; // no longer applies: skipped, as Juju would
                }
                (unit, hook)
            };
            let record = self.run(&unit, hook, None)?;
            return Ok(Some(record));
        }
    }

    /// Run action `name` on `unit` now, with `params` (`action-get`).
    /// The unit must not be in error.
    pub fn run_action(
        &mut self,
        unit: &str,
        name: &str,
        params: Map<String, Value>,
    ) -> Result<ActionResult, SimError> {
        {
            let w = self.world();
            let u = w
                .model
                .units
                .get(unit)
                .ok_or_else(|| SimError::NoUnit(unit.to_owned()))?;
            if w.stubs.contains_key(&u.app) {
                return Err(SimError::Action {
                    unit: unit.to_owned(),
                    action: name.to_owned(),
                    reason: "a stub application has no actions".into(),
                });
            }
            if let AgentStatus::Error(hook) = &u.agent {
                return Err(SimError::Action {
                    unit: unit.to_owned(),
                    action: name.to_owned(),
                    reason: format!("the unit is in error (hook {hook:?} failed)"),
                });
            }
            // Juju refuses an action the charm does not declare, as the
            // harness does.
            let refused = |reason: String| SimError::Action {
                unit: unit.to_owned(),
                action: name.to_owned(),
                reason,
            };
            let actions = ActionsSchema::load(&w.model.apps[&u.app].charm.dir)
                .map_err(|e| refused(e.to_string()))?;
            check_action(&actions, name).map_err(|e| refused(e.to_string()))?;
        }
        let outcome = ActionOutcome {
            params,
            ..ActionOutcome::default()
        };
        let hook = Hook::Action {
            name: name.to_owned(),
        };
        let mut out = None;
        let record = self.run(unit, hook, Some((outcome, &mut out)))?;
        Ok(ActionResult {
            record,
            outcome: out.unwrap_or_default(),
        })
    }

    /// Run one hook (or action) on `unit` as a process and apply or
    /// discard its held writes.
    fn run(
        &mut self,
        unit: &str,
        hook: Hook,
        action: Option<(ActionOutcome, &mut Option<ActionOutcome>)>,
    ) -> Result<HookRecord, SimError> {
        if let Some(open) = &self.world().active {
            return Err(SimError::Busy {
                unit: unit.to_owned(),
                hook: hook.to_string(),
                running: format!("{} on {}", open.name, open.unit),
            });
        }
        let seq = self.seq;
        self.seq += 1;
        if let Some(record) = self.answer_stub(unit, &hook, seq) {
            self.history.push(record.clone());
            return Ok(record);
        }
        let (is_action, action_out, action_in) = match action {
            Some((outcome, out)) => (true, Some(out), Some(outcome)),
            None => (false, None, None),
        };
        let logs_from;
        let (mut command, name) = {
            let mut w = self.world();
            let name = w.hook_name(unit, &hook);
            let token = format!("{unit}-{name}-{seq}");
            let id = HookIdentity {
                unit,
                hook: &hook,
                name: &name,
                token: &token,
                seq,
            };
            let env = hook_env(&w.model, &self.socket, &self.config.juju_version, &id)
                .ok_or_else(|| SimError::NoUnit(unit.to_owned()))?;
            let u = &w.model.units[unit];
            let app = &w.model.apps[&u.app];
            let mut command = Command::new(&app.charm.binary);
            command.current_dir(&u.charm_dir).env_clear();
            for var in [
                "HOME",
                "TMPDIR",
                "LANG",
                "CHARM_LOG_LEVEL",
                "RUST_BACKTRACE",
            ] {
                if let Some(v) = std::env::var_os(var) {
                    command.env(var, v);
                }
            }
            if let Some(level) = &self.config.log_level {
                command.env("CHARM_LOG_LEVEL", level);
            }
            let mut path = self.tools_dir.clone().into_os_string();
            if let Some(old) = std::env::var_os("PATH") {
                path.push(":");
                path.push(old);
            }
            command.env("PATH", path).envs(env);
            let agent = AgentStatus::Executing(name.clone());
            if let Some(u) = w.model.units.get_mut(unit) {
                u.agent = agent;
            }
            logs_from = w.logs.len();
            w.hook_tool_counts.clear();
            w.active = Some(ActiveHook {
                token,
                unit: unit.to_owned(),
                hook: hook.clone(),
                name: name.clone(),
                pending_data: BTreeMap::new(),
                pending_ports: Vec::new(),
                action: action_in,
            });
            (command, name)
        };
        let start = Instant::now();
        let output = crate::process::run(&mut command, self.config.hook_timeout);
        let elapsed = start.elapsed();
        let mut w = self.world();
        let active = w.active.take();
        let tool_calls = std::mem::take(&mut w.hook_tool_counts);
        let output = match output {
            Ok(output) => output,
            Err(e) => {
                if !is_action {
                    w.queues
                        .entry(unit.to_owned())
                        .or_default()
                        .push_front(hook);
                }
                if let Some(u) = w.model.units.get_mut(unit) {
                    u.agent = AgentStatus::Idle;
                }
                return Err(SimError::Spawn {
                    unit: unit.to_owned(),
                    hook: name,
                    reason: e.to_string(),
                });
            }
        };
        let logs = w
            .logs
            .get(logs_from..)
            .unwrap_or_default()
            .iter()
            .filter(|l| l.unit == unit && l.hook == name)
            .map(|l| (l.level.clone(), l.message.clone()))
            .collect();
        let record = HookRecord {
            seq,
            unit: unit.to_owned(),
            name: name.clone(),
            hook: hook.clone(),
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            elapsed,
            logs,
            tool_calls,
        };
        let record = if output.timed_out {
            timed_out(record, self.config.hook_timeout)
        } else {
            record
        };
        if let (Some(out), Some(active)) = (action_out, active.as_ref()) {
            *out = active.action.clone();
        }
        // A hook killed at the timeout fails like any other, its unit's
        // error saying so.
        let failed = if output.timed_out {
            format!(
                "{name}: timed out after {}",
                seconds(self.config.hook_timeout)
            )
        } else {
            name.clone()
        };
        w.conclude(unit, hook, &failed, active, record.ok());
        drop(w);
        self.history.push(record.clone());
        Ok(record)
    }
}

impl Simulation {
    /// Answer `hook` on `unit` if it is a stub's: its publications are
    /// committed as a successful hook's writes. `None` for a charm's unit.
    fn answer_stub(&mut self, unit: &str, hook: &Hook, seq: u64) -> Option<HookRecord> {
        let start = Instant::now();
        let mut w = self.world();
        let stub = w.stubs.get(app_of(unit))?.clone();
        let name = w.hook_name(unit, hook);
        let mut pending_data = BTreeMap::new();
        if let (Some(relation), Some(data)) = (
            hook.relation(),
            crate::stub::answer(&w.model, &stub, unit, hook),
        ) {
            pending_data.insert((relation, Bag::Unit(unit.to_owned())), data);
        }
        if let Some(u) = w.model.units.get_mut(unit) {
            if *hook == Hook::Install {
                u.workload = Status::new("active", stub.message.clone());
            }
            u.agent = AgentStatus::Idle;
        }
        w.commit(ActiveHook {
            token: String::new(),
            unit: unit.to_owned(),
            hook: hook.clone(),
            name: name.clone(),
            pending_data,
            pending_ports: Vec::new(),
            action: None,
        });
        Some(HookRecord {
            seq,
            unit: unit.to_owned(),
            name,
            hook: hook.clone(),
            code: Some(0),
            stdout: String::new(),
            stderr: String::new(),
            elapsed: start.elapsed(),
            logs: Vec::new(),
            tool_calls: BTreeMap::new(),
        })
    }
}

/// `record` of a hook killed at the time limit: its stderr says so.
fn timed_out(mut record: HookRecord, limit: Duration) -> HookRecord {
    if !record.stderr.is_empty() && !record.stderr.ends_with('\n') {
        record.stderr.push('\n');
    }
    record.stderr.push_str(&format!(
        "charm-sim: hook {} timed out after {}; its process group was killed\n",
        record.name,
        seconds(limit)
    ));
    record
}

/// A duration as Juju-like text: `300s`, `0.5s`.
fn seconds(d: Duration) -> String {
    format!("{}s", d.as_secs_f64())
}

/// Lock the world, a panicked holder notwithstanding (the state is plain
/// data, never left half-changed by a panic in the tools).
fn lock(world: &Mutex<World>) -> MutexGuard<'_, World> {
    match world.lock() {
        Ok(w) => w,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// Create a relation with `ends` in the model; its id number.
pub(crate) fn new_relation(model: &mut Model, ends: Vec<RelationEnd>, container: bool) -> u32 {
    let id = model.next_relation;
    model.next_relation += 1;
    model.relations.insert(
        id,
        Relation {
            id,
            ends,
            unit_data: BTreeMap::new(),
            app_data: BTreeMap::new(),
            container,
            dying: false,
        },
    );
    id
}

/// The charm in `charm_dir` run by `binary`, both paths made absolute (a
/// hook runs in the unit's own directory).
pub(crate) fn load_charm(charm_dir: &Path, binary: &Path) -> Result<Charm, SimError> {
    let charm_dir = std::fs::canonicalize(charm_dir).map_err(SimError::io(format!(
        "the charm directory {}",
        charm_dir.display()
    )))?;
    let binary = std::fs::canonicalize(binary).map_err(SimError::io(format!(
        "the charm binary {}",
        binary.display()
    )))?;
    Charm::load(charm_dir, binary)
}
