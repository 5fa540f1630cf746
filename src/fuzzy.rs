//! The list's instant `/` filter: fuzzy-match a query against the loaded rows.
//!
//! Owns [`FuzzyFilter`], which keeps the rows' prepared [`Haystack`]s (built once per row,
//! when the row is loaded, not per keystroke) and answers each keystroke with the matching
//! row indices, best first. Matching is nucleo-matcher's fzf-style scoring (word-boundary and
//! consecutive-character bonuses), case-insensitive, with Latin diacritics folded (`cafe`
//! finds `café`); CJK is matched character by character (`燃え` and `プリンタ` both find
//! `プリンターが燃えている`), no romanization. Space-separated words must all match, in any
//! order; `\ ` is a literal space. No fzf operators (`!`, `^`, `'`, `$`): a support agent
//! typing a subject should not trip over syntax.
//!
//! Speed (budget: one keystroke over 100,000 rows well inside a 16 ms frame; see
//! `benches/fuzzy.rs`) and memory (100,000 rows in a few MB):
//! - haystacks are folded (case, diacritics) once, when built, and carry a 64-bit
//!   character-presence mask that rejects most non-matching rows with one AND;
//! - the rows' haystacks are kept in [`Haystacks`]: two contiguous buffers (ASCII bytes,
//!   other text as code points) with one span and one mask per row, not an allocation per
//!   row;
//! - a query that extends an earlier one (one more key typed) only re-scores the rows that
//!   matched it, plus rows appended since; the match sets of the current query's prefixes are
//!   kept, so backspacing is narrowed too;
//! - all matches get nucleo's linear greedy score, only the best [`REFINE_TOP`] the optimal
//!   one; large scans are split over the available cores (scoped threads, joined before
//!   `filter` returns).
//!
//! Must not: know about tickets or columns (the caller builds each row's text), render, or
//! sort anything but indices.

use nucleo_matcher::chars::{graphemes, normalize, to_lower_case};
use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str, Utf32String};

/// Case folding and Latin diacritic folding, done once per row instead of per character
/// per keystroke (nucleo's own folding is a table search per non-ASCII character, which
/// dominates on Japanese text). Same order as nucleo: normalize, then fold case.
fn fold_char(c: char) -> char {
    if c.is_ascii() {
        c.to_ascii_lowercase()
    } else {
        to_lower_case(normalize(c))
    }
}

/// Folded code points, one per grapheme cluster (nucleo's unit of matching).
fn fold(text: &str) -> Utf32String {
    if text.is_ascii() {
        return Utf32String::Ascii(text.to_ascii_lowercase().into_boxed_str());
    }
    let chars: Box<[char]> = graphemes(text).map(fold_char).collect();
    if chars.iter().all(char::is_ascii) {
        Utf32String::Ascii(chars.iter().collect::<String>().into_boxed_str())
    } else {
        Utf32String::Unicode(chars)
    }
}

/// The presence bit of a folded character: one bit per ASCII letter and digit, the rest of
/// the word hashed over by everything else (CJK included); spaces and ASCII punctuation
/// have none. Only ever used as "all the query's bits must be set", so collisions cost speed,
/// never correctness.
fn char_bit(c: char) -> u64 {
    match c {
        'a'..='z' => 1 << (c as u32 - 'a' as u32),
        '0'..='9' => 1 << (26 + c as u32 - '0' as u32),
        _ if c.is_ascii() => 0,
        _ => 1 << (36 + (u32::from(c).wrapping_mul(0x9e37_79b9) >> 27) % 28),
    }
}

/// The bits every matching row must have.
fn pattern_mask(pattern: &Pattern) -> u64 {
    pattern
        .atoms
        .iter()
        .flat_map(|atom| atom.needle_text().chars())
        .fold(0, |m, c| m | char_bit(c))
}

/// The query folded like the haystacks, as text for [`Pattern::new`].
fn fold_query(query: &str) -> String {
    query.chars().map(fold_char).collect()
}

/// One row's searchable text, prepared once (decoded to code points, case and diacritics
/// folded) so keystrokes do no per-row allocation, decoding or folding. Build it when the row
/// is loaded or changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Haystack {
    text: Utf32String,
    /// Which characters occur (see [`char_bit`]): rows missing one of the query's characters
    /// are rejected with one AND instead of a scan.
    mask: u64,
}

impl Haystack {
    /// A haystack from one string.
    pub fn new(text: &str) -> Haystack {
        let text = fold(text);
        let mask = text.slice(..).chars().fold(0, |m, c| m | char_bit(c));
        Haystack { text, mask }
    }

    /// A haystack from a row's fields (ID, subject, owner, stage label, ...), joined by a
    /// space so each field starts a word.
    pub fn from_fields<'a>(fields: impl IntoIterator<Item = &'a str>) -> Haystack {
        let mut joined = String::new();
        for field in fields {
            if !joined.is_empty() {
                joined.push(' ');
            }
            joined.push_str(field);
        }
        Haystack::new(&joined)
    }

    fn as_utf32(&self) -> Utf32Str<'_> {
        self.text.slice(..)
    }
}

/// Where one row's text is in [`Haystacks`]: `len`'s top bit says which buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u32,
    len: u32,
}

const WIDE: u32 = 1 << 31;

/// Many rows' prepared haystacks, compact: ASCII rows' bytes in one buffer, other rows' code
/// points in another, and per row a span and a presence mask (16 bytes a row besides the
/// text). A replaced row's old text stays in its buffer until replaced text outweighs the
/// live text, then the buffers are compacted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Haystacks {
    ascii: Vec<u8>,
    wide: Vec<char>,
    spans: Vec<Span>,
    masks: Vec<u64>,
    /// Buffer units (bytes or code points) no span points at any more.
    garbage: usize,
}

impl Haystacks {
    /// Room for `rows` rows (their spans and masks; the text buffers grow as rows come).
    pub fn with_capacity(rows: usize) -> Haystacks {
        Haystacks {
            spans: Vec::with_capacity(rows),
            masks: Vec::with_capacity(rows),
            ..Haystacks::default()
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Appends a row.
    pub fn push(&mut self, haystack: &Haystack) {
        let span = self.store(haystack.as_utf32());
        self.spans.push(span);
        self.masks.push(haystack.mask);
    }

    /// Replaces row `index` (out of range: ignored).
    pub fn set(&mut self, index: usize, haystack: &Haystack) {
        if index >= self.spans.len() {
            return;
        }
        let span = self.store(haystack.as_utf32());
        let old = std::mem::replace(&mut self.spans[index], span);
        self.masks[index] = haystack.mask;
        self.garbage += (old.len & !WIDE) as usize;
        if self.garbage > (self.ascii.len() + self.wide.len()) / 2 {
            self.compact();
        }
    }

    /// The heap the store holds, in bytes (its buffers' capacities).
    pub fn heap_bytes(&self) -> usize {
        self.ascii.capacity()
            + self.wide.capacity() * std::mem::size_of::<char>()
            + self.spans.capacity() * std::mem::size_of::<Span>()
            + self.masks.capacity() * std::mem::size_of::<u64>()
    }

    /// Releases spare capacity (the store is complete).
    pub fn shrink_to_fit(&mut self) {
        self.ascii.shrink_to_fit();
        self.wide.shrink_to_fit();
        self.spans.shrink_to_fit();
        self.masks.shrink_to_fit();
    }

    fn store(&mut self, text: Utf32Str<'_>) -> Span {
        match text {
            Utf32Str::Ascii(bytes) => {
                let start = index_u32(self.ascii.len());
                self.ascii.extend_from_slice(bytes);
                Span {
                    start,
                    len: index_u32(bytes.len()) & !WIDE,
                }
            }
            Utf32Str::Unicode(chars) => {
                let start = index_u32(self.wide.len());
                self.wide.extend_from_slice(chars);
                Span {
                    start,
                    len: (index_u32(chars.len()) & !WIDE) | WIDE,
                }
            }
        }
    }

    /// Row `index`'s folded text and presence mask.
    fn get(&self, index: usize) -> Option<(Utf32Str<'_>, u64)> {
        let span = *self.spans.get(index)?;
        let mask = *self.masks.get(index)?;
        let start = span.start as usize;
        let end = start + (span.len & !WIDE) as usize;
        let text = if span.len & WIDE == 0 {
            Utf32Str::Ascii(self.ascii.get(start..end)?)
        } else {
            Utf32Str::Unicode(self.wide.get(start..end)?)
        };
        Some((text, mask))
    }

    /// Copies the live text into fresh buffers, dropping replaced rows' text.
    fn compact(&mut self) {
        let mut fresh = Haystacks::with_capacity(self.len());
        for i in 0..self.len() {
            if let Some((text, mask)) = self.get(i) {
                let span = fresh.store(text);
                fresh.spans.push(span);
                fresh.masks.push(mask);
            }
        }
        fresh.shrink_to_fit();
        *self = fresh;
    }
}

impl FromIterator<Haystack> for Haystacks {
    fn from_iter<I: IntoIterator<Item = Haystack>>(iter: I) -> Haystacks {
        let mut out = Haystacks::default();
        for h in iter {
            out.push(&h);
        }
        out
    }
}

/// The rows among `..checked` that matched `query`, ascending.
#[derive(Debug)]
struct Narrowing {
    query: String,
    rows: Vec<u32>,
    checked: usize,
}

/// How many prefixes of the current query keep their match sets (at most 400 KB each for
/// 100,000 rows).
const MAX_HISTORY: usize = 16;

/// Fuzzy filter over a growing list of rows; see the module docs.
#[derive(Debug)]
pub struct FuzzyFilter {
    haystacks: Haystacks,
    /// One matcher per scoring thread (each holds a ~135 KB scratch matrix); `[0]` also
    /// serves this thread.
    matchers: Vec<Matcher>,
    /// Match sets of the prefixes of the current query (shortest first), so typing narrows
    /// and backspacing reuses what was computed on the way.
    history: Vec<Narrowing>,
    /// Scratch: rows to score this keystroke, and their packed (score, row) keys.
    todo: Vec<u32>,
    keys: Vec<u64>,
    results: Vec<usize>,
    /// Scratch of `sort_keys`.
    scratch: Vec<u64>,
    counts: Vec<u32>,
}

impl Default for FuzzyFilter {
    fn default() -> Self {
        FuzzyFilter::new(Vec::new())
    }
}

impl FuzzyFilter {
    /// A filter over these rows (row index = position in the vector).
    pub fn new(haystacks: Vec<Haystack>) -> FuzzyFilter {
        FuzzyFilter::from_store(haystacks.into_iter().collect())
    }

    /// A filter over rows prepared in a [`Haystacks`] store.
    pub fn from_store(haystacks: Haystacks) -> FuzzyFilter {
        FuzzyFilter {
            haystacks,
            matchers: vec![new_matcher()],
            history: Vec::new(),
            todo: Vec::new(),
            keys: Vec::new(),
            results: Vec::new(),
            scratch: Vec::new(),
            counts: Vec::new(),
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.haystacks.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.haystacks.is_empty()
    }

    /// Appends a row (the next page loaded). Keeps the narrowing state: new rows are checked
    /// by the next keystroke.
    pub fn push(&mut self, haystack: Haystack) {
        self.haystacks.push(&haystack);
    }

    /// Replaces the text of row `index` (a ticket changed); out-of-range indices are ignored.
    pub fn set(&mut self, index: usize, haystack: Haystack) {
        if index < self.haystacks.len() {
            self.haystacks.set(index, &haystack);
            self.forget_query();
        }
    }

    /// Replaces all rows (a refresh or a new view).
    pub fn set_haystacks(&mut self, haystacks: Vec<Haystack>) {
        self.set_store(haystacks.into_iter().collect());
    }

    /// Replaces all rows with a prepared store.
    pub fn set_store(&mut self, haystacks: Haystacks) {
        self.haystacks = haystacks;
        self.forget_query();
    }

    /// Drops the narrowing state, so the next query scans every row.
    pub fn forget_query(&mut self) {
        self.history.clear();
    }

    /// The rows matching `query`, best first; ties keep row order. An empty (or all-space)
    /// query gives every row in order; no match gives an empty slice.
    ///
    /// Ranking: every matching row gets nucleo's linear-time greedy score; the best
    /// [`REFINE_TOP`] of those are then re-scored with nucleo's optimal (fzf v2) algorithm and
    /// re-sorted, so the part of the list anyone looks at is ranked as well as nucleo can,
    /// while a one-letter query over 100,000 rows stays within a frame. Since an optimal score
    /// is never below the greedy one, the refined rows still rank above all others.
    pub fn filter(&mut self, query: &str) -> &[usize] {
        let folded = fold_query(query.trim_start());
        let query = folded.as_str();
        self.results.clear();
        if query.trim_end().is_empty() {
            self.forget_query();
            self.results.extend(0..self.haystacks.len());
            return &self.results;
        }
        let pattern = pattern(query);

        // Narrowing is sound when the query only adds characters to an earlier one: every
        // atom is then the same or longer, or new, and a longer subsequence needle matches a
        // subset. A trailing backslash may turn into an escape (`\ `), so it cannot be a base.
        self.history
            .retain(|n| query.starts_with(n.query.as_str()) && !n.query.ends_with('\\'));
        let len = self.haystacks.len();
        self.todo.clear();
        match self.history.last() {
            Some(base) if base.checked <= len => {
                self.todo.extend_from_slice(&base.rows);
                self.todo.extend((base.checked..len).map(index_u32));
            }
            _ => self.todo.extend((0..len).map(index_u32)),
        }

        self.keys.clear();
        score_all(
            &pattern,
            &self.haystacks,
            &self.todo,
            &mut self.matchers,
            &mut self.keys,
        );

        // `keys` is in ascending row order here: keep the rows as a narrowing base.
        if self.history.last().is_some_and(|n| n.query == query) {
            self.history.pop();
        }
        if self.history.len() >= MAX_HISTORY {
            self.history.remove(0);
        }
        self.history.push(Narrowing {
            query: query.to_owned(),
            rows: self.keys.iter().map(|&k| key_row(k)).collect(),
            checked: len,
        });

        // Keys are unique (score desc, row asc), so unstable sorts are stable in effect. All
        // are put in greedy order (in linear time, see `sort_keys`); the head is refined.
        sort_keys(&mut self.keys, &mut self.scratch, &mut self.counts);
        let top = REFINE_TOP.min(self.keys.len());
        let (best, _) = self.keys.split_at_mut(top);
        if let Some(matcher) = self.matchers.first_mut() {
            for key in best.iter_mut() {
                let row = key_row(*key);
                if let Some((hay, _)) = self.haystacks.get(row as usize)
                    && let Some(score) = score(&pattern, hay, matcher, Mode::Optimal)
                {
                    *key = pack(score, row);
                }
            }
        }
        best.sort_unstable();
        self.results
            .extend(self.keys.iter().map(|&k| key_row(k) as usize));
        &self.results
    }

    /// The matched character positions of `query` in `text` (for highlighting a field),
    /// counted in grapheme clusters; `None` when it does not match. Positions of several
    /// words are merged, sorted and deduplicated.
    pub fn match_positions(&mut self, query: &str, text: &str) -> Option<Vec<u32>> {
        let pattern = pattern(&fold_query(query));
        let haystack = fold(text);
        let mut positions = Vec::new();
        if self.matchers.is_empty() {
            self.matchers.push(new_matcher());
        }
        pattern.indices(haystack.slice(..), &mut self.matchers[0], &mut positions)?;
        positions.sort_unstable();
        positions.dedup();
        Some(positions)
    }
}

/// A pattern from an already folded query: both sides are folded, so nucleo compares plain
/// code points.
fn pattern(folded_query: &str) -> Pattern {
    Pattern::new(
        folded_query,
        CaseMatching::Respect,
        Normalization::Never,
        AtomKind::Fuzzy,
    )
}

/// Sorts packed keys ascending (score descending, then row). Keys arrive in ascending row
/// order and scores span a narrow range, so a counting sort on the score (stable: rows stay
/// ascending within a score) does it in linear time: at 100,000 matches (a first letter)
/// that is a fraction of a millisecond against several for a comparison sort. Falls back to
/// the comparison sort when the input is small, not in row order, or the scores too spread.
fn sort_keys(keys: &mut Vec<u64>, scratch: &mut Vec<u64>, counts: &mut Vec<u32>) {
    const MIN_KEYS: usize = 2048;
    const MAX_SPAN: usize = 1 << 16;
    let hi = |k: u64| (k >> 32) as usize;
    let (Some(lo), Some(top)) = (
        keys.iter().map(|&k| hi(k)).min(),
        keys.iter().map(|&k| hi(k)).max(),
    ) else {
        return;
    };
    let span = top - lo + 1;
    let in_row_order = keys.windows(2).all(|w| key_row(w[0]) < key_row(w[1]));
    if keys.len() < MIN_KEYS || span > MAX_SPAN || !in_row_order {
        keys.sort_unstable();
        return;
    }
    counts.clear();
    counts.resize(span + 1, 0);
    for &k in keys.iter() {
        counts[hi(k) - lo + 1] += 1;
    }
    for i in 1..counts.len() {
        counts[i] += counts[i - 1];
    }
    scratch.clear();
    scratch.resize(keys.len(), 0);
    for &k in keys.iter() {
        let slot = &mut counts[hi(k) - lo];
        scratch[*slot as usize] = k;
        *slot += 1;
    }
    std::mem::swap(keys, scratch);
}

/// How many of the best greedy matches are re-ranked with the optimal algorithm.
pub const REFINE_TOP: usize = 500;

/// Below this many rows to score, one thread is faster than starting more.
const PARALLEL_MIN_ROWS: usize = 16_384;

fn new_matcher() -> Matcher {
    let mut config = Config::DEFAULT;
    // Both sides are folded already (see `fold`).
    config.ignore_case = false;
    config.normalize = false;
    Matcher::new(config)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Greedy,
    Optimal,
}

/// The sum of the atoms' scores, or `None` when one does not match.
fn score(pattern: &Pattern, hay: Utf32Str<'_>, matcher: &mut Matcher, mode: Mode) -> Option<u32> {
    let mut total = 0u32;
    for atom in &pattern.atoms {
        let needle = atom.needle_text();
        let s = match mode {
            Mode::Greedy => matcher.fuzzy_match_greedy(hay, needle),
            Mode::Optimal => matcher.fuzzy_match(hay, needle),
        }?;
        total = total.saturating_add(u32::from(s));
    }
    Some(total)
}

/// A sort key: ascending order is score descending, then row ascending.
fn pack(score: u32, row: u32) -> u64 {
    (u64::from(u32::MAX - score) << 32) | u64::from(row)
}

fn key_row(key: u64) -> u32 {
    // The low half is the row by construction.
    (key & u64::from(u32::MAX)) as u32
}

fn score_chunk(
    pattern: &Pattern,
    haystacks: &Haystacks,
    rows: &[u32],
    matcher: &mut Matcher,
    out: &mut Vec<u64>,
) {
    let mask = pattern_mask(pattern);
    for &row in rows {
        if let Some((hay, row_mask)) = haystacks.get(row as usize)
            && row_mask & mask == mask
            && let Some(s) = score(pattern, hay, matcher, Mode::Greedy)
        {
            out.push(pack(s, row));
        }
    }
}

/// Greedy-scores `rows` into `out` (in the order of `rows`), on several threads when there
/// are many. Pure CPU work on borrowed data: the threads end before this returns.
fn score_all(
    pattern: &Pattern,
    haystacks: &Haystacks,
    rows: &[u32],
    matchers: &mut Vec<Matcher>,
    out: &mut Vec<u64>,
) {
    let threads = if rows.len() >= PARALLEL_MIN_ROWS {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
    } else {
        1
    };
    while matchers.len() < threads {
        matchers.push(new_matcher());
    }
    let Some((first_matcher, other_matchers)) = matchers.split_first_mut() else {
        return;
    };
    if threads <= 1 {
        score_chunk(pattern, haystacks, rows, first_matcher, out);
        return;
    }
    let chunk = rows.len().div_ceil(threads);
    let mut chunks = rows.chunks(chunk);
    let Some(first_rows) = chunks.next() else {
        return;
    };
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .zip(other_matchers.iter_mut())
            .map(|(rows, matcher)| {
                let spawned = std::thread::Builder::new()
                    .name("fuzzy".into())
                    .spawn_scoped(scope, move || {
                        let mut part = Vec::with_capacity(rows.len());
                        score_chunk(pattern, haystacks, rows, matcher, &mut part);
                        part
                    });
                (rows, spawned)
            })
            .collect();
        score_chunk(pattern, haystacks, first_rows, first_matcher, out);
        for (rows, spawned) in handles {
            match spawned.map(|handle| handle.join()) {
                Ok(Ok(part)) => out.extend(part),
                Ok(Err(panic)) => std::panic::resume_unwind(panic),
                // No thread to be had: score the chunk here instead.
                Err(_) => score_chunk(pattern, haystacks, rows, &mut new_matcher(), out),
            }
        }
    });
}

/// Row indices are stored as u32 (half the memory traffic); more than 4 billion loaded rows
/// is not a case a terminal list has.
fn index_u32(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(texts: &[&str]) -> FuzzyFilter {
        FuzzyFilter::new(texts.iter().map(|t| Haystack::new(t)).collect())
    }

    const ROWS: &[&str] = &[
        "1041 Login fails on SSO Ken Sato Waiting LOW",
        "1042 プリンターが燃えている Aiko Tanaka New HIGH",
        "1043 Printer offline again Mary Smith New MEDIUM",
        "1044 請求書の金額が間違っています Aiko Tanaka Closed LOW",
        "1045 Password reset link expired Ken Sato New HIGH",
        "1046 café menu printer jam Léa Dubois New LOW",
    ];

    #[test]
    fn empty_query_is_every_row_in_order() {
        let mut f = rows(ROWS);
        assert_eq!(f.filter(""), &[0, 1, 2, 3, 4, 5]);
        assert_eq!(f.filter("   "), &[0, 1, 2, 3, 4, 5]);
        assert_eq!(FuzzyFilter::default().filter(""), &[] as &[usize]);
    }

    #[test]
    fn no_match_is_empty() {
        let mut f = rows(ROWS);
        assert!(f.filter("zzzqqq").is_empty());
        assert!(f.filter("炎上").is_empty());
    }

    #[test]
    fn japanese_queries_match_by_character() {
        let mut f = rows(ROWS);
        assert_eq!(f.filter("燃え"), &[1]);
        assert_eq!(f.filter("プリンタ"), &[1]);
        assert_eq!(f.filter("請求"), &[3]);
        // Kana and kanji in one query, not contiguous.
        assert_eq!(f.filter("プ燃"), &[1]);
        // Mixed-script words.
        assert_eq!(f.filter("aiko 請求"), &[3]);
    }

    #[test]
    fn case_insensitive_and_diacritics_folded() {
        let mut f = rows(ROWS);
        assert_eq!(f.filter("PASSWORD"), &[4]);
        assert_eq!(f.filter("password"), &[4]);
        assert_eq!(f.filter("lea dubois"), &[5]);
        assert_eq!(f.filter("CAFÉ"), &[5]);
    }

    #[test]
    fn ranking_prefers_tighter_matches_and_ties_keep_row_order() {
        let mut f = rows(ROWS);
        // "printer" as a word beats scattered letters; both printer rows come before rows
        // that only match loosely, and the two exact-word rows keep their order on a tie.
        let r = f.filter("printer").to_vec();
        assert!(r.len() >= 2);
        assert_eq!(&r[..2], &[2, 5]);

        let mut same = rows(&["alpha beta", "alpha beta", "alpha beta"]);
        assert_eq!(same.filter("beta"), &[0, 1, 2]);

        let mut tight = rows(&["s.t.a.g.e", "stage", "xx stage"]);
        let r = tight.filter("stage").to_vec();
        assert_eq!(r[2], 0, "scattered match ranks last: {r:?}");
    }

    #[test]
    fn words_match_in_any_order() {
        let mut f = rows(ROWS);
        assert_eq!(f.filter("sato high"), &[4]);
        assert_eq!(f.filter("high sato"), &[4]);
        assert_eq!(f.filter("1042"), &[1]);
    }

    #[test]
    fn narrowing_gives_the_same_answer_as_a_fresh_scan() {
        let mut incremental = rows(ROWS);
        let queries = [
            "p",
            "pr",
            "pri",
            "prin",
            "print",
            "printe",
            "printer",
            "printer ",
            "printer n",
        ];
        for q in queries {
            let got = incremental.filter(q).to_vec();
            let want = rows(ROWS).filter(q).to_vec();
            assert_eq!(got, want, "query {q:?}");
        }
        // Backspacing reuses the prefix's match set; editing in the middle rescans.
        assert_eq!(incremental.filter("pri"), rows(ROWS).filter("pri"));
        assert_eq!(incremental.filter("pr"), rows(ROWS).filter("pr"));
        assert_eq!(incremental.filter("pra"), rows(ROWS).filter("pra"));
        assert_eq!(incremental.filter("login"), rows(ROWS).filter("login"));
        assert_eq!(incremental.filter("logi"), rows(ROWS).filter("logi"));
        assert_eq!(incremental.filter(""), rows(ROWS).filter(""));
        assert_eq!(incremental.filter("o"), rows(ROWS).filter("o"));
        // Backslash-escape edge: `\` then space.
        let mut esc = rows(&["a b", "ab"]);
        let _ = esc.filter("a\\");
        assert_eq!(esc.filter("a\\ b"), &[0]);
    }

    #[test]
    fn appended_and_replaced_rows_are_seen() {
        let mut f = rows(&["printer one"]);
        assert_eq!(f.filter("pri"), &[0]);
        f.push(Haystack::new("printer two"));
        f.push(Haystack::new("nothing"));
        assert_eq!(f.filter("prin"), &[0, 1]);
        f.set(0, Haystack::new("fixed now"));
        assert_eq!(f.filter("print"), &[1]);
        f.set_haystacks(vec![Haystack::new("printer three")]);
        assert_eq!(f.filter("printe"), &[0]);
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn the_compact_store_keeps_rows_through_replacements_and_compaction() {
        let mut store = Haystacks::default();
        for t in ROWS {
            store.push(&Haystack::new(t));
        }
        assert_eq!(store.len(), ROWS.len());
        // Replacing rows many times (ASCII by CJK and back) leaves the garbage bounded and
        // every row as last set.
        let mut want: Vec<String> = ROWS.iter().map(|t| (*t).to_owned()).collect();
        for round in 0..50 {
            let i = round % ROWS.len();
            want[i] = if round % 2 == 0 {
                format!("{round} 請求書 round")
            } else {
                format!("{round} printer round")
            };
            store.set(i, &Haystack::new(&want[i]));
        }
        store.set(99, &Haystack::new("out of range"));
        let live: usize = (0..store.len())
            .filter_map(|i| store.get(i))
            .map(|(text, _)| text.len())
            .sum();
        assert!(
            store.ascii.len() + store.wide.len() <= 3 * live,
            "compacted"
        );
        for (i, text) in want.iter().enumerate() {
            let (got, mask) = store.get(i).expect("row");
            let fresh = Haystack::new(text);
            assert_eq!(got, fresh.as_utf32(), "row {i}");
            assert_eq!(mask, fresh.mask, "row {i}");
        }
        let mut f = FuzzyFilter::from_store(store);
        let mut reference = rows(&want.iter().map(String::as_str).collect::<Vec<_>>());
        for q in ["printer", "請求", "round", "sato"] {
            assert_eq!(f.filter(q), reference.filter(q), "{q}");
        }
    }

    #[test]
    fn fields_are_joined_as_words() {
        let mut f = FuzzyFilter::new(vec![
            Haystack::from_fields(["1042", "プリンターが燃えている", "Aiko Tanaka", "New"]),
            Haystack::from_fields(["1043", "Printer offline", "Mary Smith", "Waiting"]),
        ]);
        assert_eq!(f.filter("1042 燃え"), &[0]);
        assert_eq!(f.filter("waiting"), &[1]);
    }

    #[test]
    fn large_inputs_match_the_reference_on_every_thread_count() {
        // Enough rows to take the multi-threaded path, varied enough to rank.
        let words = [
            "printer",
            "プリンター",
            "login",
            "燃えている",
            "invoice",
            "sato",
            "ping",
        ];
        let texts: Vec<String> = (0..20_000usize)
            .map(|i| {
                format!(
                    "{} {} {} {}",
                    1000 + i,
                    words[i % words.len()],
                    words[(i / 7) % words.len()],
                    words[(i / 49) % words.len()]
                )
            })
            .collect();
        let mut f = FuzzyFilter::new(texts.iter().map(|t| Haystack::new(t)).collect());
        let mut matcher = new_matcher();
        for query in ["p", "pri", "print", "プリ", "燃え", "ping 燃", "12345"] {
            let got = f.filter(query).to_vec();
            let pattern = pattern(&fold_query(query));
            let mut optimal = |row: usize| {
                score(
                    &pattern,
                    Haystack::new(&texts[row]).as_utf32(),
                    &mut matcher,
                    Mode::Optimal,
                )
            };
            // Exactly the matching rows, each once.
            let mut sorted = got.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), got.len(), "{query}: duplicates");
            let want: Vec<usize> = (0..texts.len()).filter(|&r| optimal(r).is_some()).collect();
            assert_eq!(sorted, want, "{query}: match set");
            // The refined head is in (optimal score desc, row asc) order.
            let head: Vec<(u32, usize)> = got
                .iter()
                .take(REFINE_TOP)
                .map(|&r| (optimal(r).unwrap_or(0), r))
                .collect();
            for pair in head.windows(2) {
                assert!(
                    pair[0].0 > pair[1].0 || (pair[0].0 == pair[1].0 && pair[0].1 < pair[1].1),
                    "{query}: {pair:?} out of order"
                );
            }
        }
    }

    #[test]
    fn the_linear_sort_orders_keys_as_a_comparison_sort() {
        let (mut scratch, mut counts) = (Vec::new(), Vec::new());
        // Rows ascending, scores in a narrow range (the counting sort), then spread out, then
        // out of row order (the comparison sort).
        let narrow: Vec<u64> = (0..10_000u32)
            .map(|row| pack(100 + (row.wrapping_mul(2_654_435_761) >> 24) % 90, row))
            .collect();
        let spread: Vec<u64> = (0..10_000u32)
            .map(|row| pack(row.wrapping_mul(2_654_435_761), row))
            .collect();
        let mut shuffled = narrow.clone();
        shuffled.reverse();
        for keys in [narrow, spread, shuffled] {
            let mut want = keys.clone();
            want.sort_unstable();
            let mut got = keys;
            sort_keys(&mut got, &mut scratch, &mut counts);
            assert_eq!(got, want);
        }
    }

    #[test]
    fn highlight_positions() {
        let mut f = FuzzyFilter::default();
        assert_eq!(
            f.match_positions("燃え", "プリンターが燃えている"),
            Some(vec![6, 7])
        );
        assert_eq!(f.match_positions("pr", "Printer"), Some(vec![0, 1]));
        assert_eq!(f.match_positions("zz", "Printer"), None);
    }
}
