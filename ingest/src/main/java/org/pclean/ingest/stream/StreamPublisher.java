package org.pclean.ingest.stream;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.pclean.bus.BusSerializer;
import org.pclean.bus.TopicInstaller;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.DatasetDescriptor;
import org.pclean.bus.avro.VisibilityChunk;
import org.pclean.casacore.DataColumn;
import org.pclean.ingest.source.DatasetDescriptors;
import org.pclean.ingest.source.DatasetReader;
import org.pclean.ingest.source.LittleEndian;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes an observation as a live correlator would — a MeasurementSet ({@code pclean stream}) or a correlator
 * emulator ({@code pclean simulate --stream}), both a {@link DumpFeed}: first the dataset descriptor on
 * pclean.datasets, then one dump (integration) at a time in time order on {@code pclean.vis.<dataset>} — for each
 * data description of the dump its rows as one {@link VisibilityChunk}, split into channel blocks of at most
 * {@link #TARGET_RECORD_BYTES} — at the observation's own cadence, N× faster, or as fast as the broker takes them;
 * finally the descriptor again, complete, with the number of dumps and records.
 *
 * <p>Each record's timestamp is its dump's observation time, so replays select time ranges with
 * {@code offsetsForTimes}. FLAG_ROW is folded into FLAG. An MS's rows must be in time order (as a correlator
 * writes them); an MS that is not is refused before anything is published ({@link MsDumps}).
 */
public final class StreamPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(StreamPublisher.class);
  /** Records are cut to about this size, below the 4 MiB payload limit. */
  public static final int TARGET_RECORD_BYTES = 3 * 1024 * 1024;

  /**
   * @param dataset the dataset name (topic suffix)
   * @param speed 1 = the observation's cadence, k = k× faster, 0 = as fast as possible
   */
  public record Settings(String dataset, double speed) {
    public Settings {
      Topics.requireDatasetName(dataset);
      if (!(speed >= 0) || Double.isInfinite(speed)) {
        throw new IllegalArgumentException("--rate must be realtime, max or a positive factor, got " + speed);
      }
    }
  }

  /** What was published. */
  public record Summary(String dataset, long dumps, long records, long rows, long payloadBytes, double seconds,
      double observationSeconds, DatasetDescriptor descriptor) {}

  /** Receives each dump after its records are acknowledged: sequence, observation time, ack time (ms). */
  public interface DumpListener {
    void published(long sequence, double time, long ackMillis);
  }

  private StreamPublisher() {}

  /**
   * Publishes an MS (refused, before any topic is made, when its rows are not in time order) as
   * {@link #publish(DumpFeed, Settings, Properties, DumpListener)} does.
   */
  public static Summary publish(Path vis, Settings s, Properties client, DumpListener listener)
      throws InterruptedException {
    try (DumpFeed feed = MsDumps.open(vis)) {
      return publish(feed, s, client, listener);
    }
  }

  /** A producer for visibility records: compressed as the topic is, idempotent, up to the data topics' record size. */
  public static KafkaProducer<String, Object> producer(Properties client) {
    Properties p = new Properties();
    p.putAll(client);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, Topics.VIS_COMPRESSION);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
        Integer.toString(Topics.MAX_RECORD_BYTES));
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    return new KafkaProducer<>(p,
        new StringSerializer(), new BusSerializer());
  }

  public static Summary publish(Path vis, Settings s, Producer<String, Object> producer, DumpListener listener)
      throws InterruptedException {
    try (DumpFeed feed = MsDumps.open(vis)) {
      return publish(feed, s, producer, listener);
    }
  }

  /**
   * Publishes every dump of {@code feed} (an MS, an emulator) as the dataset {@code s.dataset()}: creates the
   * dataset's topic with its configs when missing, then publishes on a producer of its own (lz4, idempotent,
   * 8 MiB requests).
   */
  public static Summary publish(DumpFeed feed, Settings s, Properties client, DumpListener listener)
      throws InterruptedException {
    try (Admin admin = Admin.create(client)) {
      TopicInstaller.ensure(admin, List.of(Topics.DATASETS, Topics.visibilities(s.dataset())), (short) 1);
    }
    try (Producer<String, Object> producer = producer(client)) {
      return publish(feed, s, producer, listener);
    }
  }

  public static Summary publish(DumpFeed feed, Settings s, Producer<String, Object> producer, DumpListener listener)
      throws InterruptedException {
    double[] dumpTimes = feed.dumpTimes();
    DatasetDescriptor descriptor = DatasetDescriptors.of(s.dataset(), feed.metadata(), feed.columns(), dumpTimes[0],
        dumpTimes[dumpTimes.length - 1], feed.integration(), feed.sourceMs());
    return stream(s, producer, listener, feed, dumpTimes, descriptor);
  }

  private static Summary stream(Settings s, Producer<String, Object> producer, DumpListener listener,
      DumpFeed feed, double[] dumpTimes, DatasetDescriptor descriptor) throws InterruptedException {
    List<DataColumn> columns = feed.columns();
    String topic = Topics.visibilities(s.dataset()).name();
    send(producer, new ProducerRecord<>(Topics.DATASETS.name(), s.dataset(), descriptor));
    producer.flush();
    boolean both = columns.size() == 2;
    long records = 0;
    long rows = 0;
    long bytes = 0;
    long wall0 = System.nanoTime();
    List<Future<RecordMetadata>> pending = new ArrayList<>();
    for (int seq = 0; seq < dumpTimes.length; seq++) {
      double t = dumpTimes[seq];
      if (s.speed() > 0) {
        long due = wall0 + (long) ((t - dumpTimes[0]) / s.speed() * 1e9);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
      }
      List<ProducerRecord<String, Object>> dump = new ArrayList<>();
      for (DumpFeed.DumpRows d : feed.dump(seq)) {
        dump.addAll(chunks(s.dataset(), topic, seq, t, descriptor.getIntegration(), d, columns.get(0), both));
        rows += d.nrow();
      }
      List<Future<RecordMetadata>> acks = new ArrayList<>();
      for (int i = 0; i < dump.size(); i++) {
        ProducerRecord<String, Object> r = dump.get(i);
        ((VisibilityChunk) r.value()).setLastOfDump(i == dump.size() - 1);
        bytes += ((VisibilityChunk) r.value()).getVis().remaining();
        acks.add(producer.send(r));
      }
      records += dump.size();
      if (listener != null || s.speed() > 0) {
        producer.flush();  // a live stream hands each dump over as it happens
        await(acks);
        if (listener != null) {
          listener.published(seq, t, System.currentTimeMillis());
        }
      } else {
        pending.addAll(acks);
        if (pending.size() > 256) {
          await(pending);
          pending.clear();
        }
      }
    }
    producer.flush();
    await(pending);
    double seconds = (System.nanoTime() - wall0) / 1e9;
    DatasetDescriptor complete = DatasetDescriptor.newBuilder(descriptor).setNumDumps(dumpTimes.length)
        .setNumRecords(records).setComplete(true).build();
    send(producer, new ProducerRecord<>(Topics.DATASETS.name(), s.dataset(), complete));
    producer.flush();
    double span = dumpTimes[dumpTimes.length - 1] - dumpTimes[0] + descriptor.getIntegration();
    LOG.info(String.format(Locale.ROOT, "streamed %s: %d dumps, %d records, %d rows in %.1f s (%.1fx real time)",
        topic, dumpTimes.length, records, rows, seconds, span / Math.max(seconds, 1e-9)));
    return new Summary(s.dataset(), dumpTimes.length, records, rows, bytes, seconds, span, complete);
  }

  /** The records of one data description's rows of one dump, split into channel blocks. */
  private static List<ProducerRecord<String, Object>> chunks(String dataset, String topic, long seq, double t,
      double interval, DumpFeed.DumpRows d, DataColumn first, boolean both) {
    int nrow = d.nrow();
    int ncorr = d.ncorr();
    int bytesPerChannel = nrow * ncorr * ((both ? 16 : 8) + 1 + 4);
    int perBlock = Math.max(1, Math.min(d.nchan(), TARGET_RECORD_BYTES / Math.max(bytesPerChannel, 1)));
    if ((long) bytesPerChannel > TARGET_RECORD_BYTES) {
      throw new IllegalArgumentException("one channel of dump " + seq + " (" + nrow + " rows) takes "
          + bytesPerChannel + " bytes, over the " + TARGET_RECORD_BYTES + "-byte record size");
    }
    int nblocks = (d.nchan() + perBlock - 1) / perBlock;
    ByteBuffer uvw = LittleEndian.of(d.uvw());
    ByteBuffer a1 = LittleEndian.of(d.antenna1());
    ByteBuffer a2 = LittleEndian.of(d.antenna2());
    ByteBuffer field = LittleEndian.of(d.field());
    ByteBuffer scan = LittleEndian.of(d.scan());
    List<Integer> corrTypes = Arrays.stream(d.corrTypes()).boxed().toList();
    List<ProducerRecord<String, Object>> out = new ArrayList<>();
    int spw = d.spectralWindow();
    for (int b = 0; b < nblocks; b++) {
      int c0 = b * perBlock;
      int nc = Math.min(perBlock, d.nchan() - c0);
      VisibilityChunk.Builder c = VisibilityChunk.newBuilder().setDataset(dataset).setSpw(spw)
          .setRowStart(d.rowStart()).setNrow(nrow).setChanStart(c0).setNchan(nc).setCorrTypes(corrTypes)
          .setFreq(Arrays.stream(Arrays.copyOfRange(d.freq(), c0, c0 + nc)).boxed().toList())
          .setUvw(uvw.duplicate()).setVis(LittleEndian.of(d.vis(first, c0, nc)))
          .setFlags(ByteBuffer.wrap(d.flags(c0, nc))).setWeights(LittleEndian.of(d.weights(c0, nc)))
          .setSequence(seq).setDataDescId(d.dataDescription()).setBlockIndex(b).setNumBlocks(nblocks)
          .setLastOfDump(false).setTime(t).setInterval(interval).setAntenna1(a1.duplicate())
          .setAntenna2(a2.duplicate()).setFieldId(field.duplicate()).setScan(scan.duplicate())
          .setColumn(first.columnName())
          .setCorrected(both ? LittleEndian.of(d.vis(DataColumn.CORRECTED, c0, nc)) : null);
      out.add(new ProducerRecord<>(topic, null, DatasetReader.timestampMillis(t),
          Topics.visibilityKey(dataset, spw, b), c.build()));
    }
    return out;
  }

  private static void send(Producer<String, Object> producer, ProducerRecord<String, Object> r)
      throws InterruptedException {
    await(List.of(producer.send(r)));
  }

  private static void await(List<Future<RecordMetadata>> acks) throws InterruptedException {
    for (Future<RecordMetadata> f : acks) {
      try {
        f.get();
      } catch (ExecutionException e) {
        throw new IllegalStateException("the broker refused a record: " + e.getCause().getMessage(), e.getCause());
      }
    }
  }
}
