//! The `han` command line.
fn main() {
    println!("han");
}
