package io.consentgate.chaos;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** What the driver does to the gates or the cluster at one moment of a run. */
enum Fault {
  /** Two application ids started at the same moment on the empty verdict topic: exactly one may write. */
  RACE("two application ids start at the same moment"),
  /** SIGKILL of one instance, then a restart on its state directory. */
  KILL("kill -9 of an instance, then a restart"),
  /** SIGTERM of one instance (exit 0 expected), then a restart. */
  RESTART("clean stop and restart of an instance"),
  /** Every instance stopped, {@code reset --execute}, one instance started: re-publication in a new epoch. */
  RESET("reset --execute, then a restart in a new epoch"),
  /** A second application id on the same verdict topic while the first runs: refused with exit 4. */
  SECOND_APP_ID("a second application id on the same verdict topic"),
  /** The owner stopped, a new application id started with --take-over-verdict-topic. */
  TAKEOVER("takeover of the verdict topic by a new application id"),
  /** A second instance of the application joins (rebalance), or the second one leaves. */
  SECOND_INSTANCE("a second instance of the application joins or leaves"),
  /** The leader of a partition the gate reads or writes is killed, then restarted. */
  BROKER("kill and restart of a partition leader");

  final String description;

  Fault(String description) {
    this.description = description;
  }

  /** The kinds a run draws from: all but {@link #RACE}, which opens a run, and {@link #BROKER} on one broker. */
  static List<Fault> drawn(boolean brokers) {
    List<Fault> kinds = new ArrayList<>(List.of(KILL, RESTART, RESET, SECOND_APP_ID, TAKEOVER, SECOND_INSTANCE));
    if (brokers) {
      kinds.add(BROKER);
    }
    return kinds;
  }

  /**
   * {@code count} faults of the given kinds in a seeded order, every kind once before any twice,
   * so that a run with as many faults as kinds has each.
   */
  static List<Fault> schedule(int count, List<Fault> kinds, Random random) {
    List<Fault> out = new ArrayList<>();
    while (out.size() < count) {
      List<Fault> round = new ArrayList<>(kinds);
      Collections.shuffle(round, random);
      out.addAll(round.subList(0, Math.min(round.size(), count - out.size())));
    }
    return out;
  }
}
