package io.consentgate.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.consentgate.events.ConsentEvidence;
import io.consentgate.events.EvidenceKind;
import io.consentgate.events.Proof;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Whatever bytes arrive on an input topic, the deserializer returns a record or throws
 * {@link SerializationException} with a reason, which Kafka Streams' handler dead-letters. Any
 * other exception (or an OutOfMemoryError from a corrupt length) would bypass that path.
 */
class ConfluentAvroSerdeFuzzTest {

  private static final InMemorySchemaRegistry REGISTRY = new InMemorySchemaRegistry();
  private static final ConfluentAvroSerde<ConsentEvidence> SERDE = new ConfluentAvroSerde<>(REGISTRY, ConsentEvidence.class);
  private static final byte[] VALID = SERDE.serialize("consent-evidence", ConsentEvidence.newBuilder()
      .setEvidenceId("ev-1").setContactId("c-1").setBrandId("acme").setKind(EvidenceKind.CHECKBOX_OPT_IN)
      .setOccurredAt(Instant.parse("2024-01-05T10:00:00Z"))
      .setProof(Proof.newBuilder().setReference("form-1").setUrl("https://acme.example/signup").setIpAddress(null)
          .setUserAgent(null).setCapturedText("Yes, send me news").build())
      .build());

  @Property(tries = 3000)
  void randomBytesAreReadOrRejected(@ForAll byte[] bytes) {
    assertReadOrRejected(bytes);
  }

  @Property(tries = 5000)
  void mutatedValidRecordsAreReadOrRejected(@ForAll("mutated") byte[] bytes) {
    assertReadOrRejected(bytes);
  }

  @Provide
  Arbitrary<byte[]> mutated() {
    Arbitrary<Integer> at = Arbitraries.integers().between(0, VALID.length - 1);
    Arbitrary<Byte> value = Arbitraries.bytes();
    Arbitrary<Integer> cut = Arbitraries.integers().between(0, VALID.length);
    return Combinators.combine(at, value, cut, Arbitraries.integers().between(1, 3)).as((p, v, c, flips) -> {
      byte[] b = VALID.clone();
      for (int i = 0; i < flips; i++) {
        b[(p + i * 11) % b.length] = (byte) (v + i);
      }
      return c < b.length && c % 3 == 0 ? java.util.Arrays.copyOf(b, c) : b;
    });
  }

  private static void assertReadOrRejected(byte[] bytes) {
    try {
      assertThat(SERDE.deserialize("consent-evidence", bytes)).isNotNull();
    } catch (SerializationException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }
}
