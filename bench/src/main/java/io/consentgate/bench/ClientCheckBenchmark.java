package io.consentgate.bench;

import io.consentgate.client.Permission;
import io.consentgate.client.VerdictView;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The client's answers on one thread over random ids of a view of N contacts (ids
 * {@code c-<UUID>}), JMH: {@code check(contactId)} on the system clock as a sender calls it,
 * {@code check(contactId, now)} with one instant, and {@code filter} over a campaign list (per id).
 */
@State(Scope.Benchmark)
public class ClientCheckBenchmark {

  @Param("1000000")
  public long contacts;

  private VerdictView view;
  private String[] ids;
  private int mask;
  private Instant now;
  private List<List<String>> campaigns;

  @Setup(Level.Trial)
  public void setUp() {
    view = ClientViews.currentView(Clock.systemUTC());
    // Every 8th contact, shuffled: a list of random ids of the view far larger than the CPU's caches.
    String[] sample = ClientViews.fill(view, contacts, 42, 8);
    int n = Integer.highestOneBit(sample.length);
    ids = java.util.Arrays.copyOf(sample, n);
    mask = n - 1;
    now = Instant.now();
    campaigns = new java.util.ArrayList<>();
    for (int from = 0; from + FILTER_BATCH <= n; from += FILTER_BATCH) {
      campaigns.add(Arrays.asList(ids).subList(from, from + FILTER_BATCH));
    }
    System.gc();
  }

  /** Per-thread position in the id list. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;
  }

  static final int FILTER_BATCH = 1024;

  @Benchmark
  public Permission check(Cursor cursor) {
    return view.check(ids[cursor.next++ & mask]);
  }

  @Benchmark
  public Permission checkAtInstant(Cursor cursor) {
    return view.check(ids[cursor.next++ & mask], now);
  }

  /** Per id: a list of 1,024 random ids split into allowed and denied. */
  @Benchmark
  @OperationsPerInvocation(FILTER_BATCH)
  public void filter(Cursor cursor, Blackhole bh) {
    List<String> campaign = campaigns.get(cursor.next++ % campaigns.size());
    view.filter(campaign, now, bh::consume, bh::consume);
  }
}
