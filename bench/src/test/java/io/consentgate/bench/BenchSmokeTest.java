package io.consentgate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** A tiny run of the whole suite, so it cannot rot: it must finish and write every result key and the chart. */
class BenchSmokeTest {

  @TempDir
  Path dir;

  @Test
  void theSuiteRunsEndToEndAndWritesItsResultsAndChart() throws Exception {
    Path out = dir.resolve("smoke.json");
    StringWriter err = new StringWriter();
    CommandLine bench = new CommandLine(new BenchMain()).setErr(new PrintWriter(err, true));
    int exit = bench.execute("--smoke", "--out", out.toString());
    // On a failure the report shows why (the stack trace picocli writes), not only the exit code.
    assertThat(exit).as("bench --smoke failed:%n%s", err).isZero();
    JsonNode results = new ObjectMapper().readTree(out.toFile());
    assertThat(results.fieldNames()).toIterable().contains("gate_eos_eps", "passthrough_eos_eps", "ratio_gate_to_passthrough",
        "gate_alo_eps", "stateful_eos_eps", "ratio_gate_to_stateful", "latency_p99_ms_at_20k", "replay_eps", "restore_eps", "policy_decisions_per_s", "rss_mb_1m_contacts",
        "rss_mb_10m_contacts", "memory");
    assertThat(results.get("gate_eos_eps").asDouble()).isPositive();
    assertThat(results.get("passthrough_eos_eps").asDouble()).isPositive();
    assertThat(results.get("stateful_eos_eps").asDouble()).isPositive();
    assertThat(results.get("stateful_eos_eps_runs")).hasSize(1);
    assertThat(results.get("ratio_gate_to_stateful").asDouble()).isPositive();
    // the floor of the hops suppression by address adds, and the gate against it
    assertThat(results.get("stateful_hops_eos_eps").asDouble()).isPositive();
    assertThat(results.get("stateful_hops_eos_eps_runs")).hasSize(1);
    assertThat(results.get("ratio_hops_to_stateful").asDouble()).isPositive();
    assertThat(results.get("ratio_gate_to_hops").asDouble()).isPositive();
    assertThat(results.get("policy_full_verdicts_per_s").isNull()).as("no JMH in a smoke run").isTrue();
    assertThat(results.get("replay_eps").asDouble()).isPositive();
    assertThat(results.get("replay_eps_by_threads").get("1").asDouble()).isPositive();
    assertThat(results.get("replay_eps_by_threads").get("2").asDouble()).as("the sharded engine").isPositive();
    assertThat(results.get("restore_eps").asDouble()).isPositive();
    assertThat(results.get("latency_ms").get("500").get("verdicts").asLong()).isPositive();
    assertThat(results.get("rerouting").get("median_ratio").asDouble()).isPositive();
    for (String series : new String[] {"local_ms", "forwarded_ms", "check_1000_ms"}) {
      assertThat(results.get("query").get(series).get("p99").asDouble()).as(series).isPositive();
    }
    for (int clients : QueryLatencyBench.CLIENTS) {
      JsonNode level = results.get("query").get("concurrent").get(String.valueOf(clients));
      assertThat(level.get("get").get("requests_per_s").asDouble()).as("GETs, %d clients", clients).isPositive();
      assertThat(level.get("check_1000").get("p99").asDouble()).as("checks, %d clients", clients).isPositive();
    }
    JsonNode stalled = results.get("query").get("get_while_200_stalled_ms");
    assertThat(stalled.get("unanswered_within_5s").asInt()).as("requests while 200 connections stall").isZero();
    assertThat(stalled.get("p99").asDouble()).isPositive();
    assertThat(results.get("rerouting").get("with_eps_runs")).hasSize(1);
    assertThat(results.get("audit").get("median_ratio").asDouble()).isPositive();
    assertThat(Files.size(dir.resolve("smoke.png"))).isPositive();
    JsonNode memory = results.get("memory").get(String.valueOf(BenchMain.SMOKE_CONTACTS));
    assertThat(memory.get("contacts").asLong()).isEqualTo(BenchMain.SMOKE_CONTACTS);
    assertThat(memory.get("rss_mb").asLong()).isPositive();
    assertThat(memory.get("rocksdb").get("estimate_num_keys").asLong()).isPositive();
    // The sender client: every key present, the small sizes measured, the 1M and 10M ones not.
    assertThat(results.fieldNames()).toIterable().containsAll(ClientBench.KEYS);
    assertThat(results.get("client_checks_per_s").asDouble()).isPositive();
    assertThat(results.get("client_filter_ids_per_s").asDouble()).isPositive();
    assertThat(results.get("client_load_verdicts_per_s").asDouble()).isPositive();
    assertThat(results.get("client").get("memory").get("20000").get("rss_mb").asLong()).isPositive();
    assertThat(results.get("client_rss_mb_10m").isNull()).isTrue();
    assertThat(results.get("client_rss_mb_1m").isNull()).isTrue();
    // Neither size was measured in a smoke run, so neither may be reported.
    assertThat(results.get("rss_mb_1m_contacts").isNull()).isTrue();
    assertThat(results.get("rss_mb_10m_contacts").isNull()).isTrue();
  }

  @Test
  void theMedianOfTheRoundsIsReported() {
    assertThat(BenchSupport.median(java.util.List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
    assertThat(BenchSupport.median(java.util.List.of(4.0, 1.0, 2.0, 3.0))).isEqualTo(2.5);
    assertThat(LatencyBench.percentile(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 99)).isEqualTo(10);
    assertThat(LatencyBench.percentile(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 50)).isEqualTo(5);
  }
}
