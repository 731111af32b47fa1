package io.consentgate.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Every symbol of the four enum pairs maps both ways, to the symbol of the same name; and a symbol
 * only a newer producer knows reads as its field's default, which maps to the value that fails
 * closed (docs/events.md, "Unknown enum symbols").
 */
class EnumMappingTest {

  static {
    io.consentgate.serde.AvroTrust.trustGateClasses(); // as the gate's serde does before it reads
  }

  @Test
  @DisplayName("ContactSource: every symbol maps both ways, by name")
  void contactSources() {
    assertBijection(io.consentgate.events.ContactSource.values(), io.consentgate.policy.ContactSource.values(),
        EnumMapping::toDomain, EnumMapping::toContract);
  }

  @Test
  @DisplayName("EvidenceKind: every symbol maps both ways, by name")
  void evidenceKinds() {
    assertBijection(io.consentgate.events.EvidenceKind.values(), io.consentgate.policy.EvidenceKind.values(),
        EnumMapping::toDomain, EnumMapping::toContract);
  }

  @Test
  @DisplayName("ConsentStatus: every symbol maps both ways, by name")
  void consentStatuses() {
    assertBijection(io.consentgate.events.ConsentStatus.values(), io.consentgate.policy.ConsentStatus.values(),
        EnumMapping::toDomain, EnumMapping::toContract);
  }

  @Test
  @DisplayName("Decision: every symbol maps both ways, by name")
  void decisions() {
    assertBijection(io.consentgate.events.Decision.values(), io.consentgate.policy.Decision.values(),
        EnumMapping::toDomain, EnumMapping::toContract);
  }

  @Test
  @DisplayName("HARD_BOUNCE maps to the domain's bounce, which suppresses the address")
  void hardBounce() {
    io.consentgate.policy.EvidenceKind kind = EnumMapping.toDomain(io.consentgate.events.EvidenceKind.HARD_BOUNCE);
    assertThat(kind).isEqualTo(io.consentgate.policy.EvidenceKind.HARD_BOUNCE);
    assertThat(kind.effect()).isEqualTo(io.consentgate.policy.EvidenceKind.Effect.BOUNCE);
    assertThat(kind.suppressesAddress()).isTrue();
    assertThat(EnumMapping.toContract(kind)).isEqualTo(io.consentgate.events.EvidenceKind.HARD_BOUNCE);
  }

  @Test
  @DisplayName("UNDELIVERABLE and SUPPRESSED map both ways and are DENY")
  void undeliverableAndSuppressed() {
    for (io.consentgate.policy.ConsentStatus status : List.of(io.consentgate.policy.ConsentStatus.UNDELIVERABLE,
        io.consentgate.policy.ConsentStatus.SUPPRESSED)) {
      io.consentgate.events.ConsentStatus onTheWire = EnumMapping.toContract(status);
      assertThat(onTheWire.name()).isEqualTo(status.name());
      assertThat(EnumMapping.toDomain(onTheWire)).isSameAs(status);
      assertThat(EnumMapping.toContract(status.decision())).isEqualTo(io.consentgate.events.Decision.DENY);
    }
  }

  @Test
  @DisplayName("an unknown source reads as MANUAL_ENTRY, which never grants consent")
  void unknownSource() throws IOException {
    io.consentgate.events.ContactSource read = readWithUnknownSymbol(io.consentgate.events.ContactSource.getClassSchema());
    assertThat(read).isEqualTo(io.consentgate.events.ContactSource.MANUAL_ENTRY);
    assertThat(EnumMapping.toDomain(read).statusWithoutGrant()).isEqualTo(io.consentgate.policy.ConsentStatus.NO_CONSENT);
  }

  @Test
  @DisplayName("an unknown evidence kind reads as UNSUBSCRIBE, a withdrawal")
  void unknownKind() throws IOException {
    io.consentgate.events.EvidenceKind read = readWithUnknownSymbol(io.consentgate.events.EvidenceKind.getClassSchema());
    assertThat(read).isEqualTo(io.consentgate.events.EvidenceKind.UNSUBSCRIBE);
    assertThat(EnumMapping.toDomain(read).effect()).isEqualTo(io.consentgate.policy.EvidenceKind.Effect.WITHDRAWAL);
  }

  @Test
  @DisplayName("an unknown decision reads as DENY, an unknown status as NO_CONSENT")
  void unknownVerdictSymbols() throws IOException {
    io.consentgate.events.Decision decision = readWithUnknownSymbol(io.consentgate.events.Decision.getClassSchema());
    io.consentgate.events.ConsentStatus status = readWithUnknownSymbol(io.consentgate.events.ConsentStatus.getClassSchema());
    assertThat(EnumMapping.toDomain(decision)).isEqualTo(io.consentgate.policy.Decision.DENY);
    assertThat(EnumMapping.toDomain(status)).isEqualTo(io.consentgate.policy.ConsentStatus.NO_CONSENT);
    assertThat(EnumMapping.toDomain(status).decision()).isEqualTo(io.consentgate.policy.Decision.DENY);
  }

  private static <C extends Enum<C>, D extends Enum<D>> void assertBijection(C[] contract, D[] domain,
      Function<C, D> toDomain, Function<D, C> toContract) {
    assertThat(domain).as("the domain has as many symbols as the contract").hasSameSizeAs(contract);
    for (C c : contract) {
      D d = toDomain.apply(c);
      assertThat(d.name()).as("%s to the domain", c).isEqualTo(c.name());
      assertThat(toContract.apply(d)).as("%s there and back", c).isSameAs(c);
    }
    for (D d : domain) {
      C c = toContract.apply(d);
      assertThat(c.name()).as("%s to the contract", d).isEqualTo(d.name());
      assertThat(toDomain.apply(c)).as("%s there and back", d).isSameAs(d);
    }
  }

  /** Writes a symbol that only a newer schema has, and reads it with this build's generated enum. */
  private static <E> E readWithUnknownSymbol(Schema current) throws IOException {
    List<String> symbols = new ArrayList<>(current.getEnumSymbols());
    symbols.add("SOME_FUTURE_SYMBOL");
    Schema newer = Schema.createEnum(current.getName(), current.getDoc(), current.getNamespace(), symbols,
        current.getEnumDefault());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<GenericData.EnumSymbol>(newer).write(new GenericData.EnumSymbol(newer, "SOME_FUTURE_SYMBOL"), encoder);
    encoder.flush();
    return new SpecificDatumReader<E>(newer, current)
        .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
  }
}
