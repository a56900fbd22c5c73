//! The `stsconform` command line: parses arguments and calls the library.

use clap::{Parser, Subcommand};
use regex::Regex;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;
use stsconform::commands::{self, exit, parse_duration, simulate::Until};
use stsconform::model::behaviour::Behaviour;
use stsconform::runner::choice::ClusterRun;
use stsconform::runner::{self, RunOptions, snapshot::Snapshots};
use stsconform::sim::ClusterConfig;
use stsconform::targets::kube::session::ClusterOptions;

// The reference cluster allocates and frees millions of small objects per large run;
// mimalloc takes a third less time over them than the system allocator and returns
// memory to the OS sooner (figures in BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc.h's `mi_option_e` (libmimalloc-sys does not name it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long mimalloc keeps freed pages before returning them to the OS. Its default
/// (1 s) keeps a 100,000-replica run at 1,007 MiB peak RSS, too close to the 1 GiB target;
/// returning them at once (0) makes a 10,000-replica run fault on nearly every page it
/// reuses (24,000 faults; up to a third of its wall time on this VM). 50 ms: 1,000 MiB
/// at 100,000 and 5,000 faults at 10,000 (figures in BENCHMARKS.md).
const PURGE_DELAY_MS: std::ffi::c_long = 50;

fn return_freed_pages_soon() {
    // SAFETY: sets an integer option; mimalloc reads options at any time.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
}

/// Conformance harness and spec checker for Kubernetes StatefulSet semantics.
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone, Copy)]
struct BehaviourArgs {
    /// Kubernetes minor release whose behaviour to model (1.NN).
    #[arg(long, default_value_t = 36, value_name = "MINOR")]
    kube_minor: u32,
    /// Turn the MaxUnavailableStatefulSet feature gate on.
    #[arg(long)]
    max_unavailable_gate: bool,
}

impl BehaviourArgs {
    fn config(self) -> ClusterConfig {
        ClusterConfig {
            behaviour: Behaviour {
                minor: self.kube_minor,
                max_unavailable_stateful_set: self.max_unavailable_gate,
            },
            ..ClusterConfig::default()
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Apply API-server defaulting and validation to manifests; print the defaulted
    /// objects, or the errors as the API server reports them (exit 1 when any is invalid).
    Validate {
        /// YAML or JSON manifest files (`-` for standard input).
        #[arg(required = true)]
        files: Vec<String>,
        #[command(flatten)]
        behaviour: BehaviourArgs,
    },
    /// Run manifests on the reference cluster and print the pod timeline
    /// (`kubectl get pods -w` with virtual time). Several files are applied in order, like
    /// successive `kubectl apply -f` calls, the cluster running in between as --for or
    /// --until-steady say; exits 1 when the API rejected any object (saying why).
    Simulate {
        /// YAML or JSON manifest files (`-` for standard input).
        #[arg(required = true)]
        files: Vec<String>,
        /// Run until nothing is pending after each file (the default), at most this long in
        /// virtual time.
        #[arg(long, value_name = "DURATION", value_parser = parse_duration, conflicts_with = "for_")]
        until_steady: Option<Duration>,
        /// Run for exactly this long in virtual time after each file (e.g. 30s, 2m).
        #[arg(long = "for", id = "for_", value_name = "DURATION", value_parser = parse_duration)]
        for_: Option<Duration>,
        #[command(flatten)]
        behaviour: BehaviourArgs,
    },
    /// Run the living spec: every selected scenario on a fresh reference cluster (with
    /// --kubeconfig: in its own namespace on that cluster), its pod timeline checked against
    /// its snapshot. Exits 1 on any failure and when the selection is empty; the last line
    /// is `N passed, N failed[, N skipped]`.
    Run {
        #[command(flatten)]
        selection: SelectionArgs,
        /// Scenarios run at once.
        #[arg(long, value_name = "N", default_value_t = 1)]
        concurrency: usize,
        /// List the selected scenarios instead of running them.
        #[arg(long)]
        list: bool,
        #[command(flatten)]
        cluster: ClusterArgs,
    },
    /// Print every step phrase with its meaning and an example.
    Steps,
    /// Write the living documentation as a static site: the guarantee catalogue with the
    /// scenarios covering each id, a page per feature and scenario with its pod timeline
    /// chart, the step glossary, and results per target from Cucumber JSON reports.
    Docs {
        /// Feature files or folders (default: the features compiled into the binary).
        paths: Vec<PathBuf>,
        /// The folder to write.
        #[arg(long, value_name = "DIR", default_value = "site")]
        out: PathBuf,
        /// A Cucumber JSON report (`run --json`) of one target, as FILE.json (the target is
        /// named after the file) or NAME=FILE.json; repeat for more targets.
        #[arg(long, value_name = "FILE.json")]
        results: Vec<stsconform::docs::ResultsSource>,
    },
    /// Measure the reference cluster at scale: 10,000 pods Parallel and OrderedReady
    /// (and 100,000 Parallel with --large) to all Running and Ready. Build with --release.
    Bench {
        /// Also run the 100,000-replica Parallel benchmark (peak RSS is reported).
        #[arg(long)]
        large: bool,
        /// Run only this benchmark: parallel-10k, ordered-ready-10k or parallel-100k.
        #[arg(long, value_name = "NAME")]
        only: Option<String>,
        /// With --only: use this many replicas instead of the benchmark's own.
        #[arg(long, value_name = "N", requires = "only")]
        replicas: Option<i32>,
    },
    /// Serve the reference cluster behind the real Kubernetes HTTP API (for kubectl,
    /// kube-rs and external controllers) until Ctrl-C or SIGTERM.
    Serve(stsconform::api::ServeArgs),
    /// Run the reference StatefulSet controller as an ordinary external controller: it
    /// watches StatefulSets, Pods, PersistentVolumeClaims and ControllerRevisions through
    /// the API and writes pods, claims, revisions, status and events through it, until
    /// Ctrl-C or SIGTERM (exit 0). Pair with `serve --controller none` to gate the
    /// reference controller through the API. Exit 2 when the server cannot be reached.
    Controller(ControllerArgs),
    /// The CI gate for a StatefulSet controller: starts `serve --controller none` on a free
    /// loopback port, starts CMD with KUBECONFIG pointing at it (its output prefixed
    /// `[controller] `), runs the selected scenarios through the cluster target, stops the
    /// controller and the server, and exits as `run` does (2 if the controller exits
    /// early). Example: `stsconform gate --time-scale 10 -- stsconform controller`.
    Gate(Box<GateArgs>),
}

/// Which scenarios `run` and `gate` run, what they check them against and what they write.
#[derive(Debug, clap::Args)]
struct SelectionArgs {
    /// Feature files or folders (default: the features compiled into the binary).
    paths: Vec<PathBuf>,
    /// Tag expression selecting scenarios, e.g. `@ORD-01 or @UPD-02`, `not @unverified`.
    #[arg(long, value_name = "EXPR")]
    tags: Option<String>,
    /// Regular expression on scenario names.
    #[arg(long, value_name = "REGEX")]
    name: Option<Regex>,
    /// Write a JUnit XML report (one testcase per scenario).
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write a Cucumber JSON report.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Folder of timeline snapshots (default: ./snapshots when it exists, else the
    /// snapshots compiled into the binary). The folder must exist.
    #[arg(long, value_name = "DIR", conflicts_with = "no_snapshots")]
    snapshots: Option<PathBuf>,
    /// Do not check timelines against snapshots.
    #[arg(long)]
    no_snapshots: bool,
    /// Write every scenario's pod timeline to DIR/<feature>__<scenario>.txt (created if
    /// missing), for review and CI artifacts, on any target.
    #[arg(long, value_name = "DIR")]
    timelines: Option<PathBuf>,
}

impl SelectionArgs {
    /// The run options for this selection, on the reference cluster.
    fn options(self, concurrency: usize, list: bool, strict: bool) -> RunOptions {
        RunOptions {
            paths: self.paths,
            tags: self.tags,
            name: self.name,
            junit: self.junit,
            json: self.json,
            concurrency: Some(concurrency),
            list,
            snapshots: snapshots_choice(self.no_snapshots, self.snapshots),
            strict,
            cluster: None,
            timelines: self.timelines,
        }
    }
}

/// Options of `gate`.
#[derive(Debug, clap::Args)]
struct GateArgs {
    #[command(flatten)]
    selection: SelectionArgs,
    /// Scenarios run at once.
    #[arg(long, value_name = "N", default_value_t = 8)]
    concurrency: usize,
    /// Count skipped scenarios (other release, gate off) as failed.
    #[arg(long)]
    strict: bool,
    /// Turn a feature gate on or off in the server (and tell the harness).
    #[arg(long, value_name = "NAME=BOOL", value_parser = stsconform::runner::choice::parse_gate)]
    gate: Vec<(String, bool)>,
    /// Kubernetes minor release the server models and reports (1.NN).
    #[arg(long, value_name = "MINOR", default_value_t = 36)]
    kube_minor: u32,
    /// Run the server's clock this many times faster than the wall clock; the controller
    /// is told through $STSCONFORM_TIME_SCALE.
    #[arg(long, value_name = "F", default_value_t = 1.0, value_parser = stsconform::api::parse_time_scale)]
    time_scale: f64,
    /// Multiply every wait's timeout (slow controllers).
    #[arg(long, value_name = "F", default_value_t = 1.0, value_parser = stsconform::api::parse_time_scale)]
    timeout_scale: f64,
    /// The controller under test and its arguments (after `--`).
    #[arg(last = true, required = true, value_name = "CMD")]
    command: Vec<String>,
}

/// Options of `controller`.
#[derive(Debug, clap::Args)]
struct ControllerArgs {
    /// The kubeconfig to use (default: $KUBECONFIG or ~/.kube/config).
    #[arg(long, value_name = "FILE")]
    kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use (default: its current context).
    #[arg(long, value_name = "NAME")]
    context: Option<String>,
    /// Watch and manage StatefulSets in this namespace only (default: all namespaces).
    #[arg(long, value_name = "NS")]
    namespace: Option<String>,
    /// The cluster's clock runs this many times faster than the wall clock (match
    /// `serve --time-scale`; default: $STSCONFORM_TIME_SCALE, else 1).
    #[arg(long, value_name = "F", value_parser = stsconform::api::parse_time_scale)]
    time_scale: Option<f64>,
    /// How long connecting may take.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    connect_timeout: Duration,
    /// Syncs of different StatefulSets that may run at once.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..))]
    workers: u16,
}

/// Options of `run` for a cluster target.
#[derive(Debug, clap::Args)]
#[command(next_help_heading = "Cluster target (instead of the reference cluster)")]
struct ClusterArgs {
    /// Run on the cluster of this kubeconfig, one labelled namespace per scenario.
    #[arg(long, value_name = "FILE")]
    kubeconfig: Option<PathBuf>,
    /// Run on the cluster of $KUBECONFIG (or ~/.kube/config).
    #[arg(long)]
    cluster: bool,
    /// The kubeconfig context to use (default: its current context).
    #[arg(long, value_name = "NAME")]
    context: Option<String>,
    /// Keep the namespaces of failed scenarios and print their names.
    #[arg(long)]
    keep_failed: bool,
    /// Count skipped scenarios (other release, missing gate or capability) as failed.
    #[arg(long)]
    strict: bool,
    /// A feature gate the cluster has on or off (default: the release's default).
    #[arg(long, value_name = "NAME=BOOL", value_parser = stsconform::runner::choice::parse_gate)]
    gate: Vec<(String, bool)>,
    /// The cluster's clock runs this many times faster than the wall clock
    /// (`serve --time-scale`): waits and timeouts scale with it.
    #[arg(long, value_name = "F", default_value_t = 1.0, value_parser = stsconform::api::parse_time_scale)]
    time_scale: f64,
    /// Multiply every wait's timeout (slow clusters).
    #[arg(long, value_name = "F", default_value_t = 1.0, value_parser = stsconform::api::parse_time_scale)]
    timeout_scale: f64,
    /// How long connecting may take.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    connect_timeout: Duration,
}

impl ClusterArgs {
    fn run(&self) -> Option<ClusterRun> {
        let wanted = self.kubeconfig.is_some() || self.cluster || self.context.is_some();
        wanted.then(|| ClusterRun {
            options: ClusterOptions {
                kubeconfig: self.kubeconfig.clone(),
                context: self.context.clone(),
                time_scale: self.time_scale,
                timeout_scale: self.timeout_scale,
                connect_timeout: self.connect_timeout,
            },
            keep_failed: self.keep_failed,
            gates: self.gate.iter().cloned().collect(),
        })
    }
}

/// Lets a closed standard output end the process the way it ends every other CLI: by
/// SIGPIPE, quietly. Rust ignores SIGPIPE, so `stsconform run | head` would otherwise
/// panic in the first print after `head` exits. Only for commands without network
/// connections: a vectored write (`writev`, which hyper uses) to a socket the peer closed
/// raises SIGPIPE too, and would kill `serve`, `controller`, `gate` or a run on a cluster
/// instead of returning an error.
fn end_quietly_on_closed_pipes() {
    // SAFETY: restores the default disposition of one signal before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Whether the command talks to an API server or serves one.
fn uses_network(command: &Command) -> bool {
    match command {
        Command::Serve(_) | Command::Gate(_) | Command::Controller(_) => true,
        Command::Run { cluster, .. } => cluster.run().is_some(),
        _ => false,
    }
}

fn main() -> ExitCode {
    return_freed_pages_soon();
    let cli = Cli::parse();
    if !uses_network(&cli.command) {
        end_quietly_on_closed_pipes();
    }
    let code = match cli.command {
        Command::Validate { files, behaviour } => {
            match commands::validate::validate(&files, behaviour.config()) {
                Ok(report) => {
                    for w in &report.warnings {
                        eprintln!("{w}");
                    }
                    print!("{}", report.output);
                    report.code
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    exit::ERROR
                }
            }
        }
        Command::Simulate {
            files,
            until_steady,
            for_,
            behaviour,
        } => {
            let until = match for_ {
                Some(d) => Until::For(d),
                None => Until::Steady {
                    limit: until_steady.unwrap_or(Duration::from_secs(3600)),
                },
            };
            match commands::simulate::simulate(&files, until, behaviour.config()) {
                Ok(sim) => {
                    for note in &sim.notes {
                        eprintln!("note: {note}");
                    }
                    print!("{}", sim.timeline);
                    if sim.rejected > 0 {
                        eprintln!(
                            "error: the API rejected {} object(s); see the notes above",
                            sim.rejected
                        );
                        exit::FAILED
                    } else {
                        exit::OK
                    }
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    exit::ERROR
                }
            }
        }
        Command::Bench {
            large,
            only,
            replicas,
        } => {
            let figures = match only.as_deref() {
                None => commands::bench::run(large),
                Some("parallel-10k") => {
                    commands::bench::scale_up("parallel-10k", replicas.unwrap_or(10_000), true)
                        .map(|f| vec![f])
                }
                Some("ordered-ready-10k") => commands::bench::scale_up(
                    "ordered-ready-10k",
                    replicas.unwrap_or(10_000),
                    false,
                )
                .map(|f| vec![f]),
                Some("parallel-100k") => {
                    commands::bench::scale_up("parallel-100k", replicas.unwrap_or(100_000), true)
                        .map(|f| vec![f])
                }
                Some(other) => {
                    eprintln!(
                        "error: unknown benchmark {other:?}: use parallel-10k, ordered-ready-10k or parallel-100k"
                    );
                    return ExitCode::from(2);
                }
            };
            match figures {
                Ok(figures) => {
                    print!("{}", commands::bench::render(&figures));
                    exit::OK
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    exit::FAILED
                }
            }
        }
        Command::Steps => {
            print!("{}", stsconform::steps::catalog::render());
            exit::OK
        }
        Command::Docs {
            paths,
            out,
            results,
        } => {
            let options = stsconform::docs::DocsOptions {
                paths,
                out,
                results,
            };
            match commands::docs::docs(&options) {
                Ok(printed) => {
                    for note in &printed.notes {
                        eprintln!("note: {note}");
                    }
                    for line in &printed.lines {
                        println!("{line}");
                    }
                    exit::OK
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    exit::ERROR
                }
            }
        }
        Command::Serve(args) => stsconform::api::run(&args),
        Command::Gate(args) => {
            let args = *args;
            let options = args.selection.options(args.concurrency, false, args.strict);
            commands::gate::run(commands::gate::GateOptions {
                run: options,
                cluster: ClusterRun {
                    options: ClusterOptions {
                        time_scale: args.time_scale,
                        timeout_scale: args.timeout_scale,
                        ..ClusterOptions::default()
                    },
                    keep_failed: false,
                    gates: args.gate.iter().cloned().collect(),
                },
                serve: stsconform::api::ServeArgs {
                    time_scale: args.time_scale,
                    kube_minor: args.kube_minor,
                    feature_gates: args.gate,
                    ..stsconform::api::ServeArgs::default()
                },
                command: args.command,
            })
        }
        Command::Controller(args) => {
            let env = commands::controller::TIME_SCALE_ENV;
            let time_scale = match args.time_scale {
                Some(f) => f,
                None => match std::env::var(env) {
                    Ok(v) => match stsconform::api::parse_time_scale(&v) {
                        Ok(f) => f,
                        Err(e) => {
                            eprintln!("error: ${env}: {e}");
                            return ExitCode::from(2);
                        }
                    },
                    Err(_) => 1.0,
                },
            };
            commands::controller::run(stsconform::controller::Options {
                kubeconfig: args.kubeconfig,
                context: args.context,
                namespace: args.namespace,
                time_scale,
                connect_timeout: args.connect_timeout,
                workers: usize::from(args.workers),
            })
        }
        Command::Run {
            selection,
            concurrency,
            list,
            cluster,
        } => {
            let options = RunOptions {
                cluster: cluster.run(),
                ..selection.options(concurrency, list, cluster.strict)
            };
            run(&options)
        }
    };
    ExitCode::from(u8::try_from(code).unwrap_or(2))
}

/// Where timelines are checked: --no-snapshots, --snapshots DIR, ./snapshots when it
/// exists, else the snapshots compiled in.
fn snapshots_choice(no_snapshots: bool, snapshots: Option<PathBuf>) -> Snapshots {
    match (no_snapshots, snapshots) {
        (true, _) => Snapshots::Off,
        (false, Some(dir)) => Snapshots::Directory(std::path::absolute(&dir).unwrap_or(dir)),
        (false, None) if Path::new("snapshots").is_dir() => {
            Snapshots::Directory(std::path::absolute("snapshots").unwrap_or("snapshots".into()))
        }
        (false, None) => Snapshots::Embedded,
    }
}

fn run(options: &RunOptions) -> i32 {
    if options.list {
        return match runner::list(options) {
            Ok((lines, outcome)) => {
                for line in lines {
                    println!("{line}");
                }
                println!("{} scenarios selected", outcome.selected);
                if outcome.selected == 0 {
                    exit::FAILED
                } else {
                    exit::OK
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                exit::ERROR
            }
        };
    }
    let runtime = match commands::runtime(false) {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::ERROR;
        }
    };
    match runtime.block_on(runner::run(options)) {
        Ok(outcome) => {
            if outcome.selected == 0 {
                eprintln!("error: no scenario matches the selection (check --tags and --name)");
            }
            println!("{}", outcome.summary());
            outcome.exit_code()
        }
        Err(e) => {
            // No closing line: nothing ran, and a count would read as a result.
            eprintln!("error: {e}");
            exit::ERROR
        }
    }
}
