package org.pclean.ingest.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;
import org.pclean.bus.BusFormatException;
import org.pclean.bus.Messages;
import org.pclean.bus.avro.VisibilityChunk;

/**
 * The zero-copy decoder against values written here by hand (little-endian bytes laid out independently of
 * {@link LittleEndian}), against Avro's own decoder (re-encoding what it decoded gives the record back byte for
 * byte), for a record of the older v0 schema (resolved by Avro), and for truncated or foreign bytes.
 */
class ChunkDecoderTest {
  /** float32 values as little-endian bytes, byte by byte. */
  static ByteBuffer le(float... v) {
    byte[] out = new byte[4 * v.length];
    for (int i = 0; i < v.length; i++) {
      int bits = Float.floatToRawIntBits(v[i]);
      for (int k = 0; k < 4; k++) {
        out[4 * i + k] = (byte) (bits >>> (8 * k));
      }
    }
    return ByteBuffer.wrap(out);
  }

  static ByteBuffer le(double... v) {
    byte[] out = new byte[8 * v.length];
    for (int i = 0; i < v.length; i++) {
      long bits = Double.doubleToRawLongBits(v[i]);
      for (int k = 0; k < 8; k++) {
        out[8 * i + k] = (byte) (bits >>> (8 * k));
      }
    }
    return ByteBuffer.wrap(out);
  }

  static ByteBuffer le(int... v) {
    byte[] out = new byte[4 * v.length];
    for (int i = 0; i < v.length; i++) {
      for (int k = 0; k < 4; k++) {
        out[4 * i + k] = (byte) (v[i] >>> (8 * k));
      }
    }
    return ByteBuffer.wrap(out);
  }

  static final float[] VIS = {1.5f, -2.25f, 3e-7f, Float.NaN, -0.0f, 1e30f, 7f, -8f};
  static final float[] WEIGHTS = {0.5f, 2f, 0f, -1f};
  static final double[] UVW = {123.456, -7.5e3, 0.001};

  static VisibilityChunk chunk(ByteBuffer corrected) {
    return VisibilityChunk.newBuilder().setDataset("ds-é").setSpw(3).setRowStart(-1).setNrow(1).setChanStart(62)
        .setNchan(1).setCorrTypes(List.of(5, 6, 7, 8)).setFreq(List.of(1.4e9)).setUvw(le(UVW)).setVis(le(VIS))
        .setFlags(ByteBuffer.wrap(new byte[] {0, 1, 0, 1})).setWeights(le(WEIGHTS)).setSequence(1L << 40)
        .setDataDescId(2).setBlockIndex(1).setNumBlocks(2).setLastOfDump(false).setTime(5.1e9 + 0.25)
        .setInterval(10).setAntenna1(le(0)).setAntenna2(le(26)).setFieldId(le(-1)).setScan(le(Integer.MAX_VALUE))
        .setColumn("CORRECTED_DATA").setCorrected(corrected).build();
  }

  @Test
  void decodesTheValuesWrittenAndReEncodesToTheSameBytes() {
    for (ByteBuffer corrected : new ByteBuffer[] {null, le(9f, 10f, 11f, 12f, 13f, 14f, 15f, 16f)}) {
      byte[] bytes = Messages.VISIBILITY_CHUNK.toBytes("t", chunk(corrected));
      // Embedded in a larger buffer at an offset, as a record value sits in a fetched batch.
      ByteBuffer big = ByteBuffer.allocate(bytes.length + 20);
      big.position(13);
      big.put(bytes);
      big.position(13).limit(13 + bytes.length);
      VisibilityChunk c = ChunkDecoder.decode("t", big);
      assertEquals(13, big.position(), "the value's position is left alone");
      assertEquals("ds-é", c.getDataset());
      assertEquals(3, c.getSpw());
      assertEquals(-1, c.getRowStart());
      assertEquals(62, c.getChanStart());
      assertEquals(List.of(5, 6, 7, 8), c.getCorrTypes());
      assertEquals(List.of(1.4e9), c.getFreq());
      assertEquals(1L << 40, c.getSequence());
      assertEquals(2, c.getDataDescId());
      assertEquals(false, c.getLastOfDump());
      assertEquals(5.1e9 + 0.25, c.getTime());
      assertArrayEquals(UVW, LittleEndian.doubles(c.getUvw()));
      assertArrayEquals(VIS, LittleEndian.floats(c.getVis()));
      assertArrayEquals(WEIGHTS, LittleEndian.floats(c.getWeights()));
      assertArrayEquals(new byte[] {0, 1, 0, 1}, LittleEndian.bytes(c.getFlags()));
      assertArrayEquals(new int[] {26}, LittleEndian.ints(c.getAntenna2()));
      assertArrayEquals(new int[] {Integer.MAX_VALUE}, LittleEndian.ints(c.getScan()));
      assertEquals("CORRECTED_DATA", c.getColumn());
      if (corrected == null) {
        assertNull(c.getCorrected());
      } else {
        assertArrayEquals(new float[] {9f, 10f, 11f, 12f, 13f, 14f, 15f, 16f}, LittleEndian.floats(c.getCorrected()));
      }
      assertTrue(c.getVis().isReadOnly(), "the arrays are views of the record, not copies to be written to");
      assertArrayEquals(bytes, Messages.VISIBILITY_CHUNK.toBytes("t", c));
      assertArrayEquals(bytes, Messages.VISIBILITY_CHUNK.toBytes("t", Messages.VISIBILITY_CHUNK.fromBytes("t", bytes)));
    }
  }

  @Test
  void aRecordOfTheOlderSchemaIsResolvedByAvro() throws Exception {
    Schema v0;
    try (var in = getClass().getClassLoader().getResourceAsStream("org/pclean/bus/avro/history/VisibilityChunk-v0.avsc")) {
      v0 = new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    GenericRecord old = new GenericData.Record(v0);
    VisibilityChunk now = chunk(null);
    for (Schema.Field f : v0.getFields()) {
      old.put(f.name(), now.get(f.name()));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v0).encode(old, out);
    VisibilityChunk c = ChunkDecoder.decode("t", ByteBuffer.wrap(out.toByteArray()));
    assertArrayEquals(VIS, LittleEndian.floats(c.getVis()));
    assertEquals(-1L, c.getSequence(), "a field v0 lacks takes its default");
    assertEquals("DATA", c.getColumn());
  }

  @Test
  void truncatedOrForeignBytesAreBusFormatErrors() {
    byte[] bytes = Messages.VISIBILITY_CHUNK.toBytes("t", chunk(null));
    var e = assertThrows(BusFormatException.class,
        () -> ChunkDecoder.decode("pclean.vis.x", ByteBuffer.wrap(Arrays.copyOf(bytes, bytes.length / 2))));
    assertTrue(e.getMessage().contains("pclean.vis.x"), e.getMessage());
    assertThrows(BusFormatException.class, () -> ChunkDecoder.decode("t", ByteBuffer.wrap("not avro".getBytes())));
  }
}
