//! The `stsconform` command line: parses arguments and calls the library.

use clap::{Parser, Subcommand};
use std::process::ExitCode;
use std::time::Duration;
use stsconform::commands::{self, exit, parse_duration, simulate::Until};
use stsconform::model::behaviour::Behaviour;
use stsconform::sim::ClusterConfig;

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
    /// (`kubectl get pods -w` with virtual time).
    Simulate {
        /// YAML or JSON manifest files (`-` for standard input).
        #[arg(required = true)]
        files: Vec<String>,
        /// Run until nothing is pending (the default), at most this long in virtual time.
        #[arg(long, value_name = "DURATION", value_parser = parse_duration, conflicts_with = "for_")]
        until_steady: Option<Duration>,
        /// Run for exactly this long in virtual time (e.g. 30s, 2m).
        #[arg(long = "for", id = "for_", value_name = "DURATION", value_parser = parse_duration)]
        for_: Option<Duration>,
        #[command(flatten)]
        behaviour: BehaviourArgs,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
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
                    exit::OK
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    exit::ERROR
                }
            }
        }
    };
    ExitCode::from(u8::try_from(code).unwrap_or(2))
}
