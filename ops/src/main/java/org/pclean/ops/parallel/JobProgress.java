package org.pclean.ops.parallel;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.pclean.bus.Messages;
import org.pclean.bus.Topics;
import org.pclean.bus.avro.JobEvent;
import org.pclean.bus.avro.JobEventType;
import org.pclean.imaging.Eta;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A submitted job's progress, watched on pclean.events while the client waits: a cube counts finished
 * sub-cubes (of the total, with rate and ETA), a continuum job its major cycles (iterations so far of niter,
 * peak residual against the threshold). On a terminal it is a progress bar; elsewhere (a log file, CI) a plain line
 * per sub-cube or cycle. It only reads: a client that stops watching changes nothing.
 */
final class JobProgress implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobProgress.class);

  /** What the job is, as far as the bar needs it. */
  record Shape(String jobId, boolean cube, int subcubes, int niter, double thresholdJy) {}

  private final Shape shape;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Thread thread;
  private final ProgressBar bar;
  private final Set<Integer> done = new HashSet<>();
  private final long startNanos = System.nanoTime();
  private volatile boolean closed;

  private JobProgress(Shape shape, Properties client, long sinceMillis) {
    this.shape = shape;
    Properties c = new Properties();
    c.putAll(client);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    this.consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> parts = consumer.partitionsFor(Topics.EVENTS.name()).stream()
        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    consumer.assign(parts);
    Map<TopicPartition, Long> since = new HashMap<>();
    parts.forEach(p -> since.put(p, sinceMillis));
    Map<TopicPartition, OffsetAndTimestamp> from = consumer.offsetsForTimes(since);
    for (TopicPartition p : parts) {
      OffsetAndTimestamp o = from.get(p);
      if (o == null) {
        consumer.seekToEnd(List.of(p));
      } else {
        consumer.seek(p, o.offset());
      }
    }
    this.bar = System.console() == null ? null : new ProgressBarBuilder()
        .setTaskName(shape.jobId() + (shape.cube() ? " sub-cubes" : " iterations"))
        .setInitialMax(shape.cube() ? shape.subcubes() : Math.max(shape.niter(), 1))
        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).continuousUpdate().build();
    this.thread = new Thread(this::watch, "progress-" + shape.jobId());
    thread.setDaemon(true);
    thread.start();
  }

  /** Starts watching the job's events from {@code sinceMillis} (its submission); null when events cannot be read. */
  static JobProgress watch(Shape shape, Properties client, long sinceMillis) {
    try {
      return new JobProgress(shape, client, sinceMillis);
    } catch (RuntimeException e) {
      LOG.debug("no progress for {}: {}", shape.jobId(), e.getMessage());
      return null;
    }
  }

  private void watch() {
    try {
      while (!closed) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          if (!Topics.jobKey(shape.jobId()).equals(r.key())) {
            continue;
          }
          JobEvent e;
          try {
            e = Messages.JOB_EVENT.fromBytes(r.topic(), r.value());
          } catch (RuntimeException bad) {
            continue;  // not ours to judge: the services dead-letter what they cannot read
          }
          show(e);
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close(Duration.ofSeconds(1));
    }
  }

  private void show(JobEvent e) {
    if (shape.cube() && e.getType() == JobEventType.PROGRESS && e.getPartitionIndex() != null
        && done.add(e.getPartitionIndex())) {
      if (bar != null) {
        bar.stepTo(done.size());
      } else {
        LOG.info(cubeLine(shape.jobId(), done.size(), shape.subcubes(), (System.nanoTime() - startNanos) / 1e9,
            e.getMessage()));
      }
    } else if (!shape.cube() && e.getType() == JobEventType.CONVERGENCE) {
      int iterations = e.getIterations() == null ? 0 : e.getIterations();
      int cycle = e.getCycle() == null ? -1 : e.getCycle();
      double peak = e.getPeakResidual() == null ? Double.NaN : e.getPeakResidual();
      if (bar != null) {
        bar.stepTo(Math.min(iterations, bar.getMax()));
        bar.setExtraMessage(String.format(Locale.ROOT, " major cycle %d, peak residual %.4g Jy/beam vs threshold"
            + " %.4g Jy", cycle, peak, shape.thresholdJy()));
      } else {
        LOG.info(cycleLine(shape.jobId(), cycle, iterations, shape.niter(), peak, shape.thresholdJy()));
      }
    }
  }

  /**
   * A cube's plain line: "j: 3 of 8 sub-cubes done, 0.250 sub-cubes/s, ETA 20 s (message)", the rate and ETA from
   * the time since the client started watching.
   */
  static String cubeLine(String jobId, int done, int total, double seconds, String message) {
    return String.format(Locale.ROOT, "%s: %d of %d sub-cubes done, %.3g sub-cubes/s, ETA %s (%s)", jobId, done,
        total, seconds > 0 ? done / seconds : 0, Eta.text(Eta.seconds(done, total, seconds)), message);
  }

  /**
   * A continuum job's plain line: "j: major cycle 2, 412 of 5000 iterations, peak residual 0.0123 Jy/beam vs
   * threshold 0.002 Jy".
   */
  static String cycleLine(String jobId, int cycle, int iterations, int niter, double peakJy, double thresholdJy) {
    return String.format(Locale.ROOT, "%s: major cycle %d, %d of %d iterations, peak residual %.4g Jy/beam vs"
        + " threshold %.4g Jy", jobId, cycle, iterations, niter, peakJy, thresholdJy);
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    consumer.wakeup();
    thread.join(5_000);
    if (bar != null) {
      bar.close();
    }
  }
}
