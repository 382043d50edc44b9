package org.pclean.imaging.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.pclean.bus.avro.VisibilityChunk;

/** The progress line's lag behind the stream head, from dumps of 10 s centred on 100, 110, ... (values by hand). */
class SnapshotProgressTest {
  @Test
  void theLagIsTheStreamHeadMinusTheWindowsEnd() {
    SnapshotProgress p = new SnapshotProgress("d");
    assertEquals(0, SnapshotProgress.lag(p.head(), 125), "nothing read: no lag");
    p.read(WindowAssemblerTest.dump(0), 10);  // [95, 105)
    p.read(WindowAssemblerTest.dump(4), 10);  // [135, 145)
    p.read(WindowAssemblerTest.dump(2), 10);  // late: the head stays at 145
    assertEquals(145, p.head());
    // window [95, 125) (dumps 0..2) is 20 s of stream behind the head; a window ending at the head has no lag
    assertEquals("d: 3 windows imaged; [95.000 .. 125.000) 20.0 s behind the stream head, ready 40 ms after it"
        + " closed", SnapshotProgress.line("d", 3, 95, 125, p.head(), 40));
    assertEquals("d: 1 window imaged; [125.000 .. 155.000) 0.0 s behind the stream head, ready 7 ms after it"
        + " closed", SnapshotProgress.line("d", 1, 125, 155, p.head(), 7));
  }

  @Test
  void aRecordWithoutItsIntervalTakesTheDatasetsIntegration() {
    SnapshotProgress p = new SnapshotProgress("d");
    p.read(VisibilityChunk.newBuilder(WindowAssemblerTest.dump(1)).setInterval(0).build(), 6);
    assertEquals(113, p.head());  // 110 + 6 / 2
  }
}
