//! `cargo xtask reproduce`: runs the named experiments of a profile and writes one report,
//! `reports/<profile>/README.md`, with a section per experiment (tables beside the papers'
//! numbers, figures, the time taken, versions, seeds and the command that reruns it).
//!
//! Each experiment trains through the `gen` command line (the code users run), into
//! `reports/<profile>/runs/`, and reuses a finished run unless `--fresh` is given. Each finished
//! section is kept in `reports/<profile>/<name>/section.json`, so a run with `--only` rewrites
//! its own sections and keeps the others in the report.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::experiment::{Profile, RunContext, Section};
use crate::experiments;

/// One finished section with its wall time.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Done {
    name: String,
    section: Section,
    seconds: f64,
}

/// Where a finished section is kept between runs.
fn section_path(report_dir: &Path, name: &str) -> PathBuf {
    report_dir.join(name).join("section.json")
}

fn save_section(report_dir: &Path, done: &Done) -> Result<()> {
    let path = section_path(report_dir, &done.name);
    std::fs::create_dir_all(path.parent().expect("a section file has a folder"))?;
    gen_core::run::atomic::write_atomic(&path, serde_json::to_string_pretty(done)?.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// The kept section of experiment `name`, if one was written before.
fn load_section(report_dir: &Path, name: &str) -> Result<Option<Done>> {
    let path = section_path(report_dir, name);
    if !path.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path)?;
    let done = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a kept report section", path.display()))?;
    Ok(Some(done))
}

fn rustc_version() -> String {
    std::process::Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Renders the report.
fn render(profile: Profile, done: &[Done]) -> String {
    let total_seconds: f64 = done.iter().map(|d| d.seconds).sum();
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# gen reproduction report: `{}` profile\n",
        profile.as_str()
    );
    let _ = writeln!(
        md,
        "Written by `cargo xtask reproduce --profile {}`. gen {}, burn 0.22.1, {}; backend: flex (CPU).\n",
        profile.as_str(),
        env!("CARGO_PKG_VERSION"),
        rustc_version()
    );
    let _ = writeln!(md, "| experiment | time (s) | seeds |");
    let _ = writeln!(md, "|---|---:|---|");
    for d in done {
        let seeds: Vec<String> = d.section.seeds.iter().map(|s| s.to_string()).collect();
        let _ = writeln!(
            md,
            "| [{}](#{}) | {:.1} | {} |",
            d.name,
            d.name,
            d.seconds,
            seeds.join(", ")
        );
    }
    let _ = writeln!(
        md,
        "\nTotal: {total_seconds:.1} s (each section's time is what its runs took, summed over the invocations that trained them).\n"
    );
    for d in done {
        let _ = writeln!(md, "<a id=\"{}\"></a>\n## {}\n", d.name, d.section.title);
        let _ = writeln!(md, "{}\n", d.section.body.trim_end());
        let _ = writeln!(
            md,
            "Time: {:.1} s. Rerun: `{}`\n",
            d.seconds, d.section.command
        );
    }
    md
}

/// The structure of a report: its headings and the header row of each table, one a line, with
/// the numbers left out (what the insta snapshot of the quick report checks).
pub fn report_structure(markdown: &str) -> String {
    let lines: Vec<&str> = markdown.lines().collect();
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        let is_table_header = line.starts_with('|')
            && lines
                .get(i + 1)
                .is_some_and(|next| next.starts_with("|---") || next.starts_with("|:--"));
        if line.starts_with('#') || is_table_header {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The time a section is reported with: what it would take from scratch, as far as the
/// invocations that built it measured. A rerun that trained and evaluated nothing only redrew
/// the section and keeps the time recorded before; one that added runs or metrics to finished
/// ones reused from earlier invocations adds its own time to that; otherwise (everything done
/// now, or nothing recorded) it is this invocation's time.
fn section_seconds(elapsed: f64, worked: bool, reused: bool, before: Option<f64>) -> f64 {
    match before {
        Some(before) if !worked => before,
        Some(before) if reused => before + elapsed,
        _ => elapsed,
    }
}

/// Runs the experiments named in `only` (all when empty) and writes the report.
pub fn reproduce(
    profile: Profile,
    only: &[String],
    fresh: bool,
    full: bool,
    quiet: bool,
    reports_root: &Path,
) -> Result<PathBuf> {
    let all: Vec<_> = experiments::all()
        .into_iter()
        .filter(|e| e.profiles().contains(&profile))
        .collect();
    for name in only {
        if !all.iter().any(|e| e.name() == name) {
            bail!(
                "unknown experiment '{name}' for the {} profile; available: {}",
                profile.as_str(),
                all.iter().map(|e| e.name()).collect::<Vec<_>>().join(", ")
            );
        }
    }
    let report_dir = reports_root.join(profile.as_str());
    let ctx = RunContext {
        profile,
        runs_dir: report_dir.join("runs"),
        report_dir: report_dir.clone(),
        fresh,
        full,
        quiet,
        done_now: Default::default(),
        work: Default::default(),
        reused: Default::default(),
    };
    std::fs::create_dir_all(&ctx.runs_dir)?;
    for exp in all
        .iter()
        .filter(|e| only.is_empty() || only.iter().any(|n| n == e.name()))
    {
        eprintln!(
            "== experiment {} ({} profile)",
            exp.name(),
            profile.as_str()
        );
        let t = Instant::now();
        let (work_before, reused_before) = (ctx.work.get(), ctx.reused.get());
        let section = exp
            .run(&ctx)
            .with_context(|| format!("experiment '{}'", exp.name()))?;
        let seconds = section_seconds(
            t.elapsed().as_secs_f64(),
            ctx.work.get() > work_before,
            ctx.reused.get() > reused_before,
            load_section(&report_dir, exp.name())?.map(|d| d.seconds),
        );
        save_section(
            &report_dir,
            &Done {
                name: exp.name().to_string(),
                section,
                seconds,
            },
        )?;
    }
    let mut done = Vec::new();
    for exp in &all {
        done.extend(load_section(&report_dir, exp.name())?);
    }
    let path = report_dir.join("README.md");
    gen_core::run::atomic::write_atomic(&path, render(profile, &done).as_bytes())?;
    eprintln!("report written to {}", path.display());
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn done(name: &str, seconds: f64) -> Done {
        Done {
            name: name.into(),
            section: Section {
                title: format!("{name} title"),
                body: format!("{name} body"),
                seeds: vec![1, 2],
                command: format!("cargo xtask reproduce --only {name}"),
            },
            seconds,
        }
    }

    #[test]
    fn kept_sections_are_reread_and_summed() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load_section(dir.path(), "a").unwrap().is_none());
        save_section(dir.path(), &done("a", 1.5)).unwrap();
        save_section(dir.path(), &done("b", 2.0)).unwrap();
        // A later run of `a` alone replaces its section and keeps `b`'s.
        save_section(dir.path(), &done("a", 4.0)).unwrap();
        let kept: Vec<Done> = ["a", "b"]
            .iter()
            .filter_map(|n| load_section(dir.path(), n).unwrap())
            .collect();
        let md = render(Profile::Quick, &kept);
        assert!(md.contains("| [a](#a) | 4.0 | 1, 2 |"), "{md}");
        assert!(md.contains("| [b](#b) | 2.0 | 1, 2 |"), "{md}");
        assert!(md.contains("Total: 6.0 s"), "{md}");
        assert!(md.find("a body").unwrap() < md.find("b body").unwrap());
    }

    fn context(fresh: bool) -> RunContext {
        RunContext {
            profile: Profile::Quick,
            report_dir: PathBuf::from("r"),
            runs_dir: PathBuf::from("r/runs"),
            fresh,
            full: false,
            quiet: true,
            done_now: Default::default(),
            work: Default::default(),
            reused: Default::default(),
        }
    }

    #[test]
    fn a_section_keeps_or_adds_to_the_time_its_finished_runs_took() {
        // Redrawn only: the time recorded before.
        assert_eq!(section_seconds(3.0, false, true, Some(2_000.0)), 2_000.0);
        // A run added beside reused ones: both times.
        assert_eq!(section_seconds(700.0, true, true, Some(2_000.0)), 2_700.0);
        // Everything redone (`--fresh`), or a first run: this invocation's time.
        assert_eq!(
            section_seconds(2_500.0, true, false, Some(2_000.0)),
            2_500.0
        );
        assert_eq!(section_seconds(2_500.0, true, true, None), 2_500.0);
        assert_eq!(section_seconds(5.0, false, false, None), 5.0);
    }

    #[test]
    fn reuse_is_counted_only_for_what_earlier_invocations_finished() {
        let ctx = context(false);
        assert!(!ctx.redo("old".into(), true));
        assert_eq!((ctx.work.get(), ctx.reused.get()), (0, 1));
        assert!(ctx.redo("new".into(), false));
        // Asked again in the same invocation: neither new work nor an earlier run.
        assert!(!ctx.redo("new".into(), true));
        assert_eq!((ctx.work.get(), ctx.reused.get()), (1, 1));
    }

    #[test]
    fn fresh_redoes_each_run_once_per_invocation() {
        let fresh = context(true);
        assert!(
            fresh.redo("a".into(), true),
            "--fresh redoes a finished run"
        );
        assert!(!fresh.redo("a".into(), true), "but only once");
        let reuse = context(false);
        assert!(!reuse.redo("a".into(), true), "a finished run is reused");
        assert!(reuse.redo("b".into(), false), "an unfinished one is done");
        assert!(!reuse.redo("b".into(), false), "once");
    }

    #[test]
    fn structure_keeps_headings_and_table_headers_only() {
        let md = "# Title\n\ntext 1.5\n\n| a | b |\n|---|---:|\n| 1 | 2 |\n\n## Part\n| not | a table header |\n";
        assert_eq!(report_structure(md), "# Title\n| a | b |\n## Part\n");
    }

    /// The committed quick report (`reports/quick/README.md`, written by `cargo xtask
    /// reproduce`) has the sections and table columns of the snapshot: a change of the report's
    /// structure shows up here for review.
    #[test]
    fn quick_report_structure_matches_the_snapshot() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../reports/quick/README.md");
        let md = std::fs::read_to_string(&path).expect("the quick report is committed");
        insta::assert_snapshot!(report_structure(&md));
    }

    #[test]
    fn a_damaged_section_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("a/section.json"), "{").unwrap();
        let err = load_section(dir.path(), "a").unwrap_err();
        assert!(format!("{err:#}").contains("not a kept report section"));
    }
}
