package org.pclean.ops.dashboard;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.pclean.bus.BusFormatException;
import org.pclean.bus.ImageTiles;
import org.pclean.bus.Messages;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.ImageTile;
import org.pclean.bus.avro.JobEvent;
import org.pclean.bus.avro.JobSpec;
import org.pclean.bus.avro.ProductEntry;
import org.pclean.bus.avro.ProductManifest;
import org.pclean.bus.avro.ProductRecord;
import org.pclean.bus.avro.SnapshotReady;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the dashboard and the per-job progress gauge show, kept from the bus by one consumer thread: jobs
 * (pclean.jobs), their events (pclean.events: convergence per major cycle, sub-cubes and the workers holding
 * them) and, with images on, the latest snapshot of each live dataset (pclean.snapshots) and the restored image
 * of each finished continuum job (pclean.products). The consumer is assigned, with no group: it commits nothing
 * and joins no group, so watching disturbs no service. History is read from {@code history} ago (the compacted
 * job list whole), then it follows live; every change is handed to the listeners as it is applied.
 */
public final class JobBoard implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobBoard.class);

  /** Receives each change: a type (job, snapshot, preview, workers) and its JSON-ready content. */
  public interface Listener {
    void changed(String type, Map<String, Object> content);
  }

  /** A finished or live image the preview endpoint renders. */
  record Image(PreviewRenderer.Plane plane, long version) {}

  private final KafkaConsumer<String, byte[]> consumer;
  private final boolean images;
  private final Thread thread;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, JobView> jobs = new ConcurrentHashMap<>();
  private final Map<String, WorkerView> workers = new ConcurrentHashMap<>();
  private final Map<String, Image> snapshots = new ConcurrentHashMap<>();
  private final Map<String, Map<String, Object>> snapshotInfo = new ConcurrentHashMap<>();
  private final Map<String, Image> previews = new ConcurrentHashMap<>();
  /** Snapshots and product images whose tiles are still arriving, by record key. */
  private final Map<String, Assembly> assembling = new HashMap<>();
  private volatile boolean closed;
  private volatile boolean caughtUp;

  /** Starts reading. images: also snapshots and finished continuum images (the dashboard's, not the gauge's). */
  public JobBoard(Properties client, boolean images, Duration history) {
    this.images = images;
    Properties c = new Properties();
    c.putAll(client);
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Topics.MAX_RECORD_BYTES);
    this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> all = new ArrayList<>();
    List<String> topics = new ArrayList<>(List.of(Topics.JOBS.name(), Topics.EVENTS.name()));
    if (images) {
      topics.addAll(List.of(Topics.SNAPSHOTS.name(), Topics.PRODUCTS.name()));
    }
    for (String t : topics) {
      consumer.partitionsFor(t, Duration.ofSeconds(15)).forEach(p -> all.add(new TopicPartition(t, p.partition())));
    }
    consumer.assign(all);
    long since = System.currentTimeMillis() - history.toMillis();
    Map<TopicPartition, Long> times = new HashMap<>();
    all.stream().filter(p -> !p.topic().equals(Topics.JOBS.name())).forEach(p -> times.put(p, since));
    Map<TopicPartition, OffsetAndTimestamp> from = consumer.offsetsForTimes(times);
    Map<TopicPartition, Long> ends = consumer.endOffsets(all);
    for (TopicPartition p : all) {
      if (p.topic().equals(Topics.JOBS.name())) {
        consumer.seekToBeginning(List.of(p));
      } else if (from.get(p) != null) {
        consumer.seek(p, from.get(p).offset());
      } else {
        consumer.seek(p, ends.get(p));
      }
    }
    this.thread = new Thread(this::run, "pclean-job-board");
    thread.setDaemon(true);
    thread.start();
  }

  public void addListener(Listener l) {
    listeners.add(l);
  }

  public void removeListener(Listener l) {
    listeners.remove(l);
  }

  /** The job's progress, 0..1 (NaN for a job not seen). */
  public double progress(String jobId) {
    JobView j = jobs.get(jobId);
    return j == null ? Double.NaN : j.progress();
  }

  /** Job ids seen so far. */
  public List<String> jobIds() {
    return List.copyOf(jobs.keySet());
  }

  /** Everything the page shows, for its first paint. */
  public Map<String, Object> state() {
    Map<String, Object> s = new LinkedHashMap<>();
    List<Map<String, Object>> js = new ArrayList<>();
    jobs.values().stream().sorted((a, b) -> Long.compare(b.submittedAt, a.submittedAt))
        .forEach(j -> js.add(j.json()));
    s.put("jobs", js);
    s.put("workers", workersJson());
    s.put("snapshots", List.copyOf(snapshotInfo.values()));
    s.put("images", images);
    s.put("caughtUp", caughtUp);
    return s;
  }

  /** The latest snapshot image of a dataset, or null. */
  Image snapshot(String dataset) {
    return snapshots.get(dataset);
  }

  /** The restored image of a finished continuum job, or null. */
  Image preview(String jobId) {
    return previews.get(jobId);
  }

  /** The live members of pclean-workers (client ids, from the cluster) merged into the worker list; lag may be NaN. */
  void workersSeen(List<String> members, double lag) {
    long now = System.currentTimeMillis();
    for (String m : members) {
      workers.computeIfAbsent(m, WorkerView::new).memberAt = now;
    }
    for (WorkerView w : workers.values()) {
      w.live = members.contains(w.id);
    }
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("workers", workersJson());
    c.put("lag", Double.isNaN(lag) ? null : lag);
    c.put("eventMillis", now);
    publish("workers", c);
  }

  private List<Map<String, Object>> workersJson() {
    List<Map<String, Object>> out = new ArrayList<>();
    workers.values().stream().sorted((a, b) -> a.id.compareTo(b.id)).forEach(w -> out.add(w.json()));
    return out;
  }

  private void run() {
    try {
      while (!closed) {
        var records = consumer.poll(Duration.ofMillis(200));
        for (ConsumerRecord<String, byte[]> r : records) {
          try {
            apply(r);
          } catch (RuntimeException e) {
            LOG.debug("dashboard skips {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), e.getMessage());
          }
        }
        if (!caughtUp && records.isEmpty()) {
          caughtUp = true;
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.warn("the dashboard stopped reading the bus: " + e.getMessage());
    } finally {
      consumer.close(Duration.ofSeconds(1));
    }
  }

  private void apply(ConsumerRecord<String, byte[]> r) {
    if (r.value() == null) {
      return;
    }
    String topic = r.topic();
    if (topic.equals(Topics.JOBS.name())) {
      JobSpec s = Messages.JOB_SPEC.fromBytes(topic, r.value());
      JobView j = jobs.computeIfAbsent(s.getJobId(), JobView::new);
      j.spec(s);
      changed(j, r.timestamp());
    } else if (topic.equals(Topics.EVENTS.name())) {
      JobEvent e = Messages.JOB_EVENT.fromBytes(topic, r.value());
      JobView j = jobs.computeIfAbsent(e.getJobId(), JobView::new);
      j.event(e);
      if (e.getWorker() != null) {
        workers.computeIfAbsent(e.getWorker(), WorkerView::new).event(e);
      }
      changed(j, e.getTimestampMillis());
    } else if (topic.equals(Topics.SNAPSHOTS.name())) {
      snapshotRecord(r);
    } else if (topic.equals(Topics.PRODUCTS.name())) {
      productRecord(r);
    }
  }

  private void changed(JobView j, long eventMillis) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("job", j.json());
    c.put("eventMillis", eventMillis);
    publish("job", c);
  }

  private void snapshotRecord(ConsumerRecord<String, byte[]> r) {
    SnapshotReady s;
    try {
      s = Messages.SNAPSHOT_READY.fromBytes(r.topic(), r.value());
    } catch (BusFormatException tile) {
      add(r.key(), Messages.IMAGE_TILE.fromBytes(r.topic(), r.value()));
      return;
    }
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("dataset", s.getDataset());
    info.put("windowStart", s.getWindowStart());
    info.put("windowEnd", s.getWindowEnd());
    info.put("dumps", s.getDumps());
    info.put("peak", finite(s.getPeak()));
    info.put("rms", finite(s.getRms()));
    info.put("latencyMs", s.getReadyAtMillis() - s.getClosedAtMillis());
    info.put("eventMillis", s.getReadyAtMillis());
    if (s.getNumTiles() == 0 || s.getRa() == null) {
      snapshotInfo.put(s.getDataset(), info);
      publish("snapshot", info);
      return;
    }
    String title = String.format(java.util.Locale.ROOT, "%s  window %.1f..%.1f s (%d dumps)", s.getDataset(),
        s.getWindowStart(), s.getWindowEnd(), s.getDumps());
    assembling.put(r.key(), new Assembly(s.getNumTiles(), new float[s.getNx() * s.getNy()], px ->
        new PreviewRenderer.Plane(px, s.getNx(), s.getNy(), s.getRa(), s.getDec(), s.getCellX(), s.getCellY(),
            s.getBeamMajorArcsec(), s.getBeamMinorArcsec(), s.getBeamPaDeg(), "Jy/beam", title), plane -> {
              long version = snapshots.containsKey(s.getDataset()) ? snapshots.get(s.getDataset()).version() + 1 : 1;
              snapshots.put(s.getDataset(), new Image(plane, version));
              info.put("url", "/preview/snapshot/" + s.getDataset() + "?v=" + version);
              snapshotInfo.put(s.getDataset(), info);
              publish("snapshot", info);
            }));
  }

  private void productRecord(ConsumerRecord<String, byte[]> r) {
    ProductRecord p = Messages.PRODUCT.fromBytes(r.topic(), r.value());
    if (p.getManifest() != null) {
      ProductManifest m = p.getManifest();
      List<ProductEntry> entries = m.getProducts();
      for (int i = 0; i < entries.size(); i++) {
        String path = entries.get(i).getPath();
        if (path.endsWith(".image") || path.endsWith(".image.tt0")) {
          ProductEntry e = entries.get(i);
          String title = String.format(java.util.Locale.ROOT, "%s  %d iterations, peak residual %.3g", path,
              m.getIterations(), m.getPeakResidual());
          String job = p.getJobId();
          assembling.put(productKey(job, i), new Assembly(ImageTiles.count(e.getNx(), e.getNy()),
              new float[e.getNx() * e.getNy()], px -> new PreviewRenderer.Plane(px, e.getNx(), e.getNy(), m.getRa(),
                  m.getDec(), m.getCellX(), m.getCellY(), m.getBeamMajorArcsec(), m.getBeamMinorArcsec(),
                  m.getBeamPaDeg(), e.getUnits(), title), plane -> {
                    previews.put(job, new Image(plane, System.currentTimeMillis()));
                    JobView j = jobs.computeIfAbsent(job, JobView::new);
                    j.preview = "/preview/job/" + job + "?v=" + previews.get(job).version();
                    changed(j, System.currentTimeMillis());
                  }));
          break;
        }
      }
    } else if (p.getTile() != null) {
      add(productKey(p.getJobId(), p.getProductIndex()), p.getTile());
    }
  }

  private static String productKey(String job, int index) {
    return "product:" + job + "/" + index;
  }

  private void add(String key, ImageTile t) {
    Assembly a = assembling.get(key);
    if (a != null && a.add(t)) {
      assembling.remove(key);
      a.done.accept(a.plane.apply(a.pixels));
    }
  }

  private void publish(String type, Map<String, Object> content) {
    for (Listener l : listeners) {
      try {
        l.changed(type, content);
      } catch (RuntimeException e) {
        LOG.debug("dashboard listener failed: {}", e.getMessage());
      }
    }
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** An image whose tiles are arriving: when the last is in, it is made a plane and handed on. */
  private static final class Assembly {
    final int tiles;
    final float[] pixels;
    final java.util.function.Function<float[], PreviewRenderer.Plane> plane;
    final java.util.function.Consumer<PreviewRenderer.Plane> done;
    final java.util.Set<Integer> seen = new java.util.HashSet<>();

    Assembly(int tiles, float[] pixels, java.util.function.Function<float[], PreviewRenderer.Plane> plane,
        java.util.function.Consumer<PreviewRenderer.Plane> done) {
      this.tiles = tiles;
      this.pixels = pixels;
      this.plane = plane;
      this.done = done;
    }

    /** Adds a tile once (a redelivered one is ignored); true when the image is complete. */
    boolean add(ImageTile t) {
      if (t.getImageNx() * t.getImageNy() == pixels.length && seen.add(t.getTileIndex())) {
        ImageTiles.addInto(t, pixels);
      }
      return seen.size() >= tiles;
    }
  }
}
