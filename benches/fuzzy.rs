//! One keystroke of the list's `/` filter over 100,000 realistic rows (ID, subject in English
//! or Japanese, owner, stage, priority), generated deterministically.
//!
//! Budget: well under 16 ms per keystroke in release. Run with `cargo bench --bench fuzzy`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use hubtix::fuzzy::{FuzzyFilter, Haystack};

const ROWS: usize = 100_000;

const EN_SUBJECTS: &[&str] = &[
    "Printer on fire in the third floor office",
    "Login fails on SSO after password change",
    "Invoice amount is wrong for March",
    "Cannot export report to CSV",
    "Refund request for duplicate charge",
    "Mobile app crashes on startup",
    "Shipping address update needed",
    "VPN disconnects every few minutes",
    "Feature request: dark mode",
    "Email notifications not arriving",
    "Account locked after too many attempts",
    "Data sync delayed between regions",
];

const JA_SUBJECTS: &[&str] = &[
    "プリンターが燃えている",
    "ログインできません",
    "請求書の金額が間違っています",
    "パスワードをリセットしたい",
    "アプリが起動しない",
    "配送先住所の変更をお願いします",
    "返金の手続きについて",
    "レポートがCSVで出力できない",
    "通知メールが届かない",
    "アカウントがロックされました",
];

const OWNERS: &[&str] = &[
    "Aiko Tanaka",
    "Ken Sato",
    "Mary Smith",
    "John Doe",
    "Léa Dubois",
    "山田 太郎",
    "佐藤 花子",
    "",
];

const STAGES: &[&str] = &["New", "Waiting on contact", "Waiting on us", "Closed"];
const PRIORITIES: &[&str] = &["LOW", "MEDIUM", "HIGH", ""];

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

fn rows() -> Vec<Haystack> {
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    (0..ROWS)
        .map(|i| {
            let id = (1_000_000 + i * 7).to_string();
            let subject = if rng.next().is_multiple_of(2) {
                rng.pick(EN_SUBJECTS)
            } else {
                rng.pick(JA_SUBJECTS)
            };
            // Some variety so rows differ: a suffix number on a fraction of subjects.
            let suffix = if rng.next().is_multiple_of(3) {
                format!(" #{}", rng.next() % 500)
            } else {
                String::new()
            };
            let subject = format!("{subject}{suffix}");
            Haystack::from_fields([
                id.as_str(),
                subject.as_str(),
                rng.pick(OWNERS),
                rng.pick(STAGES),
                rng.pick(PRIORITIES),
            ])
        })
        .collect()
}

/// Times only `query`, after the filter was reset (empty query) and the `typed` queries
/// were entered one after another, as a user types them.
fn keystroke(c: &mut Criterion, filter: &mut FuzzyFilter, name: &str, typed: &[&str], query: &str) {
    let prepare = |filter: &mut FuzzyFilter| {
        filter.filter("");
        for q in typed {
            filter.filter(q);
        }
    };
    prepare(filter);
    let matches = filter.filter(query).len();
    c.bench_function(&format!("{name} ({matches} of {ROWS} match)"), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                prepare(filter);
                let start = Instant::now();
                black_box(filter.filter(black_box(query)));
                total += start.elapsed();
            }
            total
        });
    });
}

fn bench(c: &mut Criterion) {
    let mut filter = FuzzyFilter::new(rows());
    // Fresh queries: nothing typed before, so every row is scored.
    keystroke(c, &mut filter, "fresh 'p'", &[], "p");
    keystroke(c, &mut filter, "fresh 'printer' (pasted)", &[], "printer");
    keystroke(c, &mut filter, "fresh 'プリンタ' (pasted)", &[], "プリンタ");
    keystroke(
        c,
        &mut filter,
        "fresh 'sato high' (pasted)",
        &[],
        "sato high",
    );
    // Extended queries: one more key typed; only the previous matches are re-scored.
    keystroke(c, &mut filter, "extend 'p' -> 'pr'", &["p"], "pr");
    let printe = ["p", "pr", "pri", "prin", "print", "printe"];
    keystroke(
        c,
        &mut filter,
        "extend 'printe' -> 'printer'",
        &printe,
        "printer",
    );
    keystroke(
        c,
        &mut filter,
        "extend 'プリン' -> 'プリンタ'",
        &["プ", "プリ", "プリン"],
        "プリンタ",
    );
    keystroke(c, &mut filter, "extend '燃' -> '燃え'", &["燃"], "燃え");
    let sato = [
        "s", "sa", "sat", "sato", "sato ", "sato h", "sato hi", "sato hig",
    ];
    keystroke(
        c,
        &mut filter,
        "extend 'sato hig' -> 'sato high'",
        &sato,
        "sato high",
    );
    // Backspace: the prefix's match set is reused.
    let printer = ["p", "pr", "pri", "prin", "print", "printe", "printer"];
    keystroke(
        c,
        &mut filter,
        "backspace 'printer' -> 'printe'",
        &printer,
        "printe",
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
