//! Steps about the API surface: requests that must fail (and how), warnings, defaulted
//! fields, events, generation and status-subresource separation.

use super::{DEFAULT_WAIT, StepResult, StsWorld};
use crate::model::object::Kind;
use crate::targets::TargetError;
use cucumber::{gherkin::Step, then};

/// The last "I try to …" request failed with an error containing the text.
#[then(expr = "the request fails with {string}")]
async fn fails_with(w: &mut StsWorld, expected: String) -> StepResult {
    match &w.last_error {
        Some(e) if e.to_string().contains(&expected) => Ok(()),
        Some(e) => Err(super::Failure(format!(
            "expected an error containing {expected:?}, got: {e}"
        ))),
        None => Err(super::Failure(format!(
            "expected the request to fail with {expected:?}, but it succeeded"
        ))),
    }
}

/// The last "I try to …" request failed with an error containing the docstring.
#[then(expr = "the request fails with:")]
async fn fails_with_doc(w: &mut StsWorld, step: &Step) -> StepResult {
    let expected = super::objects::docstring(step)?.trim().to_owned();
    fails_with(w, expected).await
}

/// The last "I try to …" request failed with that Status reason and HTTP code, e.g. `Invalid (422)`.
#[then(expr = "the request is rejected as {word} \\({int}\\)")]
async fn rejected_as(w: &mut StsWorld, reason: String, code: u16) -> StepResult {
    match &w.last_error {
        Some(TargetError::Api(e)) if e.reason() == reason && e.code() == code => Ok(()),
        Some(e) => Err(super::Failure(format!(
            "expected {reason} ({code}), got: {e}"
        ))),
        None => Err(super::Failure(format!(
            "expected {reason} ({code}), but the request succeeded"
        ))),
    }
}

/// The last "I try to …" request succeeded.
#[then(expr = "the request succeeds")]
async fn succeeds(w: &mut StsWorld) -> StepResult {
    match &w.last_error {
        None => Ok(()),
        Some(e) => Err(super::Failure(format!("expected success, got: {e}"))),
    }
}

/// The last write returned exactly this API warning.
#[then(expr = "the API returned the warning {string}")]
async fn warned(w: &mut StsWorld, warning: String) -> StepResult {
    if w.last_warnings.iter().any(|x| x == &warning) {
        Ok(())
    } else {
        Err(super::Failure(format!(
            "expected warning {warning:?}, got {:?}",
            w.last_warnings
        )))
    }
}

/// Now: the set exists and the dotted path of it has that value (strings compare as strings, anything else as JSON; a missing field fails).
#[then(expr = "the StatefulSet {string} has the field {string} set to {string}")]
async fn field_is(w: &mut StsWorld, set: String, path: String, value: String) -> StepResult {
    let json = w.json_of(Kind::StatefulSet, &set).await?;
    let checked =
        super::fields::check_field(json.as_ref(), &format!("StatefulSet {set}"), &path, &value);
    w.checked(checked).await
}

/// Now: the set exists and the dotted path (e.g. `spec.ordinals`) is absent from it.
#[then(expr = "the StatefulSet {string} has no field {string}")]
async fn field_absent(w: &mut StsWorld, set: String, path: String) -> StepResult {
    let json = w.json_of(Kind::StatefulSet, &set).await?;
    let checked = super::fields::check_absent(json.as_ref(), &format!("StatefulSet {set}"), &path);
    w.checked(checked).await
}

/// Waits for an event with that reason whose message contains the text, about the named object.
#[then(expr = "an event {word} {string} is recorded for {string}")]
async fn event(w: &mut StsWorld, reason: String, message: String, involved: String) -> StepResult {
    let what = format!("an event {reason} {message:?} on {involved}");
    w.eventually(
        &what,
        &|v| {
            v.events.iter().any(|e| {
                e.reason.as_deref() == Some(reason.as_str())
                    && e.message.as_deref().is_some_and(|m| m.contains(&message))
                    && e.involved_object.name.as_deref() == Some(involved.as_str())
            })
        },
        DEFAULT_WAIT,
    )
    .await
}

/// Now: no event with that reason exists about the named object.
#[then(expr = "no event {word} is recorded for {string}")]
async fn no_event(w: &mut StsWorld, reason: String, involved: String) -> StepResult {
    let what = format!("no {reason} event on {involved}");
    w.now(&what, &|v| {
        !v.events.iter().any(|e| {
            e.reason.as_deref() == Some(reason.as_str())
                && e.involved_object.name.as_deref() == Some(involved.as_str())
        })
    })
    .await
}
