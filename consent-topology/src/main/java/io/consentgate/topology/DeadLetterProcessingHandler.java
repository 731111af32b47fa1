package io.consentgate.topology;

import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;

/** Kafka Streams' own dead-lettering for records that break the contract, counted by reason. */
public final class DeadLetterProcessingHandler extends LogAndContinueProcessingExceptionHandler {

  @Override
  public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
    DeadLetterMetrics.count(exception, context.topic());
    return super.handleError(context, record, exception);
  }
}
