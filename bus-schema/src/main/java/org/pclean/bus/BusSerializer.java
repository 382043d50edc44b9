package org.pclean.bus;

import org.apache.kafka.common.serialization.Serializer;
import org.pclean.bus.avro.DeadLetter;
import org.pclean.bus.avro.ImageTile;
import org.pclean.bus.avro.JobEvent;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.PartitionDescriptor;
import org.pclean.bus.avro.SubcubeReady;
import org.pclean.bus.avro.VisibilityChunk;

/** One producer for every pclean message: picks the message's serde by its class. */
public final class BusSerializer implements Serializer<Object> {
  @Override
  public byte[] serialize(String topic, Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof JobSpec v) {
      return Messages.JOB_SPEC.toBytes(topic, v);
    } else if (value instanceof PartitionDescriptor v) {
      return Messages.PARTITION.toBytes(topic, v);
    } else if (value instanceof SubcubeReady v) {
      return Messages.SUBCUBE_READY.toBytes(topic, v);
    } else if (value instanceof JobEvent v) {
      return Messages.JOB_EVENT.toBytes(topic, v);
    } else if (value instanceof ImageTile v) {
      return Messages.IMAGE_TILE.toBytes(topic, v);
    } else if (value instanceof VisibilityChunk v) {
      return Messages.VISIBILITY_CHUNK.toBytes(topic, v);
    } else if (value instanceof DeadLetter v) {
      return Messages.DEAD_LETTER.toBytes(topic, v);
    }
    throw new BusFormatException("no pclean message type " + value.getClass().getName() + " for topic " + topic);
  }
}
