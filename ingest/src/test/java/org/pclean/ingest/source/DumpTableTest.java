package org.pclean.ingest.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pclean.bus.avro.DatasetDescriptor;
import org.pclean.bus.avro.VisibilityChunk;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MeasurementSet;
import org.pclean.casacore.SimulatedMs;

/**
 * A DumpTable built from chunks that split every dump into channel blocks (arriving in any order, some twice)
 * reads exactly what the MS holds, for channel ranges across block edges, with a time range and a field/spw
 * selection; torn dumps and gaps are refused naming them. The chunks are cut here by hand from MS reads, not by
 * the stream publisher, so the table's assembly is checked against the MS directly.
 */
class DumpTableTest {
  @TempDir static Path tmp;
  static Path ms;
  static DatasetDescriptor descriptor;
  static List<VisibilityChunk> chunks = new ArrayList<>();
  static double[] dumpTimes;

  @BeforeAll
  static void cutTheMsIntoBlockedDumps() {
    ms = SimulatedMs.create(tmp, 5, 0.1);
    try (MeasurementSet m = MeasurementSet.open(ms)) {
      int nrow = (int) m.numRows();
      double[] t = m.readTime(0, nrow);
      dumpTimes = Arrays.stream(t).distinct().toArray();
      descriptor = DatasetDescriptors.of("d", m.metadata(), List.of(DataColumn.DATA), dumpTimes[0],
          dumpTimes[dumpTimes.length - 1], 300, null);
      int[][] blocks = {{0, 1}, {1, 2}, {3, 1}};  // channels 0 | 1-2 | 3 of the 4
      int row = 0;
      for (int seq = 0; seq < dumpTimes.length; seq++) {
        int r0 = row;
        while (row < nrow && t[row] == dumpTimes[seq]) {
          row++;
        }
        int n = row - r0;
        for (int b = 0; b < blocks.length; b++) {
          int c0 = blocks[b][0];
          int nc = blocks[b][1];
          chunks.add(VisibilityChunk.newBuilder().setDataset("d").setSpw(0).setRowStart(r0).setNrow(n)
              .setChanStart(c0).setNchan(nc).setCorrTypes(List.of(5, 6, 7, 8)).setFreq(List.of())
              .setUvw(LittleEndian.of(m.readUvw(r0, n)))
              .setVis(LittleEndian.of(m.readVisibilities(DataColumn.DATA, r0, n, c0, nc)))
              .setFlags(ByteBuffer.wrap(m.readFlags(r0, n, c0, nc)))
              .setWeights(LittleEndian.of(m.readWeights(r0, n, c0, nc))).setSequence(seq).setBlockIndex(b)
              .setNumBlocks(blocks.length).setTime(dumpTimes[seq]).setInterval(300)
              .setAntenna1(LittleEndian.of(m.readIntColumn("ANTENNA1", r0, n)))
              .setAntenna2(LittleEndian.of(m.readIntColumn("ANTENNA2", r0, n)))
              .setFieldId(LittleEndian.of(m.readIntColumn("FIELD_ID", r0, n)))
              .setScan(LittleEndian.of(m.readIntColumn("SCAN_NUMBER", r0, n))).build());
        }
      }
    }
  }

  static DumpTable table(List<VisibilityChunk> cs) {
    DumpTable.Builder b = new DumpTable.Builder(descriptor, "dataset d");
    cs.forEach(b::add);
    return b.build(true);
  }

  @Test
  void readsWhatTheMsHoldsAcrossChannelBlocksWhateverTheArrivalOrder() {
    List<VisibilityChunk> shuffled = new ArrayList<>(chunks);
    shuffled.addAll(chunks.subList(0, 5));  // redeliveries
    Collections.shuffle(shuffled, new java.util.Random(3));
    try (DumpTable d = table(shuffled); MeasurementSet m = MeasurementSet.open(ms)) {
      int nrow = (int) m.numRows();
      assertEquals(nrow, d.numRows());
      assertEquals(dumpTimes.length, d.sequences().length);
      assertArrayEquals(m.readUvw(0, nrow), d.readUvw(0, nrow));
      assertArrayEquals(m.readTime(0, nrow), d.readTime(0, nrow));
      assertArrayEquals(m.readIntColumn("ANTENNA2", 0, nrow), d.readIntColumn("ANTENNA2", 0, nrow));
      for (int[] range : new int[][] {{0, 4}, {1, 2}, {2, 2}, {0, 1}, {3, 1}}) {
        int r0 = 7;
        int n = nrow - 11;
        assertArrayEquals(m.readVisibilities(DataColumn.DATA, r0, n, range[0], range[1]),
            d.readVisibilities(DataColumn.DATA, r0, n, range[0], range[1]), Arrays.toString(range));
        assertArrayEquals(m.readFlags(r0, n, range[0], range[1]), d.readFlags(r0, n, range[0], range[1]));
        assertArrayEquals(m.readWeights(r0, n, range[0], range[1]), d.readWeights(r0, n, range[0], range[1]));
      }
      var e = assertThrows(IllegalArgumentException.class, () -> d.readVisibilities(DataColumn.CORRECTED, 0, 1, 0, 1));
      assertTrue(e.getMessage().contains("carries no CORRECTED_DATA"), e.getMessage());
    }
  }

  @Test
  void timeRangeSelectsTheSameRowsAsTheMs() {
    double[] range = {dumpTimes[2] - 1, dumpTimes[5] - 1};
    try (DumpTable d = table(chunks); MeasurementSetSource m = MeasurementSetSource.open(ms)) {
      DataSelection sel = new DataSelection(new int[0], new int[0], null, DataColumn.DATA, null, range);
      VisibilityData a = VisibilityLoader.load(m, sel);
      VisibilityData b = VisibilityLoader.load(d, sel);
      assertEquals(3 * 10, b.numRows());  // 3 dumps of the 10 baselines of 5 antennas
      assertArrayEquals(a.uvw(), b.uvw());
      assertArrayEquals(a.vis(), b.vis());
      assertArrayEquals(a.weight(), b.weight());
    }
  }

  @Test
  void tornDumpsAndGapsAreRefusedNamingThem() {
    List<VisibilityChunk> torn = new ArrayList<>(chunks);
    torn.remove(4);  // dump 1, block 1
    var e1 = assertThrows(IllegalArgumentException.class, () -> table(torn));
    assertTrue(e1.getMessage().contains("dump 1 lacks channel block 1 of 3"), e1.getMessage());
    List<VisibilityChunk> gap = new ArrayList<>(chunks);
    gap.removeIf(c -> c.getSequence() == 2 || c.getSequence() == 3);
    var e2 = assertThrows(IllegalArgumentException.class, () -> table(gap));
    assertTrue(e2.getMessage().contains("dumps 2..3 are missing"), e2.getMessage());
    var e3 = assertThrows(IllegalArgumentException.class, () -> table(List.of(VisibilityChunk.newBuilder(chunks.get(0))
        .setDataDescId(7).build())));
    assertTrue(e3.getMessage().contains("data description 7"), e3.getMessage());
  }
}
