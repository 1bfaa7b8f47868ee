//! The folder a command writes into, owned file by file.
//!
//! Files are written into a hidden sibling staging folder and appear under `--out` only when
//! all of them are complete, so an interrupted or failed command leaves nothing that looks
//! finished. The manifest lists every file orgsim wrote, and a re-run replaces only those.
//! Anything else in the folder belongs to the user: a command refuses while it is there
//! (naming it), and with `--force` writes beside it, never over it. Nothing orgsim did not
//! write is ever deleted or moved.

use crate::error::{Error, Result};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The manifest's file name; it is written last, so a folder holding it is complete.
pub const MANIFEST: &str = "manifest.json";

/// Files a manifest from before manifests listed their files could stand for.
const LEGACY: [&str; 6] = [
    "summary.json",
    "trials.csv",
    "series.csv",
    "report.html",
    "trace.csv",
    MANIFEST,
];

/// An output folder being written: files go to [`OutputFolder::dir`], and
/// [`OutputFolder::publish`] moves them into place. Dropped unpublished, the staging folder
/// is removed and the output folder is left as it was.
#[derive(Debug)]
pub struct OutputFolder {
    out: PathBuf,
    tmp: PathBuf,
    /// Files in `out` that an earlier orgsim command wrote (relative paths).
    ours: BTreeSet<PathBuf>,
    /// Everything else in `out`: the user's (relative paths).
    foreign: BTreeSet<PathBuf>,
    published: bool,
}

impl OutputFolder {
    /// Checks `out` and opens a staging folder beside it. Refuses the current folder or one
    /// above it, a path that is not a folder, and (unless `force`) a folder holding anything
    /// orgsim did not write.
    pub fn stage(out: &Path, force: bool) -> Result<OutputFolder> {
        // The staging folder itself is the test that `out` can be written: no probe first.
        let (ours, foreign) = contents(out, force)?;
        let tmp = staging(out)?;
        Ok(OutputFolder {
            out: out.to_path_buf(),
            tmp,
            ours,
            foreign,
            published: false,
        })
    }

    /// Where to write the files (the staging folder).
    pub fn dir(&self) -> &Path {
        &self.tmp
    }

    /// The folder the files will appear in.
    pub fn out(&self) -> &Path {
        &self.out
    }

    /// Writes the manifest (`manifest`, with the list of files added under `files`) and moves
    /// every staged file into the output folder, replacing only files an earlier orgsim command
    /// wrote there.
    pub fn publish(mut self, mut manifest: Map<String, Value>) -> Result<()> {
        let mut files = list_entries(&self.tmp, Path::new("")).map_err(io(&self.out))?;
        files.insert(PathBuf::from(MANIFEST));
        let names: Vec<Value> = files.iter().map(|p| Value::from(slash(p))).collect();
        manifest.insert("files".into(), Value::Array(names));
        let mut text =
            serde_json::to_string_pretty(&Value::Object(manifest)).expect("a manifest serializes");
        text.push('\n');
        let path = self.tmp.join(MANIFEST);
        fs::write(&path, text).map_err(io(&self.out))?;
        if let Some(clash) = files.iter().find(|f| self.foreign.contains(*f)) {
            return Err(usage(
                &self.out,
                &format!(
                    "{} was not written by orgsim and stands where orgsim would write; move it or choose another folder",
                    self.out.join(clash).display()
                ),
            ));
        }
        if !self.out.exists() {
            fs::rename(&self.tmp, &self.out).map_err(io(&self.out))?;
        } else if self.foreign.is_empty() {
            self.swap()?;
        } else {
            self.beside(&files)?;
        }
        self.published = true;
        Ok(())
    }

    /// The folder holds only orgsim's files: swap the whole folder in one rename, then
    /// remove the old files one by one (never a whole tree: whatever else appeared meanwhile stays).
    fn swap(&self) -> Result<()> {
        let old = self.tmp.with_extension("old");
        fs::rename(&self.out, &old).map_err(io(&self.out))?;
        fs::rename(&self.tmp, &self.out).map_err(io(&self.out))?;
        remove_listed(&old, &self.ours);
        let _ = fs::remove_dir(&old);
        Ok(())
    }

    /// The folder holds the user's files too (`--force`): the old manifest goes first (the folder
    /// no longer claims a finished run), then orgsim's old files, then the new files move in and
    /// the new manifest last.
    fn beside(&self, files: &BTreeSet<PathBuf>) -> Result<()> {
        let _ = fs::remove_file(self.out.join(MANIFEST));
        remove_listed(&self.out, &self.ours);
        for f in files.iter().filter(|f| f.as_os_str() != MANIFEST) {
            self.move_in(f)?;
        }
        self.move_in(Path::new(MANIFEST))?;
        remove_empty_dirs(&self.tmp);
        Ok(())
    }

    fn move_in(&self, rel: &Path) -> Result<()> {
        let to = self.out.join(rel);
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent).map_err(io(&self.out))?;
        }
        fs::rename(self.tmp.join(rel), &to).map_err(io(&self.out))
    }
}

impl Drop for OutputFolder {
    fn drop(&mut self) {
        if !self.published {
            // The staging folder holds only what this process wrote.
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

/// The checks [`OutputFolder::stage`] and [`OutputFolder::publish`] make, leaving nothing
/// behind: a command calls this before long work (a fit, the trials), so a folder it would refuse
/// (or cannot write) is refused at once. `writes` are the files the command will write; one the
/// user holds there is refused now, not after the work.
pub fn check(out: &Path, force: bool, writes: &[&str]) -> Result<()> {
    let (_, foreign) = contents(out, force)?;
    if let Some(clash) = foreign
        .iter()
        .find(|f| writes.contains(&slash(f).as_str()) || slash(f) == MANIFEST)
    {
        return Err(usage(
            out,
            &format!(
                "{} was not written by orgsim and stands where orgsim would write; move it or choose another folder",
                out.join(clash).display()
            ),
        ));
    }
    // Whether the folder can be written at all, now rather than after the work.
    let probe = staging(out)?;
    let _ = fs::remove_dir(&probe);
    Ok(())
}

/// What is in `out` (orgsim's files, everything else), after the refusals that need no write.
fn contents(out: &Path, force: bool) -> Result<(BTreeSet<PathBuf>, BTreeSet<PathBuf>)> {
    refuse_enclosing(out)?;
    let (ours, foreign) = if out.exists() {
        if !out.is_dir() {
            return Err(usage(out, "exists and is not a folder"));
        }
        survey(out)?
    } else {
        Default::default()
    };
    if !foreign.is_empty() && !force {
        return Err(usage(
            out,
            &format!(
                "holds {} orgsim did not write ({}); orgsim never deletes or replaces them. Choose another folder, or pass --force to write beside them",
                count(foreign.len(), "thing"),
                listing(&foreign)
            ),
        ));
    }
    Ok((ours, foreign))
}

fn usage(out: &Path, what: &str) -> Error {
    Error::Usage(format!("--out {}: {what}", out.display()))
}

/// Errors name the folder the user gave, not the hidden staging folder.
/// An I/O error at `path`, as the user's error names it.
pub fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes a whole file (into a staging folder: the [`OutputFolder`] moves it into place).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(io(path))
}

/// Writing a run into the current folder, or one above it, would mix it with everything there.
fn refuse_enclosing(out: &Path) -> Result<()> {
    let (Ok(out_abs), Ok(here)) = (out.canonicalize(), std::env::current_dir()) else {
        return Ok(());
    };
    let here = here.canonicalize().unwrap_or(here);
    if here.starts_with(&out_abs) {
        return Err(usage(
            out,
            "is the current folder or one above it; a run needs a folder of its own, e.g. --out results",
        ));
    }
    Ok(())
}

/// Splits what is in `out` into the files an earlier orgsim command wrote (as its manifest
/// lists them) and everything else.
fn survey(out: &Path) -> Result<(BTreeSet<PathBuf>, BTreeSet<PathBuf>)> {
    let present = list_entries(out, Path::new("")).map_err(io(out))?;
    let listed = manifest_files(out);
    let (ours, foreign) = present.into_iter().partition(|p| listed(p));
    Ok((ours, foreign))
}

/// Which paths the folder's manifest says orgsim wrote. No manifest: none.
fn manifest_files(out: &Path) -> Box<dyn Fn(&Path) -> bool> {
    let manifest: Option<Value> = fs::read_to_string(out.join(MANIFEST))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .filter(|m: &Value| m.get("orgsim_version").is_some());
    let Some(m) = manifest else {
        return Box::new(|_| false);
    };
    match m.get("files").and_then(Value::as_array) {
        Some(files) => {
            let set: BTreeSet<String> = files
                .iter()
                .filter_map(|f| f.as_str().map(String::from))
                .collect();
            Box::new(move |p| set.contains(&slash(p)))
        }
        // Written before manifests listed their files: the names orgsim used then.
        None => Box::new(|p| {
            let s = slash(p);
            LEGACY.contains(&s.as_str())
                || (s.starts_with("charts/")
                    && s.matches('/').count() == 1
                    && (s.ends_with(".png") || s.ends_with(".svg")))
        }),
    }
}

/// Files, links and empty folders under `dir`, relative to it (a folder with something in it
/// is represented by its contents). In a staging folder, which orgsim fills with files only,
/// these are its files.
fn list_entries(dir: &Path, rel: &Path) -> std::io::Result<BTreeSet<PathBuf>> {
    let mut out = BTreeSet::new();
    for entry in fs::read_dir(dir.join(rel))? {
        let entry = entry?;
        let path = rel.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            let inner = list_entries(dir, &path)?;
            if inner.is_empty() {
                out.insert(path);
            } else {
                out.extend(inner);
            }
        } else {
            out.insert(path);
        }
    }
    Ok(out)
}

/// Removes the listed files under `dir`, then the folders they leave empty.
fn remove_listed(dir: &Path, files: &BTreeSet<PathBuf>) {
    for f in files {
        let _ = fs::remove_file(dir.join(f));
    }
    // Deepest first, so a folder's emptied subfolders go before it.
    let mut parents: Vec<&Path> = files
        .iter()
        .flat_map(|f| f.ancestors().skip(1))
        .filter(|p| !p.as_os_str().is_empty())
        .collect();
    parents.sort_by_key(|p| std::cmp::Reverse(p.components().count()));
    parents.dedup();
    for p in parents {
        let _ = fs::remove_dir(dir.join(p));
    }
}

fn remove_empty_dirs(dir: &Path) {
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                remove_empty_dirs(&e.path());
            }
        }
    }
    let _ = fs::remove_dir(dir);
}

/// Creates the staging folder beside `out`, named after it and this process.
fn staging(out: &Path) -> Result<PathBuf> {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(io(out))?;
    let prefix = format!(".{name}.orgsim-partial-");
    remove_abandoned(parent, &prefix);
    let tmp = parent.join(format!("{prefix}{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir(&tmp).map_err(io(out))?;
    Ok(tmp)
}

/// Removes staging folders left by killed runs (their process is gone): they hold only what
/// that run wrote. Only where /proc tells which processes live; elsewhere they stay, hidden,
/// and harm nothing. A swap's `.old` folder is left alone: it is only left behind when
/// something other than orgsim's files was in it.
fn remove_abandoned(parent: &Path, prefix: &str) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let pid = name.strip_prefix(prefix);
        if let Some(pid) = pid.filter(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit())) {
            if !Path::new("/proc").join(pid).exists() {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// A path with `/` between its parts on every system (the manifest's form).
fn slash(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// Up to five names, then how many more.
fn listing(paths: &BTreeSet<PathBuf>) -> String {
    let mut names: Vec<String> = paths.iter().take(5).map(|p| slash(p)).collect();
    if paths.len() > 5 {
        names.push(format!("and {} more", paths.len() - 5));
    }
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("orgsim_version".into(), Value::from("test"));
        m
    }

    fn write(folder: &OutputFolder, rel: &str, text: &str) {
        let p = folder.dir().join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    #[test]
    fn a_rerun_replaces_only_its_own_files() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("run");
        let f = OutputFolder::stage(&out, false).unwrap();
        write(&f, "a.csv", "1");
        write(&f, "charts/x.png", "1");
        f.publish(manifest()).unwrap();
        // A re-run that writes fewer files leaves none of the old ones behind.
        let f = OutputFolder::stage(&out, false).unwrap();
        write(&f, "a.csv", "2");
        f.publish(manifest()).unwrap();
        assert_eq!(fs::read_to_string(out.join("a.csv")).unwrap(), "2");
        assert!(!out.join("charts").exists());
        // The user's notebook makes the next run refuse, and --force writes beside it.
        fs::create_dir_all(out.join("notebooks")).unwrap();
        fs::write(out.join("notebooks/a.ipynb"), "mine").unwrap();
        let e = OutputFolder::stage(&out, false).unwrap_err().to_string();
        assert!(e.contains("notebooks/a.ipynb"), "{e}");
        let f = OutputFolder::stage(&out, true).unwrap();
        write(&f, "a.csv", "3");
        f.publish(manifest()).unwrap();
        assert_eq!(fs::read_to_string(out.join("a.csv")).unwrap(), "3");
        assert_eq!(
            fs::read_to_string(out.join("notebooks/a.ipynb")).unwrap(),
            "mine"
        );
        let leftovers: Vec<_> = fs::read_dir(t.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "staging folders left: {leftovers:?}");
    }

    #[test]
    fn force_never_writes_over_a_users_file() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("run");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("a.csv"), "mine").unwrap();
        let f = OutputFolder::stage(&out, true).unwrap();
        write(&f, "a.csv", "orgsim");
        let e = f.publish(manifest()).unwrap_err().to_string();
        assert!(
            e.contains("a.csv") && e.contains("not written by orgsim"),
            "{e}"
        );
        assert_eq!(fs::read_to_string(out.join("a.csv")).unwrap(), "mine");
        assert_eq!(fs::read_dir(t.path()).unwrap().count(), 1);
    }

    #[test]
    fn an_unpublished_folder_leaves_nothing() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("run");
        let f = OutputFolder::stage(&out, false).unwrap();
        write(&f, "a.csv", "1");
        drop(f);
        assert_eq!(fs::read_dir(t.path()).unwrap().count(), 0);
    }
}
