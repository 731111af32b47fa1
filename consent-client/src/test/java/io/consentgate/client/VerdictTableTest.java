package io.consentgate.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.consentgate.events.ConsentStatus;
import io.consentgate.events.Decision;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The compact table against a plain map: inserts, replacements, removals and growth, with both kinds of id. */
class VerdictTableTest {

  private record Held(Decision decision, ConsentStatus status, boolean oneToOne, Long validUntil, long decidedAt, long epoch,
                      long version) {}

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 42})
  void theTableHoldsExactlyWhatAMapWouldHold(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 6_000; i++) {
      ids.add(switch (i % 4) {
        case 0, 1 -> "c-" + new UUID(random.nextLong(), random.nextLong());
        case 2 -> "c-" + i;
        default -> "C-" + new UUID(random.nextLong(), random.nextLong()).toString().toUpperCase();
      });
    }
    VerdictTable table = new VerdictTable();
    Map<String, Held> model = new HashMap<>();
    for (int op = 0; op < 30_000; op++) {
      String id = ids.get(random.nextInt(ids.size()));
      VerdictTable.Key key = new VerdictTable.Key(id);
      if (random.nextInt(4) == 0) {
        assertThat(table.remove(key)).isEqualTo(model.remove(id) != null);
      } else {
        long epoch = random.nextInt(10) == 0 ? random.nextLong(1L << 20) : random.nextInt(3);
        long version = random.nextInt(10) == 0 ? random.nextLong() & Long.MAX_VALUE : random.nextInt(5);
        Held h = new Held(Decision.values()[random.nextInt(2)], ConsentStatus.values()[random.nextInt(ConsentStatus.values().length)],
            random.nextBoolean(), random.nextBoolean() ? null : random.nextLong(), random.nextLong(), epoch, version);
        Held old = model.get(id);
        boolean below = old != null && (old.epoch() > epoch || (old.epoch() == epoch && old.version() > version));
        VerdictTable.PutResult r = table.put(key, h.decision(), h.status(), h.oneToOne(), h.validUntil(), h.decidedAt(), epoch, version);
        assertThat(r).isEqualTo(below ? VerdictTable.PutResult.ORDERED_BELOW : old == null ? VerdictTable.PutResult.NEW
            : VerdictTable.PutResult.REPLACED);
        if (!below) {
          model.put(id, h);
        }
      }
      if (op % 5_000 == 0 || op == 29_999) {
        assertThat(table.size()).isEqualTo(model.size());
        for (String each : ids) {
          VerdictSummary v = table.get(new VerdictTable.Key(each), null);
          Held h = model.get(each);
          if (h == null) {
            assertThat(v).as(each).isNull();
          } else {
            assertThat(v).as(each).isNotNull();
            assertThat(new Held(v.decision(), v.status(), v.oneToOneAllowed(), v.validUntil().map(java.time.Instant::toEpochMilli).orElse(null),
                v.decidedAt().toEpochMilli(), v.epoch(), v.version())).as(each).isEqualTo(h);
          }
        }
        assertThat(table.ids()).containsExactlyInAnyOrderElementsOf(model.keySet());
      }
    }
  }

  @Test
  void uuidFormIdsAreTwoLongsAndComeBackExactly() {
    String id = "c-0c3a6f4e-9b1d-4d2e-8f7a-1234567890ab";
    assertThat(ContactKey.isUuidForm(id)).isTrue();
    assertThat(ContactKey.uuidForm(ContactKey.hi(id), ContactKey.lo(id))).isEqualTo(id);
    UUID u = UUID.fromString(id.substring(2));
    assertThat(ContactKey.hi(id)).isEqualTo(u.getMostSignificantBits());
    assertThat(ContactKey.lo(id)).isEqualTo(u.getLeastSignificantBits());
    for (String other : List.of("c-0C3A6F4E-9B1D-4D2E-8F7A-1234567890AB", "d-0c3a6f4e-9b1d-4d2e-8f7a-1234567890ab",
        "c-0c3a6f4e-9b1d-4d2e-8f7a-1234567890a", "c-0c3a6f4e-9b1d-4d2e-8f7a-1234567890abc", "c-0c3a6f4e_9b1d-4d2e-8f7a-1234567890ab",
        "c-0c3a6f4e-9b1d-4d2e-8f7a-1234567890ag", "c-0c3a6f4e-9b1d-4d2e-8f7a-1234567890a\u00e9", "c-ann", "")) {
      assertThat(ContactKey.isUuidForm(other)).as(other).isFalse();
    }
  }

  @Test
  void theUuidParserAgreesWithTheJdkAndRefusesEveryOtherCharacterAnywhere() {
    SplittableRandom random = new SplittableRandom(11);
    for (int n = 0; n < 100_000; n++) {
      UUID u = new UUID(random.nextLong(), random.nextLong());
      String id = "c-" + u;
      assertThat(ContactKey.isUuidForm(id)).as(id).isTrue();
      assertThat(ContactKey.hi(id)).isEqualTo(u.getMostSignificantBits());
      assertThat(ContactKey.lo(id)).isEqualTo(u.getLeastSignificantBits());
    }
    String id = "c-0123abcd-ef45-6789-abcd-ef0123456789";
    assertThat(ContactKey.isUuidForm(id)).isTrue();
    for (int at = 0; at < id.length(); at++) {
      for (char bad : new char[] {'g', 'A', 'F', '/', ':', '`', '@', 'G', ' ', '-', '0', 'a', '\u00e9', '\u0130', '\u00ff', '\u0000'}) {
        String mutated = id.substring(0, at) + bad + id.substring(at + 1);
        boolean stillValid = at >= 2 && id.charAt(at) != '-' && (bad == '0' || bad == 'a')
            || id.charAt(at) == bad;
        assertThat(ContactKey.isUuidForm(mutated)).as(mutated).isEqualTo(stillValid);
      }
    }
  }

  @Test
  void everyStatusTheContractHasIsHeldAsItself() {
    // The meta word keeps the status in 4 bits: UNDELIVERABLE and SUPPRESSED (12 statuses) still fit.
    VerdictTable table = new VerdictTable();
    for (ConsentStatus status : ConsentStatus.values()) {
      boolean oneToOne = status.ordinal() % 2 == 0;
      table.put(new VerdictTable.Key("c-" + status), Decision.DENY, status, oneToOne, null, 1, 3, 7);
    }
    for (ConsentStatus status : ConsentStatus.values()) {
      VerdictSummary v = table.get(new VerdictTable.Key("c-" + status), null);
      assertThat(v.status()).isEqualTo(status);
      assertThat(v.decision()).isEqualTo(Decision.DENY);
      assertThat(v.oneToOneAllowed()).isEqualTo(status.ordinal() % 2 == 0);
      assertThat(v.consented()).isFalse();
    }
    assertThat(ConsentStatus.values()).contains(ConsentStatus.UNDELIVERABLE, ConsentStatus.SUPPRESSED).hasSizeLessThanOrEqualTo(16);
  }

  @Test
  void aUuidIdAndAnOtherIdNeverMeet() {
    VerdictTable table = new VerdictTable();
    String uuid = "c-0c3a6f4e-9b1d-4d2e-8f7a-1234567890ab";
    String upper = uuid.toUpperCase().replace("C-", "c-");
    table.put(new VerdictTable.Key(uuid), Decision.ALLOW, ConsentStatus.CONSENTED_EXPLICIT, true, null, 1, 0, 1);
    assertThat(table.get(new VerdictTable.Key(upper), null)).as("ids are exact strings").isNull();
    table.put(new VerdictTable.Key(upper), Decision.DENY, ConsentStatus.WITHDRAWN, true, null, 1, 0, 1);
    assertThat(table.get(new VerdictTable.Key(uuid), null).decision()).isEqualTo(Decision.ALLOW);
    assertThat(table.get(new VerdictTable.Key(upper), null).decision()).isEqualTo(Decision.DENY);
    assertThat(table.ids()).containsExactlyInAnyOrder(uuid, upper);
  }

  @Test
  void readersOnOtherThreadsSeeWholeVerdictsWhileTheWriterWorks() throws Exception {
    VerdictTable table = new VerdictTable();
    int n = 50_000;
    String[] ids = new String[n];
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < n; i++) {
      ids[i] = "c-" + new UUID(random.nextLong(), random.nextLong());
    }
    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicReference<String> problem = new java.util.concurrent.atomic.AtomicReference<>();
    Thread reader = new Thread(() -> {
      SplittableRandom r = new SplittableRandom(5);
      while (!done.get()) {
        String id = ids[r.nextInt(n)];
        VerdictSummary v = table.get(new VerdictTable.Key(id), null);
        // The writer always writes epoch == version == decidedAt, so a torn read shows.
        if (v != null && (v.epoch() != v.version() || v.decidedAt().toEpochMilli() != v.version() || !v.contactId().equals(id))) {
          problem.set(v.toString());
        }
      }
    });
    reader.start();
    for (int round = 1; round <= 6; round++) {
      for (int i = 0; i < n; i++) {
        VerdictTable.Key k = new VerdictTable.Key(ids[i]);
        if (round % 3 == 0 && i % 2 == 0) {
          table.remove(k);
        } else {
          table.put(k, Decision.ALLOW, ConsentStatus.CONSENTED_EXPLICIT, true, null, round, round, round);
        }
      }
    }
    done.set(true);
    reader.join();
    assertThat(problem.get()).isNull();
  }
}
