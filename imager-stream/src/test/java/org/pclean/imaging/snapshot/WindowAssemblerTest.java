package org.pclean.imaging.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pclean.bus.avro.DataDescriptionRecord;
import org.pclean.bus.avro.DatasetDescriptor;
import org.pclean.bus.avro.VisibilityChunk;

/** When windows close, and what they report, on a stream of 10 s dumps starting at t = 100 s. */
class WindowAssemblerTest {
  static DatasetDescriptor descriptor(double endTime) {
    return DatasetDescriptor.newBuilder().setDataset("d").setAntennas(List.of()).setFields(List.of())
        .setSpectralWindows(List.of()).setPolarizations(List.of())
        .setDataDescriptions(List.of(new DataDescriptionRecord(0, 0))).setColumns(List.of("DATA"))
        .setStartTime(100).setEndTime(endTime).setIntegration(10).build();
  }

  static VisibilityChunk chunk(long seq, int block, int blocks, boolean last) {
    ByteBuffer none = ByteBuffer.allocate(0);
    return VisibilityChunk.newBuilder().setDataset("d").setSpw(0).setRowStart(0).setNrow(0).setChanStart(0)
        .setNchan(1).setCorrTypes(List.of(5)).setFreq(List.of(1e9)).setUvw(none).setVis(none).setFlags(none)
        .setWeights(none).setSequence(seq).setBlockIndex(block).setNumBlocks(blocks).setLastOfDump(last)
        .setTime(100 + 10 * seq).setInterval(10).build();
  }

  static VisibilityChunk dump(long seq) {
    return chunk(seq, 0, 1, true);
  }

  @Test
  void aWindowClosesWhenTheDumpReachingItsEndIsWhole() {
    WindowAssembler a = new WindowAssembler(new WindowPlan(descriptor(1000), 30));
    assertTrue(a.add(dump(0), 0).isEmpty());
    assertTrue(a.add(dump(1), 0).isEmpty());
    List<ClosedWindow> c = a.add(dump(2), 7);
    assertEquals(1, c.size());
    ClosedWindow w = c.get(0);
    assertEquals(95, w.window().start(), 1e-9);
    assertEquals(125, w.window().end(), 1e-9);
    assertEquals(3, w.dumps());
    assertEquals(0, w.missingDumps());
    assertEquals(0, w.firstSequence());
    assertEquals(2, w.lastSequence());
    assertEquals(7, w.closedAtMillis());
    assertEquals("complete", w.reason());
  }

  @Test
  void aMissingDumpIsReportedWhenTheNextWindowBegins() {
    WindowAssembler a = new WindowAssembler(new WindowPlan(descriptor(1000), 30));
    a.add(dump(0), 0);
    a.add(dump(1), 0);
    List<ClosedWindow> c = a.add(dump(3), 0);
    assertEquals(1, c.size());
    assertEquals(2, c.get(0).dumps());
    assertEquals(1, c.get(0).missingDumps());
    assertEquals("a later window began", c.get(0).reason());
  }

  @Test
  void aTornDumpIsLeftOutAndCountedMissing() {
    WindowAssembler a = new WindowAssembler(new WindowPlan(descriptor(1000), 30));
    a.add(dump(0), 0);
    a.add(dump(1), 0);
    assertTrue(a.add(chunk(2, 1, 2, true), 0).isEmpty(), "block 0 of dump 2 never came");
    List<ClosedWindow> c = a.expire(1000, 500);
    assertEquals(1, c.size());
    assertEquals(2, c.get(0).dumps());
    assertEquals(1, c.get(0).missingDumps());
    assertEquals(2, c.get(0).chunks().size());
  }

  @Test
  void aStalledStreamClosesTheWindowAfterTheGracePeriod() {
    WindowAssembler a = new WindowAssembler(new WindowPlan(descriptor(1000), 30));
    a.add(dump(0), 1000);
    // Dumps 1 and 2 are due 10 and 20 s later at real time; the grace runs from then.
    assertTrue(a.expire(21_499, 500).isEmpty());
    List<ClosedWindow> c = a.expire(21_500, 500);
    assertEquals(1, c.size());
    assertEquals(2, c.get(0).missingDumps());
    assertEquals("grace period", c.get(0).reason());
  }

  @Test
  void lateDumpsAreImagedAsAWindowOfTheirOwn() {
    WindowAssembler a = new WindowAssembler(new WindowPlan(descriptor(1000), 30));
    a.add(dump(0), 0);
    assertEquals(1, a.add(dump(3), 0).size());  // window 0 closes without dumps 1, 2
    assertTrue(a.add(dump(1), 0).isEmpty());
    List<ClosedWindow> c = a.expire(100_000, 500);
    ClosedWindow late = c.stream().filter(ClosedWindow::late).findFirst().orElseThrow();
    assertEquals(1, late.dumps());
    assertEquals(1, late.firstSequence());
    assertEquals(95, late.window().start(), 1e-9);
  }

  @Test
  void theDatasetsLastDumpClosesAShortFinalWindow() {
    WindowAssembler a = new WindowAssembler(new WindowPlan(descriptor(130), 30));
    for (long s = 0; s < 3; s++) {
      a.add(dump(s), 0);
    }
    List<ClosedWindow> c = a.add(dump(3), 0);
    assertEquals(1, c.size());
    assertEquals(125, c.get(0).window().start(), 1e-9);
    assertEquals(1, c.get(0).dumps());
    assertEquals(0, c.get(0).missingDumps(), "the observation ends within the window");
  }

  @Test
  void dumpModeClosesEveryDumpOnItsLastRecord() {
    WindowAssembler a = new WindowAssembler(new WindowPlan(descriptor(1000), 0));
    assertTrue(a.add(chunk(0, 0, 2, false), 0).isEmpty());
    List<ClosedWindow> c = a.add(chunk(0, 1, 2, true), 0);
    assertEquals(1, c.size());
    assertEquals(95, c.get(0).window().start(), 1e-9);
    assertEquals(105, c.get(0).window().end(), 1e-9);
    assertEquals(2, c.get(0).chunks().size());
    assertEquals(0, c.get(0).missingDumps());
  }

  @Test
  void theAutomaticGraceFollowsTheStreamsPace() {
    WindowAssembler a = new WindowAssembler(new WindowPlan(descriptor(1000), 30));
    assertEquals(20_000, a.automaticGraceMillis(500), "two integrations before the pace is known");
    for (long s = 0; s < 4; s++) {
      a.add(dump(s), 1000 * s);  // a 10 s dump every second: 10x real time
    }
    assertEquals(2000, a.automaticGraceMillis(500));
  }
}
