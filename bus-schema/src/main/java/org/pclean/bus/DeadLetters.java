package org.pclean.bus;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.pclean.bus.avro.DeadLetter;
import org.pclean.bus.metrics.PcleanMeters;

/**
 * The one builder of {@link DeadLetter} records for pclean.dlq, shared by the workers, the snapshot imager and the
 * coordinator's error handlers: where the record came from (topic, partition, offset), its original key and value
 * bytes, and why. The value is cut to {@value #MAX_VALUE_BYTES} bytes (valueSize keeps the original length), so a
 * dead letter of an oversize record still fits the topic.
 */
public final class DeadLetters {
  /** Largest part of the original value a dead letter carries. */
  public static final int MAX_VALUE_BYTES = 1024 * 1024;

  private DeadLetters() {}

  /** A dead letter of a record with raw key and value bytes (either may be null). */
  public static DeadLetter of(String topic, int partition, long offset, byte[] key, byte[] value, String why) {
    PcleanMeters.DEAD_LETTERS.increment();  // every dead letter is built here, just before it is sent
    byte[] v = value == null ? new byte[0] : value;
    byte[] kept = v.length <= MAX_VALUE_BYTES ? v : Arrays.copyOf(v, MAX_VALUE_BYTES);
    return DeadLetter.newBuilder().setTopic(topic).setPartition(partition).setOffset(offset)
        .setKey(key == null ? null : ByteBuffer.wrap(key)).setValue(ByteBuffer.wrap(kept)).setValueSize(v.length)
        .setError(why).setTimestampMillis(System.currentTimeMillis()).build();
  }

  /** As {@link #of(String, int, long, byte[], byte[], String)} for a record whose key was read as a string. */
  public static DeadLetter of(String topic, int partition, long offset, String key, byte[] value, String why) {
    return of(topic, partition, offset, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, why);
  }

  /** The dead letter's bytes, as written on pclean.dlq. */
  public static byte[] toBytes(DeadLetter letter) {
    return Messages.DEAD_LETTER.toBytes(Topics.DEAD_LETTER.name(), letter);
  }
}
