//! Steps about stable network identity: DNS A and SRV records as cluster DNS serves them
//! (`<namespace>` in a name stands for the scenario's namespace).

use super::{StepResult, StsWorld};
use crate::model::dns::{QueryType, Record};
use cucumber::{gherkin::Step, then};

impl StsWorld {
    fn expand(&mut self, name: &str) -> String {
        name.replace("<namespace>", self.target().namespace())
    }

    async fn lookup(
        &mut self,
        name: &str,
        qtype: QueryType,
    ) -> Result<Vec<Record>, super::Failure> {
        let name = self.expand(name);
        let r = self.target().resolve(&name, qtype).await;
        self.fail_on(r).await
    }
}

/// The DNS A query for the name answers exactly the pod's IP (`<namespace>` is expanded).
#[then(expr = "{string} resolves to the IP of pod {string}")]
async fn resolves_to_pod(w: &mut StsWorld, name: String, pod: String) -> StepResult {
    let records = w.lookup(&name, QueryType::A).await?;
    let view = w.view().await?;
    let ip = view
        .pod(&pod)
        .and_then(|p| p.status.as_ref())
        .and_then(|s| s.pod_ip.clone());
    match (records.as_slice(), ip) {
        ([Record::A { ip: got, .. }], Some(ip)) if *got == ip => Ok(()),
        _ => Err(w
            .failure(format!(
                "expected {name} to resolve to the IP of {pod}, got {records:?}"
            ))
            .await),
    }
}

/// The DNS A query for the name answers nothing (NXDOMAIN).
#[then(expr = "{string} does not resolve")]
async fn nxdomain(w: &mut StsWorld, name: String) -> StepResult {
    let records = w.lookup(&name, QueryType::A).await?;
    if records.is_empty() {
        Ok(())
    } else {
        Err(w
            .failure(format!("expected NXDOMAIN for {name}, got {records:?}"))
            .await)
    }
}

/// The DNS A query for the name answers that many addresses.
#[then(expr = "{string} resolves to {int} address(es)")]
async fn a_count(w: &mut StsWorld, name: String, n: usize) -> StepResult {
    let records = w.lookup(&name, QueryType::A).await?;
    if records.len() == n {
        Ok(())
    } else {
        Err(w
            .failure(format!(
                "expected {n} A records for {name}, got {records:?}"
            ))
            .await)
    }
}

/// The SRV query answers exactly the docstring's `target:port` lines, in order (`<namespace>` is expanded).
#[then(expr = "the SRV records of {string} are:")]
async fn srv(w: &mut StsWorld, step: &Step, name: String) -> StepResult {
    let records = w.lookup(&name, QueryType::Srv).await?;
    let want: Vec<String> = step
        .docstring
        .as_deref()
        .unwrap_or("")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| w_expand(w, l))
        .collect();
    let got: Vec<String> = records
        .iter()
        .filter_map(|r| match r {
            Record::Srv { target, port, .. } => Some(format!("{target}:{port}")),
            Record::A { .. } => None,
        })
        .collect();
    if got == want {
        Ok(())
    } else {
        Err(w
            .failure(format!("expected SRV records {want:?}, got {got:?}"))
            .await)
    }
}

fn w_expand(w: &mut StsWorld, line: &str) -> String {
    w.expand(line)
}
