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
import org.pclean.bus.avro.SubcubeRecord;
import org.pclean.bus.avro.VisibilityChunk;

/** One producer for every pclean message: picks the message's serde by its class. */
public final class BusSerializer implements Serializer<Object> {
  private static final Map<Class<?>, AvroSerde<?>> SERDES = Map.ofEntries(
      Map.entry(JobSpec.class, Messages.JOB_SPEC),
      Map.entry(PartitionDescriptor.class, Messages.PARTITION),
      Map.entry(SubcubeReady.class, Messages.SUBCUBE_READY),
      Map.entry(SubcubeRecord.class, Messages.SUBCUBE),
      Map.entry(JobEvent.class, Messages.JOB_EVENT),
      Map.entry(ImageTile.class, Messages.IMAGE_TILE),
      Map.entry(VisibilityChunk.class, Messages.VISIBILITY_CHUNK),
      Map.entry(ProductRecord.class, Messages.PRODUCT),
      Map.entry(DatasetDescriptor.class, Messages.DATASET),
      Map.entry(SnapshotReady.class, Messages.SNAPSHOT_READY),
      Map.entry(DeadLetter.class, Messages.DEAD_LETTER));

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
