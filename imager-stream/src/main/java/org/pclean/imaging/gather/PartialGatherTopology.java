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
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.pclean.bus.ImageTiles;
import org.pclean.bus.Messages;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.ImageTile;
import org.pclean.bus.avro.TileSum;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The continuum gather step: sums the partial tiles of a cycle over the job's row-chunk partitions, per (job,
 * attempt, cycle, plane kind, term, channel, tile), in the changelogged store {@value #STORE}. Each partition
 * counts once however often its tile is redelivered; the update that completes a tile emits the summed tile
 * (partitionIndex -1) on pclean.gathered, keyed by job, for the minor-cycle stage ({@link ContinuumCycleTopology});
 * an ended job's sums are deleted ({@link EndedJobSweeper}). Tiles reach 1 MiB, so the store's changelog
 * is created with the data topics' 8 MiB record limit.
 */
public final class PartialGatherTopology {
  private static final Logger LOG = LoggerFactory.getLogger(PartialGatherTopology.class);
  public static final String STORE = "partial-tile-sums";

  private PartialGatherTopology() {}

  /** Adds the gather step to a builder that already holds {@link CubeCompletionTopology}'s jobs store. */
  public static void build(StreamsBuilder builder) {
    // Workers key each partial by its tile (ImageTiles.gatherKey), so all partitions' partials of a tile share a
    // topic partition and are summed without a repartition hop; a record keyed otherwise cannot be summed here.
    KStream<String, ImageTile> partials = builder.stream(Topics.PARTIALS.name(),
        Consumed.with(Serdes.String(), Messages.IMAGE_TILE).withName("partials-source"));
    partials.filter(PartialGatherTopology::keyedByTile, Named.as("keyed-by-tile"))
        .groupByKey(Grouped.with("partials-by-tile", Serdes.String(), Messages.IMAGE_TILE))
        .aggregate(PartialGatherTopology::empty, PartialGatherTopology::add, Named.as("sum-partials"),
            Materialized.<String, TileSum, KeyValueStore<Bytes, byte[]>>as(STORE)
                .withKeySerde(Serdes.String()).withValueSerde(Messages.TILE_SUM)
                .withLoggingEnabled(Map.of("max.message.bytes", Integer.toString(Topics.MAX_RECORD_BYTES))))
        .toStream(Named.as("tile-sum-updates"))
        .filter((key, sum) -> sum != null && sum.getJustCompleted(), Named.as("complete-tiles"))  // null: swept
        .map((key, sum) -> KeyValue.pair(sum.getTile().getJobId(), sum.getTile()), Named.as("summed-tile-by-job"))
        .to(Topics.GATHERED.name(), Produced.with(Serdes.String(), Messages.IMAGE_TILE).withName("gathered-sink"));
    // Beside the sums, in the same tasks: an ended job's sums are deleted (every partition's tile counted once
    // until the job has ended everywhere).
    partials.process(() -> new EndedJobSweeper.ForStore<ImageTile>(STORE), Named.as("sweep-ended-tile-sums"), STORE);
  }

  private static boolean keyedByTile(String key, ImageTile tile) {
    if (tile != null && ImageTiles.gatherKey(tile).equals(key)) {
      return true;
    }
    LOG.warn("skipping a record on " + Topics.PARTIALS.name() + " keyed '" + key + "', not by its tile"
        + (tile == null ? "" : " (" + ImageTiles.gatherKey(tile) + ")"));
    return false;
  }

  private static TileSum empty() {
    return TileSum.newBuilder().setPartitions(List.of()).setTile(null).setPixelSum(ByteBuffer.allocate(0))
        .setJustCompleted(false).build();
  }

  /**
   * Adds a partition's tile once; justCompleted marks the update that brings in the last partition. Pixels are
   * summed in double precision (exact for the few float terms of a tile), so the gathered tile is the same
   * whatever order the partitions arrive in: a redelivery or a slow worker cannot change the image.
   */
  static TileSum add(String key, ImageTile tile, TileSum sum) {
    TreeSet<Integer> seen = new TreeSet<>(sum.getPartitions());
    if (!seen.add(tile.getPartitionIndex())) {
      return TileSum.newBuilder(sum).setJustCompleted(false).build();  // redelivered: already counted
    }
    ImageTile previous = sum.getTile();
    double[] acc = runningSum(sum, tile.getWidth() * tile.getHeight());
    ByteBuffer px = tile.getPixels().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (px.remaining() != 4 * acc.length || (previous != null && (previous.getWidth() != tile.getWidth()
        || previous.getHeight() != tile.getHeight()))) {
      LOG.warn("skipping partition " + tile.getPartitionIndex() + "'s partial of " + key + ": its shape does not"
          + " match the tile's");
      return TileSum.newBuilder(sum).setJustCompleted(false).build();
    }
    for (int i = 0; i < acc.length; i++) {
      acc[i] += px.getFloat();
    }
    double sumWeight = (previous == null ? 0 : previous.getSumWeight()) + tile.getSumWeight();
    boolean complete = tile.getNumPartitions() > 0 && seen.size() == tile.getNumPartitions();
    // Stored (and changelogged) in the smallest exact form: one partition's partial, or the completed sum, as
    // the tile's float pixels; a sum of several still open as doubles (12 B a pixel every update was 3x this
    // for a one-chunk job).
    boolean asFloats = complete || seen.size() == 1;
    ByteBuffer pixels = ByteBuffer.allocate(asFloats ? 4 * acc.length : 0).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer accBytes = ByteBuffer.allocate(asFloats ? 0 : 8 * acc.length).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : acc) {
      if (asFloats) {
        pixels.putFloat((float) v);
      } else {
        accBytes.putDouble(v);
      }
    }
    ImageTile total = ImageTile.newBuilder(tile).setPartitionIndex(-1).setSumWeight(sumWeight)
        .setPixels(pixels.flip()).build();
    return TileSum.newBuilder().setPartitions(new ArrayList<>(seen)).setTile(total).setPixelSum(accBytes.flip())
        .setJustCompleted(complete).build();
  }

  /**
   * The running sum so far: zeros at first; a sum of one partition (or one stored before pixelSum existed)
   * carries it in its tile's float pixels.
   */
  private static double[] runningSum(TileSum sum, int n) {
    double[] acc = new double[n];
    ByteBuffer stored = sum.getPixelSum().duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (stored.remaining() == 8 * n) {
      for (int i = 0; i < n; i++) {
        acc[i] = stored.getDouble();
      }
    } else if (sum.getTile() != null && sum.getTile().getPixels().remaining() == 4 * n) {
      ByteBuffer old = sum.getTile().getPixels().duplicate().order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < n; i++) {
        acc[i] = old.getFloat();
      }
    }
    return acc;
  }
}
