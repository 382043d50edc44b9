package org.pclean.imaging.gather;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The coordinator's processing handler: a step that throws on a record fails that record's job, not the app. The
 * source record goes to pclean.dlq with the reason; the job (from the record's jobId, else its key) moves to
 * FAILED on pclean.jobs with the reason, which the client and the workers watch, with a FAILED event on
 * pclean.events; then the app continues, and other jobs are untouched.
 */
public final class FailJobProcessingHandler implements ProcessingExceptionHandler {
  private CoordinatorErrors errors;

  @Override
  public void configure(Map<String, ?> configs) {
    errors = CoordinatorErrors.from(configs);
  }

  @Override
  public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
    if (errors == null) {
      return Response.fail();  // not built by Coordinator: keep Streams' default (stop on the error)
    }
    String topic = context.topic() == null ? "(no source record)" : context.topic();
    String why = "coordinator step " + context.processorNodeId() + " failed on the record at " + topic + "-"
        + context.partition() + "@" + context.offset() + ": " + exception;
    List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
    out.add(errors.deadLetter(topic, context.partition(), context.offset(), context.sourceRawKey(),
        context.sourceRawValue(), why));
    out.addAll(errors.failJob(CoordinatorErrors.jobIdOf(record.key(), record.value()), why));
    if (CoordinatorErrors.onGlobalThread(context)) {
      errors.sendNow(out);
      return Response.resume();
    }
    return Response.resume(out);
  }
}
