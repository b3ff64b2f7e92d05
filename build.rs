// Embedded migrations and the license key of record are read at compile time: rebuild
// when either changes.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    // The license key of record is compiled in (see `edition::LICENSE_PUBLIC_KEY`).
    println!("cargo:rerun-if-env-changed=ENVGATE_LICENSE_PUBLIC_KEY");
}
