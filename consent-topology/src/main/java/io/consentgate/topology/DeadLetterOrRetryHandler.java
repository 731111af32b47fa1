package io.consentgate.topology;

import io.consentgate.serde.SchemaLookupFailedException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bytes that cannot be read go to the dead-letter topic (Kafka Streams' own handler), except when
 * the schema registry could not be asked: then the record is fine and the gate waits instead.
 * Failing makes the stream thread end; the runtime replaces it and it resumes from the last
 * commit, so under exactly-once nothing is lost or doubled while the registry is away.
 */
public final class DeadLetterOrRetryHandler extends LogAndContinueExceptionHandler {

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterOrRetryHandler.class);
  static final long RETRY_BACKOFF_MS = 1_000;

  @Override
  public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
    if (DeadLettering.causedBy(exception, SchemaLookupFailedException.class)) {
      LOG.warn("schema registry unavailable while reading {}-{}@{}; retrying in {} ms: {}", context.topic(),
          context.partition(), context.offset(), RETRY_BACKOFF_MS, exception.getMessage());
      try {
        Thread.sleep(RETRY_BACKOFF_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return Response.fail();
    }
    return Response.resume(DeadLettering.counted(context, exception,
        () -> super.handleError(context, record, exception).deadLetterQueueRecords()));
  }
}
