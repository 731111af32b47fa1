package io.consentgate.topology;

import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Kafka Streams' own dead-lettering for records that break the contract, counted by reason and
 * stamped with the time they are written ({@link ErrorHandling#stampedWhenWritten}).
 */
public final class DeadLetterProcessingHandler extends LogAndContinueProcessingExceptionHandler {

  @Override
  public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
    DeadLetterMetrics.count(exception, context.topic());
    Response response = super.handleError(context, record, exception);
    return Response.resume(ErrorHandling.stampedWhenWritten(response.deadLetterQueueRecords()));
  }
}
