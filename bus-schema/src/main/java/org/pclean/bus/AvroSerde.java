package org.pclean.bus;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for a generated message class, in Avro single-object encoding: C3 01, the 8-byte schema
 * fingerprint, then the binary record. No schema registry is needed: the reader knows its own schema and every
 * earlier version of it shipped under {@code org/pclean/bus/avro/history/<Name>-v<N>.avsc}, so records written
 * by older producers resolve into the current class (schema evolution: fields are only ever added, with a
 * default; nothing is removed or renamed). An unknown fingerprint or foreign bytes are a {@link BusFormatException}
 * naming the topic; so is a payload over {@link Topics#MAX_PAYLOAD_BYTES}.
 *
 * <p>Avro 1.12 decodes only into trusted classes; loading this class trusts the generated messages. Enum fields
 * carry no field default, so building a message never makes Avro load a class before that trust is in place.
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {
  static {
    AvroTrust.install();
  }

  private final Class<T> type;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;
  private final int maxBytes;

  public AvroSerde(Class<T> type) {
    this(type, Topics.MAX_PAYLOAD_BYTES);
  }

  AvroSerde(Class<T> type, int maxBytes) {
    this.type = type;
    this.maxBytes = maxBytes;
    Schema schema = SpecificData.get().getSchema(type);
    this.encoder = new BinaryMessageEncoder<>(SpecificData.get(), schema);
    this.decoder = new BinaryMessageDecoder<>(SpecificData.get(), schema);
    for (Schema older : history(schema.getName())) {
      decoder.addSchema(older);
    }
  }

  /** Earlier versions of a message's schema, from the classpath. */
  static List<Schema> history(String name) {
    List<Schema> out = new ArrayList<>();
    for (int v = 0; ; v++) {
      String resource = "org/pclean/bus/avro/history/" + name + "-v" + v + ".avsc";
      try (InputStream in = AvroSerde.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          return out;
        }
        out.add(new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read schema history " + resource, e);
      }
    }
  }

  public byte[] toBytes(String topic, T record) {
    try {
      ByteBuffer buf = encoder.encode(record);
      if (buf.remaining() > maxBytes) {
        throw new BusFormatException(type.getSimpleName() + " of " + buf.remaining() + " bytes for topic " + topic
            + " exceeds the " + maxBytes + "-byte limit (split it into smaller chunks or tiles)");
      }
      byte[] out = new byte[buf.remaining()];
      buf.get(out);
      return out;
    } catch (IOException e) {
      throw new BusFormatException("cannot encode " + type.getSimpleName() + " for topic " + topic, e);
    }
  }

  public T fromBytes(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    try {
      return decoder.decode(data);
    } catch (MissingSchemaException e) {
      throw new BusFormatException("record on topic " + topic + " has an unknown " + type.getSimpleName()
          + " schema fingerprint (" + e.getMessage() + "); is the producer newer than this reader?", e);
    } catch (BadHeaderException e) {
      throw new BusFormatException("record on topic " + topic + " is not an Avro single-object encoded "
          + type.getSimpleName() + " (" + e.getMessage() + ")", e);
    } catch (IOException | RuntimeException e) {
      throw new BusFormatException("record on topic " + topic + " cannot be decoded as " + type.getSimpleName()
          + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, record) -> record == null ? null : toBytes(topic, record);
  }

  @Override
  public Deserializer<T> deserializer() {
    return this::fromBytes;
  }
}
