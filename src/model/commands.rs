//! Compiled scripted commands: the time, the deployment's function id and the action with its
//! replica count, all checked before the run starts.

use super::ModelError;
use crate::config::{CommandAction, Scenario};
use crate::engine::SimTime;
use std::collections::HashMap;

/// What a scripted command does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommandKind {
    /// (Re-)deploy the deployment.
    Deploy,
    /// Remove the deployment.
    Remove,
    /// Scale to zero, ignoring `scale_min`.
    Suspend,
    /// Scale to this many replicas (clamped to the deployment's bounds).
    ScaleTo(u32),
    /// Create up to this many replicas.
    ScaleUp(u32),
    /// Remove up to this many Running replicas.
    ScaleDown(u32),
}

/// One scripted command, compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommandModel {
    /// When it runs.
    pub at: SimTime,
    /// The function of the deployment it acts on.
    pub function: u32,
    /// What it does.
    pub kind: CommandKind,
}

/// Compiles the commands; `deployment_ids` maps the names of functions with a deployment to
/// their ids.
pub fn compile_commands(
    sc: &Scenario,
    deployment_ids: &HashMap<&str, u32>,
) -> Result<Vec<CommandModel>, ModelError> {
    sc.commands
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let function = *deployment_ids.get(c.function.as_str()).ok_or_else(|| {
                ModelError::at(
                    format!("commands[{i}].function"),
                    format!("no deployment named `{}`", c.function),
                )
            })?;
            let n = || {
                c.replicas.ok_or_else(|| {
                    ModelError::at(
                        format!("commands[{i}].replicas"),
                        "`scale` needs a replica count",
                    )
                })
            };
            let kind = match c.action {
                CommandAction::Deploy => CommandKind::Deploy,
                CommandAction::Remove => CommandKind::Remove,
                CommandAction::Suspend => CommandKind::Suspend,
                CommandAction::Scale => CommandKind::ScaleTo(n()?),
                CommandAction::ScaleUp => CommandKind::ScaleUp(n()?),
                CommandAction::ScaleDown => CommandKind::ScaleDown(n()?),
            };
            Ok(CommandModel {
                at: SimTime::from_secs_f64(c.at_s),
                function,
                kind,
            })
        })
        .collect()
}
