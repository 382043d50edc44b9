package org.pclean.imaging.gather;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.pclean.bus.ImageTiles;
import org.pclean.bus.Messages;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.ImageTile;
import org.pclean.bus.avro.TileKind;
import org.pclean.bus.avro.TileSum;

/** The production gather topology in TopologyTestDriver: partials summed, each partition counted once. */
class PartialGatherTopologyTest {
  static final int NX = 600;
  static final int NY = 300;

  private static ImageTile template(int partition) {
    return ImageTile.newBuilder().setJobId("J").setCycle(1).setPartitionIndex(partition).setKind(TileKind.RESIDUAL)
        .setTileIndex(0).setX0(0).setY0(0).setWidth(0).setHeight(0).setImageNx(0).setImageNy(0)
        .setSumWeight(10.0 * (partition + 1)).setNumPartitions(3).setPixels(ByteBuffer.allocate(0)).build();
  }

  @Test
  void sumsEachTileOnceAllPartitionsAreIn() {
    StreamsBuilder b = new StreamsBuilder();
    CubeCompletionTopology.build(b);  // the jobs store the sweep of ended jobs reads
    PartialGatherTopology.build(b);
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    Random rnd = new Random(2);
    float[][] partials = new float[3][NX * NY];
    float[] expect = new float[NX * NY];
    for (int k = 0; k < 3; k++) {
      for (int i = 0; i < NX * NY; i++) {
        partials[k][i] = (float) rnd.nextGaussian();
      }
    }
    try (TopologyTestDriver driver = new TopologyTestDriver(b.build(), p)) {
      var in = driver.createInputTopic(Topics.PARTIALS.name(), Serdes.String().serializer(), Messages.IMAGE_TILE.serializer());
      var out = driver.createOutputTopic(Topics.GATHERED.name(), Serdes.String().deserializer(),
          Messages.IMAGE_TILE.deserializer());
      for (int k : new int[] {0, 1, 1, 2, 0}) {  // partition 1 redelivered before completion, 0 after
        for (ImageTile t : ImageTiles.split(partials[k], NX, NY, template(k))) {
          in.pipeInput(ImageTiles.gatherKey(t), t);
        }
        if (k == 1) {
          assertTrue(out.isEmpty(), "incomplete tiles are not emitted");
        }
      }
      // A record not keyed by its tile (it may sit on another topic partition) is not summed.
      ImageTile stray = ImageTiles.split(partials[1], NX, NY, template(2)).get(0);
      in.pipeInput("J/elsewhere", stray);
      assertNull(driver.getKeyValueStore(PartialGatherTopology.STORE).get("J/elsewhere"), "no sum for a stray key");
      List<ImageTile> gathered = out.readValuesToList();
      assertEquals(ImageTiles.count(NX, NY), gathered.size(), "one summed record per tile");
      float[] sum = new float[NX * NY];
      for (ImageTile t : gathered) {
        assertEquals(-1, t.getPartitionIndex());
        assertEquals(60.0, t.getSumWeight(), 1e-12);
        ImageTiles.addInto(t, sum);
      }
      for (int i = 0; i < expect.length; i++) {
        expect[i] = partials[0][i] + partials[1][i] + partials[2][i];
      }
      assertArrayEquals(expect, sum, 1e-5f);
    }
  }

  /**
   * The stored sum is kept in its smallest exact form: a single partial as its floats, an open sum of several as
   * doubles, the completed sum as floats again — and it sums the same either way.
   */
  @Test
  void storesEachSumInItsSmallestExactForm() {
    float[][] parts = {{1f, 2f, 3f, 1e-8f}, {0.5f, 0.25f, -1f, 1f}, {1e8f, -3f, 7f, -1f}};
    TileSum sum = TileSum.newBuilder().setPartitions(List.of()).setTile(null).setPixelSum(ByteBuffer.allocate(0))
        .setJustCompleted(false).build();
    int[] pixelBytes = new int[3];
    int[] doubleBytes = new int[3];
    for (int k = 0; k < 3; k++) {
      sum = PartialGatherTopology.add("k", ImageTiles.split(parts[k], 2, 2, template(k)).get(0), sum);
      pixelBytes[k] = sum.getTile().getPixels().remaining();
      doubleBytes[k] = sum.getPixelSum().remaining();
    }
    assertArrayEquals(new int[] {16, 0, 16}, pixelBytes, "floats after one partial and when complete");
    assertArrayEquals(new int[] {0, 32, 0}, doubleBytes, "doubles while a sum of several is open");
    assertTrue(sum.getJustCompleted());
    float[] got = new float[4];
    ImageTiles.addInto(sum.getTile(), got);
    // The sums in double precision, rounded once (1e8 + 0.5 + 1 = 100000001.5 -> 1.0E8f).
    float[] expect = new float[4];
    for (int i = 0; i < 4; i++) {
      expect[i] = (float) ((double) parts[0][i] + parts[1][i] + parts[2][i]);
    }
    assertArrayEquals(expect, got, 0f);
  }

  /** A running sum stored before pixelSum existed (its float sum in the tile) goes on from that sum. */
  @Test
  void continuesASumStoredByTheEarlierSchema() {
    float[][] parts = {{1f, 2f, 3f, 4f}, {0.5f, 0.25f, -1f, 8f}};
    ImageTile first = ImageTiles.split(parts[0], 2, 2, template(0)).get(0);
    TileSum old = TileSum.newBuilder().setPartitions(List.of(0)).setTile(ImageTile.newBuilder(first)
        .setPartitionIndex(-1).build()).setJustCompleted(false).build();  // pixelSum left at its default
    ImageTile second = ImageTile.newBuilder(ImageTiles.split(parts[1], 2, 2, template(1)).get(0)).setNumPartitions(2)
        .build();
    TileSum done = PartialGatherTopology.add("k", second, old);
    assertTrue(done.getJustCompleted());
    float[] sum = new float[4];
    ImageTiles.addInto(done.getTile(), sum);
    assertArrayEquals(new float[] {1.5f, 2.25f, 2f, 12f}, sum, 0f);
    assertEquals(30.0, done.getTile().getSumWeight(), 1e-12);
  }
}
