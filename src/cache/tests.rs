//! The cache against real files in a temporary folder.

use std::collections::BTreeMap;

use super::*;

fn ticket(id: u32, pipeline: &str, modified_ms: i64, subject: &str) -> Ticket {
    let at = |ms| jiff::Timestamp::from_millisecond(ms).ok();
    let mut properties = BTreeMap::new();
    properties.insert("subject".to_owned(), subject.to_owned());
    properties.insert("hs_pipeline".to_owned(), pipeline.to_owned());
    properties.insert(
        "hs_lastmodifieddate".to_owned(),
        jiff::Timestamp::from_millisecond(modified_ms)
            .map(|t| t.to_string())
            .unwrap_or_default(),
    );
    Ticket {
        id: id.to_string(),
        properties,
        created_at: at(1_000),
        updated_at: at(modified_ms),
        archived: false,
        history: None,
    }
}

fn open_in(dir: &tempfile::TempDir) -> Opened {
    let path = file_for(dir.path(), "http://127.0.0.1:1234", Some("42"));
    Cache::open(&path).expect("open")
}

#[test]
fn a_new_cache_is_private_and_empty() {
    let dir = tempfile::tempdir().expect("tempdir");
    let opened = open_in(&dir);
    assert_eq!(opened.notice, None);
    let cache = opened.cache;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(cache.path())
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_eq!(cache.stats().expect("stats").tickets, 0);
    assert_eq!(cache.sync_state().expect("state"), SyncState::default());
    assert!(cache.tickets().expect("tickets").is_empty());
}

#[test]
fn pages_round_trip_with_their_state_and_counts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cache = open_in(&dir).cache;
    let state = SyncState {
        resume_after: Some("201".into()),
        ..SyncState::default()
    };
    let applied = cache
        .apply(&Batch {
            upserts: vec![ticket(2, "0", 5_000, "b"), ticket(1, "1", 9_000, "a")],
            deletes: vec![],
            state: Some(state.clone()),
        })
        .expect("apply");
    assert_eq!((applied.added, applied.changed, applied.removed), (2, 0, 0));
    assert_eq!(cache.sync_state().expect("state"), state);
    let all = cache.tickets().expect("all");
    assert_eq!(
        all,
        vec![ticket(1, "1", 9_000, "a"), ticket(2, "0", 5_000, "b")]
    );
    let p0 = cache.tickets_in_pipeline(Some("0")).expect("p0");
    assert_eq!(p0, vec![ticket(2, "0", 5_000, "b")]);
    // The same version again changes nothing; a new one counts as changed; deletes count.
    let applied = cache
        .apply(&Batch {
            upserts: vec![ticket(2, "0", 5_000, "b"), ticket(1, "1", 9_500, "a2")],
            deletes: vec!["2".into(), "77".into()],
            state: None,
        })
        .expect("apply");
    assert_eq!((applied.added, applied.changed, applied.removed), (0, 1, 1));
    assert_eq!(
        cache.tickets().expect("all"),
        vec![ticket(1, "1", 9_500, "a2")]
    );
    // The state was left alone by a batch without one.
    assert_eq!(cache.sync_state().expect("state"), state);
    assert_eq!(cache.ids_in_range(0, 10, i64::MAX).expect("range"), vec![1]);
    assert_eq!(
        cache.ids_modified_between(9_000, 10_000, 5).expect("m"),
        vec!["1"]
    );
}

#[test]
fn the_catalogue_keeps_when_it_was_fetched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cache = open_in(&dir).cache;
    assert_eq!(cache.catalogue("owners").expect("get"), None);
    let v = serde_json::json!([{"id": "7"}]);
    cache.put_catalogue("owners", &v, 1234).expect("put");
    assert_eq!(cache.catalogue("owners").expect("get"), Some((v, 1234)));
}

#[test]
fn the_data_survives_reopening() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cache = open_in(&dir).cache;
    cache
        .apply(&Batch {
            upserts: vec![ticket(3, "0", 1, "x")],
            ..Batch::default()
        })
        .expect("apply");
    drop(cache);
    let opened = open_in(&dir);
    assert_eq!(opened.notice, None);
    assert_eq!(opened.cache.stats().expect("stats").tickets, 1);
}

#[test]
fn a_garbage_file_is_moved_aside_and_rebuilt_with_a_notice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = file_for(dir.path(), "http://127.0.0.1:1234", Some("42"));
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&path, garbage).expect("write");
    let opened = Cache::open(&path).expect("open");
    let notice = opened.notice.clone().expect("a notice");
    assert!(notice.contains("unreadable"), "{notice}");
    assert!(!notice.contains('\n'));
    assert_eq!(opened.cache.stats().expect("stats").tickets, 0);
    // The old file is kept aside, and counted as this portal's for `cache clear`.
    let files = all_files(dir.path()).expect("files");
    let aside = files
        .iter()
        .filter(|f| f.to_string_lossy().contains(".unusable-"))
        .count();
    assert_eq!(aside, 1, "{files:?}");
    drop(opened);
    assert!(remove(&path).expect("remove") > 0);
    assert!(all_files(dir.path()).expect("files").is_empty());
}

#[test]
fn a_schema_from_a_newer_hubtix_is_moved_aside() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = {
        let opened = open_in(&dir);
        opened
            .cache
            .conn
            .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .expect("pragma");
        opened.cache.path().to_path_buf()
    };
    let opened = Cache::open(&path).expect("open");
    let notice = opened.notice.expect("a notice");
    assert!(notice.contains("newer hubtix"), "{notice}");
    let version: i64 = opened
        .cache
        .conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(version, SCHEMA_VERSION);
}

#[test]
fn portals_get_files_of_their_own() {
    let dir = std::path::Path::new("/c");
    let a = file_for(dir, "https://api.hubapi.com", Some("1"));
    let b = file_for(dir, "https://api.hubapi.com/", Some("1"));
    let c = file_for(dir, "https://api.hubapi.com", Some("2"));
    let d = file_for(dir, "http://127.0.0.1:8080", None);
    assert_eq!(a, b, "a trailing slash is the same portal");
    assert_ne!(a, c);
    let name = d.file_name().and_then(|n| n.to_str()).expect("name");
    assert!(name.starts_with("tickets-127_0_0_1_8080-any-"), "{name}");
}

#[test]
fn a_damaged_page_passes_the_quick_open_and_is_caught_by_the_page_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = {
        let opened = open_in(&dir);
        opened
            .cache
            .conn
            .execute_batch(
                "CREATE TABLE filler(x);
                 WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 4000)
                 INSERT INTO filler SELECT randomblob(200) FROM c;
                 PRAGMA wal_checkpoint(TRUNCATE);",
            )
            .expect("filler");
        opened.cache.path().to_path_buf()
    };
    let mut bytes = std::fs::read(&path).expect("read");
    let len = bytes.len();
    assert!(len > 40 * 4096, "{len}");
    // Pages in the middle of the file (never the header page) overwritten with garbage.
    for (i, b) in bytes[len / 2..len / 2 + 3 * 4096].iter_mut().enumerate() {
        *b = (i * 13 % 251) as u8;
    }
    std::fs::write(&path, bytes).expect("write");

    let quick = Cache::open_quick(&path).expect("the quick open does not read every page");
    assert_eq!(quick.notice, None);
    let damage = quick
        .cache
        .pages_ok()
        .expect_err("the page check finds the damage");
    assert!(!damage.is_empty());
    drop(quick);
    let reopened = Cache::open(&path).expect("open");
    let notice = reopened.notice.expect("rebuilt with a notice");
    assert!(notice.contains("unreadable"), "{notice}");
    assert!(reopened.cache.pages_ok().is_ok());
}

#[test]
fn the_queue_is_read_row_by_row_newest_first_and_rows_by_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cache = open_in(&dir).cache;
    cache
        .apply(&Batch {
            upserts: vec![
                ticket(1, "0", 5_000, "Printer jam"),
                ticket(2, "0", 9_000, "Login fails"),
                ticket(3, "1", 7_000, "Other pipeline"),
            ],
            ..Batch::default()
        })
        .expect("apply");
    // Each row as it is read, with only the properties asked for.
    let queued = |pipeline: Option<&str>| {
        let mut ids = Vec::new();
        cache
            .each_queued(pipeline, &["subject".to_owned()], &mut |t| {
                assert!(t.properties.keys().all(|k| k == "subject"), "{t:?}");
                ids.push(t.id);
            })
            .expect("queue");
        ids
    };
    assert_eq!(
        queued(Some("0")),
        ["2", "1"],
        "the pipeline's, newest change first"
    );
    assert_eq!(queued(None), ["2", "3", "1"]);

    let rows = cache
        .queue_rows(
            &["3".into(), "99".into(), "1".into(), "x".into()],
            &["subject".to_owned()],
        )
        .expect("rows");
    let got: Vec<(&str, &str)> = rows.iter().map(|t| (t.id.as_str(), t.subject())).collect();
    assert_eq!(
        got,
        [("3", "Other pipeline"), ("1", "Printer jam")],
        "in the order asked"
    );
    assert!(rows.iter().all(|t| t.properties.len() == 1));
}
