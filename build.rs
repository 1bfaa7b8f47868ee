//! Stamps the build with a hash of the sources (`ORGSIM_SOURCE_HASH`), so that a playbook cached by
//! one build of orgsim is never reused by another (`orgsim::writers::fit_cache`): any change to the
//! code or the locked dependencies can change what a fit finds.

use std::hash::Hasher;
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let mut paths = Vec::new();
    files(Path::new("src"), &mut paths);
    files(Path::new("scenarios"), &mut paths);
    paths.push(PathBuf::from("Cargo.lock"));
    paths.sort();
    // SipHash with fixed keys: the same sources give the same stamp; it need not be stable
    // across Rust versions, only tell two sources apart.
    let mut h = std::hash::DefaultHasher::new();
    for p in &paths {
        h.write(p.to_string_lossy().as_bytes());
        h.write(&std::fs::read(p).unwrap_or_default());
    }
    println!("cargo:rustc-env=ORGSIM_SOURCE_HASH={:016x}", h.finish());
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=scenarios");
    println!("cargo:rerun-if-changed=Cargo.lock");
    println!("cargo:rerun-if-changed=build.rs");
}
