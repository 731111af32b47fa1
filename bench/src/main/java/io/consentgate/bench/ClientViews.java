package io.consentgate.bench;

import io.consentgate.client.VerdictView;
import io.consentgate.events.ConsentStatus;
import io.consentgate.events.ConsentVerdict;
import io.consentgate.events.Decision;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Sender views of N contacts for the client benchmarks: ids of the form {@code c-<UUID>}, verdicts
 * in a realistic mix (most contacts allowed, explicitly or implicitly with a lapse date; withdrawn,
 * pending, no consent and bad addresses for the rest), the same for every run with the same seed.
 */
final class ClientViews {

  static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

  private ClientViews() {}

  /** The id of contact {@code n} of the stream seeded {@code seed}; call in order, from the same random. */
  static String nextId(SplittableRandom random) {
    return "c-" + new UUID(random.nextLong(), random.nextLong());
  }

  /** A reusable verdict record, rewritten for each contact (so filling 10M contacts makes little garbage). */
  static final class VerdictMix {
    private final SplittableRandom random;
    private final ConsentVerdict v = ConsentVerdict.newBuilder().setContactId("").setBrandId("acme").setEmail("")
        .setDecision(Decision.DENY).setStatus(ConsentStatus.NO_CONSENT).setOneToOneAllowed(true).setValidUntil(null)
        .setReasons(List.of()).setEvidenceIds(List.of()).setRecommendations(List.of()).setDecidedAt(NOW)
        .setPolicy("optin/1").setVersion(1).setEpoch(0).build();

    VerdictMix(long seed) {
      this.random = new SplittableRandom(seed);
    }

    ConsentVerdict next(String contactId) {
      int roll = random.nextInt(100);
      v.setContactId(contactId);
      v.setEmail(contactId.substring(2, 12) + "@example.org");
      v.setValidUntil(null);
      v.setOneToOneAllowed(true);
      v.setVersion(1 + random.nextInt(4));
      v.setDecidedAt(NOW.minusSeconds(random.nextInt(90_000_000)));
      if (roll < 40) {
        v.setDecision(Decision.ALLOW);
        v.setStatus(ConsentStatus.CONSENTED_EXPLICIT);
      } else if (roll < 60) {
        v.setDecision(Decision.ALLOW);
        v.setStatus(ConsentStatus.CONSENTED_IMPLICIT);
        v.setValidUntil(NOW.plusSeconds(random.nextInt(63_000_000)));
      } else if (roll < 75) {
        v.setDecision(Decision.DENY);
        v.setStatus(ConsentStatus.WITHDRAWN);
      } else if (roll < 85) {
        v.setDecision(Decision.DENY);
        v.setStatus(ConsentStatus.NO_CONSENT);
      } else if (roll < 95) {
        v.setDecision(Decision.DENY);
        v.setStatus(ConsentStatus.PENDING_CONFIRMATION);
      } else {
        v.setDecision(Decision.DENY);
        v.setStatus(random.nextBoolean() ? ConsentStatus.INVALID_ADDRESS : ConsentStatus.EXPIRED);
        v.setOneToOneAllowed(v.getStatus() != ConsentStatus.INVALID_ADDRESS);
      }
      v.setReasons(List.of(v.getStatus().name()));
      return v;
    }
  }

  /** An empty view that answers (current, never stale) on {@code clock}. */
  static VerdictView currentView(Clock clock) {
    VerdictView view = new VerdictView(new VerdictView.Settings(clock, Duration.ofDays(3650), null, false));
    view.endOffsetsTaken(clock.millis(), Map.of());
    view.positions(Map.of());
    return view;
  }

  /**
   * Fills {@code view} with {@code contacts} contacts, and returns every {@code sampleEvery}-th id,
   * shuffled, each a fresh String laid out in the order it will be checked (as a campaign list
   * read from a file would be).
   */
  static String[] fill(VerdictView view, long contacts, long seed, int sampleEvery) {
    SplittableRandom ids = new SplittableRandom(seed);
    VerdictMix mix = new VerdictMix(seed + 1);
    long[] sample = new long[(int) (contacts / sampleEvery) * 2];
    int sampled = 0;
    for (long n = 0; n < contacts; n++) {
      long hi = ids.nextLong();
      long lo = ids.nextLong();
      String id = "c-" + new UUID(hi, lo);
      view.apply(id, mix.next(id));
      if (n % sampleEvery == 0 && sampled * 2 < sample.length) {
        sample[sampled * 2] = hi;
        sample[sampled * 2 + 1] = lo;
        sampled++;
      }
    }
    SplittableRandom shuffle = new SplittableRandom(seed + 2);
    for (int i = sampled - 1; i > 0; i--) {
      int j = shuffle.nextInt(i + 1);
      long hi = sample[i * 2];
      long lo = sample[i * 2 + 1];
      sample[i * 2] = sample[j * 2];
      sample[i * 2 + 1] = sample[j * 2 + 1];
      sample[j * 2] = hi;
      sample[j * 2 + 1] = lo;
    }
    String[] out = new String[sampled];
    for (int i = 0; i < sampled; i++) {
      out[i] = "c-" + new UUID(sample[i * 2], sample[i * 2 + 1]);
    }
    return out;
  }
}
