package org.pclean.bus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.pclean.bus.avro.DeadLetter;

class DeadLettersTest {
  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  @Test
  void carriesWhereTheRecordCameFromItsBytesAndTheReason() {
    byte[] value = {1, 2, 3};
    DeadLetter d = Messages.DEAD_LETTER.fromBytes(Topics.DEAD_LETTER.name(),
        DeadLetters.toBytes(DeadLetters.of("pclean.partials", 3, 42L, "job/0", value, "bad bytes")));
    assertEquals("pclean.partials", d.getTopic());
    assertEquals(3, d.getPartition());
    assertEquals(42L, d.getOffset());
    assertArrayEquals("job/0".getBytes(StandardCharsets.UTF_8), bytes(d.getKey()));
    assertArrayEquals(value, bytes(d.getValue()));
    assertEquals(3, d.getValueSize());
    assertEquals("bad bytes", d.getError());
  }

  @Test
  void aNullKeyAndValueAreKeptAsNoneAndEmpty() {
    DeadLetter d = DeadLetters.of("pclean.jobs", 0, 1L, (byte[]) null, null, "tombstone");
    assertNull(d.getKey());
    assertEquals(0, d.getValue().remaining());
    assertEquals(0, d.getValueSize());
  }

  @Test
  void anOversizeValueIsCutToOneMebibyteAndKeepsItsSize() {
    byte[] value = new byte[DeadLetters.MAX_VALUE_BYTES + 10];
    value[DeadLetters.MAX_VALUE_BYTES - 1] = 7;
    DeadLetter d = Messages.DEAD_LETTER.fromBytes(Topics.DEAD_LETTER.name(),
        DeadLetters.toBytes(DeadLetters.of("pclean.vis.x", 0, 0L, (byte[]) null, value, "oversize")));
    assertEquals(DeadLetters.MAX_VALUE_BYTES, d.getValue().remaining());
    assertEquals(7, bytes(d.getValue())[DeadLetters.MAX_VALUE_BYTES - 1]);
    assertEquals(value.length, d.getValueSize());
  }
}
