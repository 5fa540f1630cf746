use clap::Parser;

fn main() {
    let _cli = hubtix::cli::Cli::parse();
}
