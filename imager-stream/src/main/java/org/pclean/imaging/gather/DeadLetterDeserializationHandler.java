package org.pclean.imaging.gather;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

/**
 * The coordinator's deserialization handler: a record it cannot decode (foreign bytes, an unknown schema) goes to
 * pclean.dlq with its topic, partition, offset, original bytes and the reason, and the app continues with the next
 * record. One such record says nothing about any job, so no job is failed for it.
 */
public final class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {
  private CoordinatorErrors errors;

  @Override
  public void configure(Map<String, ?> configs) {
    errors = CoordinatorErrors.from(configs);
  }

  @Override
  public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
      Exception exception) {
    if (errors == null) {
      return Response.resume();  // not built by Coordinator (a test driver): Streams logs and skips it
    }
    ProducerRecord<byte[], byte[]> letter = errors.deadLetter(record.topic(), record.partition(), record.offset(),
        record.key(), record.value(), reason(record.topic(), exception));
    if (CoordinatorErrors.onGlobalThread(context)) {
      errors.sendNow(List.of(letter));
      return Response.resume();
    }
    return Response.resume(List.of(letter));
  }

  /** The exception's message, naming the topic (pclean's serdes do; others may not). */
  static String reason(String topic, Exception e) {
    String m = e.getMessage() == null ? e.toString() : e.getMessage();
    return m.contains(topic) ? m : "cannot decode the record on " + topic + ": " + m;
  }
}
