package io.consentgate.runtime.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.consentgate.topology.ContactOwnership;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.internals.DefaultStreamPartitioner;

/**
 * The query API finds a contact's owner with {@code queryMetadataForKey(store, id, String
 * serializer)}, which partitions with Kafka Streams' default partitioner; the gate decides a
 * contact in the task {@link ContactOwnership} gives it. They must agree for every id.
 */
class OwnershipAgreementTest {

  private static final DefaultStreamPartitioner<String, Object> STREAMS =
      new DefaultStreamPartitioner<>(Serdes.String().serializer());

  @Property(tries = 2000)
  void theTaskThatDecidesAContactIsTheOneItsKeyMetadataNames(@ForAll String contactId,
                                                             @ForAll @IntRange(min = 1, max = 64) int partitions) {
    Optional<Set<Integer>> streams = STREAMS.partitions("consent-gate-consent-state-changelog", contactId, null,
        new org.apache.kafka.common.header.internals.RecordHeaders(), partitions);
    assertThat(streams).hasValue(Set.of(new ContactOwnership(partitions).partitionOf(contactId)));
  }
}
