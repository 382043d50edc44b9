package org.pclean.imaging.snapshot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.pclean.bus.BusFormatException;
import org.pclean.bus.BusSerializer;
import org.pclean.bus.DeadLetters;
import org.pclean.bus.Messages;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.DatasetDescriptor;
import org.pclean.bus.avro.SnapshotReady;
import org.pclean.bus.avro.VisibilityChunk;
import org.pclean.bus.metrics.PcleanMeters;
import org.pclean.ingest.params.TcleanParams;
import org.pclean.ingest.source.DatasetReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Near-real-time snapshot imaging of a live dataset ({@code pclean snapshot}): a member of the consumer group
 * {@code pclean-snapshot-<dataset>} on {@code pclean.vis.<dataset>} that groups the stream's dumps into time
 * windows ({@link WindowPlan}), closes each as soon as its last dump is whole ({@link WindowAssembler}), images
 * it in memory (Stokes I, dirty unless niter > 0) with the serial engine, publishes a {@link SnapshotReady} and
 * the image as tiles on {@code pclean.snapshots}, and then writes {@code <imagename>-<UTC>.fits}.
 *
 * <p>Three threads, so reading never waits for imaging and imaging never waits for the disk: the poll thread
 * (decodes, dead-letters poison records, closes windows, commits), the imaging thread, and the FITS writer.
 *
 * <p><b>Progress.</b> One INFO line per snapshot ({@link SnapshotProgress}): windows imaged so far, and the
 * snapshot's lag behind the stream head (the end of the latest dump read) on the stream's clock.
 *
 * <p><b>Keeping up.</b> When the imaging thread becomes free and finds more than one closed window waiting, it
 * merges all of them into one snapshot spanning their union (key and windowStart of the oldest,
 * {@code mergedWindows} = how many) and logs it: a slow imager shows fewer, longer snapshots, and every dump is
 * imaged exactly once — none is skipped.
 *
 * <p><b>Offsets.</b> A window's records are committed only once its snapshot is published and its FITS file
 * written, so a member that takes over the partition after a failure re-images what this one had not finished
 * (a snapshot may then be published twice, never lost). A dataset topic has one partition: one member images a
 * dataset, the others of its group stand by.
 */
public final class SnapshotImager implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotImager.class);
  /** The automatic grace period never drops below this, so scheduling jitter cannot close a window early. */
  private static final long MIN_GRACE_MILLIS = 500;
  private static final Duration DESCRIPTOR_RETRY = Duration.ofMillis(250);

  /** Receives every snapshot after it is published (on the imaging thread; keep it short). */
  public interface Listener {
    /** image: {@code nx*ny} pixels {@code [y*nx + x]}, Jy/beam; null for a window with nothing to image. */
    void onSnapshot(SnapshotReady ready, float[] image);
  }

  /**
   * @param imaging the imaging parameters: {@code dataset} names the stream, {@code imagename} the FITS prefix;
   *     mfs, one Taylor term; niter 0 makes dirty snapshots
   * @param intervalSeconds window length aligned on the start of the dataset's first integration; 0: one
   *     window per dump
   * @param grace how long a window waits for late or missing dumps; null: two integrations on the stream's own
   *     clock (at least 0.5 s)
   * @param fits write {@code <imagename>-<UTC>.fits} for each snapshot
   */
  public record Settings(TcleanParams imaging, double intervalSeconds, Duration grace, boolean fits) {
    public Settings {
      if (imaging.dataset() == null) {
        throw new IllegalArgumentException("snapshot imaging needs a dataset (the stream to image)");
      }
      if (imaging.specmode() != TcleanParams.SpecMode.MFS || imaging.deconvolver() == TcleanParams.DeconvolverKind.MTMFS) {
        throw new IllegalArgumentException("snapshots are single mfs planes: use specmode mfs and a deconvolver"
            + " other than mtmfs");
      }
      if (!(intervalSeconds >= 0) || Double.isInfinite(intervalSeconds)) {
        throw new IllegalArgumentException("--interval must be a positive duration or 'dump'");
      }
      if (grace != null && grace.isNegative()) {
        throw new IllegalArgumentException("the grace period must not be negative");
      }
    }

    public String dataset() {
      return imaging.dataset();
    }

    /** The consumer group of the dataset's snapshot imagers. */
    public String group() {
      return "pclean-snapshot-" + dataset();
    }
  }

  /**
   * What the imager has done so far: snapshots published, windows closed, snapshots that merged windows, late
   * windows, records dead-lettered, and windows imaged (in all snapshots).
   */
  public record Stats(long snapshots, long windows, long mergedSnapshots, long lateWindows, long deadLettered,
      long windowsImaged) {}

  private final Properties client;
  private final Settings settings;
  private final Listener listener;
  private final BlockingQueue<ClosedWindow> closed = new LinkedBlockingQueue<>();
  /** Bounded: when the disk is slower than the stream, imaging waits (and the windows waiting merge). */
  private final BlockingQueue<Runnable> fitsJobs = new ArrayBlockingQueue<>(2);
  private final OffsetTracker offsets = new OffsetTracker();
  private final AtomicLong snapshots = new AtomicLong();
  private final AtomicLong windows = new AtomicLong();
  private final AtomicLong merged = new AtomicLong();
  private final AtomicLong late = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();
  private final List<Thread> threads = new ArrayList<>();
  private final SnapshotProgress progress;
  private volatile boolean running;
  private volatile KafkaConsumer<String, byte[]> consumer;
  private volatile DatasetDescriptor descriptor;
  private volatile Throwable failure;
  private KafkaProducer<String, Object> producer;
  private SnapshotPublisher publisher;

  public SnapshotImager(Properties client, Settings settings, Listener listener) {
    this.client = client;
    this.settings = settings;
    this.listener = listener;
    this.progress = new SnapshotProgress(settings.dataset());
  }

  /** Starts the threads; returns at once (the descriptor may not be on the bus yet: the poll thread waits). */
  public synchronized SnapshotImager start() {
    if (running) {
      throw new IllegalStateException("already started");
    }
    running = true;
    PcleanMeters.load();  // the gridder counts into them: not inside the first window's latency
    producer = producer(client);
    publisher = new SnapshotPublisher(producer, settings);
    String d = settings.dataset();
    threads.add(new Thread(this::pollLoop, "pclean-snapshot-poll-" + d));
    threads.add(new Thread(this::imageLoop, "pclean-snapshot-image-" + d));
    threads.add(new Thread(this::fitsLoop, "pclean-snapshot-fits-" + d));
    threads.forEach(Thread::start);
    return this;
  }

  public Stats stats() {
    return new Stats(snapshots.get(), windows.get(), merged.get(), late.get(), deadLettered.get(),
        progress.windows());
  }

  /** Why the imager stopped on its own, if it did (it keeps running through bad records and bad windows). */
  public Throwable failure() {
    return failure;
  }

  /** Stops reading, finishes nothing more, commits what is published, leaves the group. */
  @Override
  public void close() {
    synchronized (this) {
      if (!running) {
        return;
      }
      running = false;
    }
    KafkaConsumer<String, byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    } else {
      threads.get(0).interrupt();  // still waiting for the descriptor
    }
    // The poll thread lets imaging finish the windows already closed, then commits and leaves the group.
    for (Thread t : threads) {
      try {
        t.join(60000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    producer.close(Duration.ofSeconds(10));
  }

  // ---- poll thread ----

  private void pollLoop() {
    try {
      descriptor = awaitDescriptor();
      if (descriptor == null) {
        return;
      }
      WindowPlan plan = new WindowPlan(descriptor, settings.intervalSeconds());
      WindowAssembler assembler = new WindowAssembler(plan);
      String topic = Topics.visibilities(settings.dataset()).name();
      try (KafkaConsumer<String, byte[]> c = consumer(client, settings.group())) {
        consumer = c;
        c.subscribe(List.of(topic), new ConsumerRebalanceListener() {
          @Override
          public void onPartitionsRevoked(Collection<TopicPartition> parts) {
            commit(c, topic, true);
            assembler.clear();
            parts.forEach(p -> offsets.forget(p.partition()));
          }

          @Override
          public void onPartitionsAssigned(Collection<TopicPartition> parts) {
            if (!parts.isEmpty()) {
              LOG.info("snapshot imager of " + settings.dataset() + " reads " + parts);
            }
          }
        });
        LOG.info(String.format(Locale.ROOT, "snapshot imager of %s: %s windows, group %s, dumps of %.3f s",
            settings.dataset(), plan.perDump() ? "one-dump" : settings.intervalSeconds() + " s",
            settings.group(), plan.integration()));
        Map<Integer, Long> lastCommitted = new HashMap<>();
        while (running) {
          long pollMillis = assembler.hasOpenWindows() ? 20 : 100;
          try {
            for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(pollMillis))) {
              accept(r, assembler);
            }
          } catch (WakeupException e) {
            break;
          }
          long grace = settings.grace() != null ? settings.grace().toMillis()
              : assembler.automaticGraceMillis(MIN_GRACE_MILLIS);
          enqueue(assembler.expire(System.currentTimeMillis(), grace));
          Map<Integer, Long> now = offsets.committable();
          if (!now.equals(lastCommitted)) {
            commit(c, topic, false);
            lastCommitted = now;
          }
        }
        // Windows still being filled are left to whoever reads the partition next; those closed are finished.
        joinWorkers();
        commit(c, topic, true);
      }
    } catch (WakeupException | org.apache.kafka.common.errors.InterruptException e) {
      // stopping
    } catch (RuntimeException e) {
      if (running) {
        failure = e;
        LOG.error("snapshot imager of " + settings.dataset() + " stopped reading", e);
      }
    } finally {
      consumer = null;
    }
  }

  private void joinWorkers() {
    for (Thread t : threads.subList(1, threads.size())) {
      try {
        t.join(60000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private DatasetDescriptor awaitDescriptor() {
    boolean told = false;
    while (running) {
      var d = DatasetReader.descriptor(client, settings.dataset());
      if (d.isPresent()) {
        return d.get();
      }
      if (!told) {
        LOG.info("waiting for dataset " + settings.dataset() + " to appear on " + Topics.DATASETS.name());
        told = true;
      }
      try {
        Thread.sleep(DESCRIPTOR_RETRY.toMillis());
      } catch (InterruptedException e) {
        return null;
      }
    }
    return null;
  }

  private void accept(ConsumerRecord<String, byte[]> r, WindowAssembler assembler) {
    VisibilityChunk chunk;
    try {
      chunk = Messages.VISIBILITY_CHUNK.fromBytes(r.topic(), r.value());
      if (chunk == null) {
        throw new BusFormatException("empty record (a tombstone) where a visibility chunk belongs");
      }
    } catch (BusFormatException e) {
      deadLetter(r, e.getMessage());
      offsets.consumed(r.partition(), r.offset(), -1);
      return;
    }
    String problem = ChunkCheck.problem(chunk, descriptor);
    if (problem != null) {
      deadLetter(r, "visibility chunk cannot be imaged: " + problem);
      offsets.consumed(r.partition(), r.offset(), -1);
      return;
    }
    offsets.consumed(r.partition(), r.offset(), assembler.windowIdFor(chunk));
    progress.read(chunk, descriptor.getIntegration());
    enqueue(assembler.add(chunk, System.currentTimeMillis()));
  }

  private void enqueue(List<ClosedWindow> done) {
    for (ClosedWindow w : done) {
      windows.incrementAndGet();
      if (w.late()) {
        late.incrementAndGet();
        LOG.warn(String.format(Locale.ROOT, "%s: %d late dump(s) of window %s arrived after it closed; imaging"
            + " them as a snapshot of their own", settings.dataset(), w.dumps(), SnapshotPublisher.describe(w)));
      } else if (w.missingDumps() > 0) {
        LOG.warn(String.format(Locale.ROOT, "%s: window %s closed (%s) with %d dump(s) missing", settings.dataset(),
            SnapshotPublisher.describe(w), w.reason(), w.missingDumps()));
      }
      closed.add(w);
    }
  }

  private void commit(KafkaConsumer<String, byte[]> c, String topic, boolean sync) {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    offsets.committable().forEach((p, o) -> out.put(new TopicPartition(topic, p), new OffsetAndMetadata(o)));
    out.keySet().retainAll(c.assignment());
    if (out.isEmpty()) {
      return;
    }
    try {
      if (sync) {
        c.commitSync(out, Duration.ofSeconds(10));
      } else {
        c.commitAsync(out, (o, e) -> {
          if (e != null) {
            LOG.debug("offset commit failed (retried with the next): " + e.getMessage());
          }
        });
      }
    } catch (RuntimeException e) {
      LOG.warn("cannot commit snapshot offsets of " + settings.dataset() + ": " + e.getMessage());
    }
  }

  private void deadLetter(ConsumerRecord<String, byte[]> r, String why) {
    deadLettered.incrementAndGet();
    LOG.warn("dead-lettering " + r.topic() + "-" + r.partition() + "@" + r.offset() + ": " + why);
    producer.send(new ProducerRecord<>(Topics.DEAD_LETTER.name(), r.key(),
        DeadLetters.of(r.topic(), r.partition(), r.offset(), r.key(), r.value(), why)), (m, e) -> {
          if (e != null) {
            LOG.warn("cannot dead-letter " + r.topic() + "@" + r.offset() + ": " + e.getMessage());
          }
        });
  }

  // ---- imaging thread ----

  private void imageLoop() {
    while (running || !closed.isEmpty()) {
      List<ClosedWindow> waiting = new ArrayList<>();
      try {
        ClosedWindow first = closed.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        waiting.add(first);
      } catch (InterruptedException e) {
        return;
      }
      closed.drainTo(waiting);
      if (waiting.size() > 1) {
        merged.incrementAndGet();
        LOG.warn(String.format(Locale.ROOT, "snapshot imager of %s fell behind: %d closed windows were waiting;"
            + " imaging %s .. %s as one snapshot (mergedWindows %d)", settings.dataset(), waiting.size(),
            SnapshotPublisher.describe(waiting.get(0)), SnapshotPublisher.describe(waiting.get(waiting.size() - 1)),
            waiting.size()));
      }
      try {
        SnapshotPublisher.Published p = publisher.imageAndPublish(descriptor, waiting);
        snapshots.incrementAndGet();
        progress.imaged(p.ready());
        PcleanMeters.SNAPSHOT_LATENCY.record(Duration.ofMillis(
            p.ready().getReadyAtMillis() - p.ready().getClosedAtMillis()));
        if (listener != null) {
          try {
            listener.onSnapshot(p.ready(), p.image());
          } catch (RuntimeException e) {
            LOG.warn("snapshot listener failed", e);
          }
        }
        Runnable finish = () -> waiting.forEach(w -> offsets.release(w.id()));
        if (settings.fits() && p.image() != null) {
          fitsJobs.put(() -> {
            publisher.writeFits(p);
            finish.run();
          });
        } else {
          finish.run();
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // A window that cannot be imaged is reported and skipped; the service goes on with the next.
        LOG.error("cannot image snapshot " + SnapshotPublisher.describe(waiting.get(0)) + " of "
            + settings.dataset() + ": " + e.getMessage(), e);
        waiting.forEach(w -> offsets.release(w.id()));
      }
    }
  }

  // ---- FITS thread ----

  /** Runs until stopped and the imaging thread is done, so every published snapshot gets its FITS file. */
  private void fitsLoop() {
    while (running || threads.get(1).isAlive() || !fitsJobs.isEmpty()) {
      try {
        Runnable job = fitsJobs.poll(200, TimeUnit.MILLISECONDS);
        if (job != null) {
          job.run();
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.error("cannot write a snapshot FITS file of " + settings.dataset(), e);
      }
    }
  }

  // ---- clients ----

  /**
   * A group consumer for the low-latency path: fetch.min.bytes 1 with a short fetch.max.wait, so the broker
   * answers a fetch as soon as one record is there.
   */
  static KafkaConsumer<String, byte[]> consumer(Properties client, String group) {
    Properties p = new Properties();
    p.putAll(client);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "1");
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(Topics.MAX_RECORD_BYTES));
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(8 * Topics.MAX_RECORD_BYTES));
    p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
    p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, Integer.toString(10 * 60 * 1000));
    return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }

  /** Snapshots and dead letters: sent at once (linger 0), uncompressed (float images barely compress). */
  static KafkaProducer<String, Object> producer(Properties client) {
    Properties p = new Properties();
    p.putAll(client);
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(Topics.MAX_RECORD_BYTES));
    return new KafkaProducer<>(p, new StringSerializer(), new BusSerializer());
  }
}
