package org.pclean.bus;

import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.pclean.bus.avro.DatasetDescriptor;
import org.pclean.bus.avro.DeadLetter;
import org.pclean.bus.avro.ImageTile;
import org.pclean.bus.avro.JobEvent;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.PartitionDescriptor;
import org.pclean.bus.avro.ProductRecord;
import org.pclean.bus.avro.SnapshotReady;
import org.pclean.bus.avro.SubcubeReady;
import org.pclean.bus.avro.VisibilityChunk;

/** One producer for every pclean message: picks the message's serde by its class. */
public final class BusSerializer implements Serializer<Object> {
  private static final Map<Class<?>, AvroSerde<?>> SERDES = Map.of(
      JobSpec.class, Messages.JOB_SPEC,
      PartitionDescriptor.class, Messages.PARTITION,
      SubcubeReady.class, Messages.SUBCUBE_READY,
      JobEvent.class, Messages.JOB_EVENT,
      ImageTile.class, Messages.IMAGE_TILE,
      VisibilityChunk.class, Messages.VISIBILITY_CHUNK,
      ProductRecord.class, Messages.PRODUCT,
      DatasetDescriptor.class, Messages.DATASET,
      SnapshotReady.class, Messages.SNAPSHOT_READY,
      DeadLetter.class, Messages.DEAD_LETTER);

  @Override
  @SuppressWarnings("unchecked")
  public byte[] serialize(String topic, Object value) {
    if (value == null) {
      return null;
    }
    AvroSerde<SpecificRecord> serde = (AvroSerde<SpecificRecord>) SERDES.get(value.getClass());
    if (serde == null) {
      throw new BusFormatException("no pclean message type " + value.getClass().getName() + " for topic " + topic);
    }
    return serde.toBytes(topic, (SpecificRecord) value);
  }
}
