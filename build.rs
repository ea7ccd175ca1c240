//! Records where the binary comes from, for the provenance columns of `runs` and the manifest
//! (docs/outputs.md, "Provenance"): the git commit and whether tracked files differed from it,
//! and the rustc version. Outside a git checkout the commit is unknown (an empty value).

use std::process::Command;

fn output(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let rustc_version = output(&rustc, &["--version"]).unwrap_or_default();
    println!("cargo:rustc-env=FAASIM_RUSTC_VERSION={rustc_version}");

    let commit = output("git", &["rev-parse", "HEAD"]).unwrap_or_default();
    let dirty = if commit.is_empty() {
        String::new()
    } else {
        match output("git", &["status", "--porcelain", "--untracked-files=no"]) {
            Some(s) => (!s.is_empty()).to_string(),
            None => String::new(),
        }
    };
    println!("cargo:rustc-env=FAASIM_GIT_COMMIT={commit}");
    println!("cargo:rustc-env=FAASIM_GIT_DIRTY={dirty}");

    // Re-run when the checked-out commit or the tracked sources change (the crate is rebuilt
    // then anyway); edits elsewhere do not cost a rebuild.
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=Cargo.toml");
    println!("cargo:rerun-if-changed=build.rs");
    if let Some(git_dir) = output("git", &["rev-parse", "--absolute-git-dir"]) {
        println!("cargo:rerun-if-changed={git_dir}/HEAD");
        println!("cargo:rerun-if-changed={git_dir}/index");
        if let Some(common) = output("git", &["rev-parse", "--git-common-dir"]) {
            let common = std::path::Path::new(&common);
            let common = if common.is_absolute() {
                common.to_path_buf()
            } else {
                std::env::current_dir().unwrap_or_default().join(common)
            };
            println!(
                "cargo:rerun-if-changed={}",
                common.join("refs/heads").display()
            );
            println!(
                "cargo:rerun-if-changed={}",
                common.join("packed-refs").display()
            );
        }
    }
}
