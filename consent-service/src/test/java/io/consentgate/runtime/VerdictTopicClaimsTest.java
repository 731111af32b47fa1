package io.consentgate.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.consentgate.runtime.VerdictTopicClaims.Claim;
import io.consentgate.runtime.VerdictTopicClaims.Kind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Who owns a verdict topic, by its claims log. */
class VerdictTopicClaimsTest {

  @Test
  void theFirstClaimWinsAndLaterClaimsChangeNothing() {
    assertThat(VerdictTopicClaims.owner(List.of(claim("blue"), claim("green"), claim("blue")))).contains("blue");
  }

  @Test
  void theLatestTakeOverWinsOverEveryClaim() {
    assertThat(VerdictTopicClaims.owner(List.of(claim("blue"), claim("green"), takeOver("green")))).contains("green");
    assertThat(VerdictTopicClaims.owner(List.of(claim("blue"), takeOver("green"), claim("red"), takeOver("blue"))))
        .contains("blue");
  }

  @Test
  void anEmptyLogNamesNoOwner() {
    assertThat(VerdictTopicClaims.owner(List.of())).isEmpty();
  }

  /**
   * A compacted log keeps each key's last record only. Written as gates write it (a claim only by
   * an id with no record in the log yet, take-overs at any time), the owner is the same before
   * and after compaction.
   */
  @Property(tries = 500)
  void compactionNeverChangesTheOwner(@ForAll("appends") List<Claim> attempts) {
    List<Claim> log = new ArrayList<>();
    for (Claim c : attempts) {
      boolean hasRecord = log.stream().anyMatch(r -> r.applicationId().equals(c.applicationId()));
      if (c.kind() == Kind.TAKE_OVER || !hasRecord) {
        log.add(c);
      }
    }
    Map<String, Integer> lastOffset = new LinkedHashMap<>();
    for (int i = 0; i < log.size(); i++) {
      lastOffset.put(log.get(i).applicationId(), i);
    }
    List<Claim> compacted = new ArrayList<>();
    for (int i = 0; i < log.size(); i++) {
      if (lastOffset.get(log.get(i).applicationId()) == i) {
        compacted.add(log.get(i));
      }
    }
    assertThat(VerdictTopicClaims.owner(compacted)).isEqualTo(VerdictTopicClaims.owner(log));
  }

  @Provide
  Arbitrary<List<Claim>> appends() {
    return net.jqwik.api.Combinators.combine(Arbitraries.of("blue", "green", "red"), Arbitraries.of(Kind.values()))
        .as(Claim::new).list().ofMaxSize(12);
  }

  private static Claim claim(String app) {
    return new Claim(app, Kind.CLAIM);
  }

  private static Claim takeOver(String app) {
    return new Claim(app, Kind.TAKE_OVER);
  }
}
