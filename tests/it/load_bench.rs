//! The load benchmark (`cargo bench --bench load`) keeps working: its seeding, the real
//! server it starts, every scenario and its floor, and the table and JSON it writes,
//! at a tiny scale for about a second each. No figure is asserted, only that requests
//! were answered without errors, that the replica scenario's servers read from its
//! replica, and that the report holds what the README reads.

#[path = "../bench/load/bench.rs"]
mod bench;

use std::time::Duration;

use bench::{Config, Scenario};

use crate::common::url_for;

#[tokio::test(flavor = "multi_thread")]
async fn the_load_benchmark_seeds_runs_every_scenario_and_reports() {
    let json = std::env::temp_dir().join(format!("envgate-load-{}.json", uuid::Uuid::new_v4()));
    let config = Config {
        admin_url: url_for("postgres").await,
        workspaces: 3,
        data_sources: 4,
        environments: 4,
        apps: 2,
        clients: 2,
        duration: Duration::from_secs(1),
        warmup: Duration::ZERO,
        scenarios: vec![
            Scenario::Builder,
            Scenario::Resolve,
            Scenario::Write,
            Scenario::Pooler,
            Scenario::Replica,
        ],
        pool_size: Some(4),
        server_binary: None,
        server_wrapper: None,
        keep_database: false,
        json: Some(json.clone()),
    };
    let report = bench::run(&config, env!("CARGO_BIN_EXE_envgate").as_ref())
        .await
        .unwrap();
    let written = std::fs::read_to_string(&json).unwrap();
    std::fs::remove_file(&json).unwrap();

    // The replica scenario gives two rows: one process on a primary, two on it and
    // its replica.
    assert_eq!(report.rows.len(), 6);
    for row in &report.rows {
        for (who, m) in [("envgate", &row.envgate), ("floor", &row.floor)] {
            assert!(m.requests > 0, "{} ({who}) answered nothing", row.scenario);
            assert_eq!(m.errors, 0, "{} ({who}): {:?}", row.scenario, m.first_error);
        }
        assert!(row.server_cpu_ms_per_request >= 0.0);
    }
    assert_eq!(report.rows[2].lost_updates, Some(0));
    assert_eq!(report.rows[4].scenario, bench::PRIMARY_ALONE);
    assert!(report.rows[4].replica_reads.is_none());
    assert_eq!(report.rows[5].scenario, bench::PRIMARY_AND_REPLICA);
    let reads = report.rows[5]
        .replica_reads
        .expect("where the pair read from");
    assert!(
        reads.replica > 0,
        "no query read from the replica: {reads:?}"
    );
    assert!(report.server_peak_rss_mb > 0.0);

    let table = bench::table(&report);
    assert!(table.contains("| builder read |"), "{table}");
    assert!(table.contains("| builder read via PgBouncer |"), "{table}");
    assert!(
        table.contains(&format!("| {} |", bench::PRIMARY_AND_REPLICA)),
        "{table}"
    );
    assert!(table.contains("read from the replica"), "{table}");
    assert!(table.contains("ratio to floor"), "{table}");
    let written: serde_json::Value = serde_json::from_str(&written).unwrap();
    for key in ["machine", "scale", "rows", "server_peak_rss_mb"] {
        assert!(written.get(key).is_some(), "{key} missing from {written}");
    }
    for key in [
        "envgate",
        "floor",
        "ratio_to_floor",
        "server_cpu_ms_per_request",
    ] {
        assert!(
            written["rows"][0].get(key).is_some(),
            "{key} missing from the rows"
        );
    }
}
