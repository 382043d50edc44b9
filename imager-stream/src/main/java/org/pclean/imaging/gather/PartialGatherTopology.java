package org.pclean.imaging.gather;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.pclean.bus.Messages;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.ImageTile;
import org.pclean.bus.avro.TileSum;

/**
 * The continuum gather step: sums the partial tiles of a cycle over the job's row-chunk partitions, per (job,
 * attempt, cycle, plane kind, term, channel, tile), in the changelogged store {@value #STORE}. Each partition
 * counts once however often its tile is redelivered; the update that completes a tile emits the summed tile
 * (partitionIndex -1) on pclean.gathered, keyed by job, for the minor-cycle stage ({@link ContinuumCycleTopology}). Tiles reach 1 MiB, so the store's changelog
 * is created with the data topics' 8 MiB record limit.
 */
public final class PartialGatherTopology {
  public static final String STORE = "partial-tile-sums";

  private PartialGatherTopology() {}

  public static void build(StreamsBuilder builder) {
    builder.stream(Topics.PARTIALS.name(), Consumed.with(Serdes.String(), Messages.IMAGE_TILE).withName("partials-source"))
        .selectKey((key, tile) -> gatherKey(tile), Named.as("key-by-tile"))
        .groupByKey(Grouped.with("partials-by-tile", Serdes.String(), Messages.IMAGE_TILE))
        .aggregate(PartialGatherTopology::empty, PartialGatherTopology::add, Named.as("sum-partials"),
            Materialized.<String, TileSum, KeyValueStore<Bytes, byte[]>>as(STORE)
                .withKeySerde(Serdes.String()).withValueSerde(Messages.TILE_SUM)
                .withLoggingEnabled(Map.of("max.message.bytes", Integer.toString(Topics.MAX_RECORD_BYTES))))
        .toStream(Named.as("tile-sum-updates"))
        .filter((key, sum) -> sum.getJustCompleted(), Named.as("complete-tiles"))
        .map((key, sum) -> KeyValue.pair(sum.getTile().getJobId(), sum.getTile()), Named.as("summed-tile-by-job"))
        .to(Topics.GATHERED.name(), Produced.with(Serdes.String(), Messages.IMAGE_TILE).withName("gathered-sink"));
  }

  /** jobId/attempt/cycle/kind/term/channel/tile: one sum per tile of each plane of each cycle. */
  static String gatherKey(ImageTile t) {
    return t.getJobId() + "/" + t.getAttempt() + "/" + t.getCycle() + "/" + t.getKind() + "/" + t.getTerm() + "/"
        + t.getChannel() + "/" + t.getTileIndex();
  }

  private static TileSum empty() {
    return TileSum.newBuilder().setPartitions(List.of()).setTile(null).setJustCompleted(false).build();
  }

  /** Adds a partition's tile once; justCompleted marks the update that brings in the last partition. */
  static TileSum add(String key, ImageTile tile, TileSum sum) {
    TreeSet<Integer> seen = new TreeSet<>(sum.getPartitions());
    if (!seen.add(tile.getPartitionIndex())) {
      return TileSum.newBuilder(sum).setJustCompleted(false).build();  // redelivered: already counted
    }
    ImageTile total = sum.getTile() == null ? withPartition(tile, -1) : plus(sum.getTile(), tile);
    boolean complete = tile.getNumPartitions() > 0 && seen.size() == tile.getNumPartitions();
    return TileSum.newBuilder().setPartitions(new ArrayList<>(seen)).setTile(total).setJustCompleted(complete).build();
  }

  private static ImageTile withPartition(ImageTile t, int partition) {
    return ImageTile.newBuilder(t).setPartitionIndex(partition).build();
  }

  private static ImageTile plus(ImageTile a, ImageTile b) {
    if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
      throw new IllegalArgumentException("partial tiles of " + gatherKey(a) + " differ in shape");
    }
    ByteBuffer pa = a.getPixels().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer pb = b.getPixels().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer out = ByteBuffer.allocate(pa.remaining()).order(ByteOrder.LITTLE_ENDIAN);
    while (pa.hasRemaining()) {
      out.putFloat(pa.getFloat() + pb.getFloat());
    }
    out.flip();
    return ImageTile.newBuilder(a).setPixels(out).setSumWeight(a.getSumWeight() + b.getSumWeight()).build();
  }
}
