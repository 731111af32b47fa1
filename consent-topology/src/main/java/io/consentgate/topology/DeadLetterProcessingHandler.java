package io.consentgate.topology;

import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Streams' own dead-lettering for records that break the contract, counted by reason and
 * stamped with the time they are written ({@link DeadLettering#stampedWhenWritten}). A consent
 * state the gate cannot read ({@link UnreadableConsentState}) is not the record's fault: the gate
 * stops on it rather than dead-letter the record.
 */
public final class DeadLetterProcessingHandler extends LogAndContinueProcessingExceptionHandler {

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProcessingHandler.class);

  @Override
  public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
    if (DeadLettering.causedBy(exception, UnreadableConsentState.class)) {
      // The record is fine; the contact's state is not. Dead-lettering the record would lose it,
      // so the stream thread fails instead, commits nothing, and /health reports it.
      // A punctuation (the lapse check) has no record.
      LOG.error("cannot read a contact's consent state ({}); stopping rather than dead-lettering the record. "
          + "Re-decide from the inputs (docs/operating.md, Changing the policy) if the state is lost",
          record == null ? "in a lapse check of task " + context.taskId()
              : "contact " + record.key() + ", " + context.topic() + " partition " + context.partition() + " offset "
                  + context.offset(), exception);
      return Response.fail();
    }
    return Response.resume(DeadLettering.counted(context, exception,
        () -> super.handleError(context, record, exception).deadLetterQueueRecords()));
  }
}
