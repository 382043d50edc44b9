package org.pclean.bus;

import org.pclean.bus.avro.ContinuumState;
import org.pclean.bus.avro.DatasetDescriptor;
import org.pclean.bus.avro.DeadLetter;
import org.pclean.bus.avro.ImageTile;
import org.pclean.bus.avro.JobEvent;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.PartitionDescriptor;
import org.pclean.bus.avro.ProductRecord;
import org.pclean.bus.avro.SnapshotReady;
import org.pclean.bus.avro.SubcubeProgress;
import org.pclean.bus.avro.SubcubeReady;
import org.pclean.bus.avro.SubcubeRecord;
import org.pclean.bus.avro.TileSum;
import org.pclean.bus.avro.VisibilityChunk;

/** The serde of every message, built once: business code never builds serdes. */
public final class Messages {
  public static final AvroSerde<JobSpec> JOB_SPEC = new AvroSerde<>(JobSpec.class);
  public static final AvroSerde<PartitionDescriptor> PARTITION = new AvroSerde<>(PartitionDescriptor.class);
  public static final AvroSerde<VisibilityChunk> VISIBILITY_CHUNK = new AvroSerde<>(VisibilityChunk.class);
  public static final AvroSerde<ImageTile> IMAGE_TILE = new AvroSerde<>(ImageTile.class);
  public static final AvroSerde<SubcubeReady> SUBCUBE_READY = new AvroSerde<>(SubcubeReady.class);
  public static final AvroSerde<SubcubeRecord> SUBCUBE = new AvroSerde<>(SubcubeRecord.class);
  public static final AvroSerde<SubcubeProgress> SUBCUBE_PROGRESS = new AvroSerde<>(SubcubeProgress.class);
  public static final AvroSerde<TileSum> TILE_SUM = new AvroSerde<>(TileSum.class);
  public static final AvroSerde<ContinuumState> CONTINUUM_STATE = new AvroSerde<>(ContinuumState.class);
  public static final AvroSerde<ProductRecord> PRODUCT = new AvroSerde<>(ProductRecord.class);
  public static final AvroSerde<DatasetDescriptor> DATASET = new AvroSerde<>(DatasetDescriptor.class);
  public static final AvroSerde<SnapshotReady> SNAPSHOT_READY = new AvroSerde<>(SnapshotReady.class);
  public static final AvroSerde<JobEvent> JOB_EVENT = new AvroSerde<>(JobEvent.class);
  public static final AvroSerde<DeadLetter> DEAD_LETTER = new AvroSerde<>(DeadLetter.class, Topics.MAX_RECORD_BYTES);

  private Messages() {}
}
