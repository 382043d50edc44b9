package org.pclean.ingest.source;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.pclean.bus.BusFormatException;
import org.pclean.bus.Messages;
import org.pclean.bus.avro.VisibilityChunk;

/**
 * Decodes a {@code VisibilityChunk} record value without copying its arrays: the bytes fields (uvw, vis, flags,
 * weights, antenna ...) of the chunk returned are read-only slices of the record value itself. A replay decodes
 * ~1 GB of such arrays; Avro's own decoder allocates and copies every bytes field, which a replay then copies
 * once more into its table, so this removes one full copy of the dataset and the allocation behind it.
 *
 * <p>Only a record written with this reader's own schema (the single-object fingerprint of the current
 * {@code VisibilityChunk}) is walked here, field by field from that schema, so a field added later is walked
 * too. Anything else (records of an older schema, which need Avro's resolution, or a schema type this walk does
 * not know) goes through {@link Messages#VISIBILITY_CHUNK}, with its errors.
 *
 * <p>The slices share the value's memory: a caller keeps the chunk no longer than that buffer's contents.
 */
public final class ChunkDecoder {
  private static final Schema SCHEMA = VisibilityChunk.getClassSchema();
  private static final long FINGERPRINT = SchemaNormalization.parsingFingerprint64(SCHEMA);
  /** Whether every field's type is one {@link #value} walks; if not, every record goes through Avro. */
  private static final boolean WALKABLE = SCHEMA.getFields().stream().allMatch(f -> walkable(f.schema()));

  private ChunkDecoder() {}

  /**
   * The chunk in a record value (Avro single-object encoding), its bytes fields slices of {@code value}.
   *
   * @throws BusFormatException not a visibility chunk of a known schema, or truncated
   */
  public static VisibilityChunk decode(String topic, ByteBuffer value) {
    ByteBuffer b = value.slice().order(ByteOrder.LITTLE_ENDIAN);
    if (!WALKABLE || b.remaining() < 10 || b.get(0) != (byte) 0xC3 || b.get(1) != (byte) 0x01
        || b.getLong(2) != FINGERPRINT) {
      return viaAvro(topic, value);
    }
    b.position(10);
    VisibilityChunk c = new VisibilityChunk();
    try {
      for (Schema.Field f : SCHEMA.getFields()) {
        c.put(f.pos(), value(f.schema(), b));
      }
    } catch (RuntimeException e) {  // a length past the end, a bad union index, a negative size
      throw new BusFormatException("record on topic " + topic + " cannot be decoded as VisibilityChunk: "
          + e.getMessage(), e);
    }
    return c;
  }

  private static VisibilityChunk viaAvro(String topic, ByteBuffer value) {
    byte[] bytes = new byte[value.remaining()];
    value.duplicate().get(bytes);
    return Messages.VISIBILITY_CHUNK.fromBytes(topic, bytes);
  }

  private static boolean walkable(Schema s) {
    return switch (s.getType()) {
      case NULL, BOOLEAN, INT, LONG, FLOAT, DOUBLE, STRING, BYTES -> true;
      case ARRAY -> switch (s.getElementType().getType()) {
        case INT, LONG, DOUBLE -> true;
        default -> false;
      };
      case UNION -> s.getTypes().stream().allMatch(ChunkDecoder::walkable);
      default -> false;
    };
  }

  /** One value of a walkable type at b's position, as the generated class's put() takes it. */
  private static Object value(Schema s, ByteBuffer b) {
    switch (s.getType()) {
      case NULL:
        return null;
      case BOOLEAN:
        return b.get() != 0;
      case INT:
        return Math.toIntExact(varLong(b));
      case LONG:
        return varLong(b);
      case FLOAT:
        return b.getFloat();
      case DOUBLE:
        return b.getDouble();
      case STRING: {
        ByteBuffer s8 = slice(b);
        byte[] utf8 = new byte[s8.remaining()];
        s8.get(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
      }
      case BYTES:
        return slice(b).asReadOnlyBuffer();
      case ARRAY: {
        List<Object> out = new ArrayList<>();
        Schema item = s.getElementType();
        for (long n = varLong(b); n != 0; n = varLong(b)) {
          if (n < 0) {  // a block with its byte size, which a reader may skip by; we read the items
            n = -n;
            varLong(b);
          }
          for (long i = 0; i < n; i++) {
            out.add(value(item, b));
          }
        }
        return out;
      }
      case UNION: {
        long branch = varLong(b);
        if (branch < 0 || branch >= s.getTypes().size()) {
          throw new IllegalArgumentException("union branch " + branch + " of " + s);
        }
        return value(s.getTypes().get((int) branch), b);
      }
      default:
        throw new IllegalStateException("not walkable: " + s);
    }
  }

  /** The next length-prefixed bytes as a slice (position advanced past them). */
  private static ByteBuffer slice(ByteBuffer b) {
    long n = varLong(b);
    if (n < 0 || n > b.remaining()) {
      throw new IllegalArgumentException("a length of " + n + " with " + b.remaining() + " bytes left");
    }
    ByteBuffer out = b.slice(b.position(), (int) n);
    b.position(b.position() + (int) n);
    return out;
  }

  /** Avro's zig-zag variable-length long. */
  private static long varLong(ByteBuffer b) {
    long raw = 0;
    for (int shift = 0; ; shift += 7) {
      if (shift > 63) {
        throw new IllegalArgumentException("a variable-length integer longer than 10 bytes");
      }
      int x = b.get();
      raw |= (long) (x & 0x7f) << shift;
      if ((x & 0x80) == 0) {
        return (raw >>> 1) ^ -(raw & 1);
      }
    }
  }
}
