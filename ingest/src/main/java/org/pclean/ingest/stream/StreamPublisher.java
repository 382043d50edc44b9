package org.pclean.ingest.stream;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.logging.Logger;
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
import org.pclean.casacore.CorrelationType;
import org.pclean.casacore.DataColumn;
import org.pclean.casacore.MeasurementSet;
import org.pclean.casacore.MsMetadata;
import org.pclean.ingest.source.DatasetDescriptors;
import org.pclean.ingest.source.DatasetReader;
import org.pclean.ingest.source.LittleEndian;

/**
 * Publishes a MeasurementSet as a live correlator would ({@code pclean stream}): first the dataset descriptor on
 * pclean.datasets, then one dump (integration) at a time in time order on {@code pclean.vis.<dataset>} — for each
 * data description of the dump its rows as one {@link VisibilityChunk}, split into channel blocks of at most
 * {@link #TARGET_RECORD_BYTES} — at the observation's own cadence, N× faster, or as fast as the broker takes them;
 * finally the descriptor again, complete, with the number of dumps and records.
 *
 * <p>Each record's timestamp is its dump's observation time, so replays select time ranges with
 * {@code offsetsForTimes}. FLAG_ROW is folded into FLAG. The MS's rows must be in time order (as a correlator
 * writes them); an MS that is not is refused before anything is published.
 */
public final class StreamPublisher {
  private static final Logger LOG = Logger.getLogger(StreamPublisher.class.getName());
  /** Records are cut to about this size, below the 4 MiB payload limit. */
  public static final int TARGET_RECORD_BYTES = 3 * 1024 * 1024;
  private static final double SAME_DUMP_S = 1e-3;

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

  /** One data description's rows (its own selection of the MS) in time order: their TIME, correlations, channels. */
  private record DdRows(int dd, MeasurementSet ms, double[] time, int ncorr, int nchan, int[] corrTypes,
      double[] freq) {}

  private StreamPublisher() {}

  /**
   * Creates the dataset's topic with its configs when missing, then publishes on a producer of its own
   * (zstd, idempotent, 8 MiB requests).
   */
  public static Summary publish(Path vis, Settings s, Properties client, DumpListener listener)
      throws InterruptedException {
    try (Admin admin = Admin.create(client)) {
      TopicInstaller.ensure(admin, List.of(Topics.DATASETS, Topics.visibilities(s.dataset())),
          (short) 1);
    }
    try (Producer<String, Object> producer = producer(client)) {
      return publish(vis, s, producer, listener);
    }
  }

  /** A producer for visibility records: zstd-compressed, idempotent, up to the data topics' record size. */
  public static KafkaProducer<String, Object> producer(Properties client) {
    Properties p = new Properties();
    p.putAll(client);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
        Integer.toString(Topics.MAX_RECORD_BYTES));
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    return new KafkaProducer<>(p,
        new StringSerializer(), new BusSerializer());
  }

  public static Summary publish(Path vis, Settings s, Producer<String, Object> producer, DumpListener listener)
      throws InterruptedException {
    if (!Files.isDirectory(vis)) {
      throw new IllegalArgumentException("vis " + vis + ": MeasurementSet does not exist");
    }
    List<DdRows> dds = new ArrayList<>();
    try (MeasurementSet all = MeasurementSet.open(vis)) {
      MsMetadata md = all.metadata();
      List<DataColumn> columns = new ArrayList<>();
      for (DataColumn c : List.of(DataColumn.DATA, DataColumn.CORRECTED)) {
        if (md.dataColumns().contains(c)) {
          columns.add(c);
        }
      }
      if (columns.isEmpty()) {
        throw new IllegalArgumentException("vis " + vis + " has neither DATA nor CORRECTED_DATA to stream");
      }
      try {
        TreeSet<Double> times = new TreeSet<>();
        for (MsMetadata.DataDescription dd : md.dataDescriptions()) {
          MeasurementSet ms = MeasurementSet.open(vis);
          ms.select(new int[0], new int[] {dd.id()});
          int nrow = Math.toIntExact(ms.numRows());
          if (nrow == 0) {
            ms.close();
            continue;
          }
          double[] t = ms.readTime(0, nrow);
          for (int r = 1; r < nrow; r++) {
            if (t[r] < t[r - 1] - SAME_DUMP_S) {
              ms.close();
              throw new IllegalArgumentException("vis " + vis + ": rows are not in time order (row " + r + " of data"
                  + " description " + dd.id() + "); a stream publishes dumps in time order — sort the MS by TIME first");
            }
          }
          MsMetadata.SpectralWindow sw = md.spectralWindows().get(dd.spectralWindow());
          List<org.pclean.casacore.CorrelationType> corr = md.polarizations().get(dd.polarization()).correlations();
          dds.add(new DdRows(dd.id(), ms, t, corr.size(), sw.numChannels(),
              corr.stream().mapToInt(CorrelationType::code).toArray(), sw.channelFrequencies()));
          addDumpTimes(t, times);
        }
        if (times.isEmpty()) {
          throw new IllegalArgumentException("vis " + vis + " holds no rows to stream");
        }
        double[] dumpTimes = times.stream().mapToDouble(Double::doubleValue).toArray();
        double integration = median(dumpTimes);
        DatasetDescriptor descriptor = DatasetDescriptors.of(s.dataset(), md, columns, dumpTimes[0],
            dumpTimes[dumpTimes.length - 1], integration, vis.toAbsolutePath().toString());
        return stream(s, producer, listener, dds, dumpTimes, descriptor, columns);
      } finally {
        for (DdRows d : dds) {
          d.ms().close();
        }
      }
    }
  }

  private static void addDumpTimes(double[] t, TreeSet<Double> times) {
    for (int r = 0; r < t.length; r++) {
      if (r == 0 || t[r] - t[r - 1] > SAME_DUMP_S) {
        Double near = times.ceiling(t[r] - SAME_DUMP_S);
        if (near == null || near > t[r] + SAME_DUMP_S) {
          times.add(t[r]);
        }
      }
    }
  }

  /** The integration: the median step between dumps (0 for a single dump). */
  private static double median(double[] dumpTimes) {
    if (dumpTimes.length < 2) {
      return 0;
    }
    double[] d = new double[dumpTimes.length - 1];
    for (int i = 0; i < d.length; i++) {
      d[i] = dumpTimes[i + 1] - dumpTimes[i];
    }
    Arrays.sort(d);
    return d[d.length / 2];
  }

  private static Summary stream(Settings s, Producer<String, Object> producer, DumpListener listener,
      List<DdRows> dds, double[] dumpTimes, DatasetDescriptor descriptor, List<DataColumn> columns)
      throws InterruptedException {
    String topic = Topics.visibilities(s.dataset()).name();
    send(producer, new ProducerRecord<>(Topics.DATASETS.name(), s.dataset(), descriptor));
    producer.flush();
    boolean both = columns.size() == 2;
    int[] cursor = new int[dds.size()];
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
      for (int k = 0; k < dds.size(); k++) {
        DdRows d = dds.get(k);
        int r0 = cursor[k];
        int r1 = r0;
        while (r1 < d.time().length && Math.abs(d.time()[r1] - t) <= SAME_DUMP_S) {
          r1++;
        }
        cursor[k] = r1;
        if (r1 > r0) {
          dump.addAll(chunks(s.dataset(), topic, seq, t, descriptor.getIntegration(), d, r0, r1 - r0, columns.get(0),
              both));
          rows += r1 - r0;
        }
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
      double interval, DdRows d, int row0, int nrow, DataColumn first, boolean both) {
    MeasurementSet ms = d.ms();
    int ncorr = d.ncorr();
    int bytesPerChannel = nrow * ncorr * ((both ? 16 : 8) + 1 + 4);
    int perBlock = Math.max(1, Math.min(d.nchan(), TARGET_RECORD_BYTES / Math.max(bytesPerChannel, 1)));
    if ((long) bytesPerChannel > TARGET_RECORD_BYTES) {
      throw new IllegalArgumentException("one channel of dump " + seq + " (" + nrow + " rows) takes "
          + bytesPerChannel + " bytes, over the " + TARGET_RECORD_BYTES + "-byte record size");
    }
    int nblocks = (d.nchan() + perBlock - 1) / perBlock;
    double[] uvw = ms.readUvw(row0, nrow);
    int[] a1 = ms.readIntColumn("ANTENNA1", row0, nrow);
    int[] a2 = ms.readIntColumn("ANTENNA2", row0, nrow);
    int[] field = ms.readIntColumn("FIELD_ID", row0, nrow);
    int[] scan = ms.readIntColumn("SCAN_NUMBER", row0, nrow);
    boolean[] flagRow = ms.readFlagRow(row0, nrow);
    List<ProducerRecord<String, Object>> out = new ArrayList<>();
    int spw = spwOf(d);
    for (int b = 0; b < nblocks; b++) {
      int c0 = b * perBlock;
      int nc = Math.min(perBlock, d.nchan() - c0);
      byte[] flags = ms.readFlags(row0, nrow, c0, nc);
      int perRow = nc * ncorr;
      for (int r = 0; r < nrow; r++) {
        if (flagRow[r]) {
          Arrays.fill(flags, r * perRow, (r + 1) * perRow, (byte) 1);
        }
      }
      VisibilityChunk.Builder c = VisibilityChunk.newBuilder().setDataset(dataset).setSpw(spw).setRowStart(row0)
          .setNrow(nrow).setChanStart(c0).setNchan(nc)
          .setCorrTypes(Arrays.stream(d.corrTypes()).boxed().toList())
          .setFreq(Arrays.stream(Arrays.copyOfRange(d.freq(), c0, c0 + nc)).boxed().toList())
          .setUvw(LittleEndian.of(uvw)).setVis(LittleEndian.of(ms.readVisibilities(first, row0, nrow, c0, nc)))
          .setFlags(ByteBuffer.wrap(flags)).setWeights(LittleEndian.of(ms.readWeights(row0, nrow, c0, nc)))
          .setSequence(seq).setDataDescId(d.dd()).setBlockIndex(b).setNumBlocks(nblocks).setLastOfDump(false)
          .setTime(t).setInterval(interval).setAntenna1(LittleEndian.of(a1)).setAntenna2(LittleEndian.of(a2))
          .setFieldId(LittleEndian.of(field)).setScan(LittleEndian.of(scan)).setColumn(first.columnName())
          .setCorrected(both ? LittleEndian.of(ms.readVisibilities(DataColumn.CORRECTED, row0, nrow, c0, nc)) : null);
      out.add(new ProducerRecord<>(topic, null, DatasetReader.timestampMillis(t),
          Topics.visibilityKey(dataset, spw, b), c.build()));
    }
    return out;
  }

  private static int spwOf(DdRows d) {
    MsMetadata md = d.ms().metadata();
    return md.dataDescription(d.dd()).spectralWindow();
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
